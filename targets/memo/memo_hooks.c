/*
** memo_hooks.c: the allocator and sync hooks the library runs on, the count of live
** caches that pins them, and the status strings.
*/
#define MEMO_INTERNAL
#include "memo_int.h"

#include <stdatomic.h>

static const tg_allocator *hooks_alloc;
static const tg_sync *hooks_sync;
static atomic_size_t live_caches;

static const char *const status_text[] = {
#define MEMO_STATUS(name, text) text,
#include "memo_status.def"
#undef MEMO_STATUS
};

_Static_assert(sizeof status_text / sizeof status_text[0] == MEMO_STATUS_COUNT,
               "memo_status.def and memo_strerror disagree");

const char *memo_strerror(int status)
{
    if (status < 0 || status >= MEMO_STATUS_COUNT)
        return "unknown status";
    return status_text[status];
}

int memo_set_hooks(const tg_allocator *alloc, const tg_sync *sync)
{
    if (atomic_load(&live_caches) != 0)
        return MEMO_EBUSY;
    hooks_alloc = alloc;
    hooks_sync = sync;
    return MEMO_OK;
}

const tg_allocator *memo_alloc_hooks(void)
{
    return hooks_alloc ? hooks_alloc : tg_default_allocator();
}

const tg_sync *memo_sync_hooks(void)
{
    return hooks_sync ? hooks_sync : tg_default_sync();
}

void memo_live_add(void)
{
    atomic_fetch_add(&live_caches, 1);
}

void memo_live_sub(void)
{
    atomic_fetch_sub(&live_caches, 1);
}
