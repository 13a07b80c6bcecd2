/*
** ob_fibers.c: the deterministic executor (contract in ob_exec.h).
**
** Invariants:
** - A fiber lives as long as its executor and runs fiber_main, an endless loop: run the
**   logical thread, mark it finished, park (switch to the scheduler). The next run
**   resumes it at that park, so its frames stay balanced (TSan keeps a shadow call stack
**   per fiber) and nothing is left on its stack. Fibers abandoned in a deadlock are the
**   exception: they get a fresh context and TSan fiber, and their stack is dropped and
**   unpoisoned for ASan (frames that never returned leave poisoned redzones).
** - Only the scheduler loop in ob_fibers_run (on the caller's stack) switches into a
**   fiber, and a fiber only switches back to it. A decision that picks the running fiber
**   again does not switch at all, which under PCT is most of them.
** - libFuzzer's stack-depth signal, the thread-local __sancov_lowest_stack, would take
**   fiber stack addresses for depth: it is saved before every switch into a fiber and
**   restored after, and the fibers' depth is measured by ob_fiber_stack.c instead.
*/
#define _DEFAULT_SOURCE 1
#include "ob_exec.h"
#include "ob_exec_sync.h"
#include "ob_fiber_ctx.h"
#include "ob_fiber_stack.h"
#include "ob_pct.h"

#include <errno.h>
#include <stdlib.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/common_interface_defs.h>
#define OB_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#include <sanitizer/tsan_interface.h>
#define OB_TSAN 1
#endif
#if __has_feature(coverage_sanitizer)
/* Defined by the sanitizer runtimes and libFuzzer; weak so nothing breaks without them. */
extern __thread uintptr_t __sancov_lowest_stack __attribute__((weak, tls_model("initial-exec")));
#define OB_SANCOV 1
#endif
#endif

enum { DEFAULT_STACK = 64 * 1024 };

typedef struct fiber {
    ob_fiber_ctx ctx;
    struct ob_fibers *owner;
    unsigned index;
    pthread_mutex_t *waits_for; /* set while blocked in ob_lock */
    ob_position pos;
    uintptr_t sancov_lowest; /* lowest instrumented frame seen on this fiber this run */
    void *tsan_fiber;
    void *asan_fake_stack;
} fiber;

struct ob_fibers {
    ob_fiber_stacks stacks;
    fiber fib[OB_MAX_THREADS];
    ob_fiber_ctx sched_ctx;
    /* the current run */
    ob_thread_fn fn;
    void *arg;
    unsigned n;
    unsigned runnable; /* bit t: fiber t may run */
    unsigned unfinished;
    unsigned cur;
    int next; /* the fiber a parking fiber chose, or -1 when none can run */
    uint64_t step;
    ob_pct pct;
    ob_trace *trace;
    /* sanitizer bookkeeping for the scheduler's own stack */
    void *sched_tsan_fiber;
    void *sched_fake_stack;
    const void *sched_stack_bottom;
    size_t sched_stack_size;
};

/* {== Switching ==} */

/* Swaps the thread's lowest-stack value with *lowest: the scheduler's value goes out of
   harm's way while a fiber runs, and the fiber's comes back to serve as a depth hint. */
static void sancov_swap(uintptr_t *lowest)
{
#if defined(OB_SANCOV)
    uintptr_t other = __sancov_lowest_stack;
    __sancov_lowest_stack = *lowest;
    *lowest = other;
#else
    (void)lowest;
#endif
}

static void enter(ob_fibers *f, unsigned t)
{
    fiber *fib = &f->fib[t];
    f->cur = t;
    ob_exec_tls.thread = (int)t;
#if defined(OB_ASAN)
    __sanitizer_start_switch_fiber(&f->sched_fake_stack, f->stacks.s[t].lo, f->stacks.size);
#endif
#if defined(OB_TSAN)
    __tsan_switch_to_fiber(fib->tsan_fiber, 0);
#endif
    sancov_swap(&fib->sancov_lowest);
    ob_fiber_ctx_switch(&f->sched_ctx, &fib->ctx);
    sancov_swap(&fib->sancov_lowest);
#if defined(OB_ASAN)
    __sanitizer_finish_switch_fiber(f->sched_fake_stack, NULL, NULL);
#endif
}

/* Every arrival on a fiber stack completes the switch; ASan reports the scheduler's
   stack bounds here, needed to switch back. */
static void arrived(ob_fibers *f, fiber *fib)
{
#if defined(OB_ASAN)
    __sanitizer_finish_switch_fiber(fib->asan_fake_stack, &f->sched_stack_bottom,
                                    &f->sched_stack_size);
#else
    (void)f;
    (void)fib;
#endif
}

static void park(ob_fibers *f, fiber *fib)
{
#if defined(OB_ASAN)
    __sanitizer_start_switch_fiber(&fib->asan_fake_stack, f->sched_stack_bottom,
                                   f->sched_stack_size);
#endif
#if defined(OB_TSAN)
    __tsan_switch_to_fiber(f->sched_tsan_fiber, 0);
#endif
    ob_fiber_ctx_switch(&fib->ctx, &f->sched_ctx);
    arrived(f, fib);
}

/* {== Scheduling ==} */

static int decide(ob_fibers *f)
{
    int pick = ob_pct_pick(&f->pct, f->step, f->runnable);
    if (pick < 0)
        return -1;
    if (f->trace) {
        if (f->trace->steps && f->trace->len < f->trace->cap)
            f->trace->steps[f->trace->len] = (uint8_t)pick;
        f->trace->len++;
    }
    f->step++;
    return pick;
}

/* The running fiber cannot continue: hand the decision to the scheduler. */
static void give_up(ob_fibers *f, fiber *fib)
{
    f->next = decide(f);
    park(f, fib);
}

static void fiber_main(void *p)
{
    fiber *fib = p;
    ob_fibers *f = fib->owner;
    arrived(f, fib);
    for (;;) {
        f->fn(f->arg, fib->index);
        fib->pos.finished = 1;
        f->runnable &= ~(1u << fib->index);
        f->unfinished--;
        give_up(f, fib);
    }
}

/* {== Sync hooks on a fiber ==} */

static void fib_point(void *ctx, const char *where)
{
    ob_fibers *f = ctx;
    fiber *fib = &f->fib[f->cur];
    fib->pos.where = where;
    int pick = decide(f);
    if (pick == (int)f->cur)
        return;
    f->next = pick;
    park(f, fib);
}

static void fib_set_position(void *ctx, const char *where)
{
    ob_fibers *f = ctx;
    f->fib[f->cur].pos.where = where;
}

/* Trylock-retry: the OS thread never blocks; a fiber that loses waits for an unlock. */
static void fib_lock(void *ctx, pthread_mutex_t *m)
{
    ob_fibers *f = ctx;
    fiber *fib = &f->fib[f->cur];
    while (pthread_mutex_trylock(m) == EBUSY) {
        fib->waits_for = m;
        fib->pos.blocked = 1;
        f->runnable &= ~(1u << fib->index);
        give_up(f, fib);
    }
}

static void fib_unlock(void *ctx, pthread_mutex_t *m)
{
    ob_fibers *f = ctx;
    pthread_mutex_unlock(m);
    for (unsigned t = 0; t < f->n; t++) {
        fiber *w = &f->fib[t];
        if (w->waits_for == m) {
            w->waits_for = NULL;
            w->pos.blocked = 0;
            f->runnable |= 1u << t;
        }
    }
}

static const ob_exec_ops FIBER_OPS = {fib_lock, fib_unlock, fib_point, fib_set_position};

/* {== Lifetime ==} */

/* Gives a fiber a fresh start: new context, new TSan fiber, stack forgotten. */
static void fiber_reset(ob_fibers *f, fiber *fib)
{
    ob_fiber_stack *s = &f->stacks.s[fib->index];
    ob_fiber_stack_reset(&f->stacks, fib->index);
    ob_fiber_ctx_make(&fib->ctx, s->lo, f->stacks.size, fiber_main, fib);
    fib->asan_fake_stack = NULL;
#if defined(OB_TSAN)
    static const char *const names[OB_MAX_THREADS] = {"ob fiber 0", "ob fiber 1", "ob fiber 2",
                                                      "ob fiber 3", "ob fiber 4", "ob fiber 5",
                                                      "ob fiber 6", "ob fiber 7"};
    if (fib->tsan_fiber)
        __tsan_destroy_fiber(fib->tsan_fiber);
    fib->tsan_fiber = __tsan_create_fiber(0);
    __tsan_set_fiber_name(fib->tsan_fiber, names[fib->index]);
#endif
}

int ob_fibers_new(size_t stack_size, ob_fibers **out)
{
    ob_fibers *f = calloc(1, sizeof *f);
    if (!f)
        return OB_EXEC_NOMEM;
    if (ob_fiber_stacks_init(&f->stacks, stack_size ? stack_size : DEFAULT_STACK) != OB_EXEC_OK) {
        free(f);
        return OB_EXEC_NOMEM;
    }
    for (unsigned t = 0; t < OB_MAX_THREADS; t++) {
        f->fib[t].owner = f;
        f->fib[t].index = t;
        fiber_reset(f, &f->fib[t]);
    }
    *out = f;
    return OB_EXEC_OK;
}

void ob_fibers_free(ob_fibers *f)
{
    if (!f)
        return;
#if defined(OB_TSAN)
    for (unsigned t = 0; t < OB_MAX_THREADS; t++)
        __tsan_destroy_fiber(f->fib[t].tsan_fiber);
#endif
    ob_fiber_stacks_free(&f->stacks);
    free(f);
}

size_t ob_fibers_stack_size(const ob_fibers *f)
{
    return f->stacks.size;
}

void ob_fibers_stack_bounds(const ob_fibers *f, unsigned t, uintptr_t *lo, uintptr_t *hi)
{
    *lo = t < OB_MAX_THREADS ? (uintptr_t)f->stacks.s[t].lo : 0;
    *hi = t < OB_MAX_THREADS ? (uintptr_t)f->stacks.s[t].hi : 0;
}

size_t ob_fibers_high_water(const ob_fibers *f, unsigned t)
{
    return t < OB_MAX_THREADS ? f->stacks.s[t].high_water : 0;
}

/* {== A run: prepare, schedule, collect ==} */

static void run_prepare(ob_fibers *f, unsigned n, ob_thread_fn fn, void *arg, const uint8_t *sched,
                        size_t len, ob_trace *trace)
{
    for (unsigned t = 0; t < n; t++) {
        fiber *fib = &f->fib[t];
        ob_fiber_stack_prepare(&f->stacks, t, ob_fiber_ctx_sp(&fib->ctx));
        fib->waits_for = NULL;
        fib->pos = (ob_position){NULL, 0, 0};
        fib->sancov_lowest = (uintptr_t)f->stacks.s[t].hi;
    }
    f->fn = fn;
    f->arg = arg;
    f->n = n;
    f->runnable = (1u << n) - 1;
    f->unfinished = n;
    f->step = 0;
    f->trace = trace;
    if (trace)
        trace->len = 0;
    ob_pct_init(&f->pct, n, sched, len);
#if defined(OB_TSAN)
    f->sched_tsan_fiber = __tsan_get_current_fiber();
#endif
}

static void run_schedule(ob_fibers *f)
{
    int next = decide(f);
    while (next >= 0) {
        enter(f, (unsigned)next);
        next = f->next;
    }
}

static void run_collect(ob_fibers *f, ob_position *positions)
{
    for (unsigned t = f->n; t < OB_MAX_THREADS; t++)
        f->stacks.s[t].high_water = 0;
    for (unsigned t = 0; t < f->n; t++) {
        fiber *fib = &f->fib[t];
        ob_fiber_stack_measure(&f->stacks, t, (const uint8_t *)fib->sancov_lowest);
        if (positions)
            positions[t] = fib->pos;
        /* Abandoned mid-run (deadlock): its frames can never be resumed. */
        if (!fib->pos.finished)
            fiber_reset(f, fib);
    }
}

int ob_fibers_run(ob_fibers *f, unsigned n, ob_thread_fn fn, void *arg, const uint8_t *sched,
                  size_t len, ob_trace *trace, ob_position *positions)
{
    if (n == 0 || n > OB_MAX_THREADS)
        return OB_EXEC_NOMEM; /* more logical threads than stacks */
    ob_exec_binding outer = ob_exec_tls;
    ob_exec_tls = (ob_exec_binding){&FIBER_OPS, f, -1};
    run_prepare(f, n, fn, arg, sched, len, trace);
    run_schedule(f);
    int rc = f->unfinished ? OB_EXEC_DEADLOCK : OB_EXEC_OK;
    run_collect(f, positions);
    ob_exec_tls = outer;
    return rc;
}
