// The registry: get-or-create by name, find-only lookups, drop while held, the gauges.
#include <gtest/gtest.h>

#include <string>

#include "tests/memo/memo_support.h"

using memo_test::FakeClock;

namespace
{

memo_registry_stats registry_stats()
{
    memo_registry_stats s{};
    EXPECT_EQ(memo_registry_stats_get(&s), MEMO_OK);
    return s;
}

class Registry : public ::testing::Test
{
  protected:
    FakeClock clock;
    memo_config cfg = clock.config(10000);

    void TearDown() override
    {
        EXPECT_EQ(memo_registry_check(), nullptr);
        EXPECT_EQ(registry_stats().caches, 0u) << "a test left a name registered";
    }
};

TEST_F(Registry, GetOrCreateFindsTheSameCache)
{
    memo_cache *a, *b;
    ASSERT_EQ(memo_registry_get("same", &cfg, &a), MEMO_OK);
    ASSERT_EQ(memo_put(a, "k", 1, "v", 1), MEMO_OK);
    ASSERT_EQ(memo_registry_get("same", &cfg, &b), MEMO_OK);
    EXPECT_EQ(a, b);
    memo_cache *found;
    ASSERT_EQ(memo_registry_get("same", nullptr, &found), MEMO_OK);
    EXPECT_EQ(found, a);
    EXPECT_EQ(registry_stats().caches, 1u);
    memo_release(found);
    memo_release(b);
    memo_release(a);
    // Releasing every handle does not unregister: the registry keeps its own reference.
    ASSERT_EQ(memo_registry_get("same", nullptr, &found), MEMO_OK);
    char v;
    size_t n;
    EXPECT_EQ(memo_get(found, "k", 1, &v, 1, &n), MEMO_OK);
    memo_release(found);
    EXPECT_EQ(memo_registry_drop("same"), MEMO_OK);
    EXPECT_EQ(memo_registry_drop("same"), MEMO_ENOTFOUND);
}

TEST_F(Registry, FindOnlyLookupOfAnAbsentNameCreatesNothing)
{
    memo_cache *c = nullptr;
    EXPECT_EQ(memo_registry_get("absent", nullptr, &c), MEMO_ENOTFOUND);
    EXPECT_EQ(c, nullptr);
    EXPECT_EQ(registry_stats().caches, 0u);
}

TEST_F(Registry, BadArgumentsAreErrors)
{
    memo_cache *c = nullptr;
    memo_config bad{};
    EXPECT_EQ(memo_registry_get(nullptr, &cfg, &c), MEMO_EINVAL);
    EXPECT_EQ(memo_registry_get("", &cfg, &c), MEMO_EINVAL);
    EXPECT_EQ(memo_registry_get("x", &cfg, nullptr), MEMO_EINVAL);
    EXPECT_EQ(memo_registry_get("x", &bad, &c), MEMO_EINVAL);
    EXPECT_EQ(memo_registry_drop(nullptr), MEMO_EINVAL);
    EXPECT_EQ(memo_registry_drop(""), MEMO_EINVAL);
    EXPECT_EQ(memo_registry_stats_get(nullptr), MEMO_EINVAL);
    EXPECT_EQ(c, nullptr);
}

TEST_F(Registry, DroppedCacheStaysValidWhileHeld)
{
    memo_cache *old;
    ASSERT_EQ(memo_registry_get("held", &cfg, &old), MEMO_OK);
    ASSERT_EQ(memo_put(old, "k", 1, "old", 3), MEMO_OK);
    ASSERT_EQ(memo_registry_drop("held"), MEMO_OK);
    EXPECT_EQ(registry_stats().caches, 0u);
    // Still usable: the holder's reference keeps it alive.
    ASSERT_EQ(memo_put(old, "k2", 2, "x", 1), MEMO_OK);
    char buf[8];
    size_t n;
    ASSERT_EQ(memo_get(old, "k", 1, buf, sizeof buf, &n), MEMO_OK);
    EXPECT_EQ(std::string(buf, n), "old");
    // The name now maps to a fresh, empty cache.
    memo_cache *fresh;
    ASSERT_EQ(memo_registry_get("held", &cfg, &fresh), MEMO_OK);
    EXPECT_NE(fresh, old);
    EXPECT_EQ(memo_get(fresh, "k", 1, buf, sizeof buf, &n), MEMO_ENOTFOUND);
    EXPECT_EQ(memo_check(old), nullptr);
    memo_release(old);
    memo_release(fresh);
    EXPECT_EQ(memo_registry_drop("held"), MEMO_OK);
}

TEST_F(Registry, GaugesCountCachesAndSumTheirBytes)
{
    const char *names[] = {"g1", "g2", "g3"};
    size_t want = 0;
    for (int i = 0; i < 3; i++) {
        memo_cache *c;
        ASSERT_EQ(memo_registry_get(names[i], &cfg, &c), MEMO_OK);
        std::string v(10 * (i + 1), 'v');
        ASSERT_EQ(memo_put(c, "k", 1, v.data(), v.size()), MEMO_OK);
        want += memo_entry_cost(1, v.size());
        memo_release(c);
    }
    memo_registry_stats s = registry_stats();
    EXPECT_EQ(s.caches, 3u);
    EXPECT_EQ(s.bytes, want);
    EXPECT_EQ(memo_registry_check(), nullptr);
    for (const char *name : names)
        EXPECT_EQ(memo_registry_drop(name), MEMO_OK);
    s = registry_stats();
    EXPECT_EQ(s.caches, 0u);
    EXPECT_EQ(s.bytes, 0u);
}

TEST_F(Registry, ManyNamesGrowTheTable)
{
    for (int i = 0; i < 200; i++) {
        memo_cache *c;
        ASSERT_EQ(memo_registry_get(("n" + std::to_string(i)).c_str(), &cfg, &c), MEMO_OK);
        memo_release(c);
    }
    EXPECT_EQ(registry_stats().caches, 200u);
    EXPECT_EQ(memo_registry_check(), nullptr);
    for (int i = 0; i < 200; i++) {
        memo_cache *c;
        std::string name = "n" + std::to_string(i);
        ASSERT_EQ(memo_registry_get(name.c_str(), nullptr, &c), MEMO_OK) << name;
        memo_release(c);
        ASSERT_EQ(memo_registry_drop(name.c_str()), MEMO_OK);
    }
}

} // namespace

namespace
{

// Sync hooks whose yield at the registry's miss window runs a competing get-or-create of
// the same name first, as a scheduler switching threads right there would.
struct RacingSync {
    const memo_config *cfg = nullptr;
    memo_cache *rival = nullptr;
    bool raced = false;
    // Plain locking from the default hooks; only yield is ours.
    tg_sync table{tg_default_sync()->lock, tg_default_sync()->unlock, yield, this};

    static void yield(void *ctx, const char *where)
    {
        auto *self = static_cast<RacingSync *>(ctx);
        if (self->raced || std::string(where) != "memo_registry_get:miss")
            return;
        self->raced = true;
        EXPECT_EQ(memo_registry_get("contested", self->cfg, &self->rival), MEMO_OK);
    }
};

TEST_F(Registry, CreatorThatLosesTheRaceGetsTheWinnersCache)
{
    RacingSync sync;
    sync.cfg = &cfg;
    memo_test::HooksScope hooks(nullptr, &sync.table);
    ASSERT_TRUE(hooks.ok);
    memo_cache *mine;
    ASSERT_EQ(memo_registry_get("contested", &cfg, &mine), MEMO_OK);
    ASSERT_TRUE(sync.raced);
    EXPECT_EQ(mine, sync.rival);
    EXPECT_EQ(registry_stats().caches, 1u);
    memo_release(mine);
    memo_release(sync.rival);
    EXPECT_EQ(memo_registry_drop("contested"), MEMO_OK);
}

} // namespace
