#include "harness/tg_glue.h"

#include <ouroboros/ob_kit.h>

static const tg_allocator allocator = {ob_hook_malloc, ob_hook_realloc, ob_hook_free, NULL};
static const tg_sync sync_hooks = {ob_hook_lock, ob_hook_unlock, ob_hook_yield, NULL};

const tg_allocator *ob_tg_allocator(void)
{
    return &allocator;
}

const tg_sync *ob_tg_sync(void)
{
    return &sync_hooks;
}
