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
