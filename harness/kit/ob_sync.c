/*
** ob_sync.c: the sync hooks dispatch through the calling OS thread's executor binding.
*/
#include "ob_exec.h"
#include "ob_exec_sync.h"

_Thread_local ob_exec_binding ob_exec_tls = {NULL, NULL, -1};

void ob_lock(pthread_mutex_t *m)
{
    if (ob_exec_tls.ops)
        ob_exec_tls.ops->lock(ob_exec_tls.ctx, m);
    else
        pthread_mutex_lock(m);
}

void ob_unlock(pthread_mutex_t *m)
{
    if (ob_exec_tls.ops)
        ob_exec_tls.ops->unlock(ob_exec_tls.ctx, m);
    else
        pthread_mutex_unlock(m);
}

void ob_point(const char *where)
{
    if (ob_exec_tls.ops)
        ob_exec_tls.ops->point(ob_exec_tls.ctx, where);
}

void ob_set_position(const char *where)
{
    if (ob_exec_tls.ops)
        ob_exec_tls.ops->set_position(ob_exec_tls.ctx, where);
}

int ob_current_thread(void)
{
    return ob_exec_tls.thread;
}
