/*
** ob_fiber_stack.c: mapping, painting and measuring fiber stacks (scheme in the header).
**
** Paint and scan touch memory that instrumented frames may have poisoned or that other
** fibers wrote, so they are not instrumented; the paint is not a byte pattern, so the
** compiler cannot turn the loop into a memset that the sanitizers would intercept.
*/
#define _DEFAULT_SOURCE 1
#include "ob_fiber_stack.h"

#include <sys/mman.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define OB_ASAN 1
#endif
#endif

#define OB_NO_SANITIZE __attribute__((no_sanitize("address", "thread", "undefined")))

/* Unlikely as data, and not one byte repeated. */
static const uint64_t PAINT = 0x0b5ce11a5eedf1beULL;

/* {== Words ==} */

OB_NO_SANITIZE static void paint(uint8_t *lo, uint8_t *hi)
{
    for (uint64_t *w = (uint64_t *)(void *)lo; w < (uint64_t *)(void *)hi; w++)
        *w = PAINT;
}

/* The lowest word at or above lo (below hi) that lost the paint, or hi. */
OB_NO_SANITIZE static const uint8_t *first_dirty_up(const uint8_t *lo, const uint8_t *hi)
{
    const uint64_t *w = (const uint64_t *)(const void *)lo;
    const uint64_t *end = (const uint64_t *)(const void *)hi;
    while (w < end && *w == PAINT)
        w++;
    return (const uint8_t *)w;
}

/* Bit i set: word i of the 64-byte block at w lost the paint. The common all-clean
   case is one OR of eight compares, which the compiler keeps branch-free. */
OB_NO_SANITIZE static unsigned block_dirt(const uint64_t *w)
{
    uint64_t any = (w[0] ^ PAINT) | (w[1] ^ PAINT) | (w[2] ^ PAINT) | (w[3] ^ PAINT) |
                   (w[4] ^ PAINT) | (w[5] ^ PAINT) | (w[6] ^ PAINT) | (w[7] ^ PAINT);
    if (!any)
        return 0;
    unsigned bits = 0;
    for (unsigned i = 0; i < 8; i++)
        bits |= (unsigned)(w[i] != PAINT) << i;
    return bits;
}

/* Walks down from `from` (64-byte aligned) to lo, a block at a time: the lowest dirty
   word reached without crossing OB_FIBER_STACK_GAP clean bytes, or NULL when the first
   gap has none. */
OB_NO_SANITIZE static const uint8_t *lowest_dirty_down(const uint8_t *lo, const uint8_t *from)
{
    /* Bounds as integers: the give-up point may lie below the mapping. */
    uintptr_t floor = (uintptr_t)lo;
    uintptr_t at = (uintptr_t)from;
    uintptr_t give_up = at - OB_FIBER_STACK_GAP;
    const uint8_t *dirty = NULL;
    while (at > floor && at > give_up) {
        at -= 64;
        unsigned bits = block_dirt((const uint64_t *)at);
        if (bits) {
            dirty = (const uint8_t *)(at + 8 * (unsigned)__builtin_ctz(bits));
            give_up = (uintptr_t)dirty - OB_FIBER_STACK_GAP;
        }
    }
    return dirty;
}

static void unpoison(uint8_t *lo, uint8_t *hi)
{
#if defined(OB_ASAN)
    __asan_unpoison_memory_region(lo, (size_t)(hi - lo));
#else
    (void)lo;
    (void)hi;
#endif
}

/* {== Lifetime ==} */

int ob_fiber_stacks_init(ob_fiber_stacks *ss, size_t size)
{
    long page_size = sysconf(_SC_PAGESIZE);
    size_t page = page_size > 0 ? (size_t)page_size : 4096;
    ss->size = (size + page - 1) / page * page;
    ss->map_len = OB_MAX_THREADS * (page + ss->size);
    void *map = mmap(NULL, ss->map_len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return OB_EXEC_NOMEM;
    ss->map = map;
    for (unsigned t = 0; t < OB_MAX_THREADS; t++) {
        ob_fiber_stack *s = &ss->s[t];
        s->lo = ss->map + t * (page + ss->size) + page;
        s->hi = s->lo + ss->size;
        s->high_water = 0;
        if (mprotect(s->lo - page, page, PROT_NONE) != 0) {
            ob_fiber_stacks_free(ss);
            return OB_EXEC_NOMEM;
        }
        ob_fiber_stack_reset(ss, t);
    }
    return OB_EXEC_OK;
}

void ob_fiber_stacks_free(ob_fiber_stacks *ss)
{
    if (ss->map)
        munmap(ss->map, ss->map_len);
    ss->map = NULL;
}

void ob_fiber_stack_reset(ob_fiber_stacks *ss, unsigned t)
{
    ob_fiber_stack *s = &ss->s[t];
    paint(s->lo, s->hi);
    unpoison(s->lo, s->hi);
    s->dirty = 0;
    s->mark = s->hi;
}

/* {== Per run ==} */

void ob_fiber_stack_prepare(ob_fiber_stacks *ss, unsigned t, uint8_t *live)
{
    ob_fiber_stack *s = &ss->s[t];
    uint8_t *from = s->hi - s->dirty;
    live = (uint8_t *)((uintptr_t)live & ~(uintptr_t)7);
    if (from < live) {
        paint(from, live);
        unpoison(from, live);
    }
    s->dirty = (size_t)(s->hi - live);
}

void ob_fiber_stack_measure(ob_fiber_stacks *ss, unsigned t, const uint8_t *hint)
{
    ob_fiber_stack *s = &ss->s[t];
    const uint8_t *start = s->mark;
    if (hint && hint >= s->lo && hint < start)
        start = hint;
    /* Rounding up to a block only looks at a few more words. */
    start = (const uint8_t *)(((uintptr_t)start + 63) & ~(uintptr_t)63);
    const uint8_t *deepest = lowest_dirty_down(s->lo, start);
    if (!deepest)
        deepest = first_dirty_up(start, s->hi);
    s->mark = (uint8_t *)deepest;
    s->high_water = (size_t)(s->hi - deepest);
    if (s->high_water > s->dirty)
        s->dirty = s->high_water;
}
