/*
** ob_saved.c: saved inputs carry the fingerprint of the operation table they were
** encoded for, so one decoded under a changed table says so instead of running another
** program. The trailer is a 4-byte magic and the fingerprint (8 bytes, little-endian);
** fuzz inputs rarely end with the magic, and one that does only loses its last 12 bytes.
*/
#include "ob_saved.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t magic[4] = {0xf1, 'o', 'b', 0x01};
_Static_assert(OB_SAVED_TRAILER == sizeof magic + 8, "trailer size");

/* FNV-1a, 64 bits, over what decoding depends on: ownership effects and hooks change
   what a program does, not which program the bytes are. */
static void mix(uint64_t *h, const void *data, size_t n)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < n; i++) {
        *h ^= b[i];
        *h *= 0x100000001b3ull;
    }
}

static void mix_int(uint64_t *h, int64_t v)
{
    mix(h, &v, sizeof v);
}

static void mix_spec(uint64_t *h, const ob_arg_spec *s)
{
    mix_int(h, s->kind);
    mix_int(h, s->fresh);
    switch (s->kind) {
    case OB_ARG_HANDLE:
        break;
    case OB_ARG_INT:
        mix_int(h, s->lo);
        mix_int(h, s->hi);
        break;
    case OB_ARG_BYTES:
        mix_int(h, s->max_len);
        break;
    case OB_ARG_ENUM:
        mix_int(h, s->nchoices);
        break;
    }
}

uint64_t ob_program_fingerprint(const ob_target *t)
{
    uint64_t h = 0xcbf29ce484222325ull;
    mix_int(&h, t->nops);
    for (uint32_t k = 0; k < t->nops; k++) {
        const ob_op *op = &t->ops[k];
        mix(&h, op->name, strlen(op->name) + 1);
        mix_int(&h, op->makes != 0);
        mix_int(&h, op->nargs);
        for (uint32_t i = 0; i < op->nargs; i++)
            mix_spec(&h, &op->args[i]);
    }
    return h;
}

ob_status ob_program_save(const ob_program *p, uint8_t **out, size_t *size)
{
    uint8_t *bytes;
    size_t n;
    ob_status st = ob_program_encode(p, &bytes, &n);
    if (st != OB_OK)
        return st;
    uint8_t *all = realloc(bytes, n + OB_SAVED_TRAILER);
    if (!all) {
        free(bytes);
        return OB_ENOMEM;
    }
    uint64_t fp = ob_program_fingerprint(p->target);
    memcpy(all + n, magic, sizeof magic);
    for (int i = 0; i < 8; i++)
        all[n + sizeof magic + i] = (uint8_t)(fp >> (8 * i));
    *out = all;
    *size = n + OB_SAVED_TRAILER;
    return OB_OK;
}

size_t ob_saved_strip(const ob_target *t, const uint8_t *data, size_t size, ob_program *p)
{
    if (size < OB_SAVED_TRAILER || memcmp(data + size - OB_SAVED_TRAILER, magic, sizeof magic))
        return size;
    uint64_t fp = 0;
    for (int i = 0; i < 8; i++)
        fp |= (uint64_t)data[size - 8 + i] << (8 * i);
    p->stale = fp != ob_program_fingerprint(t);
    p->saved_fingerprint = fp;
    return size - OB_SAVED_TRAILER;
}
