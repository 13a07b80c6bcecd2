// Allocation-failure injection (SQLite's malloc tests): for N = 1, 2, ... the N-th
// allocation of an operation fails (once, or from then on); the operation must return
// OBJRT_OK or OBJRT_ENOMEM, leave the gauges where they were when it fails, and keep every
// invariant. The loop ends at the first N the operation never reaches.
#include <cstring>
#include <string>
#include <vector>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

namespace
{

FaultAllocator g_faults;

class Oom : public IdleTest
{
  protected:
    void SetUp() override
    {
        IdleTest::SetUp();
        g_faults.Disarm();
        ASSERT_EQ(objrt_set_hooks(&g_faults.table, nullptr), OBJRT_OK);
    }
    void TearDown() override
    {
        g_faults.Disarm();
        IdleTest::TearDown();
        EXPECT_EQ(objrt_set_hooks(nullptr, nullptr), OBJRT_OK);
    }

    // op returns a status and may hand back an object to release; fixture objects made
    // before the call count toward the baseline.
    void EveryFailure(const char *name, const std::function<int(objrt_obj **)> &op)
    {
        for (bool persistent : {false, true}) {
            long n = 1;
            for (;; n++) {
                objrt_gauges before = Gauges();
                objrt_obj *result = nullptr;
                g_faults.Arm(n, persistent);
                int rc = op(&result);
                long failures = g_faults.failures.load();
                g_faults.Disarm();
                ASSERT_TRUE(rc == OBJRT_OK || rc == OBJRT_ENOMEM) << name << " n=" << n;
                const char *broken = objrt_check();
                ASSERT_EQ(broken, nullptr) << name << " n=" << n << ": " << broken;
                if (rc == OBJRT_ENOMEM) {
                    EXPECT_EQ(result, nullptr) << name << " n=" << n;
                    objrt_gauges after = Gauges();
                    ASSERT_EQ(after.live_objects, before.live_objects) << name << " n=" << n;
                    ASSERT_EQ(after.bytes_allocated, before.bytes_allocated) << name << " n=" << n;
                    ASSERT_EQ(after.intern_entries, before.intern_entries) << name << " n=" << n;
                } else {
                    // A failure the operation swallowed would hide a missing error path.
                    ASSERT_EQ(failures, 0) << name << " n=" << n << " succeeded despite OOM";
                }
                objrt_decref(result);
                if (failures == 0)
                    break;
            }
            EXPECT_GT(n, 1) << name << " never allocated";
        }
    }
};

const char kText[] = "[1, \"a\\n\", {\"k\": [2, {\"deep\": [[], {}]}], 7: \"seven\"}, "
                     "[3, 4, 5, 6, 7, 8, 9, 10, 11, 12], {\"k\": 1, \"j\": 2}]";

TEST_F(Oom, Parse)
{
    EveryFailure("parse", [](objrt_obj **out) {
        return objrt_parse(kText, sizeof kText - 1, out, nullptr);
    });
}

TEST_F(Oom, DeepcopyReprAndSnapshot)
{
    objrt_obj *src = Parse(kText);
    EveryFailure("deepcopy", [src](objrt_obj **out) { return objrt_deepcopy(src, out); });
    EveryFailure("repr", [src](objrt_obj **out) { return objrt_repr(src, out); });
    EveryFailure("snapshot", [](objrt_obj **) {
        objrt_snapshot *s = nullptr;
        int rc = objrt_snapshot_take(&s);
        objrt_snapshot_free(s);
        return rc;
    });
    objrt_snapshot *snap = nullptr;
    ASSERT_EQ(objrt_snapshot_take(&snap), OBJRT_OK);
    EveryFailure("find_cycle", [snap](objrt_obj **) {
        char buf[64];
        int found = 0;
        return objrt_snapshot_find_cycle(snap, buf, sizeof buf, &found);
    });
    objrt_snapshot_free(snap);
    objrt_decref(src);
}

TEST_F(Oom, ListGrowth)
{
    objrt_obj *l = List(), *item = Int(5);
    EveryFailure("list append", [l, item](objrt_obj **) {
        for (int i = 0; i < 64; i++) {
            int rc = objrt_list_append(l, item);
            if (rc) {
                objrt_list_clear(l);
                return rc;
            }
        }
        objrt_list_clear(l);
        return (int)OBJRT_OK;
    });
    objrt_list_clear(l);
    objrt_decref(l);
    objrt_decref(item);
}

TEST_F(Oom, DictGrowthAndObjects)
{
    EveryFailure("dict build", [](objrt_obj **out) {
        objrt_obj *d = nullptr;
        int rc = objrt_dict_new(&d);
        for (int i = 0; rc == OBJRT_OK && i < 40; i++) {
            objrt_obj *k = nullptr, *v = nullptr;
            std::string s = "key" + std::to_string(i);
            rc = objrt_str_intern(s.data(), s.size(), &k);
            if (rc == OBJRT_OK)
                rc = objrt_list_new(&v);
            if (rc == OBJRT_OK)
                rc = objrt_dict_set(d, k, v);
            objrt_decref(k);
            objrt_decref(v);
        }
        if (rc == OBJRT_OK)
            *out = d;
        else
            objrt_decref(d);
        return rc;
    });
}

TEST_F(Oom, WeakrefsAndStrs)
{
    objrt_obj *target = List();
    EveryFailure("weakref", [target](objrt_obj **out) {
        return objrt_weakref_new(target, nullptr, nullptr, out);
    });
    EveryFailure("str", [](objrt_obj **out) { return objrt_str_new("abc", 3, out); });
    EveryFailure("intern", [](objrt_obj **out) { return objrt_str_intern("abc", 3, out); });
    objrt_decref(target);
}

TEST_F(Oom, CollectorNeedsNoMemory)
{
    for (int i = 0; i < 10; i++) {
        objrt_obj *l = List();
        objrt_list_append(l, l);
        objrt_decref(l);
    }
    g_faults.Arm(1, true);
    size_t freed = 0;
    EXPECT_EQ(objrt_collect(&freed), OBJRT_OK);
    EXPECT_EQ(g_faults.failures.load(), 0);
    g_faults.Disarm();
    EXPECT_EQ(freed, 10u);
}

} // namespace
