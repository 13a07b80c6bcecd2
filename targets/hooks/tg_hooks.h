/*
** tg_hooks.h: the seams every target allocates and synchronizes through.
**
** A harness swaps these at init, before any other call into the target (like zlib's
** zalloc/zfree): the allocator so allocation failures can be injected, the sync hooks so
** a deterministic scheduler can switch logical threads inside an operation. Defaults are
** libc malloc and pthread mutexes. The hooks are process-wide and must not change while
** any target object is alive.
*/
#ifndef TG_HOOKS_H
#define TG_HOOKS_H

#include <pthread.h>
#include <stddef.h>

typedef struct tg_allocator {
    /* Each returns NULL on failure; a target must then return its out-of-memory error
       with nothing leaked and every invariant intact. */
    void *(*malloc_fn)(void *ctx, size_t size);
    void *(*realloc_fn)(void *ctx, void *p, size_t size);
    void (*free_fn)(void *ctx, void *p);
    void *ctx;
} tg_allocator;

typedef struct tg_sync {
    /* lock/unlock wrap an initialized pthread mutex; a fiber scheduler's lock must switch
       to another logical thread instead of blocking. */
    void (*lock)(void *ctx, pthread_mutex_t *m);
    void (*unlock)(void *ctx, pthread_mutex_t *m);
    /* A point where another thread may run: `where` names the call site. */
    void (*yield)(void *ctx, const char *where);
    void *ctx;
} tg_sync;

/* The libc / pthread defaults. */
const tg_allocator *tg_default_allocator(void);
const tg_sync *tg_default_sync(void);

/* Convenience calls through a hook table (a and s must not be NULL). */
void *tg_malloc(const tg_allocator *a, size_t size);
void *tg_realloc(const tg_allocator *a, void *p, size_t size);
void tg_free(const tg_allocator *a, void *p);
void tg_lock(const tg_sync *s, pthread_mutex_t *m);
void tg_unlock(const tg_sync *s, pthread_mutex_t *m);
void tg_yield(const tg_sync *s, const char *where);

#endif
