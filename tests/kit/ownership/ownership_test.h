// Runs text programs over the fixture harness linked in (ob_harness_target) with the kit's
// runner directly, so a test can count what ran and what the kit skipped, and checks that
// every object was freed by the end.
#ifndef TESTS_KIT_OWNERSHIP_OWNERSHIP_TEST_H
#define TESTS_KIT_OWNERSHIP_OWNERSHIP_TEST_H

#include <gtest/gtest.h>

extern "C" {
#include <ouroboros/ob_kit.h>
}

namespace ownership
{

struct Case {
    const char *what; // what the program shows
    const char *src;
    unsigned executed, skipped, failed;
};

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

// Each case's counts, and `live` (the fixture's count of live objects) back to 0.
template <size_t N> void check(const Case (&cases)[N], int64_t (*live)(void))
{
    for (const Case &c : cases) {
        SCOPED_TRACE(c.what);
        ob_outcome o = run(c.src);
        EXPECT_EQ(o.executed, c.executed);
        EXPECT_EQ(o.skipped, c.skipped);
        EXPECT_EQ(o.failed, c.failed);
        EXPECT_EQ(live(), 0);
    }
}

} // namespace ownership

#endif
