/*
** ob_fail.c: the allocator a harness plugs into its target, failing where the program
** says. State is per logical thread (fibers share one OS thread, so thread-local storage
** would mix them up); each entry is touched only by the logical thread it belongs to.
*/
#include "ob_fail.h"
#include "ob_exec.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef struct fail_slot {
    ob_fail_kind kind;
    unsigned n;     /* OB_FAIL_NTH: which allocation fails */
    unsigned count; /* allocations seen since arming */
} fail_slot;

static fail_slot slots[OB_PROGRAM_THREADS];
static atomic_ullong injected;

void ob_fail_arm(unsigned thread, ob_fail_kind kind, unsigned n)
{
    slots[thread] = (fail_slot){kind, n, 0};
}

void ob_fail_disarm(unsigned thread)
{
    slots[thread].kind = OB_FAIL_NONE;
}

/* 1 when the calling logical thread's next allocation must fail. */
static int should_fail(void)
{
    int t = ob_current_thread();
    if (t < 0 || t >= OB_PROGRAM_THREADS || slots[t].kind == OB_FAIL_NONE)
        return 0;
    fail_slot *s = &slots[t];
    s->count++;
    if (s->kind == OB_FAIL_ALL || s->count == s->n) {
        atomic_fetch_add_explicit(&injected, 1, memory_order_relaxed);
        return 1;
    }
    return 0;
}

void *ob_hook_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return should_fail() ? NULL : malloc(size);
}

void *ob_hook_realloc(void *ctx, void *p, size_t size)
{
    (void)ctx;
    return should_fail() ? NULL : realloc(p, size);
}

void ob_hook_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

void ob_hook_lock(void *ctx, pthread_mutex_t *m)
{
    (void)ctx;
    ob_lock(m);
}

void ob_hook_unlock(void *ctx, pthread_mutex_t *m)
{
    (void)ctx;
    ob_unlock(m);
}

void ob_hook_yield(void *ctx, const char *where)
{
    (void)ctx;
    ob_point(where);
}

uint64_t ob_injected_failures(void)
{
    return atomic_load_explicit(&injected, memory_order_relaxed);
}
