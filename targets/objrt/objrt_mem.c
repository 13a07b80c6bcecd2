/*
** objrt_mem.c: the one allocator seam, the sync hooks, the depth limit, status names.
**
** Every block carries a header with its size so bytes_allocated can be kept exact. The
** hook pointers change only while nothing is allocated (objrt_set_hooks refuses
** otherwise), so reading them unlocked is safe for any thread started afterwards.
*/
#include <stdalign.h>
#include <string.h>

#include "targets/objrt/objrt_impl.h"

typedef union mem_header {
    size_t size;
    max_align_t align;
} mem_header;

static const tg_allocator *g_alloc;
static const tg_sync *g_sync;
static _Atomic size_t g_bytes;
static _Atomic unsigned g_depth_limit = OBJRT_DEFAULT_DEPTH_LIMIT;
static _Atomic unsigned g_depth_high;
static _Atomic(const char *) g_recursion_site;

static const tg_allocator *mem_allocator(void)
{
    return g_alloc ? g_alloc : tg_default_allocator();
}

static const tg_sync *mem_sync(void)
{
    return g_sync ? g_sync : tg_default_sync();
}

void *ort_mem_alloc(size_t size)
{
    if (size > SIZE_MAX - sizeof(mem_header))
        return NULL;
    mem_header *h = tg_malloc(mem_allocator(), sizeof(mem_header) + size);
    if (!h)
        return NULL;
    h->size = size;
    atomic_fetch_add_explicit(&g_bytes, size, memory_order_relaxed);
    return h + 1;
}

void *ort_mem_realloc(void *p, size_t size)
{
    if (!p)
        return ort_mem_alloc(size);
    if (size > SIZE_MAX - sizeof(mem_header))
        return NULL;
    mem_header *h = (mem_header *)p - 1;
    size_t old = h->size;
    mem_header *n = tg_realloc(mem_allocator(), h, sizeof(mem_header) + size);
    if (!n)
        return NULL;
    n->size = size;
    atomic_fetch_add_explicit(&g_bytes, size, memory_order_relaxed);
    atomic_fetch_sub_explicit(&g_bytes, old, memory_order_relaxed);
    return n + 1;
}

void ort_mem_free(void *p)
{
    if (!p)
        return;
    mem_header *h = (mem_header *)p - 1;
    atomic_fetch_sub_explicit(&g_bytes, h->size, memory_order_relaxed);
    tg_free(mem_allocator(), h);
}

size_t ort_mem_bytes(void)
{
    return atomic_load_explicit(&g_bytes, memory_order_relaxed);
}

void ort_lock(pthread_mutex_t *m)
{
    tg_lock(mem_sync(), m);
}

void ort_unlock(pthread_mutex_t *m)
{
    tg_unlock(mem_sync(), m);
}

void ort_yield(const char *where)
{
    tg_yield(mem_sync(), where);
}

int objrt_set_hooks(const tg_allocator *alloc, const tg_sync *sync)
{
    if (ort_mem_bytes() != 0)
        return OBJRT_EBUSY;
    g_alloc = alloc;
    g_sync = sync;
    return OBJRT_OK;
}

void objrt_set_depth_limit(unsigned limit)
{
    atomic_store(&g_depth_limit, limit ? limit : (unsigned)OBJRT_DEFAULT_DEPTH_LIMIT);
}

unsigned objrt_depth_limit(void)
{
    return atomic_load(&g_depth_limit);
}

void ort_note_depth(unsigned depth)
{
    unsigned seen = atomic_load_explicit(&g_depth_high, memory_order_relaxed);
    while (depth > seen &&
           !atomic_compare_exchange_weak_explicit(&g_depth_high, &seen, depth, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

int ort_enter(unsigned depth, const char *where)
{
    if (depth > objrt_depth_limit()) {
        atomic_store_explicit(&g_recursion_site, where, memory_order_relaxed);
        return OBJRT_ERECURSION;
    }
    ort_note_depth(depth);
    return OBJRT_OK;
}

unsigned ort_depth_high_water(void)
{
    return atomic_load_explicit(&g_depth_high, memory_order_relaxed);
}

const char *ort_recursion_site(void)
{
    return atomic_load_explicit(&g_recursion_site, memory_order_relaxed);
}

void objrt_reset_depth_high_water(void)
{
    atomic_store_explicit(&g_depth_high, 0, memory_order_relaxed);
    atomic_store_explicit(&g_recursion_site, NULL, memory_order_relaxed);
}

const char *objrt_strerror(int status)
{
    switch (status) {
#define MEM_STATUS_CASE(name, value, text)                                                         \
    case name:                                                                                     \
        return text;
        OBJRT_STATUS_LIST(MEM_STATUS_CASE)
#undef MEM_STATUS_CASE
    }
    return "unknown status";
}

const char *objrt_type_name(objrt_type type)
{
    static const char *const names[] = {
#define MEM_TYPE_NAME(name, text, container) text,
        OBJRT_TYPE_LIST(MEM_TYPE_NAME)
#undef MEM_TYPE_NAME
    };
    _Static_assert(sizeof names / sizeof names[0] == OBJRT_TYPE_COUNT, "type table");
    return (unsigned)type < OBJRT_TYPE_COUNT ? names[type] : "?";
}
