/*
** ob_run.c: one input, start to end: setup -> logical threads -> release handles ->
** collect -> check -> teardown. Handles are filled once, by the operation that makes the
** object, and released only after every thread has finished, so an operation may borrow
** any filled handle without further synchronization. Operations that move or free a
** handle's object say so in their specs (ob_own): ob_owners.c keeps the books.
*/
#include "ob_exec.h"
#include "ob_fail.h"
#include "ob_fiber_stack.h"
#include "ob_fresh.h"
#include "ob_kit.h"
#include "ob_owners.h"
#include "ob_run.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From the LSan runtime when one is linked (ASan, LSan builds); absent otherwise. */
void __lsan_ignore_object(const void *p) __attribute__((weak));

#if defined(__has_feature)
#if __has_feature(coverage_sanitizer)
/* The lowest instrumented frame this thread reached (stack-depth coverage, which
   -fsanitize=fuzzer-no-link turns on): how deep a pool thread went. */
extern __thread uintptr_t __sancov_lowest_stack __attribute__((weak, tls_model("initial-exec")));
#define OB_SANCOV 1
#endif
#endif

/* The input in flight: one per process, so a watchdog can read it without a lifetime
   question. run_at[t] is the operation thread t runs (index), or one of these: */
enum { AT_START = -1, AT_DONE = -2 };
static _Atomic(const ob_program *) run_program;
static atomic_int run_at[OB_PROGRAM_THREADS];

struct ob_runner {
    ob_options opt;
    ob_fibers *fibers;
    ob_pool *pool;
};

typedef struct run_ctx {
    const ob_program *p;
    void *state;
    void *persistent;
    ob_owners handles;
    atomic_uint executed, skipped, failed;
    size_t pool_used[OB_PROGRAM_THREADS]; /* each written by its own pool thread */
} run_ctx;

/* The target's persistent state: made on the first run, kept for the process (one target
   per process, as a harness binary has). */
static pthread_once_t persistent_once = PTHREAD_ONCE_INIT;
static const ob_target *persistent_target;
static void *persistent;

static void make_persistent(void)
{
    persistent = persistent_target->persistent_setup();
}

static void *persistent_of(const ob_target *t)
{
    if (!t->persistent_setup)
        return NULL;
    persistent_target = t;
    pthread_once(&persistent_once, make_persistent);
    return persistent;
}

ob_status ob_runner_new(const ob_options *opt, ob_runner **out)
{
    ob_runner *r = calloc(1, sizeof *r);
    if (!r)
        return OB_ENOMEM;
    r->opt = *opt;
    *out = r;
    return OB_OK;
}

void ob_runner_free(ob_runner *r)
{
    if (!r)
        return;
    if (r->fibers)
        ob_fibers_free(r->fibers);
    if (r->pool)
        ob_pool_free(r->pool);
    free(r);
}

/* Resolves handle arguments; 0 when one is not filled yet or gone, or would be given away
   without owning its reference (the op is skipped). */
static int resolve(run_ctx *c, const ob_op *op, const ob_inst *in, void **objs)
{
    for (uint32_t i = 0; i < op->nargs; i++) {
        objs[i] = NULL;
        if (op->args[i].kind != OB_ARG_HANDLE)
            continue;
        objs[i] = ob_owners_get(&c->handles, (int)in->args[i].i);
        if (!objs[i])
            return 0;
    }
    return ob_owners_may_give(&c->handles, op, in);
}

/* Calls the operation with its failure point armed; fresh arguments get this run's values
   first, outside the armed window. Returns what it returned, or -1 when the kit could
   not make the fresh values (the op is not called). */
static int call_op(const ob_op *op, const ob_inst *in, ob_call *call, unsigned thread)
{
    /* On the heap: this frame is under every operation, and counts against its stack. */
    ob_value *fresh = NULL;
    uint8_t *buf = NULL;
    if (ob_fresh_any(op)) {
        fresh = malloc(sizeof *fresh * OB_MAX_ARGS);
        if (!fresh || ob_fresh_fill(op, in->args, fresh, &buf) != OB_OK) {
            free(fresh);
            free(buf);
            return -1;
        }
        call->args = fresh;
    }
    ob_fail_arm(thread, (ob_fail_kind)in->fail, in->fail_n);
    int rc = op->fn(call);
    ob_fail_disarm(thread);
    call->args = in->args;
    free(fresh);
    free(buf);
    return rc;
}

static void run_inst(run_ctx *c, uint32_t k, unsigned thread)
{
    const ob_inst *in = &c->p->insts[k];
    atomic_store_explicit(&run_at[thread], (int)k, memory_order_relaxed);
    const ob_target *t = c->p->target;
    const ob_op *op = &t->ops[in->op];
    ob_point(op->name);
    ob_call call = {c->state, in->args, {0}, NULL, thread, c->persistent};
    if (!resolve(c, op, in, call.objs)) {
        atomic_fetch_add_explicit(&c->skipped, 1, memory_order_relaxed);
        return;
    }
    int rc = call_op(op, in, &call, thread);
    atomic_fetch_add_explicit(&c->executed, 1, memory_order_relaxed);
    if (rc)
        atomic_fetch_add_explicit(&c->failed, 1, memory_order_relaxed);
    ob_owners_after(&c->handles, op, in, rc);
    if (!call.result)
        return;
    if (in->slot >= 0)
        ob_owners_fill(&c->handles, in->slot, call.result, op, in);
    else if (op->makes == OB_MAKES)
        t->release(c->state, call.result);
}

static void thread_body(void *arg, unsigned thread)
{
    run_ctx *c = arg;
    const ob_program *p = c->p;
    for (uint32_t k = 0; k < p->ninsts; k++)
        if (p->insts[k].thread == thread)
            run_inst(c, k, thread);
    atomic_store_explicit(&run_at[thread], AT_DONE, memory_order_relaxed);
    ob_set_position("finished");
}

static void release_handles(run_ctx *c)
{
    for (int i = 0; i < OB_MAX_SLOTS; i++)
        if (ob_owners_releases(&c->handles, i))
            c->p->target->release(c->state, ob_owners_get(&c->handles, i));
}

/* Dropping the handles runs on logical thread 0 of the executor, not on the caller's
   large stack: the last reference to a deep structure is often dropped here, and a
   recursive free must count against a thread's stack like any other recursion. */
static void release_body(void *arg, unsigned thread)
{
    (void)thread;
    release_handles(arg);
}

/* A pool thread's logical thread, measured from this frame down to the lowest
   instrumented frame it reached (nothing is measured without coverage instrumentation). */
static void pool_body(void *arg, unsigned thread)
{
#if defined(OB_SANCOV)
    run_ctx *c = arg;
    uintptr_t top = (uintptr_t)__builtin_frame_address(0);
    if (&__sancov_lowest_stack)
        __sancov_lowest_stack = top;
    thread_body(arg, thread);
    uintptr_t low = &__sancov_lowest_stack ? __sancov_lowest_stack : top;
    c->pool_used[thread] = low < top ? top - low : 0;
#else
    thread_body(arg, thread);
#endif
}

static int run_pool(ob_runner *r, run_ctx *c, ob_outcome *out)
{
    if (!r->pool && ob_pool_new(r->opt.thread_stack, &r->pool) != OB_EXEC_OK)
        return OB_EXEC_NOMEM;
    int rc = ob_pool_run(r->pool, c->p->nthreads, pool_body, c);
    /* The pool's threads joined: their writes are visible. No stack_size: the budget is
       judged on fibers only, whose stacks the kit maps and measures exactly. */
    for (uint32_t i = 0; i < c->p->nthreads; i++)
        out->stack_used[i] = c->pool_used[i];
    return rc == OB_EXEC_OK ? ob_pool_run(r->pool, 1, release_body, c) : rc;
}

static void note_stack_use(ob_runner *r, unsigned n, ob_outcome *out)
{
    out->stack_size = ob_fibers_stack_size(r->fibers);
    for (unsigned i = 0; i < n; i++) {
        size_t used = ob_fibers_high_water(r->fibers, i);
        if (used > out->stack_used[i])
            out->stack_used[i] = used;
    }
}

static int run_fibers(ob_runner *r, run_ctx *c, ob_outcome *out)
{
    const ob_program *p = c->p;
    if (!r->fibers && ob_fibers_new(r->opt.fiber_stack, &r->fibers) != OB_EXEC_OK)
        return OB_EXEC_NOMEM;
    ob_position pos[OB_MAX_THREADS];
    int rc =
        ob_fibers_run(r->fibers, p->nthreads, thread_body, c, p->schedule, p->nschedule, NULL, pos);
    note_stack_use(r, p->nthreads, out);
    for (uint32_t i = 0; rc == OB_EXEC_DEADLOCK && i < p->nthreads; i++) {
        out->positions[i] = pos[i].where;
        out->blocked[i] = pos[i].blocked;
    }
    if (rc != OB_EXEC_OK)
        return rc;
    rc = ob_fibers_run(r->fibers, 1, release_body, c, NULL, 0, NULL, NULL);
    note_stack_use(r, 1, out);
    return rc;
}

/* The program's threads, then the release of its handles, on the chosen executor. */
static int run_threads(ob_runner *r, run_ctx *c, ob_outcome *out)
{
    return r->opt.executor == OB_EXEC_POOL ? run_pool(r, c, out) : run_fibers(r, c, out);
}

ob_status ob_run(ob_runner *r, const ob_program *p, ob_outcome *out)
{
    const ob_target *t = p->target;
    memset(out, 0, sizeof *out);
    run_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return OB_ENOMEM;
    c->p = p;
    ob_owners_init(&c->handles, t->one_owner);
    for (unsigned i = 0; i < OB_PROGRAM_THREADS; i++)
        atomic_store(&run_at[i], AT_START);
    atomic_store(&run_program, p);
    c->persistent = persistent_of(t);
    c->state = t->setup ? t->setup() : NULL;
    int rc = run_threads(r, c, out);
    atomic_store(&run_program, NULL);
    out->executed = atomic_load(&c->executed);
    out->skipped = atomic_load(&c->skipped);
    out->failed = atomic_load(&c->failed);
    if (rc == OB_EXEC_DEADLOCK) {
        /* Deadlocked fibers were abandoned holding locks: the target state cannot be
           torn down safely, so it is kept on purpose (and LSan told so, since the fiber
           stacks that referenced it are not leak-check roots); the caller reports. */
        if (__lsan_ignore_object) {
            __lsan_ignore_object(c);
            __lsan_ignore_object(c->state);
        }
        out->status = OB_EDEADLOCK;
        return OB_EDEADLOCK;
    }
    if (t->collect)
        t->collect(c->state);
    if (rc == OB_EXEC_OK && t->check)
        out->check = t->check(c->state);
    if (t->teardown)
        t->teardown(c->state);
    ob_owners_destroy(&c->handles);
    if (t->persistent_reset)
        t->persistent_reset(c->persistent);
    free(c);
    out->status = rc == OB_EXEC_OK ? OB_OK : OB_ENOMEM;
    return out->status;
}

void ob_run_describe(char *buf, size_t len)
{
    const ob_program *p = atomic_load(&run_program);
    size_t n = 0;
    buf[0] = 0;
    for (uint32_t t = 0; p && t < p->nthreads && n < len; t++) {
        int at = atomic_load(&run_at[t]);
        const char *sep = t ? "; " : "";
        if (at == AT_START)
            n += (size_t)snprintf(buf + n, len - n, "%st%u not started", sep, t);
        else if (at == AT_DONE)
            n += (size_t)snprintf(buf + n, len - n, "%st%u finished", sep, t);
        else
            n += (size_t)snprintf(buf + n, len - n, "%st%u in operation %d (%s)", sep, t, at + 1,
                                  p->target->ops[p->insts[at].op].name);
    }
}

static int env_size(const char *name, size_t *out)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 1;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end || x < 16384 || x > (1ull << 30)) {
        fprintf(stderr, "ouroboros: %s=%s is not a stack size in bytes (16384..2^30)\n", name, v);
        return 0;
    }
    *out = (size_t)x;
    return 1;
}

ob_status ob_options_from_env(ob_options *opt)
{
    memset(opt, 0, sizeof *opt);
    const char *e = getenv("OB_EXECUTOR");
    if (e && *e && strcmp(e, "fibers") == 0)
        opt->executor = OB_EXEC_FIBERS;
    else if (e && *e && strcmp(e, "pool") == 0)
        opt->executor = OB_EXEC_POOL;
    else if (e && *e) {
        fprintf(stderr, "ouroboros: OB_EXECUTOR=%s: want fibers or pool\n", e);
        return OB_EINVAL;
    }
    if (!env_size("OB_FIBER_STACK", &opt->fiber_stack) ||
        !env_size("OB_THREAD_STACK", &opt->thread_stack))
        return OB_EINVAL;
    return OB_OK;
}
