// Seeded defect objrt_dealloc_recurses (stack-budget): freeing a chain nests one C frame
// group per level instead of using the delete-later list.
#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

TEST(DefectDeallocRecurses, FreeingAChainRecursesPerLevel)
{
    objrt_obj *chain = NestedList(3000);
    objrt_reset_depth_high_water();
    objrt_decref(chain);
    EXPECT_EQ(Gauges().depth_high_water, 3000u);
    EXPECT_EQ(LiveObjects(), 0u);
}
