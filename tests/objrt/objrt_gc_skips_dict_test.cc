// Seeded defect objrt_gc_skips_dict (leak): a list <-> dict cycle survives collection.
#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

TEST(DefectGcSkipsDict, CycleThroughADictIsNeverFreed)
{
    objrt_obj *l = List(), *d = Dict(), *k = Int(1);
    objrt_list_append(l, d);
    objrt_dict_set(d, k, l);
    for (objrt_obj *o : {l, d, k})
        objrt_decref(o);
    size_t freed = 0;
    objrt_collect(&freed);
    EXPECT_EQ(freed, 0u);
    EXPECT_EQ(Gauges().live_containers, 2u);
    EXPECT_EQ(objrt_check(), nullptr); // the bookkeeping itself stays consistent
}
