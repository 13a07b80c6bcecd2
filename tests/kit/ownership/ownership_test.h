// Runs text programs over the fixture harness linked in (ob_harness_target) with the kit's
// runner directly, so a test can count what ran and what the kit skipped.
#ifndef TESTS_KIT_OWNERSHIP_OWNERSHIP_TEST_H
#define TESTS_KIT_OWNERSHIP_OWNERSHIP_TEST_H

#include <gtest/gtest.h>

extern "C" {
#include <ouroboros/ob_kit.h>
}

namespace ownership
{

inline ob_outcome run(const char *src)
{
    ob_program p;
    char err[256] = "";
    ob_outcome o = {};
    EXPECT_EQ(ob_program_assemble(&ob_harness_target, src, &p, err, sizeof err), OB_OK) << err;
    ob_options opt = {};
    ob_runner *r = nullptr;
    EXPECT_EQ(ob_runner_new(&opt, &r), OB_OK);
    EXPECT_EQ(ob_run(r, &p, &o), OB_OK);
    ob_runner_free(r);
    ob_program_clear(&p);
    return o;
}

} // namespace ownership

#endif
