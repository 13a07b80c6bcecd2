// Seeded defect objrt_intern_forever (growth): interned strs outlive every reference.
#include <string>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

TEST(DefectInternForever, TableGrowsWithEveryDistinctString)
{
    for (int i = 0; i < 1000; i++) {
        std::string s = "name" + std::to_string(i);
        objrt_obj *o = nullptr;
        ASSERT_EQ(objrt_str_intern(s.data(), s.size(), &o), OBJRT_OK);
        objrt_decref(o);
    }
    objrt_gauges g = Gauges();
    EXPECT_EQ(g.intern_entries, 1000u);
    EXPECT_EQ(g.per_type[OBJRT_STR], 1000u);
}
