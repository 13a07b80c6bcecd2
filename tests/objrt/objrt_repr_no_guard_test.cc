// Seeded defect objrt_repr_no_guard (stack-overflow): repr ignores the depth limit. A
// self-containing list would recurse until the stack overflows; this test shows the
// missing limit without crashing.
#include <string>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

TEST(DefectReprNoGuard, ReprDescendsPastTheLimit)
{
    objrt_obj *deep = NestedList(objrt_depth_limit() * 3);
    objrt_obj *r = nullptr;
    EXPECT_EQ(objrt_repr(deep, &r), OBJRT_OK);
    size_t n = 0;
    objrt_str_data(r, &n);
    EXPECT_EQ(n, 2u * objrt_depth_limit() * 3);
    objrt_decref(r);
    objrt_decref(deep);
}
