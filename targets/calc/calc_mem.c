/*
** calc_mem.c: the allocation and sync seam, the gauges, status names and error text.
**
** Invariant: bytes and allocations count exactly the blocks calcM_alloc/realloc handed
** out and calcM_free has not yet taken back, header included.
*/
#define CALC_INTERNAL
#include "targets/calc/calc_int.h"

#include <stdarg.h>
#include <stdio.h>

/* Big enough for any scalar alignment, so the payload stays aligned. */
typedef union calc_block {
    size_t size;
    max_align_t align;
} calc_block;

atomic_size_t calcM_live_nodes;
atomic_size_t calcM_live_fns;
atomic_size_t calcM_live_envs;
static atomic_size_t live_bytes;
static atomic_size_t live_blocks;

/* NULL means the tg default; otherwise points at the copy below. Written only while no
   object exists, so readers never race with a change they could observe. */
static _Atomic(const tg_allocator *) cur_alloc;
static _Atomic(const tg_sync *) cur_sync;
static tg_allocator alloc_copy;
static tg_sync sync_copy;

static const tg_allocator *allocator(void)
{
    const tg_allocator *a = atomic_load_explicit(&cur_alloc, memory_order_acquire);
    return a ? a : tg_default_allocator();
}

const tg_sync *calcM_sync(void)
{
    const tg_sync *s = atomic_load_explicit(&cur_sync, memory_order_acquire);
    return s ? s : tg_default_sync();
}

void *calcM_alloc(size_t size)
{
    if (size > SIZE_MAX - sizeof(calc_block))
        return NULL;
    calc_block *b = tg_malloc(allocator(), sizeof(calc_block) + size);
    if (!b)
        return NULL;
    b->size = size;
    atomic_fetch_add(&live_bytes, sizeof(calc_block) + size);
    atomic_fetch_add(&live_blocks, 1);
    return b + 1;
}

void calcM_free(void *p)
{
    if (!p)
        return;
    calc_block *b = (calc_block *)p - 1;
    atomic_fetch_sub(&live_bytes, sizeof(calc_block) + b->size);
    atomic_fetch_sub(&live_blocks, 1);
    tg_free(allocator(), b);
}

void *calcM_realloc(void *p, size_t size)
{
    if (!p)
        return calcM_alloc(size);
    if (size > SIZE_MAX - sizeof(calc_block))
        return NULL;
    calc_block *old = (calc_block *)p - 1;
    size_t old_size = old->size;
    calc_block *b = tg_realloc(allocator(), old, sizeof(calc_block) + size);
    if (!b)
        return NULL;
    b->size = size;
    atomic_fetch_add(&live_bytes, size);
    atomic_fetch_sub(&live_bytes, old_size);
    return b + 1;
}

static int anything_alive(void)
{
    return atomic_load(&live_blocks) != 0 || atomic_load(&calcM_live_nodes) != 0 ||
           atomic_load(&calcM_live_fns) != 0 || atomic_load(&calcM_live_envs) != 0;
}

calc_status calc_set_hooks(const tg_allocator *alloc, const tg_sync *sync)
{
    if (anything_alive())
        return CALC_EBUSY;
    if (alloc)
        alloc_copy = *alloc;
    if (sync)
        sync_copy = *sync;
    atomic_store_explicit(&cur_alloc, alloc ? &alloc_copy : NULL, memory_order_release);
    atomic_store_explicit(&cur_sync, sync ? &sync_copy : NULL, memory_order_release);
    return CALC_OK;
}

void calc_gauges_read(calc_gauges *out)
{
    if (!out)
        return;
    out->live_nodes = atomic_load(&calcM_live_nodes);
    out->live_fns = atomic_load(&calcM_live_fns);
    out->live_envs = atomic_load(&calcM_live_envs);
    out->bytes = atomic_load(&live_bytes);
    out->allocations = atomic_load(&live_blocks);
}

const char *calc_status_name(calc_status s)
{
    static const char *const names[] = {
#define CALC_STATUS_NAME(name, text) #name,
        CALC_STATUS_LIST(CALC_STATUS_NAME)
#undef CALC_STATUS_NAME
    };
    _Static_assert(sizeof names / sizeof names[0] == CALC_STATUS_COUNT, "status table");
    if ((unsigned)s >= CALC_STATUS_COUNT)
        return "CALC_?";
    return names[s];
}

const char *calc_status_text(calc_status s)
{
    static const char *const texts[] = {
#define CALC_STATUS_TEXT(name, text) text,
        CALC_STATUS_LIST(CALC_STATUS_TEXT)
#undef CALC_STATUS_TEXT
    };
    _Static_assert(sizeof texts / sizeof texts[0] == CALC_STATUS_COUNT, "status table");
    if ((unsigned)s >= CALC_STATUS_COUNT)
        return "unknown status";
    return texts[s];
}

calc_status calcM_fail(calc_error *err, calc_status s, uint32_t line, uint32_t col, const char *fmt,
                       ...)
{
    if (!err)
        return s;
    err->status = s;
    err->line = line;
    err->col = col;
    int n = 0;
    if (line > 0)
        n = snprintf(err->msg, sizeof err->msg, "%u:%u: ", (unsigned)line, (unsigned)col);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
    va_end(ap);
    return s;
}

void calcM_ok(calc_error *err)
{
    if (!err)
        return;
    err->status = CALC_OK;
    err->line = 0;
    err->col = 0;
    err->msg[0] = '\0';
}
