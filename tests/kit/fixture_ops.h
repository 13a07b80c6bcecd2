// A table-only target for program tests: every argument kind, ops with and without
// handles, one op that makes objects. The functions are never called by these tests.
#ifndef TESTS_KIT_FIXTURE_OPS_H
#define TESTS_KIT_FIXTURE_OPS_H

extern "C" {
#include <ouroboros/ob_kit.h>
}

namespace fixture
{

inline int noop(ob_call *)
{
    return 0;
}

inline const char *const kColors[] = {"red", "green", "blue"};

inline const ob_op kOps[] = {
    {"obj.new", noop, 1, {OB_INT(-5, 1000)}, 1},
    {"obj.link", noop, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"obj.paint", noop, 2, {OB_HANDLE, OB_ENUM(kColors)}, 0},
    {"obj.name", noop, 2, {OB_HANDLE, OB_BYTES(12)}, 0},
    {"blob.put", noop, 2, {OB_BYTES(40), OB_INT(0, 100000)}, 0},
    {"tick", noop, 0, {}, 0},
    {"doc.parse", noop, 1, {OB_BYTES(100000)}, 0},
    {"key.put", noop, 2, {OB_BYTES_FRESH(16), OB_INT_FRESH(0, 9)}, 0},
};

inline const ob_target kTarget = {
    "fixture", kOps,    sizeof kOps / sizeof kOps[0],
    nullptr,   nullptr, nullptr,
    nullptr,   nullptr, nullptr,
    nullptr,   0,       nullptr,
    nullptr,   1,       /* alloc_hooks: the tests write failure points */ 0,
    nullptr,   nullptr,
};

} // namespace fixture

#endif
