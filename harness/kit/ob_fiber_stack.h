/*
** ob_fiber_stack.h: fiber stacks and how deep each fiber went.
**
** Stacks are one mmap per executor: per fiber a PROT_NONE guard page, then the usable
** stack above it (stacks grow down, so an overflow faults on the guard). Depth is
** measured by painting: before a run the region the previous run dirtied is repainted
** with a pattern; after the run a scan from the low end finds the deepest word that no
** longer holds it. This stands in for libFuzzer's __sancov_lowest_stack, which fiber
** stacks would confuse (see ob_fibers.c).
*/
#ifndef OB_FIBER_STACK_H
#define OB_FIBER_STACK_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_fiber_stack.h is internal to the harness kit"
#endif

#include <stddef.h>
#include <stdint.h>

#include "ob_exec.h"

/* Maps n stacks of size bytes (a page multiple) with guard pages, painted whole.
   Returns the mapping (owned; ob_fiber_stacks_unmap) or NULL. Stack t is
   [ob_fiber_stack_lo(map, size, t), + size). */
uint8_t *ob_fiber_stacks_map(unsigned n, size_t size);
void ob_fiber_stacks_unmap(uint8_t *map, unsigned n, size_t size);
uint8_t *ob_fiber_stack_lo(uint8_t *map, size_t size, unsigned t);
size_t ob_fiber_page_size(void);

/* Repaints [lo, hi) (8-byte aligned) and clears its ASan poisoning, which frames that
   never returned (abandoned fibers) may have left behind. */
void ob_fiber_stack_paint(uint8_t *lo, uint8_t *hi);
/* Bytes of [lo, hi) in use: hi minus the lowest address whose word lost the paint. */
size_t ob_fiber_stack_used(const uint8_t *lo, const uint8_t *hi);

/* Deepest stack use of fiber t in the last ob_fibers_run, in bytes from the top of its
   stack (0 for fibers that run did not use). Includes the executor's own frames at the
   top of the stack, a few hundred bytes. */
size_t ob_fibers_high_water(const ob_fibers *f, unsigned t);

#endif
