/*
** ob_fresh.c: fresh values. Counters for the process, so no two runs (inputs, the growth
** detector's reruns, threads) ever see the same fresh value until it wraps: after 2^32
** byte strings, or hi - lo + 1 integers.
*/
#include "ob_fresh.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* One counter each for byte strings and integers: an integer range is small, and values
   taken for byte strings would leave gaps in it. */
static atomic_uint_least64_t next_bytes, next_int;

uint32_t ob_fresh_digits(const ob_arg_spec *s)
{
    if (!s->fresh || s->kind != OB_ARG_BYTES)
        return 0;
    return s->max_len < OB_FRESH_DIGITS ? s->max_len : OB_FRESH_DIGITS;
}

uint32_t ob_written_max(const ob_arg_spec *s)
{
    return s->max_len - ob_fresh_digits(s);
}

int ob_fresh_any(const ob_op *op)
{
    for (uint32_t i = 0; i < op->nargs; i++)
        if (op->args[i].fresh &&
            (op->args[i].kind == OB_ARG_INT || op->args[i].kind == OB_ARG_BYTES))
            return 1;
    return 0;
}

static uint64_t take(atomic_uint_least64_t *counter)
{
    return atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

/* The written bytes, then the counter's low digits in hex, most significant first. */
static void fill_bytes(const ob_arg_spec *s, const ob_value *in, ob_value *out, uint8_t *at)
{
    static const char hex[] = "0123456789abcdef";
    uint32_t digits = ob_fresh_digits(s);
    uint64_t n = take(&next_bytes);
    memcpy(at, in->bytes, in->len);
    for (uint32_t d = 0; d < digits; d++)
        at[in->len + digits - 1 - d] = (uint8_t)hex[(n >> (4 * d)) & 15];
    out->bytes = at;
    out->len = in->len + digits;
}

ob_status ob_fresh_fill(const ob_op *op, const ob_value *in, ob_value *out, uint8_t **buf)
{
    size_t need = 0;
    for (uint32_t i = 0; i < op->nargs; i++)
        if (op->args[i].fresh && op->args[i].kind == OB_ARG_BYTES)
            need += in[i].len + ob_fresh_digits(&op->args[i]);
    *buf = need ? malloc(need) : NULL;
    if (need && !*buf)
        return OB_ENOMEM;
    uint8_t *at = *buf;
    for (uint32_t i = 0; i < op->nargs; i++) {
        const ob_arg_spec *s = &op->args[i];
        out[i] = in[i];
        if (!s->fresh)
            continue;
        if (s->kind == OB_ARG_INT)
            out[i].i =
                s->lo + (int64_t)(take(&next_int) % ((uint64_t)((int64_t)s->hi - s->lo) + 1));
        else if (s->kind == OB_ARG_BYTES) {
            fill_bytes(s, &in[i], &out[i], at);
            at += out[i].len;
        }
    }
    return OB_OK;
}
