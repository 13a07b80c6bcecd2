/*
** ob_pct.h: PCT scheduling (Burckhardt et al., ASPLOS 2010) decoded from schedule bytes.
**
** Byte layout, read front to back, every byte string valid:
**   - one byte per thread t in [0, n): its initial priority is (byte << 3) | (7 - t), so
**     priorities are distinct and all bytes zero run thread 0 first;
**   - then each byte b_i places priority-change point i at step s_i = s_{i-1} + b_i
**     (s_0 = 0). At step s_i the thread that would run next drops below every priority
**     handed out so far. Several points may fall on one step.
** Once the bytes run out no change point follows: priorities stay as they are, so the
** rest of the run is still a function of the bytes. One byte is one field, so a one-byte
** mutation moves one thread's rank or one change point.
*/
#ifndef OB_PCT_H
#define OB_PCT_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_pct.h is internal to the harness kit"
#endif

#include <stddef.h>
#include <stdint.h>

#include "ob_exec.h"

typedef struct ob_pct {
    int32_t prio[OB_MAX_THREADS];
    const uint8_t *sched; /* borrowed for the run */
    size_t len;
    size_t pos;
    uint64_t change_step; /* step of the next change point, valid while has_change */
    int has_change;
    int32_t lowered; /* change points applied so far */
} ob_pct;

/* Decodes the initial priorities of n threads and the first change point; borrows sched. */
void ob_pct_init(ob_pct *s, unsigned n, const uint8_t *sched, size_t len);
/* Applies the change points due at `step`, then returns the highest-priority thread in
   `runnable` (bit t set: thread t may run), or -1 when the mask is empty. Steps must be
   passed in increasing order, one call per step. */
int ob_pct_pick(ob_pct *s, uint64_t step, unsigned runnable);

#endif
