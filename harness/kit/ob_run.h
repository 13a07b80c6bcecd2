/*
** ob_run.h: where the input in flight is, for reports written from another thread.
** Internal to the kit.
*/
#ifndef OB_RUN_H
#define OB_RUN_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_run.h is internal to the harness kit; include ob_kit.h"
#endif

#include <stddef.h>

/* Each logical thread of the input in flight: `t0 line 4 account.transfer; t1 finished`.
   Lines count operations in program order, from 1. Safe from any thread. */
void ob_run_describe(char *buf, size_t len);

#endif
