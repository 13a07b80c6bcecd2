/*
** ob_depth.c: the bounded-or-unbounded rule (ob_depth.h).
*/
#include "ob_depth.h"

const uint32_t ob_depth_num[OB_DEPTH_SCALES] = {1, 1, 1, 1, 2, 4};
const uint32_t ob_depth_den[OB_DEPTH_SCALES] = {64, 8, 2, 1, 1, 1};

/* b deepened a by a quarter or more (an overflow is as deep as it gets). */
static int grew(size_t a, size_t b)
{
    return b == OB_DEPTH_OVERFLOW || (a != OB_DEPTH_OVERFLOW && b >= a + a / 4);
}

int ob_depth_keeps_growing(const size_t depth[OB_DEPTH_SCALES])
{
    enum { ONE = 3 };
    if (depth[ONE] == OB_DEPTH_UNKNOWN)
        return -1;
    /* The repeats drive the depth only if fewer of them went less deep. */
    unsigned least = 0;
    while (least < ONE && depth[least] == OB_DEPTH_UNKNOWN)
        least++;
    if (least == ONE || !grew(depth[least], depth[ONE]))
        return -1;
    /* The last doubling measured: x2 to x4, else x1 to x2, else x1/2 to x1. */
    for (unsigned i = OB_DEPTH_SCALES - 1; i > ONE - 1; i--)
        if (depth[i] != OB_DEPTH_UNKNOWN && depth[i - 1] != OB_DEPTH_UNKNOWN)
            return grew(depth[i - 1], depth[i]);
    return -1;
}

size_t ob_depth_fiber_for(size_t deepest, unsigned budget)
{
    enum { STEP = 16 << 10 };
    size_t size = (deepest * 100 / budget + STEP - 1) / STEP * STEP;
    /* The judge's budget is size / 100 * budget, which rounds down: step up past it. */
    while (size / 100 * budget < deepest)
        size += STEP;
    return size;
}
