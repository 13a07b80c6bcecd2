/*
** ob_fiber_stack.c: mapping, painting and scanning fiber stacks.
**
** Paint and scan touch memory that instrumented frames may have poisoned or that other
** fibers wrote, so they are not instrumented; they use words so the compiler
** does not turn them into libc calls that the sanitizers intercept and check.
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

/* Not a byte pattern (that would let a compiler emit memset) and unlikely as data. */
static const uint64_t PAINT = 0x0b5ce11a5eedf1beULL;

size_t ob_fiber_page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

uint8_t *ob_fiber_stack_lo(uint8_t *map, size_t size, unsigned t)
{
    size_t page = ob_fiber_page_size();
    return map + (size_t)t * (page + size) + page;
}

uint8_t *ob_fiber_stacks_map(unsigned n, size_t size)
{
    size_t page = ob_fiber_page_size();
    void *map = mmap(NULL, n * (page + size), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    for (unsigned t = 0; t < n; t++) {
        uint8_t *lo = ob_fiber_stack_lo(map, size, t);
        if (mprotect(lo - page, page, PROT_NONE) != 0) {
            munmap(map, n * (page + size));
            return NULL;
        }
        ob_fiber_stack_paint(lo, lo + size);
    }
    return map;
}

void ob_fiber_stacks_unmap(uint8_t *map, unsigned n, size_t size)
{
    if (map)
        munmap(map, n * (ob_fiber_page_size() + size));
}

OB_NO_SANITIZE void ob_fiber_stack_paint(uint8_t *lo, uint8_t *hi)
{
    uint64_t *w = (uint64_t *)(void *)lo;
    uint64_t *end = (uint64_t *)(void *)hi;
    while (w < end)
        *w++ = PAINT;
#if defined(OB_ASAN)
    __asan_unpoison_memory_region(lo, (size_t)(hi - lo));
#endif
}

OB_NO_SANITIZE size_t ob_fiber_stack_used(const uint8_t *lo, const uint8_t *hi)
{
    const uint64_t *w = (const uint64_t *)(const void *)lo;
    const uint64_t *end = (const uint64_t *)(const void *)hi;
    /* Eight words a step: the untouched bulk of a stack is most of what gets read. */
    while (end - w >= 8 && ((w[0] ^ PAINT) | (w[1] ^ PAINT) | (w[2] ^ PAINT) | (w[3] ^ PAINT) |
                            (w[4] ^ PAINT) | (w[5] ^ PAINT) | (w[6] ^ PAINT) | (w[7] ^ PAINT)) == 0)
        w += 8;
    while (w < end && *w == PAINT)
        w++;
    return (size_t)((const uint8_t *)end - (const uint8_t *)w);
}
