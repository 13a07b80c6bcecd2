/*
** ob_exec_pool.h: what the pool tells about its threads while a run is under way.
*/
#ifndef OB_EXEC_POOL_H
#define OB_EXEC_POOL_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_exec_pool.h is internal to the harness kit"
#endif

#include "ob_exec.h"

/* A snapshot of pool thread t's position in the current or last run; safe to call from
   any thread while ob_pool_run is in progress (a hang watchdog does). Fields are read
   one by one, so a snapshot taken mid-run may mix two moments. */
ob_position ob_pool_position(const ob_pool *p, unsigned t);

#endif
