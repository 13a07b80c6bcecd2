/*
** ob_program.c: bytes <-> programs.
**
** Layout: nthreads (1 byte), schedule length (1 byte), schedule bytes, then operations
** until the input ends: thread (1 byte), operation (1 byte), each argument, a fail byte.
** A byte-string argument is OB_MAX_PIECES pieces, each a length, that many bytes and a
** repeat count (ob_bytes.h), so a few bytes can stand for a long, regular string.
** Every field of a range up to 256 wide is one byte (ob_bytes.h), so a one-byte change
** alters one field of one operation. While no handle exists yet, the operation byte picks
** among the operations without handle arguments, so every decoded handle is valid.
*/
#include "ob_kit.h"
#include "ob_bytes.h"
#include "ob_fresh.h"
#include "ob_pieces.h"
#include "ob_saved.h"

#include <stdlib.h>
#include <string.h>

/* Fail bytes below FAIL_NTH_BASE mean no failure: one operation in eight fails. */
enum { FAIL_NTH_BASE = 224, FAIL_ALL_BASE = FAIL_NTH_BASE + OB_FAIL_NTH_MAX };
_Static_assert(FAIL_ALL_BASE <= 255, "fail byte ranges overflow a byte");

static int needs_handle(const ob_op *op)
{
    for (uint32_t i = 0; i < op->nargs; i++)
        if (op->args[i].kind == OB_ARG_HANDLE)
            return 1;
    return 0;
}

/* Operations a byte may choose from: all of them, or those without handles. */
static uint32_t choosable(const ob_target *t, uint32_t nslots)
{
    if (nslots)
        return t->nops;
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nops; i++)
        n += !needs_handle(&t->ops[i]);
    return n;
}

static uint32_t op_of_choice(const ob_target *t, uint32_t nslots, uint32_t k)
{
    if (nslots)
        return k;
    for (uint32_t i = 0; i < t->nops; i++)
        if (!needs_handle(&t->ops[i]) && k-- == 0)
            return i;
    return 0;
}

static uint32_t choice_of_op(const ob_target *t, uint32_t nslots, uint32_t op)
{
    if (nslots)
        return op;
    uint32_t k = 0;
    for (uint32_t i = 0; i < op; i++)
        k += !needs_handle(&t->ops[i]);
    return k;
}

static uint32_t int_span(const ob_arg_spec *s)
{
    return (uint32_t)((int64_t)s->hi - s->lo);
}

/* Decoding state beyond the reader: where literal pieces are copied, and how much more
   the program's byte strings may expand. */
typedef struct decoder {
    ob_reader r;
    ob_program *p;
    uint8_t *arena;
    size_t budget;
    ob_status st;
} decoder;

/* A fresh argument's digits come after what is written: the written part is shorter. */
static uint32_t piece_max(const ob_arg_spec *s)
{
    uint32_t max = ob_written_max(s);
    return max < OB_MAX_BYTES_ARG ? max : OB_MAX_BYTES_ARG;
}

static void decode_bytes(decoder *d, const ob_arg_spec *s, ob_value *v)
{
    v->npieces = OB_MAX_PIECES;
    for (uint32_t i = 0; i < OB_MAX_PIECES; i++) {
        const uint8_t *src;
        ob_piece *pc = &v->pieces[i];
        pc->len = (uint32_t)ob_reader_bytes(&d->r, piece_max(s), &src);
        memcpy(d->arena, src, pc->len);
        pc->bytes = d->arena;
        d->arena += pc->len;
        pc->count = ob_reader_count(&d->r);
        if (!pc->len)
            pc->count = 1; /* an empty piece repeats nothing */
    }
    if (ob_pieces_expand(d->p, ob_written_max(s), &d->budget, v) != OB_OK)
        d->st = OB_ENOMEM;
}

static void decode_arg(decoder *d, const ob_arg_spec *s, uint32_t nslots, ob_value *v)
{
    ob_reader *r = &d->r;
    memset(v, 0, sizeof *v);
    switch (s->kind) {
    case OB_ARG_HANDLE:
        v->i = ob_reader_range(r, 0, nslots - 1);
        break;
    case OB_ARG_INT: /* a fresh one takes its value when it runs: nothing to read */
        v->i = s->fresh ? 0 : (int64_t)s->lo + ob_reader_range(r, 0, int_span(s));
        break;
    case OB_ARG_ENUM:
        v->i = ob_reader_range(r, 0, s->nchoices ? s->nchoices - 1 : 0);
        break;
    case OB_ARG_BYTES:
        decode_bytes(d, s, v);
        break;
    }
}

static void decode_fail(ob_reader *r, ob_inst *in)
{
    uint8_t b = ob_reader_u8(r);
    if (b < FAIL_NTH_BASE) {
        in->fail = OB_FAIL_NONE;
    } else if (b < FAIL_ALL_BASE) {
        in->fail = OB_FAIL_NTH;
        in->fail_n = (uint8_t)(b - FAIL_NTH_BASE + 1);
    } else {
        in->fail = OB_FAIL_ALL;
    }
}

static void decode_inst(const ob_target *t, decoder *d)
{
    ob_reader *r = &d->r;
    ob_program *p = d->p;
    ob_inst *in = &p->insts[p->ninsts++];
    memset(in, 0, sizeof *in);
    in->thread = (uint8_t)ob_reader_range(r, 0, p->nthreads - 1);
    uint32_t n = choosable(t, p->nslots);
    in->op = (uint16_t)op_of_choice(t, p->nslots, ob_reader_range(r, 0, n - 1));
    const ob_op *op = &t->ops[in->op];
    for (uint32_t i = 0; i < op->nargs; i++)
        decode_arg(d, &op->args[i], p->nslots, &in->args[i]);
    decode_fail(r, in);
    if (!t->alloc_hooks) /* the byte is read all the same, so a seam added later keeps inputs */
        in->fail = OB_FAIL_NONE, in->fail_n = 0;
    in->slot = -1;
    if (op->makes && p->nslots < OB_MAX_SLOTS)
        in->slot = (int8_t)p->nslots++;
}

static void decode_header(ob_reader *r, ob_program *p)
{
    p->nthreads = ob_reader_range(r, 1, OB_PROGRAM_THREADS);
    p->nschedule = ob_reader_range(r, 0, OB_MAX_SCHEDULE);
    for (uint32_t i = 0; i < p->nschedule; i++)
        p->schedule[i] = ob_reader_u8(r);
}

ob_status ob_program_decode(const ob_target *t, const uint8_t *data, size_t size, ob_program *p)
{
    memset(p, 0, sizeof *p);
    p->target = t;
    size = data ? ob_saved_strip(t, data, size, p) : 0;
    if (size) {
        p->arena = malloc(size);
        if (!p->arena)
            return OB_ENOMEM;
    }
    decoder d = {.p = p, .arena = p->arena, .budget = OB_MAX_EXPANDED_PROGRAM, .st = OB_OK};
    ob_reader_init(&d.r, data, size);
    decode_header(&d.r, p);
    while (ob_reader_left(&d.r) && p->ninsts < OB_MAX_INSTS && choosable(t, p->nslots) &&
           d.st == OB_OK)
        decode_inst(t, &d);
    if (d.st != OB_OK)
        ob_program_clear(p);
    return d.st;
}

void ob_program_clear(ob_program *p)
{
    ob_pieces_free(p);
    free(p->arena);
    p->arena = NULL;
    p->ninsts = 0;
    p->nslots = 0;
}

static void encode_arg(ob_writer *w, const ob_arg_spec *s, uint32_t nslots, const ob_value *v)
{
    switch (s->kind) {
    case OB_ARG_HANDLE:
        ob_writer_range(w, 0, nslots - 1, (uint32_t)v->i);
        break;
    case OB_ARG_INT:
        if (!s->fresh)
            ob_writer_range(w, 0, int_span(s), (uint32_t)(v->i - s->lo));
        break;
    case OB_ARG_ENUM:
        ob_writer_range(w, 0, s->nchoices ? s->nchoices - 1 : 0, (uint32_t)v->i);
        break;
    case OB_ARG_BYTES: {
        ob_piece pieces[OB_MAX_PIECES];
        uint32_t n = ob_pieces_of(v, pieces);
        for (uint32_t i = 0; i < OB_MAX_PIECES; i++) {
            ob_piece pc = i < n ? pieces[i] : (ob_piece){NULL, 0, 1};
            if (pc.len > piece_max(s))
                pc.len = piece_max(s);
            ob_writer_bytes(w, piece_max(s), pc.bytes, pc.len);
            ob_writer_count(w, pc.count);
        }
        break;
    }
    }
}

static uint8_t fail_byte(const ob_inst *in)
{
    switch (in->fail) {
    case OB_FAIL_NTH:
        return (uint8_t)(FAIL_NTH_BASE + in->fail_n - 1);
    case OB_FAIL_ALL:
        return FAIL_ALL_BASE;
    default:
        return 0;
    }
}

ob_status ob_program_encode(const ob_program *p, uint8_t **out, size_t *size)
{
    const ob_target *t = p->target;
    ob_writer w;
    ob_writer_init(&w);
    ob_writer_range(&w, 1, OB_PROGRAM_THREADS, p->nthreads);
    ob_writer_range(&w, 0, OB_MAX_SCHEDULE, p->nschedule);
    for (uint32_t i = 0; i < p->nschedule; i++)
        ob_writer_u8(&w, p->schedule[i]);
    uint32_t nslots = 0;
    for (uint32_t k = 0; k < p->ninsts; k++) {
        const ob_inst *in = &p->insts[k];
        const ob_op *op = &t->ops[in->op];
        ob_writer_range(&w, 0, p->nthreads - 1, in->thread);
        ob_writer_range(&w, 0, choosable(t, nslots) - 1, choice_of_op(t, nslots, in->op));
        for (uint32_t i = 0; i < op->nargs; i++)
            encode_arg(&w, &op->args[i], nslots, &in->args[i]);
        ob_writer_u8(&w, fail_byte(in));
        nslots += in->slot >= 0;
    }
    if (w.oom) {
        ob_writer_free(&w);
        return OB_ENOMEM;
    }
    *out = w.data;
    *size = w.size;
    return OB_OK;
}

static int value_equal(const ob_arg_spec *s, const ob_value *a, const ob_value *b)
{
    if (s->kind != OB_ARG_BYTES)
        return a->i == b->i;
    return a->len == b->len && (a->len == 0 || memcmp(a->bytes, b->bytes, a->len) == 0);
}

static int inst_equal(const ob_target *t, const ob_inst *a, const ob_inst *b)
{
    if (a->op != b->op || a->thread != b->thread || a->fail != b->fail || a->slot != b->slot)
        return 0;
    if (a->fail == OB_FAIL_NTH && a->fail_n != b->fail_n)
        return 0;
    const ob_op *op = &t->ops[a->op];
    for (uint32_t i = 0; i < op->nargs; i++)
        if (!value_equal(&op->args[i], &a->args[i], &b->args[i]))
            return 0;
    return 1;
}

int ob_program_equal(const ob_program *a, const ob_program *b)
{
    if (a->target != b->target || a->nthreads != b->nthreads || a->nschedule != b->nschedule ||
        a->ninsts != b->ninsts || a->nslots != b->nslots)
        return 0;
    if (memcmp(a->schedule, b->schedule, a->nschedule) != 0)
        return 0;
    for (uint32_t k = 0; k < a->ninsts; k++)
        if (!inst_equal(a->target, &a->insts[k], &b->insts[k]))
            return 0;
    return 1;
}
