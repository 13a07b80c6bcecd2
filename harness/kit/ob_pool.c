/*
** ob_pool.c: the parallel executor (contract in ob_exec.h).
**
** Each worker sleeps on its own semaphore; a run posts the first n back to back and
** waits on `done`, which the last of the n to finish posts. There is no start gate for
** the n to meet at: on a loaded machine waiting for the last one to be scheduled
** doubled the cost of an input. A waiter yields the CPU for a while before it sleeps in
** the kernel, since the next input usually follows at once; yielding rather than
** spinning, because a spinner on an oversubscribed machine holds the CPU that the
** thread it waits for needs.
** Positions are atomics because a watchdog may read them mid-run.
*/
#define _DEFAULT_SOURCE 1
#include "ob_exec.h"
#include "ob_exec_pool.h"
#include "ob_exec_sync.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { DEFAULT_STACK = 256 * 1024, SPIN_TRIES = 200, YIELD_ONE_IN = 64 };

typedef struct worker {
    struct ob_pool *pool;
    unsigned index;
    pthread_t thread;
    sem_t go;
    uint32_t rng; /* decides which ob_point calls yield; touched by the worker only */
    _Atomic(const char *) where;
    atomic_int blocked;
    atomic_int finished;
} worker;

struct ob_pool {
    worker w[OB_MAX_THREADS];
    unsigned started; /* threads created */
    sem_t done;
    atomic_uint remaining; /* workers of the current run still running */
    atomic_int stop;
    ob_thread_fn fn;
    void *arg;
};

/* {== Sync hooks on a pool thread ==} */

static void pool_lock(void *ctx, pthread_mutex_t *m)
{
    worker *w = ctx;
    atomic_store_explicit(&w->blocked, 1, memory_order_relaxed);
    pthread_mutex_lock(m);
    atomic_store_explicit(&w->blocked, 0, memory_order_relaxed);
}

static void pool_unlock(void *ctx, pthread_mutex_t *m)
{
    (void)ctx;
    pthread_mutex_unlock(m);
}

static void pool_set_position(void *ctx, const char *where)
{
    worker *w = ctx;
    atomic_store_explicit(&w->where, where, memory_order_relaxed);
}

/* Yields now and then so the OS interleaves threads at the named points more often. */
static void pool_point(void *ctx, const char *where)
{
    worker *w = ctx;
    pool_set_position(ctx, where);
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 17;
    w->rng ^= w->rng << 5;
    if (w->rng % YIELD_ONE_IN == 0)
        sched_yield();
}

static const ob_exec_ops POOL_OPS = {pool_lock, pool_unlock, pool_point, pool_set_position};

/* {== Workers ==} */

static void sem_wait_retrying(sem_t *s)
{
    while (sem_wait(s) != 0 && errno == EINTR)
        ;
}

/* Yields for a while before sleeping: the next post usually comes within microseconds,
   and sem_post only enters the kernel when someone sleeps. */
static void wait_briefly_then_sleep(sem_t *s)
{
    for (int i = 0; i < SPIN_TRIES; i++) {
        if (sem_trywait(s) == 0)
            return;
        sched_yield();
    }
    sem_wait_retrying(s);
}

static void run_one(worker *w)
{
    ob_pool *p = w->pool;
    atomic_store_explicit(&w->where, NULL, memory_order_relaxed);
    atomic_store_explicit(&w->finished, 0, memory_order_relaxed);
    p->fn(p->arg, w->index);
    atomic_store_explicit(&w->finished, 1, memory_order_relaxed);
    if (atomic_fetch_sub_explicit(&p->remaining, 1, memory_order_acq_rel) == 1)
        sem_post(&p->done);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    ob_exec_tls = (ob_exec_binding){&POOL_OPS, w, (int)w->index};
    for (;;) {
        wait_briefly_then_sleep(&w->go);
        if (atomic_load_explicit(&w->pool->stop, memory_order_acquire))
            return NULL;
        run_one(w);
    }
}

/* {== Lifetime ==} */

static int start_workers(ob_pool *p, size_t stack_size)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return OB_EXEC_NOMEM;
    int rc = pthread_attr_setstacksize(&attr, stack_size) == 0 ? OB_EXEC_OK : OB_EXEC_NOMEM;
    for (unsigned t = 0; rc == OB_EXEC_OK && t < OB_MAX_THREADS; t++) {
        worker *w = &p->w[t];
        w->pool = p;
        w->index = t;
        w->rng = 0x9e3779b9u * (t + 1);
        if (sem_init(&w->go, 0, 0) != 0)
            rc = OB_EXEC_NOMEM;
        else if (pthread_create(&w->thread, &attr, worker_main, w) != 0) {
            sem_destroy(&w->go);
            rc = OB_EXEC_NOMEM;
        } else
            p->started++;
    }
    pthread_attr_destroy(&attr);
    return rc;
}

void ob_pool_free(ob_pool *p)
{
    if (!p)
        return;
    atomic_store_explicit(&p->stop, 1, memory_order_release);
    for (unsigned t = 0; t < p->started; t++)
        sem_post(&p->w[t].go);
    for (unsigned t = 0; t < p->started; t++) {
        pthread_join(p->w[t].thread, NULL);
        sem_destroy(&p->w[t].go);
    }
    sem_destroy(&p->done);
    free(p);
}

int ob_pool_new(size_t stack_size, ob_pool **out)
{
    size_t size = stack_size ? stack_size : DEFAULT_STACK;
    if (size < PTHREAD_STACK_MIN)
        size = PTHREAD_STACK_MIN;
    ob_pool *p = calloc(1, sizeof *p);
    if (!p)
        return OB_EXEC_NOMEM;
    if (sem_init(&p->done, 0, 0) != 0) {
        free(p);
        return OB_EXEC_NOMEM;
    }
    if (start_workers(p, size) != OB_EXEC_OK) {
        ob_pool_free(p);
        return OB_EXEC_NOMEM;
    }
    *out = p;
    return OB_EXEC_OK;
}

int ob_pool_run(ob_pool *p, unsigned n, ob_thread_fn fn, void *arg)
{
    if (n == 0 || n > OB_MAX_THREADS)
        return OB_EXEC_NOMEM; /* more logical threads than pool threads */
    p->fn = fn;
    p->arg = arg;
    atomic_store_explicit(&p->remaining, n, memory_order_relaxed);
    /* sem_post publishes all of the above to each worker it wakes. */
    for (unsigned t = 0; t < n; t++)
        sem_post(&p->w[t].go);
    wait_briefly_then_sleep(&p->done);
    return OB_EXEC_OK;
}

ob_position ob_pool_position(const ob_pool *p, unsigned t)
{
    ob_position pos = {NULL, 0, 0};
    if (t >= OB_MAX_THREADS)
        return pos;
    const worker *w = &p->w[t];
    pos.where = atomic_load_explicit(&w->where, memory_order_relaxed);
    pos.blocked = atomic_load_explicit(&w->blocked, memory_order_relaxed);
    pos.finished = atomic_load_explicit(&w->finished, memory_order_relaxed);
    return pos;
}
