// Seeded defect objrt_parse_no_limit (stack-budget): nesting far past the limit parses,
// one recursion level per bracket.
#include <string>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

TEST(DefectParseNoLimit, NestingPastTheLimitRecursesPerBracket)
{
    objrt_reset_depth_high_water();
    std::string text = NestedText(3000, false);
    objrt_obj *o = nullptr;
    EXPECT_EQ(objrt_parse(text.data(), text.size(), &o, nullptr), OBJRT_OK);
    EXPECT_EQ(Gauges().depth_high_water, 3000u);
    EXPECT_GT(Gauges().depth_high_water, objrt_depth_limit());
    objrt_decref(o);
}
