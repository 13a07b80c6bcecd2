// Seeded defect objrt_weakref_strong (leak): a list that holds a weakref to itself is
// never collected, and the snapshot shows the strong edge through the weakref.
#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

TEST(DefectWeakrefStrong, ObjectReachableFromItsOwnWeakrefLeaks)
{
    objrt_obj *l = List(), *w = nullptr;
    ASSERT_EQ(objrt_weakref_new(l, nullptr, nullptr, &w), OBJRT_OK);
    objrt_list_append(l, w);
    objrt_decref(w);
    objrt_decref(l);
    size_t freed = 0;
    objrt_collect(&freed);
    EXPECT_EQ(freed, 0u);
    EXPECT_EQ(LiveObjects(), 2u);

    objrt_snapshot *s = nullptr;
    ASSERT_EQ(objrt_snapshot_take(&s), OBJRT_OK);
    char buf[128];
    int found = 0;
    ASSERT_EQ(objrt_snapshot_find_cycle(s, buf, sizeof buf, &found), OBJRT_OK);
    objrt_snapshot_free(s);
    EXPECT_EQ(found, 1);
    EXPECT_EQ(std::string(buf), "list#1 -> weakref#2 -> list#1");
}
