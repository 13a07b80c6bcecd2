/*
** ob_fail.c: the allocator a harness plugs into its target, failing where the program
** says. State is per logical thread (fibers share one OS thread, so thread-local storage
** would mix them up); each entry is touched only by the logical thread it belongs to.
*/
#include "ob_fail.h"
#include "ob_exec.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

void *ob_alloc_malloc(size_t size)
{
    return ob_hook_malloc(NULL, size);
}

void *ob_alloc_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = ob_hook_malloc(NULL, count * size);
    return p ? memset(p, 0, count * size) : NULL;
}

void *ob_alloc_realloc(void *p, size_t size)
{
    return ob_hook_realloc(NULL, p, size);
}

void ob_alloc_free(void *p)
{
    free(p);
}

void *ob_alloc_malloc_int(int size)
{
    return size < 0 ? NULL : ob_hook_malloc(NULL, (size_t)size);
}

void *ob_alloc_realloc_int(void *p, int size)
{
    return size < 0 ? NULL : ob_hook_realloc(NULL, p, (size_t)size);
}

void *ob_alloc_items(void *ctx, unsigned count, unsigned size)
{
    (void)ctx;
    return ob_alloc_calloc(count, size);
}

/* lua_Alloc: nsize 0 frees (and returns NULL); otherwise realloc, which a NULL p makes a
   malloc. osize is unused: with p NULL it is a type code, not a size. */
void *ob_alloc_lua(void *ud, void *p, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(p);
        return NULL;
    }
    return ob_hook_realloc(NULL, p, nsize);
}
