// Growth across repeated runs, the way a harness measures it: run the same workload several
// times with its teardown in between and read a gauge after each run. Built three times:
// against the clean library (no gauge grows) and against each defect variant (its gauge
// grows on every run, while memo_check and memo_registry_check stay clean — the finding
// class is growth, not a broken invariant).
//
// MEMO_EXPECT_EVICT_GROWTH and MEMO_EXPECT_REGISTRY_GROWTH (0 or 1) come from the BUILD file.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/memo/memo_support.h"

using memo_test::FakeClock;

namespace
{

constexpr int kRuns = 4;

bool strictly_increasing(const std::vector<size_t> &g)
{
    for (size_t i = 1; i < g.size(); i++) {
        if (g[i] <= g[i - 1])
            return false;
    }
    return g.size() > 1;
}

bool all_equal(const std::vector<size_t> &g)
{
    for (size_t v : g) {
        if (v != g[0])
            return false;
    }
    return true;
}

std::string show(const std::vector<size_t> &g)
{
    std::string s;
    for (size_t v : g)
        s += std::to_string(v) + " ";
    return s;
}

// {====== the registry workload: named caches looked up again and again ======

const char *const kNames[] = {"users", "sessions", "pages"};

void registry_run(memo_config cfg)
{
    for (int pass = 0; pass < 3; pass++) {
        for (const char *name : kNames) {
            memo_cache *c;
            ASSERT_EQ(memo_registry_get(name, &cfg, &c), MEMO_OK);
            ASSERT_EQ(memo_put(c, "k", 1, "v", 1), MEMO_OK);
            memo_release(c);
        }
    }
}

// What the program would do at exit: drop every name it used.
void registry_teardown()
{
    for (const char *name : kNames)
        EXPECT_EQ(memo_registry_drop(name), MEMO_OK);
}

size_t registered_caches()
{
    memo_registry_stats st{};
    EXPECT_EQ(memo_registry_stats_get(&st), MEMO_OK);
    return st.caches;
}

TEST(Growth, RegistryCachesAcrossRuns)
{
    FakeClock clock;
    std::vector<size_t> after_teardown;
    for (int run = 0; run < kRuns; run++) {
        registry_run(clock.config(1000));
        registry_teardown();
        after_teardown.push_back(registered_caches());
        EXPECT_EQ(memo_registry_check(), nullptr);
    }
    if (MEMO_EXPECT_REGISTRY_GROWTH) {
        EXPECT_TRUE(strictly_increasing(after_teardown)) << show(after_teardown);
    } else {
        EXPECT_TRUE(all_equal(after_teardown)) << show(after_teardown);
        EXPECT_EQ(after_teardown[0], 0u);
    }
}

// }======

// {====== the cache workload: a long-lived cache fed a stream of fresh keys ======

// Request ids never repeat, as in a long-running server: each run sees new keys.
unsigned next_request = 0;

void cache_run(memo_cache *c)
{
    for (int i = 0; i < 64; i++) {
        char key[16];
        std::snprintf(key, sizeof key, "req%08u", next_request++);
        ASSERT_EQ(memo_put(c, key, 11, "response", 8), MEMO_OK);
    }
}

TEST(Growth, CacheBytesAcrossRuns)
{
    FakeClock clock;
    const size_t budget = 16 * memo_entry_cost(11, 8);
    memo_config cfg = clock.config(budget);
    memo_cache *c;
    ASSERT_EQ(memo_create(&cfg, &c), MEMO_OK);
    std::vector<size_t> bytes;
    for (int run = 0; run < kRuns; run++) {
        cache_run(c);
        memo_stats st{};
        ASSERT_EQ(memo_stats_get(c, &st), MEMO_OK);
        bytes.push_back(st.bytes);
        EXPECT_EQ(memo_check(c), nullptr);
    }
    if (MEMO_EXPECT_EVICT_GROWTH) {
        EXPECT_TRUE(strictly_increasing(bytes)) << show(bytes);
        EXPECT_GT(bytes.back(), budget);
    } else {
        EXPECT_TRUE(all_equal(bytes)) << show(bytes);
        EXPECT_EQ(bytes[0], budget);
    }
    memo_release(c);
}

// }======

} // namespace
