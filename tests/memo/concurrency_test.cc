// Eight threads mutate shared caches and the registry at once; afterwards every invariant
// holds and nothing is left allocated. Run under the default config (ASan/LSan) and
// --config=tsan (races).
//
// Also built against each defect variant (MEMO_EXPECT_*_GROWTH set by the BUILD file): a
// seeded growth defect must not bring a race, a leak or a broken invariant with it, so that
// growth is all a harness can find there. Only the checks the defect itself defeats are off.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/memo/memo_support.h"

using memo_test::CountingAllocator;
using memo_test::FakeClock;
using memo_test::HooksScope;

namespace
{

constexpr int kThreads = 8;
// The registry defect makes every memo_registry_check walk thousands of caches.
constexpr int kOpsPerThread = MEMO_EXPECT_REGISTRY_GROWTH ? 1000 : 3000;
constexpr int kNames = 4;

std::string hot_name(unsigned i)
{
    return "hot-" + std::to_string(i % kNames);
}

struct Shared {
    FakeClock clock;
    memo_cache *cache = nullptr;
    std::atomic<int> broken{0};
    std::atomic<const char *> first_message{nullptr};

    void note(const char *msg)
    {
        if (!msg)
            return;
        broken++;
        const char *none = nullptr;
        first_message.compare_exchange_strong(none, msg);
    }
    // Any status outside the listed ones is a broken contract.
    void expect_one_of(int rc, int a, int b = MEMO_OK, int c = MEMO_OK)
    {
        if (rc != a && rc != b && rc != c)
            note(memo_strerror(rc));
    }
};

void cache_op(Shared &s, std::mt19937 &rng, unsigned op)
{
    std::string k = "k" + std::to_string(rng() % 64);
    std::string v(rng() % 40, static_cast<char>('a' + rng() % 26));
    char buf[64];
    size_t n;
    switch (op) {
    case 0:
    case 1:
    case 2:
        s.expect_one_of(memo_put(s.cache, k.data(), k.size(), v.data(), v.size()), MEMO_OK);
        break;
    case 3:
    case 4:
        s.expect_one_of(memo_get(s.cache, k.data(), k.size(), buf, sizeof buf, &n), MEMO_OK,
                        MEMO_ENOTFOUND);
        break;
    case 5:
        s.expect_one_of(memo_delete(s.cache, k.data(), k.size()), MEMO_OK, MEMO_ENOTFOUND);
        break;
    case 6:
        s.clock.now += 10;
        s.expect_one_of(memo_evict_expired(s.cache, nullptr), MEMO_OK);
        break;
    default:
        s.note(memo_check(s.cache));
        break;
    }
}

void registry_op(Shared &s, std::mt19937 &rng, unsigned op)
{
    std::string name = hot_name(rng());
    memo_config cfg = s.clock.config(1024, 500);
    memo_cache *c = nullptr;
    if (op == 0) {
        s.expect_one_of(memo_registry_drop(name.c_str()), MEMO_OK, MEMO_ENOTFOUND);
        return;
    }
    if (op == 1) {
        memo_registry_stats st;
        s.expect_one_of(memo_registry_stats_get(&st), MEMO_OK);
        s.note(memo_registry_check());
        return;
    }
    s.expect_one_of(memo_registry_get(name.c_str(), &cfg, &c), MEMO_OK);
    if (!c)
        return;
    std::string k = "r" + std::to_string(rng() % 16);
    s.expect_one_of(memo_put(c, k.data(), k.size(), "value", 5), MEMO_OK);
    char buf[8];
    size_t n;
    s.expect_one_of(memo_get(c, k.data(), k.size(), buf, sizeof buf, &n), MEMO_OK, MEMO_ENOTFOUND);
    memo_release(c);
}

void worker(Shared &s, unsigned t)
{
    std::mt19937 rng(t + 1);
    for (int i = 0; i < kOpsPerThread; i++) {
        unsigned op = rng() % 16;
        if (op < 8) {
            cache_op(s, rng, op);
        } else if (op < 9) {
            memo_retain(s.cache);
            memo_release(s.cache);
        } else {
            registry_op(s, rng, rng() % 12);
        }
    }
}

TEST(Concurrency, EightThreadsKeepEveryInvariant)
{
    // Static: caches a defect leaves registered keep allocating through it until exit.
    static CountingAllocator alloc;
    HooksScope hooks(&alloc.table, nullptr);
    ASSERT_TRUE(hooks.ok);
    static Shared s;
    memo_config cfg = s.clock.config(2048, 300);
    ASSERT_EQ(memo_create(&cfg, &s.cache), MEMO_OK);

    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; t++)
        threads.emplace_back(worker, std::ref(s), t);
    for (auto &th : threads)
        th.join();

    EXPECT_EQ(s.broken.load(), 0) << s.first_message.load();
    EXPECT_EQ(memo_check(s.cache), nullptr);
    EXPECT_EQ(memo_registry_check(), nullptr);
    memo_stats st;
    ASSERT_EQ(memo_stats_get(s.cache, &st), MEMO_OK);
    if (!MEMO_EXPECT_EVICT_GROWTH)
        EXPECT_LE(st.bytes, st.budget);
    EXPECT_GT(st.hits + st.misses, 0u);
    for (unsigned i = 0; i < kNames; i++)
        memo_registry_drop(hot_name(i).c_str());
    memo_release(s.cache);
    if (!MEMO_EXPECT_REGISTRY_GROWTH) {
        memo_registry_stats rs;
        ASSERT_EQ(memo_registry_stats_get(&rs), MEMO_OK);
        EXPECT_EQ(rs.caches, 0u);
        EXPECT_EQ(alloc.live.load(), 0);
    }
}

TEST(Concurrency, RacingGetOrCreateAgreesOnOneCache)
{
    if (MEMO_EXPECT_REGISTRY_GROWTH)
        GTEST_SKIP() << "the seeded defect registers one cache per lookup";
    FakeClock clock;
    memo_config cfg = clock.config(1024);
    for (int round = 0; round < 20; round++) {
        std::atomic<int> ready{0};
        memo_cache *got[kThreads] = {};
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < kThreads; t++) {
            threads.emplace_back([&, t] {
                ready++;
                while (ready.load() < kThreads)
                    std::this_thread::yield();
                EXPECT_EQ(memo_registry_get("race", &cfg, &got[t]), MEMO_OK);
            });
        }
        for (auto &th : threads)
            th.join();
        memo_registry_stats rs;
        ASSERT_EQ(memo_registry_stats_get(&rs), MEMO_OK);
        EXPECT_EQ(rs.caches, 1u);
        for (unsigned t = 0; t < kThreads; t++) {
            EXPECT_EQ(got[t], got[0]);
            memo_release(got[t]);
        }
        ASSERT_EQ(memo_registry_drop("race"), MEMO_OK);
    }
}

} // namespace
