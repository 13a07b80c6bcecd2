/*
** tg_glue.h: the kit's failure-injecting allocator and scheduling hooks, in the shape of
** the targets' seams (targets/hooks/tg_hooks.h), for a harness's init to install.
*/
#ifndef OB_TG_GLUE_H
#define OB_TG_GLUE_H

#include "targets/hooks/tg_hooks.h"

/* Static tables: ob_hook_malloc/realloc/free and ob_hook_lock/unlock/yield. */
const tg_allocator *ob_tg_allocator(void);
const tg_sync *ob_tg_sync(void);

#endif
