/*
** ob_pct.c: PCT priorities and change points from schedule bytes (layout in ob_pct.h).
*/
#include "ob_pct.h"

static uint8_t next_byte(ob_pct *s)
{
    return s->pos < s->len ? s->sched[s->pos++] : 0;
}

static void load_change(ob_pct *s, uint64_t base)
{
    s->has_change = s->pos < s->len;
    if (s->has_change)
        s->change_step = base + next_byte(s);
}

void ob_pct_init(ob_pct *s, unsigned n, const uint8_t *sched, size_t len)
{
    s->sched = sched;
    s->len = sched ? len : 0;
    s->pos = 0;
    s->lowered = 0;
    for (unsigned t = 0; t < OB_MAX_THREADS; t++)
        s->prio[t] = t < n ? (int32_t)((unsigned)next_byte(s) << 3 | (7u - t)) : INT32_MIN;
    load_change(s, 0);
}

static int highest(const ob_pct *s, unsigned runnable)
{
    int best = -1;
    for (unsigned t = 0; runnable >> t; t++)
        if ((runnable >> t & 1u) && (best < 0 || s->prio[t] > s->prio[best]))
            best = (int)t;
    return best;
}

int ob_pct_pick(ob_pct *s, uint64_t step, unsigned runnable)
{
    while (s->has_change && s->change_step == step) {
        int victim = highest(s, runnable);
        if (victim < 0)
            break;
        /* Initial priorities are >= 0, so -1, -2, ... sit below all earlier ones. */
        s->prio[victim] = -++s->lowered;
        load_change(s, step);
    }
    return highest(s, runnable);
}
