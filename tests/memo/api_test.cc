// The cache's public contract: round trips, replacement, LRU order, the byte budget, TTL on
// a fake clock, ETOOBIG, bad arguments, and that every allocation and lock goes through the
// installed hooks.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "tests/memo/memo_support.h"

using memo_test::CountingAllocator;
using memo_test::CountingSync;
using memo_test::FakeClock;
using memo_test::HooksScope;

namespace
{

int put(memo_cache *c, const std::string &k, const std::string &v)
{
    return memo_put(c, k.data(), k.size(), v.data(), v.size());
}

// The value under k, or "<status name>" when get fails.
std::string get(memo_cache *c, const std::string &k)
{
    char buf[256];
    size_t n = 0;
    int rc = memo_get(c, k.data(), k.size(), buf, sizeof buf, &n);
    if (rc != MEMO_OK)
        return std::string("<") + memo_strerror(rc) + ">";
    return std::string(buf, n);
}

const std::string kMissing = std::string("<") + memo_strerror(MEMO_ENOTFOUND) + ">";

memo_stats stats(memo_cache *c)
{
    memo_stats s{};
    EXPECT_EQ(memo_stats_get(c, &s), MEMO_OK);
    return s;
}

class Cache : public ::testing::Test
{
  protected:
    FakeClock clock;
    memo_cache *c = nullptr;

    void make(size_t budget, uint64_t ttl = 0)
    {
        memo_config cfg = clock.config(budget, ttl);
        ASSERT_EQ(memo_create(&cfg, &c), MEMO_OK);
    }
    void TearDown() override
    {
        if (c)
            EXPECT_EQ(memo_check(c), nullptr);
        memo_release(c);
    }
};

TEST(Status, EveryCodeHasText)
{
    for (int s = 0; s < MEMO_STATUS_COUNT; s++)
        EXPECT_STRNE(memo_strerror(s), "unknown status") << s;
    EXPECT_STREQ(memo_strerror(MEMO_STATUS_COUNT), "unknown status");
    EXPECT_STREQ(memo_strerror(-1), "unknown status");
}

TEST(EntryCost, CountsKeyValueAndOverheadAndSaturates)
{
    size_t base = memo_entry_cost(0, 0);
    EXPECT_GT(base, 0u);
    EXPECT_EQ(memo_entry_cost(3, 5), base + 8);
    EXPECT_EQ(memo_entry_cost(SIZE_MAX, 1), SIZE_MAX);
    EXPECT_EQ(memo_entry_cost(1, SIZE_MAX - 1), SIZE_MAX);
}

TEST(Create, RejectsBadArguments)
{
    memo_cache *c = nullptr;
    memo_config cfg{};
    EXPECT_EQ(memo_create(nullptr, &c), MEMO_EINVAL);
    EXPECT_EQ(memo_create(&cfg, &c), MEMO_EINVAL); // budget 0
    cfg.budget = 100;
    EXPECT_EQ(memo_create(&cfg, nullptr), MEMO_EINVAL);
    EXPECT_EQ(c, nullptr);
}

TEST_F(Cache, BadArgumentsAreErrorsNotCrashes)
{
    make(1000);
    char buf[4];
    size_t n;
    EXPECT_EQ(memo_put(nullptr, "k", 1, "v", 1), MEMO_EINVAL);
    EXPECT_EQ(memo_put(c, nullptr, 1, "v", 1), MEMO_EINVAL);
    EXPECT_EQ(memo_put(c, "k", 1, nullptr, 1), MEMO_EINVAL);
    EXPECT_EQ(memo_get(nullptr, "k", 1, buf, 4, &n), MEMO_EINVAL);
    EXPECT_EQ(memo_get(c, nullptr, 1, buf, 4, &n), MEMO_EINVAL);
    EXPECT_EQ(memo_get(c, "k", 1, nullptr, 4, &n), MEMO_EINVAL);
    EXPECT_EQ(memo_get(c, "k", 1, buf, 4, nullptr), MEMO_EINVAL);
    EXPECT_EQ(memo_delete(nullptr, "k", 1), MEMO_EINVAL);
    EXPECT_EQ(memo_delete(c, nullptr, 1), MEMO_EINVAL);
    EXPECT_EQ(memo_evict_expired(nullptr, nullptr), MEMO_EINVAL);
    EXPECT_EQ(memo_clear(nullptr), MEMO_EINVAL);
    EXPECT_EQ(memo_stats_get(nullptr, nullptr), MEMO_EINVAL);
    EXPECT_EQ(memo_stats_get(c, nullptr), MEMO_EINVAL);
    EXPECT_NE(memo_check(nullptr), nullptr);
    memo_retain(nullptr);
    memo_release(nullptr);
    EXPECT_EQ(stats(c).entries, 0u);
}

TEST_F(Cache, PutGetDeleteRoundTrip)
{
    make(1000);
    EXPECT_EQ(get(c, "k"), kMissing);
    EXPECT_EQ(put(c, "k", "v1"), MEMO_OK);
    EXPECT_EQ(get(c, "k"), "v1");
    EXPECT_EQ(put(c, "k", "value two"), MEMO_OK);
    EXPECT_EQ(get(c, "k"), "value two");
    memo_stats s = stats(c);
    EXPECT_EQ(s.entries, 1u);
    EXPECT_EQ(s.bytes, memo_entry_cost(1, 9));
    EXPECT_EQ(s.hits, 2u);
    EXPECT_EQ(s.misses, 1u);
    EXPECT_EQ(memo_delete(c, "k", 1), MEMO_OK);
    EXPECT_EQ(memo_delete(c, "k", 1), MEMO_ENOTFOUND);
    EXPECT_EQ(stats(c).bytes, 0u);
}

TEST_F(Cache, KeysAreBytesNotStrings)
{
    make(1000);
    const char a[] = {'x', '\0', 'y'};
    const char b[] = {'x', '\0', 'z'};
    ASSERT_EQ(memo_put(c, a, 3, "A", 1), MEMO_OK);
    ASSERT_EQ(memo_put(c, b, 3, "B", 1), MEMO_OK);
    ASSERT_EQ(memo_put(c, "", 0, "", 0), MEMO_OK);
    char v;
    size_t n;
    ASSERT_EQ(memo_get(c, a, 3, &v, 1, &n), MEMO_OK);
    EXPECT_EQ(v, 'A');
    ASSERT_EQ(memo_get(c, b, 3, &v, 1, &n), MEMO_OK);
    EXPECT_EQ(v, 'B');
    EXPECT_EQ(memo_get(c, "", 0, nullptr, 0, &n), MEMO_OK);
    EXPECT_EQ(n, 0u);
    EXPECT_EQ(stats(c).entries, 3u);
}

TEST_F(Cache, SmallBufferGetsErangeAndTheLength)
{
    make(1000);
    ASSERT_EQ(put(c, "k", "0123456789"), MEMO_OK);
    char buf[4] = {'.', '.', '.', '.'};
    size_t n = 0;
    EXPECT_EQ(memo_get(c, "k", 1, buf, sizeof buf, &n), MEMO_ERANGE);
    EXPECT_EQ(n, 10u);
    EXPECT_EQ(buf[0], '.');
    EXPECT_EQ(memo_get(c, "k", 1, nullptr, 0, &n), MEMO_ERANGE);
    EXPECT_EQ(n, 10u);
}

TEST_F(Cache, EvictsLeastRecentlyUsedFirst)
{
    size_t each = memo_entry_cost(1, 1);
    make(3 * each);
    ASSERT_EQ(put(c, "a", "1"), MEMO_OK);
    ASSERT_EQ(put(c, "b", "2"), MEMO_OK);
    ASSERT_EQ(put(c, "c", "3"), MEMO_OK);
    EXPECT_EQ(get(c, "a"), "1"); // a is now newer than b and c
    ASSERT_EQ(put(c, "d", "4"), MEMO_OK);
    EXPECT_EQ(get(c, "b"), kMissing);
    ASSERT_EQ(put(c, "c", "5"), MEMO_OK); // a replace also refreshes
    ASSERT_EQ(put(c, "e", "6"), MEMO_OK);
    EXPECT_EQ(get(c, "a"), kMissing);
    EXPECT_EQ(get(c, "c"), "5");
    EXPECT_EQ(get(c, "d"), "4");
    EXPECT_EQ(get(c, "e"), "6");
    EXPECT_EQ(stats(c).evictions, 2u);
}

TEST_F(Cache, BudgetHoldsAfterEveryPut)
{
    const size_t budget = 4096;
    make(budget);
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; i++) {
        std::string k = "k" + std::to_string(rng() % 300);
        std::string v(rng() % 200, 'v');
        ASSERT_EQ(put(c, k, v), MEMO_OK);
        memo_stats s = stats(c);
        ASSERT_LE(s.bytes, budget) << "after put " << i;
        ASSERT_EQ(memo_check(c), nullptr) << "after put " << i;
    }
    EXPECT_GT(stats(c).evictions, 0u);
}

TEST_F(Cache, EntryLargerThanBudgetIsTooBig)
{
    const size_t budget = memo_entry_cost(1, 100);
    make(budget);
    ASSERT_EQ(put(c, "a", "keep"), MEMO_OK);
    EXPECT_EQ(put(c, "b", std::string(101, 'x')), MEMO_ETOOBIG);
    EXPECT_EQ(put(c, "a", std::string(101, 'x')), MEMO_ETOOBIG);
    EXPECT_EQ(get(c, "a"), "keep"); // a too-big replace keeps the old value
    EXPECT_EQ(memo_put(c, "k", SIZE_MAX, "v", 1), MEMO_ETOOBIG);
    // Exactly the budget fits, by evicting everything else.
    EXPECT_EQ(put(c, "b", std::string(100, 'x')), MEMO_OK);
    EXPECT_EQ(get(c, "a"), kMissing);
    memo_stats s = stats(c);
    EXPECT_EQ(s.bytes, budget);
    EXPECT_EQ(s.entries, 1u);
}

TEST_F(Cache, EntriesExpireOnTheInjectedClock)
{
    make(1000, 100);
    clock.now = 1000;
    ASSERT_EQ(put(c, "a", "1"), MEMO_OK);
    clock.now = 1050;
    ASSERT_EQ(put(c, "b", "2"), MEMO_OK);
    clock.now = 1099;
    EXPECT_EQ(get(c, "a"), "1");
    clock.now = 1100; // a's ttl has run out; b has 50 left
    EXPECT_EQ(get(c, "a"), kMissing);
    EXPECT_EQ(get(c, "b"), "2");
    memo_stats s = stats(c);
    EXPECT_EQ(s.expirations, 1u);
    EXPECT_EQ(s.entries, 1u);
    EXPECT_EQ(memo_delete(c, "a", 1), MEMO_ENOTFOUND);
}

TEST_F(Cache, PutRestartsTheTtlAndEvictExpiredSweeps)
{
    make(1000, 100);
    for (char k = 'a'; k <= 'e'; k++)
        ASSERT_EQ(memo_put(c, &k, 1, "v", 1), MEMO_OK);
    clock.now = 90;
    ASSERT_EQ(put(c, "c", "fresh"), MEMO_OK);
    clock.now = 150;
    size_t removed = 0;
    EXPECT_EQ(memo_evict_expired(c, &removed), MEMO_OK);
    EXPECT_EQ(removed, 4u);
    EXPECT_EQ(get(c, "c"), "fresh");
    clock.now = 190;
    EXPECT_EQ(memo_evict_expired(c, nullptr), MEMO_OK);
    memo_stats s = stats(c);
    EXPECT_EQ(s.entries, 0u);
    EXPECT_EQ(s.bytes, 0u);
    EXPECT_EQ(s.expirations, 5u);
    EXPECT_EQ(s.evictions, 0u);
}

TEST_F(Cache, ZeroTtlNeverExpires)
{
    make(1000);
    ASSERT_EQ(put(c, "a", "1"), MEMO_OK);
    clock.now = UINT64_MAX;
    EXPECT_EQ(get(c, "a"), "1");
}

TEST_F(Cache, ClearEmptiesButKeepsCounters)
{
    make(1000);
    ASSERT_EQ(put(c, "a", "1"), MEMO_OK);
    ASSERT_EQ(put(c, "b", "2"), MEMO_OK);
    EXPECT_EQ(get(c, "a"), "1");
    ASSERT_EQ(memo_clear(c), MEMO_OK);
    memo_stats s = stats(c);
    EXPECT_EQ(s.entries, 0u);
    EXPECT_EQ(s.bytes, 0u);
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(get(c, "b"), kMissing);
}

TEST(Clock, DefaultIsMonotonic)
{
    memo_config cfg{};
    cfg.budget = 1000;
    cfg.ttl_ns = UINT64_MAX; // saturates instead of wrapping
    memo_cache *c;
    ASSERT_EQ(memo_create(&cfg, &c), MEMO_OK);
    ASSERT_EQ(put(c, "a", "1"), MEMO_OK);
    EXPECT_EQ(get(c, "a"), "1");
    memo_release(c);
}

TEST(Retain, LastReleaseFrees)
{
    CountingAllocator alloc;
    HooksScope hooks(&alloc.table, nullptr);
    ASSERT_TRUE(hooks.ok);
    FakeClock clock;
    memo_config cfg = clock.config(1000);
    memo_cache *c;
    ASSERT_EQ(memo_create(&cfg, &c), MEMO_OK);
    ASSERT_EQ(put(c, "a", "1"), MEMO_OK);
    memo_retain(c);
    memo_release(c);
    EXPECT_EQ(get(c, "a"), "1");
    EXPECT_GT(alloc.live.load(), 0);
    memo_release(c);
    EXPECT_EQ(alloc.live.load(), 0);
}

TEST(Hooks, AllocationsAndLocksGoThroughThem)
{
    CountingAllocator alloc;
    CountingSync sync;
    HooksScope hooks(&alloc.table, &sync.table);
    ASSERT_TRUE(hooks.ok);
    FakeClock clock;
    memo_config cfg = clock.config(1000);
    memo_cache *c;
    ASSERT_EQ(memo_create(&cfg, &c), MEMO_OK);
    EXPECT_EQ(memo_set_hooks(nullptr, nullptr), MEMO_EBUSY);
    ASSERT_EQ(put(c, "a", "1"), MEMO_OK);
    EXPECT_EQ(get(c, "a"), "1");
    memo_cache *r;
    ASSERT_EQ(memo_registry_get("hooks-test", &cfg, &r), MEMO_OK);
    ASSERT_EQ(memo_registry_drop("hooks-test"), MEMO_OK);
    memo_release(r);
    memo_release(c);
    EXPECT_GE(alloc.calls.load(), 5); // two caches, their tables, an entry, a name
    EXPECT_EQ(alloc.live.load(), 0);
    EXPECT_GT(sync.locks.load(), 0);
    EXPECT_EQ(sync.locks.load(), sync.unlocks.load());
    EXPECT_GT(sync.yields.load(), 0);
    EXPECT_EQ(memo_set_hooks(nullptr, nullptr), MEMO_OK);
}

} // namespace

namespace
{

// Sync hooks whose yield in put's window between building an entry and taking the lock
// runs a competing put of the same key, as a scheduler switching threads there would.
struct RacingPutSync {
    memo_cache *cache = nullptr;
    bool raced = false;
    // Plain locking from the default hooks; only yield is ours.
    tg_sync table{tg_default_sync()->lock, tg_default_sync()->unlock, yield, this};

    static void yield(void *ctx, const char *where)
    {
        auto *self = static_cast<RacingPutSync *>(ctx);
        if (self->raced || std::string(where) != "memo_put:built")
            return;
        self->raced = true;
        EXPECT_EQ(put(self->cache, "k", "rival"), MEMO_OK);
    }
};

TEST(PutRace, LaterPutWinsAndAccountingHolds)
{
    RacingPutSync sync;
    HooksScope hooks(nullptr, &sync.table);
    ASSERT_TRUE(hooks.ok);
    FakeClock clock;
    memo_config cfg = clock.config(1000);
    ASSERT_EQ(memo_create(&cfg, &sync.cache), MEMO_OK);
    ASSERT_EQ(put(sync.cache, "k", "mine"), MEMO_OK);
    ASSERT_TRUE(sync.raced);
    EXPECT_EQ(get(sync.cache, "k"), "mine");
    EXPECT_EQ(stats(sync.cache).bytes, memo_entry_cost(1, 4));
    EXPECT_EQ(memo_check(sync.cache), nullptr);
    memo_release(sync.cache);
}

} // namespace
