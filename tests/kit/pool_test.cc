#include <gtest/gtest.h>

#include <unistd.h>

#include <dirent.h>
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstring>

extern "C" {
#include "harness/kit/ob_exec.h"
#include "harness/kit/ob_exec_pool.h"
}

namespace
{

class Pool : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        ASSERT_EQ(ob_pool_new(0, &p), OB_EXEC_OK);
    }
    void TearDown() override
    {
        ob_pool_free(p);
    }
    ob_pool *p = nullptr;
};

struct Seen {
    std::atomic<int> runs[OB_MAX_THREADS];
    std::atomic<int> wrong_index;
};

void seen_fn(void *arg, unsigned t)
{
    auto *s = static_cast<Seen *>(arg);
    s->runs[t].fetch_add(1);
    if (ob_current_thread() != (int)t)
        s->wrong_index.fetch_add(1);
    ob_set_position("seen: done");
}

TEST_F(Pool, RunsEachOfTheFirstNThreadsOnceWithItsIndex)
{
    for (unsigned n = 1; n <= OB_MAX_THREADS; n++) {
        Seen s = {};
        ASSERT_EQ(ob_pool_run(p, n, seen_fn, &s), OB_EXEC_OK);
        for (unsigned t = 0; t < OB_MAX_THREADS; t++)
            EXPECT_EQ(s.runs[t].load(), t < n ? 1 : 0) << "n=" << n << " t=" << t;
        EXPECT_EQ(s.wrong_index.load(), 0);
        ob_position pos = ob_pool_position(p, n - 1);
        EXPECT_STREQ(pos.where, "seen: done");
        EXPECT_EQ(pos.finished, 1);
        EXPECT_EQ(pos.blocked, 0);
    }
    EXPECT_EQ(ob_current_thread(), -1);
}

int task_count()
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    while (struct dirent *e = readdir(d))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

long resident_kib()
{
    FILE *fp = fopen("/proc/self/status", "r");
    if (!fp)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, fp))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(fp);
    return kib;
}

void count_fn(void *arg, unsigned)
{
    static_cast<std::atomic<long> *>(arg)->fetch_add(1, std::memory_order_relaxed);
    ob_point("count: done");
}

TEST(PoolLifetime, HundredThousandInputsLeakNoThreadsNorMemory)
{
    int before = task_count();
    ASSERT_GT(before, 0);
    ob_pool *p;
    ASSERT_EQ(ob_pool_new(0, &p), OB_EXEC_OK);
    EXPECT_EQ(task_count(), before + OB_MAX_THREADS);
    std::atomic<long> count{0};
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ(ob_pool_run(p, 4, count_fn, &count), OB_EXEC_OK);
    long rss_warm = resident_kib();
    for (int i = 0; i < 99000; i++)
        ASSERT_EQ(ob_pool_run(p, 4, count_fn, &count), OB_EXEC_OK);
    EXPECT_EQ(count.load(), 400000);
    /* Nothing is allocated per input: resident memory stays flat (with slack for noise). */
    EXPECT_LT(resident_kib() - rss_warm, 16 * 1024);
    EXPECT_EQ(task_count(), before + OB_MAX_THREADS);
    ob_pool_free(p);
    /* A joined thread can stay listed in /proc for a moment while the kernel reaps it. */
    for (int i = 0; i < 100 && task_count() != before; i++)
        usleep(10 * 1000);
    EXPECT_EQ(task_count(), before);
}

struct Shared {
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    long counter = 0;
};

void increment_fn(void *arg, unsigned)
{
    auto *s = static_cast<Shared *>(arg);
    for (int i = 0; i < 2000; i++) {
        ob_lock(&s->m);
        long v = s->counter;
        ob_point("increment: inside");
        s->counter = v + 1;
        ob_unlock(&s->m);
    }
}

TEST_F(Pool, LockGivesMutualExclusionAcrossEightThreads)
{
    Shared s;
    for (int input = 0; input < 10; input++)
        ASSERT_EQ(ob_pool_run(p, OB_MAX_THREADS, increment_fn, &s), OB_EXEC_OK);
    EXPECT_EQ(s.counter, 10L * OB_MAX_THREADS * 2000);
    pthread_mutex_destroy(&s.m);
}

__attribute__((noinline)) int recurse(int depth)
{
    volatile char buf[1024];
    buf[0] = static_cast<char>(depth);
    buf[1023] = static_cast<char>(depth);
    __asm__ volatile("" : : "r"(buf) : "memory");
    return depth == 0 ? buf[0] : recurse(depth - 1) + buf[1023];
}

void deep_fn(void *arg, unsigned)
{
    static_cast<std::atomic<int> *>(arg)->fetch_add(recurse(512));
}

TEST(PoolConfig, StackSizeIsConfigurable)
{
    ob_pool *p;
    /* 512 frames of over 1 KiB need more than the 256 KiB default. */
    ASSERT_EQ(ob_pool_new(4 << 20, &p), OB_EXEC_OK);
    std::atomic<int> sum{0};
    ASSERT_EQ(ob_pool_run(p, 2, deep_fn, &sum), OB_EXEC_OK);
    EXPECT_NE(sum.load(), 0);
    ob_pool_free(p);
}

} // namespace
