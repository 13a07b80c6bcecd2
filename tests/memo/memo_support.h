// memo_support.h: test doubles for the memo suites — a fake clock, an allocator that counts
// and fails on demand, sync hooks that count — and a scope that installs them. Header-only
// so each suite links it against whichever memo variant it tests.
#ifndef MEMO_SUPPORT_H
#define MEMO_SUPPORT_H

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <pthread.h>

extern "C" {
#include "targets/memo/memo.h"
}

namespace memo_test
{

// A clock the test moves by hand; safe to read and advance from any thread.
struct FakeClock {
    std::atomic<uint64_t> now{0};

    static uint64_t read(void *ctx)
    {
        return static_cast<FakeClock *>(ctx)->now.load();
    }
    memo_config config(size_t budget, uint64_t ttl_ns = 0)
    {
        memo_config cfg{};
        cfg.budget = budget;
        cfg.ttl_ns = ttl_ns;
        cfg.clock = read;
        cfg.clock_ctx = this;
        return cfg;
    }
};

// Counts every call and live block; fails the fail_at-th allocation (1-based; 0: never).
struct CountingAllocator {
    std::atomic<long> calls{0};
    std::atomic<long> live{0};
    std::atomic<long> fail_at{0};
    std::atomic<bool> fired{false};
    tg_allocator table{alloc, realloc_fn, free_fn, this};

    void arm(long n)
    {
        calls = 0;
        fired = false;
        fail_at = n;
    }
    bool should_fail()
    {
        long n = ++calls;
        if (n != fail_at.load())
            return false;
        fired = true;
        return true;
    }
    static void *alloc(void *ctx, size_t size)
    {
        auto *self = static_cast<CountingAllocator *>(ctx);
        if (self->should_fail())
            return nullptr;
        void *p = std::malloc(size);
        if (p)
            self->live++;
        return p;
    }
    static void *realloc_fn(void *ctx, void *p, size_t size)
    {
        auto *self = static_cast<CountingAllocator *>(ctx);
        if (self->should_fail())
            return nullptr;
        void *q = std::realloc(p, size);
        if (q && !p)
            self->live++;
        return q;
    }
    static void free_fn(void *ctx, void *p)
    {
        static_cast<CountingAllocator *>(ctx)->live--;
        std::free(p);
    }
};

// pthread locking that counts lock, unlock and yield calls.
struct CountingSync {
    std::atomic<long> locks{0};
    std::atomic<long> unlocks{0};
    std::atomic<long> yields{0};
    tg_sync table{lock, unlock, yield, this};

    static void lock(void *ctx, pthread_mutex_t *m)
    {
        static_cast<CountingSync *>(ctx)->locks++;
        pthread_mutex_lock(m);
    }
    static void unlock(void *ctx, pthread_mutex_t *m)
    {
        static_cast<CountingSync *>(ctx)->unlocks++;
        pthread_mutex_unlock(m);
    }
    static void yield(void *ctx, const char *where)
    {
        (void)where;
        static_cast<CountingSync *>(ctx)->yields++;
    }
};

// Installs hooks for one test and restores the defaults after it; `ok` says whether the
// library accepted them (it refuses while a cache is alive).
struct HooksScope {
    bool ok;
    HooksScope(const tg_allocator *a, const tg_sync *s) : ok(memo_set_hooks(a, s) == MEMO_OK) {}
    ~HooksScope()
    {
        memo_set_hooks(nullptr, nullptr);
    }
};

} // namespace memo_test

#endif
