#include <gtest/gtest.h>

#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "harness/kit/ob_exec.h"
#include "harness/kit/ob_fiber_stack.h"
}

namespace
{

class Fibers : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        ASSERT_EQ(ob_fibers_new(0, &f), OB_EXEC_OK);
    }
    void TearDown() override
    {
        ob_fibers_free(f);
    }
    ob_fibers *f = nullptr;
};

/* Every thread logs its index, then yields, `rounds` times: the log is the interleaving. */
struct Steps {
    unsigned rounds;
    std::vector<int> log;
};

void steps_fn(void *arg, unsigned t)
{
    auto *s = static_cast<Steps *>(arg);
    for (unsigned i = 0; i < s->rounds; i++) {
        s->log.push_back(static_cast<int>(t));
        ob_point("steps: after log");
    }
}

struct Outcome {
    int rc;
    std::vector<uint8_t> trace;
    std::vector<int> log;
};

Outcome run_steps(ob_fibers *f, unsigned n, unsigned rounds, const std::vector<uint8_t> &sched)
{
    Steps s{rounds, {}};
    std::vector<uint8_t> buf(4096);
    ob_trace tr{buf.data(), buf.size(), 0};
    int rc = ob_fibers_run(f, n, steps_fn, &s, sched.data(), sched.size(), &tr, nullptr);
    buf.resize(std::min(tr.len, buf.size()));
    return Outcome{rc, buf, s.log};
}

std::vector<uint8_t> random_bytes(std::mt19937 &rng, size_t max_len)
{
    std::vector<uint8_t> v(rng() % (max_len + 1));
    for (auto &b : v)
        b = static_cast<uint8_t>(rng());
    return v;
}

TEST_F(Fibers, SameBytesGiveTheSameInterleaving)
{
    std::mt19937 rng(1);
    for (int i = 0; i < 200; i++) {
        std::vector<uint8_t> sched = random_bytes(rng, 16);
        Outcome a = run_steps(f, 4, 8, sched);
        Outcome b = run_steps(f, 4, 8, sched);
        ASSERT_EQ(a.rc, OB_EXEC_OK);
        ASSERT_EQ(a.trace, b.trace);
        ASSERT_EQ(a.log, b.log);
        /* One initial decision, one per point, one per finish but the last. */
        ASSERT_EQ(a.trace.size(), 1u + 4 * 8 + 3);
    }
}

TEST_F(Fibers, DifferentBytesGiveManyInterleavings)
{
    std::mt19937 rng(2);
    std::set<std::vector<int>> logs;
    std::set<std::vector<uint8_t>> traces;
    for (int i = 0; i < 400; i++) {
        /* Small change-point deltas keep the change points inside this short program. */
        std::vector<uint8_t> sched = random_bytes(rng, 12);
        for (size_t k = 4; k < sched.size(); k++)
            sched[k] %= 24;
        Outcome r = run_steps(f, 4, 8, sched);
        ASSERT_EQ(r.rc, OB_EXEC_OK);
        logs.insert(r.log);
        traces.insert(r.trace);
    }
    EXPECT_GT(logs.size(), 100u);
    EXPECT_GE(traces.size(), logs.size());
}

TEST_F(Fibers, NoBytesRunThreadsOneAfterAnother)
{
    Outcome r = run_steps(f, 3, 4, {});
    EXPECT_EQ(r.log, (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}));
}

TEST_F(Fibers, TraceCountsStepsBeyondItsCapacity)
{
    Steps s{5, {}};
    uint8_t buf[4];
    ob_trace tr{buf, sizeof buf, 0};
    ASSERT_EQ(ob_fibers_run(f, 2, steps_fn, &s, nullptr, 0, &tr, nullptr), OB_EXEC_OK);
    EXPECT_EQ(tr.len, 1u + 2 * 5 + 1);
    EXPECT_EQ(std::vector<uint8_t>(buf, buf + 4), (std::vector<uint8_t>{0, 0, 0, 0}));
}

struct Racy {
    int counter;
};

void racy_fn(void *arg, unsigned)
{
    auto *r = static_cast<Racy *>(arg);
    int v = r->counter;
    ob_point("racy: between read and write");
    r->counter = v + 1;
}

TEST_F(Fibers, RacyCounterLosesAnUpdateUnderSomeSchedulesOnly)
{
    std::set<int> outcomes;
    for (int change = 0; change < 6; change++) {
        for (int first = 0; first < 2; first++) {
            const std::vector<uint8_t> sched = {static_cast<uint8_t>(first), 0,
                                                static_cast<uint8_t>(change)};
            Racy r{0};
            ASSERT_EQ(
                ob_fibers_run(f, 2, racy_fn, &r, sched.data(), sched.size(), nullptr, nullptr),
                OB_EXEC_OK);
            outcomes.insert(r.counter);
        }
    }
    EXPECT_EQ(outcomes, (std::set<int>{1, 2}));
}

/* Two threads take two mutexes in opposite orders. */
struct Crossed {
    pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
};

void crossed_fn(void *arg, unsigned t)
{
    auto *c = static_cast<Crossed *>(arg);
    pthread_mutex_t *first = t == 0 ? &c->a : &c->b;
    pthread_mutex_t *second = t == 0 ? &c->b : &c->a;
    ob_set_position(t == 0 ? "t0: take a" : "t1: take b");
    ob_lock(first);
    ob_point(t == 0 ? "t0: holds a" : "t1: holds b");
    ob_set_position(t == 0 ? "t0: take b" : "t1: take a");
    ob_lock(second);
    ob_unlock(second);
    ob_unlock(first);
}

/* The mutexes of a deadlocked run stay locked by abandoned fibers, so each run gets its
   own pair, never destroyed. */
std::vector<Crossed *> crossed_heap;

int run_crossed(ob_fibers *f, const std::vector<uint8_t> &sched, ob_position *pos)
{
    crossed_heap.push_back(new Crossed);
    return ob_fibers_run(f, 2, crossed_fn, crossed_heap.back(), sched.data(), sched.size(), nullptr,
                         pos);
}

TEST_F(Fibers, CrossedLocksDeadlockIsReportedAndTheExecutorRecovers)
{
    ob_position pos[2];
    /* Thread 0 first; at step 1 (its ob_point, a held) it drops below thread 1. */
    const std::vector<uint8_t> deadly = {0, 0, 1};
    ASSERT_EQ(run_crossed(f, deadly, pos), OB_EXEC_DEADLOCK);
    EXPECT_STREQ(pos[0].where, "t0: take b");
    EXPECT_EQ(pos[0].blocked, 1);
    EXPECT_EQ(pos[0].finished, 0);
    EXPECT_STREQ(pos[1].where, "t1: take a");
    EXPECT_EQ(pos[1].blocked, 1);
    EXPECT_EQ(pos[1].finished, 0);

    ASSERT_EQ(run_crossed(f, {}, pos), OB_EXEC_OK);
    EXPECT_EQ(pos[0].finished, 1);
    EXPECT_EQ(pos[1].finished, 1);
    Outcome r = run_steps(f, 4, 3, {});
    EXPECT_EQ(r.rc, OB_EXEC_OK);
    EXPECT_EQ(r.log.size(), 12u);
    for (Crossed *c : crossed_heap)
        delete c;
    crossed_heap.clear();
}

TEST_F(Fibers, RepeatedDeadlocksKeepTheExecutorUsable)
{
    std::mt19937 rng(3);
    int deadlocks = 0;
    for (int i = 0; i < 300; i++) {
        std::vector<uint8_t> sched = random_bytes(rng, 5);
        for (size_t k = 2; k < sched.size(); k++)
            sched[k] %= 4;
        ob_position pos[2];
        int rc = run_crossed(f, sched, pos);
        ASSERT_TRUE(rc == OB_EXEC_OK || rc == OB_EXEC_DEADLOCK);
        deadlocks += rc == OB_EXEC_DEADLOCK;
        ASSERT_EQ(pos[0].blocked + pos[1].blocked, rc == OB_EXEC_DEADLOCK ? 2 : 0);
    }
    EXPECT_GT(deadlocks, 0);
    EXPECT_LT(deadlocks, 300);
    for (Crossed *c : crossed_heap)
        delete c;
    crossed_heap.clear();
}

struct Guarded {
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    int counter = 0;
};

void guarded_fn(void *arg, unsigned)
{
    auto *g = static_cast<Guarded *>(arg);
    for (int i = 0; i < 10; i++) {
        ob_lock(&g->m);
        int v = g->counter;
        ob_point("guarded: inside");
        g->counter = v + 1;
        ob_unlock(&g->m);
        ob_point("guarded: outside");
    }
}

TEST_F(Fibers, LockGivesMutualExclusionWithoutBlockingTheThread)
{
    std::mt19937 rng(4);
    for (int i = 0; i < 200; i++) {
        std::vector<uint8_t> sched = random_bytes(rng, 16);
        for (size_t k = 4; k < sched.size(); k++)
            sched[k] %= 16;
        Guarded g;
        ASSERT_EQ(ob_fibers_run(f, 4, guarded_fn, &g, sched.data(), sched.size(), nullptr, nullptr),
                  OB_EXEC_OK);
        ASSERT_EQ(g.counter, 40);
        pthread_mutex_destroy(&g.m);
    }
}

struct Where {
    ob_fibers *f;
    int thread[OB_MAX_THREADS];
    int on_own_stack[OB_MAX_THREADS];
};

void where_fn(void *arg, unsigned t)
{
    auto *w = static_cast<Where *>(arg);
    int local = 0;
    uintptr_t lo, hi;
    ob_fibers_stack_bounds(w->f, t, &lo, &hi);
    w->thread[t] = ob_current_thread();
    w->on_own_stack[t] = (uintptr_t)&local >= lo && (uintptr_t)&local < hi;
    ob_set_position("where: done");
}

TEST_F(Fibers, EachThreadRunsOnItsOwnStackWithItsIndex)
{
    Where w = {f, {}, {}};
    ob_position pos[OB_MAX_THREADS];
    ASSERT_EQ(ob_fibers_run(f, OB_MAX_THREADS, where_fn, &w, nullptr, 0, nullptr, pos), OB_EXEC_OK);
    for (unsigned t = 0; t < OB_MAX_THREADS; t++) {
        EXPECT_EQ(w.thread[t], (int)t);
        EXPECT_TRUE(w.on_own_stack[t]);
        EXPECT_STREQ(pos[t].where, "where: done");
        EXPECT_EQ(pos[t].finished, 1);
    }
    EXPECT_EQ(ob_current_thread(), -1);
    EXPECT_EQ(ob_fibers_stack_size(f), 64u * 1024);
}

__attribute__((noinline)) int recurse(int depth)
{
    volatile char buf[256];
    buf[0] = static_cast<char>(depth);
    buf[255] = static_cast<char>(depth);
    /* The buffer escapes, so every frame keeps it and the recursion stays a recursion. */
    __asm__ volatile("" : : "r"(buf) : "memory");
    if (depth == 0)
        return buf[0];
    return recurse(depth - 1) + buf[255];
}

volatile int recurse_sink;

void deep_fn(void *arg, unsigned t)
{
    if (t == 1)
        recurse_sink = recurse(*static_cast<int *>(arg));
}

size_t high_water_at(ob_fibers *f, int depth)
{
    EXPECT_EQ(ob_fibers_run(f, 2, deep_fn, &depth, nullptr, 0, nullptr, nullptr), OB_EXEC_OK);
    return ob_fibers_high_water(f, 1);
}

TEST_F(Fibers, HighWaterMarkFollowsRecursionDepth)
{
    size_t shallow = high_water_at(f, 4);
    size_t middle = high_water_at(f, 32);
    size_t deep = high_water_at(f, 96);
    EXPECT_LT(shallow, middle);
    EXPECT_LT(middle, deep);
    EXPECT_GE(deep, 96u * 256);
    EXPECT_LT(deep, ob_fibers_stack_size(f));
    /* Repainting after the deep run lets a shallow run measure shallow again. */
    EXPECT_EQ(high_water_at(f, 4), shallow);
    EXPECT_LT(ob_fibers_high_water(f, 0), shallow);
    EXPECT_EQ(ob_fibers_high_water(f, 2), 0u);
}

struct DeepCrossed {
    Crossed locks;
    int depth;
};

/* Takes the second lock `depth` frames down, so a deadlock strands a deep stack. */
__attribute__((noinline)) int lock_deep(DeepCrossed *d, unsigned t, int depth)
{
    volatile char buf[256];
    buf[0] = static_cast<char>(depth);
    __asm__ volatile("" : : "r"(buf) : "memory");
    if (depth > 0)
        return lock_deep(d, t, depth - 1) + buf[0];
    pthread_mutex_t *second = t == 0 ? &d->locks.b : &d->locks.a;
    ob_set_position(t == 0 ? "t0: take b" : "t1: take a");
    ob_lock(second);
    ob_unlock(second);
    return 0;
}

void deep_crossed_fn(void *arg, unsigned t)
{
    auto *d = static_cast<DeepCrossed *>(arg);
    pthread_mutex_t *first = t == 0 ? &d->locks.a : &d->locks.b;
    ob_lock(first);
    ob_point("holds first");
    recurse_sink = lock_deep(d, t, d->depth);
    ob_unlock(first);
}

TEST_F(Fibers, StacksAbandonedDeepInADeadlockAreCleanForTheNextRun)
{
    const std::vector<uint8_t> deadly = {0, 0, 1};
    auto *d = new DeepCrossed{{}, 40};
    ASSERT_EQ(
        ob_fibers_run(f, 2, deep_crossed_fn, d, deadly.data(), deadly.size(), nullptr, nullptr),
        OB_EXEC_DEADLOCK);
    EXPECT_GT(ob_fibers_high_water(f, 0), 40u * 256);
    /* Under ASan, redzones left poisoned by the stranded frames would fire here. */
    EXPECT_GT(high_water_at(f, 96), 96u * 256);
    int depth = 96;
    Steps s{3, {}};
    ASSERT_EQ(ob_fibers_run(f, 2, steps_fn, &s, nullptr, 0, nullptr, nullptr), OB_EXEC_OK);
    ASSERT_EQ(ob_fibers_run(f, 2, deep_fn, &depth, nullptr, 0, nullptr, nullptr), OB_EXEC_OK);
    EXPECT_EQ(s.log.size(), 6u);
    /* d's mutexes stay locked by the abandoned fibers: never destroyed, only freed. */
    delete d;
}

/* The mapping that ends where stack t begins, from /proc/self/maps: the guard page. */
std::string mapping_below(uintptr_t lo)
{
    FILE *fp = fopen("/proc/self/maps", "r");
    if (!fp)
        return "";
    char line[512];
    std::string found;
    while (fgets(line, sizeof line, fp)) {
        unsigned long start, end;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 && end == lo)
            found = perms;
    }
    fclose(fp);
    return found;
}

TEST_F(Fibers, EveryStackHasAGuardPageBelowIt)
{
    for (unsigned t = 0; t < OB_MAX_THREADS; t++) {
        uintptr_t lo, hi;
        ob_fibers_stack_bounds(f, t, &lo, &hi);
        EXPECT_EQ(hi - lo, ob_fibers_stack_size(f));
        EXPECT_EQ(mapping_below(lo), "---p") << "stack " << t;
    }
}

TEST(FibersConfig, StackSizeRoundsUpToPages)
{
    ob_fibers *f;
    ASSERT_EQ(ob_fibers_new(100000, &f), OB_EXEC_OK);
    EXPECT_GE(ob_fibers_stack_size(f), 100000u);
    EXPECT_EQ(ob_fibers_stack_size(f) % 4096, 0u);
    Outcome r = run_steps(f, 2, 2, {0, 1});
    EXPECT_EQ(r.log, (std::vector<int>{1, 1, 0, 0}));
    ob_fibers_free(f);
}

} // namespace

#if defined(__has_feature)
#if __has_feature(coverage_sanitizer)
#define OB_TEST_SANCOV 1
#endif
#endif

#if defined(OB_TEST_SANCOV)
extern "C" __thread uintptr_t __sancov_lowest_stack;

TEST_F(Fibers, LibFuzzerStackDepthSignalNeverSeesFiberStacks)
{
    uintptr_t lo0, hi0, lo7, hi7;
    ob_fibers_stack_bounds(f, 0, &lo0, &hi0);
    ob_fibers_stack_bounds(f, OB_MAX_THREADS - 1, &lo7, &hi7);
    int depth = 64;
    __sancov_lowest_stack = UINTPTR_MAX;
    ASSERT_EQ(ob_fibers_run(f, 2, deep_fn, &depth, nullptr, 0, nullptr, nullptr), OB_EXEC_OK);
    uintptr_t lowest = __sancov_lowest_stack;
    EXPECT_TRUE(lowest < lo0 || lowest >= hi7) << std::hex << lowest;
    EXPECT_GT(ob_fibers_high_water(f, 1), 64u * 256);
}
#endif
