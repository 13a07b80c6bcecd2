#include "tg_hooks.h"

#include <stdlib.h>

static void *libc_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void *libc_realloc(void *ctx, void *p, size_t size)
{
    (void)ctx;
    return realloc(p, size);
}

static void libc_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void posix_lock(void *ctx, pthread_mutex_t *m)
{
    (void)ctx;
    pthread_mutex_lock(m);
}

static void posix_unlock(void *ctx, pthread_mutex_t *m)
{
    (void)ctx;
    pthread_mutex_unlock(m);
}

static void no_yield(void *ctx, const char *where)
{
    (void)ctx;
    (void)where;
}

static const tg_allocator libc_allocator = {libc_malloc, libc_realloc, libc_free, NULL};
static const tg_sync posix_sync = {posix_lock, posix_unlock, no_yield, NULL};

const tg_allocator *tg_default_allocator(void)
{
    return &libc_allocator;
}

const tg_sync *tg_default_sync(void)
{
    return &posix_sync;
}

void *tg_malloc(const tg_allocator *a, size_t size)
{
    return a->malloc_fn(a->ctx, size);
}

void *tg_realloc(const tg_allocator *a, void *p, size_t size)
{
    return a->realloc_fn(a->ctx, p, size);
}

void tg_free(const tg_allocator *a, void *p)
{
    if (p)
        a->free_fn(a->ctx, p);
}

void tg_lock(const tg_sync *s, pthread_mutex_t *m)
{
    s->lock(s->ctx, m);
}

void tg_unlock(const tg_sync *s, pthread_mutex_t *m)
{
    s->unlock(s->ctx, m);
}

void tg_yield(const tg_sync *s, const char *where)
{
    s->yield(s->ctx, where);
}
