/*
** ob_pieces.c: expanding repeated pieces (ob_pieces.h). Expansions live in a list of
** blocks owned by the program, so values that point into them stay valid while the
** program does, however many are added.
*/
#include "ob_pieces.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct expansion {
    struct expansion *next;
    uint8_t bytes[];
} expansion;

size_t ob_pieces_length(const ob_value *v)
{
    size_t total = 0;
    for (uint32_t i = 0; i < v->npieces; i++) {
        const ob_piece *pc = &v->pieces[i];
        if (pc->len && pc->count > (SIZE_MAX - total) / pc->len)
            return SIZE_MAX;
        total += (size_t)pc->len * pc->count;
    }
    return total;
}

static void fit(ob_value *v, size_t limit)
{
    size_t used = 0;
    for (uint32_t i = 0; i < v->npieces; i++) {
        ob_piece *pc = &v->pieces[i];
        if (!pc->len)
            continue;
        size_t room = (limit - used) / pc->len;
        if (pc->count > room)
            pc->count = (uint32_t)room;
        used += (size_t)pc->len * pc->count;
    }
}

ob_status ob_pieces_expand(ob_program *p, size_t max_len, size_t *budget, ob_value *v)
{
    fit(v, max_len < *budget ? max_len : *budget);
    size_t n = ob_pieces_length(v);
    *budget -= n;
    v->len = n;
    uint32_t used = 0, which = 0;
    for (uint32_t i = 0; i < v->npieces; i++)
        if (v->pieces[i].len && v->pieces[i].count)
            used++, which = i;
    if (used == 0) {
        v->bytes = (const uint8_t *)"";
        return OB_OK;
    }
    if (used == 1 && v->pieces[which].count == 1) {
        v->bytes = v->pieces[which].bytes;
        return OB_OK;
    }
    expansion *e = malloc(sizeof *e + n);
    if (!e)
        return OB_ENOMEM;
    e->next = p->expansions;
    p->expansions = e;
    uint8_t *out = e->bytes;
    for (uint32_t i = 0; i < v->npieces; i++)
        for (uint32_t k = 0; k < v->pieces[i].count && v->pieces[i].len; k++) {
            memcpy(out, v->pieces[i].bytes, v->pieces[i].len);
            out += v->pieces[i].len;
        }
    v->bytes = e->bytes;
    return OB_OK;
}

uint32_t ob_pieces_of(const ob_value *v, ob_piece *out)
{
    if (v->npieces) {
        memcpy(out, v->pieces, v->npieces * sizeof *out);
        return v->npieces;
    }
    out[0] =
        (ob_piece){v->bytes, (uint32_t)(v->len < OB_MAX_BYTES_ARG ? v->len : OB_MAX_BYTES_ARG), 1};
    return 1;
}

void ob_pieces_free(ob_program *p)
{
    expansion *e = p->expansions;
    while (e) {
        expansion *next = e->next;
        free(e);
        e = next;
    }
    p->expansions = NULL;
}

/* Visits every byte-string value of p. */
static void each_bytes(const ob_program *p, void (*fn)(ob_value *v, void *ctx), void *ctx)
{
    for (uint32_t k = 0; k < p->ninsts; k++) {
        const ob_op *op = &p->target->ops[p->insts[k].op];
        for (uint32_t i = 0; i < op->nargs; i++)
            if (op->args[i].kind == OB_ARG_BYTES)
                fn((ob_value *)&p->insts[k].args[i], ctx);
    }
}

static void find_repeat(ob_value *v, void *ctx)
{
    for (uint32_t i = 0; i < v->npieces; i++)
        *(int *)ctx |= v->pieces[i].len && v->pieces[i].count >= 2;
}

int ob_program_repeats(const ob_program *p)
{
    int found = 0;
    each_bytes(p, find_repeat, &found);
    return found;
}

static void add_len(ob_value *v, void *ctx)
{
    *(size_t *)ctx += v->len;
}

size_t ob_program_expanded(const ob_program *p)
{
    size_t n = 0;
    each_bytes(p, add_len, &n);
    return n;
}

typedef struct scale {
    uint32_t num, den;
} scale;

static void rescale(ob_value *v, void *ctx)
{
    const scale *s = ctx;
    for (uint32_t i = 0; i < v->npieces; i++) {
        ob_piece *pc = &v->pieces[i];
        if (pc->count < 2)
            continue;
        uint64_t c = (uint64_t)pc->count * s->num / s->den;
        pc->count = c < 1 ? 1 : c > OB_MAX_REPEAT ? OB_MAX_REPEAT : (uint32_t)c;
    }
}

ob_status ob_program_rescaled(const ob_program *p, uint32_t num, uint32_t den, uint8_t **out,
                              size_t *size)
{
    /* A copy shares p's literals; only its counts change. */
    static ob_program copy; /* too large for small stacks */
    copy = *p;
    scale s = {num, den};
    each_bytes(&copy, rescale, &s);
    return ob_program_encode(&copy, out, size);
}

int ob_program_rescale_cut(const ob_program *p, const ob_program *scaled, uint32_t num,
                           uint32_t den)
{
    return num > den && ob_program_expanded(scaled) * 4 * den < ob_program_expanded(p) * 3 * num;
}
