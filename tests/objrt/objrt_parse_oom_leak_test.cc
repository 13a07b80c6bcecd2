// Seeded defect objrt_parse_oom_leak (leak): an allocation failure mid-parse leaves the
// containers built so far alive; the live-object gauge does not return to its baseline.
#include <cstring>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

TEST(DefectParseOomLeak, FailedParseLeavesContainersBehind)
{
    static FaultAllocator faults;
    ASSERT_EQ(objrt_set_hooks(&faults.table, nullptr), OBJRT_OK);
    const char *text = "[[1, 2], {\"k\": [3]}, [4]]";
    size_t leaked = 0;
    for (long n = 1; n < 1000 && leaked == 0; n++) {
        size_t before = LiveObjects();
        objrt_obj *o = nullptr;
        faults.Arm(n, false);
        int rc = objrt_parse(text, std::strlen(text), &o, nullptr);
        bool failed = faults.failures.load() > 0;
        faults.Disarm();
        objrt_decref(o);
        if (!failed)
            break;
        EXPECT_EQ(rc, OBJRT_ENOMEM);
        leaked = LiveObjects() - before;
    }
    EXPECT_GT(leaked, 0u);
    EXPECT_GT(Gauges().live_containers, 0u);
}
