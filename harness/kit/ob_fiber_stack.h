/*
** ob_fiber_stack.h: fiber stacks and how deep each fiber went.
**
** One mmap per executor: per fiber a PROT_NONE guard page, then the usable stack above it
** (stacks grow down, so an overflow faults on the guard). Depth is measured by painting:
** [lo, hi - dirty) holds a pattern; before a run the dirty part below the parked frames
** is repainted, after it the lowest word that lost the pattern is the high-water mark.
**
** Reading a whole stack per fiber per input would cost microseconds (and mincore, to
** skip untouched pages, costs more), so the search after a run is local: it starts at
** the lower of the previous mark and the lowest instrumented frame the run reported
** (__sancov_lowest_stack, when built with coverage), walks down while dirty words keep
** turning up within OB_FIBER_STACK_GAP bytes of each other, and if there are none walks
** up to the first dirty word. What it cannot see: writes below a gap of more than
** OB_FIBER_STACK_GAP untouched bytes under that starting point, e.g. a frame that leaves
** a large buffer unwritten while it calls deeper into uninstrumented code. Painting in
** general counts a frame only as far as it wrote.
*/
#ifndef OB_FIBER_STACK_H
#define OB_FIBER_STACK_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_fiber_stack.h is internal to the harness kit"
#endif

#include <stddef.h>
#include <stdint.h>

#include "ob_exec.h"

enum { OB_FIBER_STACK_GAP = 2048 };

typedef struct ob_fiber_stack {
    uint8_t *lo, *hi;  /* usable stack */
    size_t dirty;      /* [hi - dirty, hi) may differ from the paint */
    size_t high_water; /* of the last run; 0 if the run did not use this stack */
    uint8_t *mark;     /* deepest dirty word found when the stack was last used */
} ob_fiber_stack;

typedef struct ob_fiber_stacks {
    uint8_t *map; /* owned */
    size_t map_len;
    size_t size; /* usable bytes per stack, a page multiple */
    ob_fiber_stack s[OB_MAX_THREADS];
} ob_fiber_stacks;

/* Maps OB_MAX_THREADS stacks of at least size bytes, painted. Returns OB_EXEC_OK or
   OB_EXEC_NOMEM (then nothing is held). */
int ob_fiber_stacks_init(ob_fiber_stacks *ss, size_t size);
void ob_fiber_stacks_free(ob_fiber_stacks *ss);
/* Forgets stack t's contents: repaints all of it and clears the ASan poisoning that
   frames which never returned (an abandoned fiber's) left behind. */
void ob_fiber_stack_reset(ob_fiber_stacks *ss, unsigned t);
/* Before a run: repaints what the last run dirtied below `live`, the lowest address the
   parked fiber still uses. */
void ob_fiber_stack_prepare(ob_fiber_stacks *ss, unsigned t, uint8_t *live);
/* After a run that used stack t: sets its high_water. `hint` is the lowest instrumented
   frame address the run reported on this stack, or NULL. */
void ob_fiber_stack_measure(ob_fiber_stacks *ss, unsigned t, const uint8_t *hint);

/* Deepest stack use of fiber t in the last ob_fibers_run, in bytes from the top of its
   stack (0 for fibers that run did not use). Includes the executor's own frames at the
   top of the stack, about a hundred bytes. */
size_t ob_fibers_high_water(const ob_fibers *f, unsigned t);

#endif
