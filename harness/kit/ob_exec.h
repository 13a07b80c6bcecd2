/*
** ob_exec.h: executors run N logical threads of one input, and the sync hooks that let
** a scheduler switch threads inside an operation. Internal to the kit.
**
** Two executors share one shape: run(fn, arg, n) calls fn(arg, t) for t in [0, n) as
** logical threads and returns once all have finished. Nothing outlives run() (libFuzzer
** requires that no work outlives an input).
**
** - Fibers (deterministic): every logical thread is a fiber on the calling OS thread, on
**   its own mmap'd stack with a PROT_NONE guard page below it, announced to ASan
**   (__sanitizer_start/finish_switch_fiber) and TSan (__tsan_*_fiber). Switches happen only
**   at ob_point() and in ob_lock() on contention; which fiber runs next comes from the
**   schedule bytes with PCT-style priorities and priority-change points (Burckhardt et
**   al., ASPLOS 2010). Same bytes, same interleaving, always. Threads blocked in
**   ob_lock() that can never proceed are a deadlock: run() returns OB_EXEC_DEADLOCK and
**   fills each fiber's position.
** - Pool (parallel): persistent pthreads created once, released together on a barrier for
**   each input; all idle again before run() returns.
**
** ob_lock/ob_unlock/ob_point/ob_set_position act on whichever executor runs the calling
** thread; outside any executor they are pthread_mutex_lock/unlock and no-ops.
*/
#ifndef OB_EXEC_H
#define OB_EXEC_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_exec.h is internal to the harness kit; include ob_kit.h"
#endif

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

enum { OB_MAX_THREADS = 8 };

enum {
    OB_EXEC_OK = 0,
    OB_EXEC_DEADLOCK = 1, /* fibers only: every unfinished fiber waits in ob_lock() */
    OB_EXEC_NOMEM = 2,    /* stacks or threads could not be created */
};

typedef void (*ob_thread_fn)(void *arg, unsigned thread);

/* Where a logical thread is: the label of its last ob_point()/ob_set_position(). */
typedef struct ob_position {
    const char *where; /* borrowed string with static storage, or NULL before the first */
    int blocked;       /* 1 when waiting in ob_lock() */
    int finished;
} ob_position;

/* The interleaving a fiber run took: the thread chosen at each scheduling step. */
typedef struct ob_trace {
    uint8_t *steps; /* caller-owned buffer of cap bytes, or NULL */
    size_t cap;
    size_t len; /* steps taken (may exceed cap; only cap are stored) */
} ob_trace;

/* ---- fibers ---- */
typedef struct ob_fibers ob_fibers;

/* New executor with OB_MAX_THREADS stacks of stack_size bytes (0: 64 KiB), each with a
   guard page. Returns OB_EXEC_OK and *out (owned; ob_fibers_free), or OB_EXEC_NOMEM. */
int ob_fibers_new(size_t stack_size, ob_fibers **out);
void ob_fibers_free(ob_fibers *f);
/* Usable bytes of each fiber stack, and fiber t's stack bounds [*lo, *hi). */
size_t ob_fibers_stack_size(const ob_fibers *f);
void ob_fibers_stack_bounds(const ob_fibers *f, unsigned t, uintptr_t *lo, uintptr_t *hi);
/* Runs n (1..OB_MAX_THREADS) fibers scheduled by sched[0..len) (any bytes, any length).
   trace may be NULL; positions (n entries, may be NULL) receive each fiber's last position.
   Returns OB_EXEC_OK or OB_EXEC_DEADLOCK; on deadlock the blocked fibers are abandoned
   and their stacks reset, so the executor stays usable. */
int ob_fibers_run(ob_fibers *f, unsigned n, ob_thread_fn fn, void *arg, const uint8_t *sched,
                  size_t len, ob_trace *trace, ob_position *positions);

/* ---- pool ---- */
typedef struct ob_pool ob_pool;

/* A pool of OB_MAX_THREADS pthreads with stack_size bytes each (0: 256 KiB). */
int ob_pool_new(size_t stack_size, ob_pool **out);
void ob_pool_free(ob_pool *p);
/* Runs fn on n (1..OB_MAX_THREADS) pool threads released together; returns when all are
   idle again. Not reentrant: one run at a time per pool. */
int ob_pool_run(ob_pool *p, unsigned n, ob_thread_fn fn, void *arg);

/* ---- sync hooks for the code under test ---- */
void ob_lock(pthread_mutex_t *m);
void ob_unlock(pthread_mutex_t *m);
/* A scheduling point named by where (static storage). */
void ob_point(const char *where);
/* Records the calling logical thread's position without a switch. */
void ob_set_position(const char *where);
/* The calling logical thread's index, or -1 outside an executor. */
int ob_current_thread(void);

#endif
