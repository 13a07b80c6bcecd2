// Allocation-failure injection: one workload runs again and again with allocation N failing,
// for N = 1, 2, ... until a run makes fewer than N allocations. Every call must return
// MEMO_OK or MEMO_ENOMEM (or the status its arguments call for), every invariant must hold
// after every call, a failed put must keep the old value, and nothing may stay allocated.
#include <gtest/gtest.h>

#include <string>

#include "tests/memo/memo_support.h"

using memo_test::CountingAllocator;
using memo_test::FakeClock;
using memo_test::HooksScope;

namespace
{

::testing::AssertionResult ok_or_nomem(int rc)
{
    if (rc == MEMO_OK || rc == MEMO_ENOMEM)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << memo_strerror(rc);
}

// The value under k, or "" when absent (a get never allocates).
std::string peek(memo_cache *c, const std::string &k)
{
    char buf[64];
    size_t n;
    if (memo_get(c, k.data(), k.size(), buf, sizeof buf, &n) != MEMO_OK)
        return "";
    return std::string(buf, n);
}

void cache_workload(memo_cache *c, FakeClock &clock)
{
    for (int i = 0; i < 60; i++) {
        std::string k = "k" + std::to_string(i % 13);
        std::string v = "v" + std::to_string(i) + std::string(i % 7, '.');
        std::string before = peek(c, k);
        int rc = memo_put(c, k.data(), k.size(), v.data(), v.size());
        EXPECT_TRUE(ok_or_nomem(rc));
        EXPECT_EQ(peek(c, k), rc == MEMO_OK ? v : before) << "put " << i;
        EXPECT_EQ(memo_check(c), nullptr) << "put " << i;
        if (i % 9 == 0)
            memo_delete(c, k.data(), k.size());
        if (i % 11 == 0) {
            clock.now += 40;
            EXPECT_EQ(memo_evict_expired(c, nullptr), MEMO_OK);
        }
    }
    EXPECT_EQ(memo_check(c), nullptr);
}

void registry_workload(const memo_config &cfg)
{
    for (int round = 0; round < 3; round++) {
        memo_cache *r = nullptr;
        int rc = memo_registry_get("oom", &cfg, &r);
        EXPECT_TRUE(ok_or_nomem(rc));
        if (rc == MEMO_OK) {
            EXPECT_TRUE(ok_or_nomem(memo_put(r, "rk", 2, "rv", 2)));
            memo_release(r);
        }
        EXPECT_EQ(memo_registry_check(), nullptr);
    }
    int rc = memo_registry_drop("oom");
    EXPECT_TRUE(rc == MEMO_OK || rc == MEMO_ENOTFOUND) << memo_strerror(rc);
    memo_registry_stats st;
    ASSERT_EQ(memo_registry_stats_get(&st), MEMO_OK);
    EXPECT_EQ(st.caches, 0u);
}

// Runs the workloads with allocation fail_at failing; returns whether that allocation came.
bool run_failing(long fail_at)
{
    CountingAllocator alloc;
    HooksScope hooks(&alloc.table, nullptr);
    EXPECT_TRUE(hooks.ok);
    alloc.arm(fail_at);
    FakeClock clock;
    memo_config cfg = clock.config(memo_entry_cost(3, 12) * 5, 100);
    memo_cache *c = nullptr;
    int rc = memo_create(&cfg, &c);
    EXPECT_TRUE(ok_or_nomem(rc));
    if (rc == MEMO_OK)
        cache_workload(c, clock);
    registry_workload(cfg);
    memo_release(c);
    EXPECT_EQ(alloc.live.load(), 0) << "leak with allocation " << fail_at << " failing";
    return alloc.fired;
}

TEST(OutOfMemory, EveryAllocationMayFail)
{
    long n = 1;
    while (run_failing(n) && !HasFailure())
        n++;
    EXPECT_GT(n, 20) << "the workload should make many allocations";
}

TEST(OutOfMemory, FailedPutKeepsTheOldValue)
{
    CountingAllocator alloc;
    HooksScope hooks(&alloc.table, nullptr);
    ASSERT_TRUE(hooks.ok);
    FakeClock clock;
    memo_config cfg = clock.config(1000);
    memo_cache *c;
    ASSERT_EQ(memo_create(&cfg, &c), MEMO_OK);
    ASSERT_EQ(memo_put(c, "k", 1, "old", 3), MEMO_OK);
    alloc.arm(1);
    EXPECT_EQ(memo_put(c, "k", 1, "new", 3), MEMO_ENOMEM);
    EXPECT_EQ(peek(c, "k"), "old");
    memo_stats st;
    ASSERT_EQ(memo_stats_get(c, &st), MEMO_OK);
    EXPECT_EQ(st.entries, 1u);
    EXPECT_EQ(st.bytes, memo_entry_cost(1, 3));
    EXPECT_EQ(memo_check(c), nullptr);
    memo_release(c);
    EXPECT_EQ(alloc.live.load(), 0);
}

TEST(OutOfMemory, FailedRegistryGetRegistersNothing)
{
    CountingAllocator alloc;
    HooksScope hooks(&alloc.table, nullptr);
    ASSERT_TRUE(hooks.ok);
    FakeClock clock;
    memo_config cfg = clock.config(1000);
    for (long n = 1;; n++) {
        alloc.arm(n);
        memo_cache *c = nullptr;
        int rc = memo_registry_get("fails", &cfg, &c);
        memo_registry_stats st;
        ASSERT_EQ(memo_registry_stats_get(&st), MEMO_OK);
        if (rc == MEMO_OK) {
            EXPECT_FALSE(alloc.fired.load());
            EXPECT_EQ(st.caches, 1u);
            memo_release(c);
            ASSERT_EQ(memo_registry_drop("fails"), MEMO_OK);
            break;
        }
        EXPECT_EQ(rc, MEMO_ENOMEM);
        EXPECT_EQ(c, nullptr);
        EXPECT_EQ(st.caches, 0u);
        EXPECT_EQ(alloc.live.load(), 0);
    }
    EXPECT_EQ(alloc.live.load(), 0);
}

} // namespace
