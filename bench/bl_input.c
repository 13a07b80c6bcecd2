/*
** bl_input.c: the baseline harnesses' input reader (see bl_input.h).
*/
#include "bench/bl_input.h"

int bl_more(const bl_input *in)
{
    return in->n > 0;
}

uint8_t bl_byte(bl_input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

int64_t bl_int(bl_input *in, int64_t lo, int64_t hi)
{
    uint16_t raw = (uint16_t)(bl_byte(in) | bl_byte(in) << 8);
    return lo + (int64_t)(raw % (uint64_t)(hi - lo + 1));
}

const uint8_t *bl_bytes(bl_input *in, size_t max, size_t *len)
{
    size_t want = bl_byte(in) % (max + 1);
    const uint8_t *start = in->p;
    *len = want < in->n ? want : in->n;
    in->p += *len;
    in->n -= *len;
    return start;
}
