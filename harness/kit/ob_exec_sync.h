/*
** ob_exec_sync.h: how an executor binds the calling OS thread so the sync hooks
** (ob_lock, ob_unlock, ob_point, ob_set_position, ob_current_thread) reach it.
**
** One binding per OS thread. The fiber executor binds its own thread for the length of a
** run and rewrites `thread` at every switch; each pool worker binds itself once. An
** unbound thread (ops == NULL) gets plain pthread locking and no-op points.
*/
#ifndef OB_EXEC_SYNC_H
#define OB_EXEC_SYNC_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_exec_sync.h is internal to the harness kit"
#endif

#include <pthread.h>

typedef struct ob_exec_ops {
    void (*lock)(void *ctx, pthread_mutex_t *m);
    void (*unlock)(void *ctx, pthread_mutex_t *m);
    void (*point)(void *ctx, const char *where);
    void (*set_position)(void *ctx, const char *where);
} ob_exec_ops;

typedef struct ob_exec_binding {
    const ob_exec_ops *ops; /* borrowed, static storage; NULL when unbound */
    void *ctx;              /* the executor's, passed to every op */
    int thread;             /* logical thread now running on this OS thread, or -1 */
} ob_exec_binding;

/* The calling OS thread's binding. Executors save it before binding and restore it after,
   so a run nested inside another executor's thread leaves that binding intact. */
extern _Thread_local ob_exec_binding ob_exec_tls;

#endif
