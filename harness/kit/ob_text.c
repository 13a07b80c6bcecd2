/*
** ob_text.c: programs as readable text, and back.
**
**   # ouroboros program: target bank, 2 threads, 3 operations
**   threads 2
**   schedule 0a ff 03
**   t0 h0 = account.open 100
**   t1 account.deposit h0 25 !fail=3
**   t1 account.note h0 "a\x00b" !failall
**
** Handles are numbered in program order; a line that fills one starts `hN =`. Integers
** are decimal, enums by name, byte strings quoted with \\, \" and \xNN escapes. A byte
** string is up to OB_MAX_PIECES pieces joined by `+`, each a quoted literal with an
** optional repeat count: `"["*5000 + "1" + "]"*5000`. A fresh argument (ob_arg_spec.fresh)
** ends with the word `fresh`, its value on each run: `"key" + fresh`, or `fresh` alone (a
** fresh integer is the word alone). Failure points (`!fail=N`, `!failall`) are only
** written for a target whose allocator is on the kit's hooks (alloc_hooks).
*/
#include "ob_fresh.h"
#include "ob_kit.h"
#include "ob_pieces.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void print_bytes(const uint8_t *b, size_t n, FILE *out)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '"' || b[i] == '\\')
            fprintf(out, "\\%c", b[i]);
        else if (b[i] >= 0x20 && b[i] < 0x7f)
            fputc(b[i], out);
        else
            fprintf(out, "\\x%02x", b[i]);
    }
    fputc('"', out);
}

/* The pieces that contribute bytes, joined by `+`; "" when none does, unless `fresh`
   follows (a fresh argument): `"k" + fresh`, or `fresh` alone. */
static void print_pieces(const ob_value *v, int fresh, FILE *out)
{
    ob_piece pieces[OB_MAX_PIECES];
    uint32_t n = ob_pieces_of(v, pieces), printed = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!pieces[i].len || !pieces[i].count)
            continue;
        if (printed++)
            fputs(" + ", out);
        print_bytes(pieces[i].bytes, pieces[i].len, out);
        if (pieces[i].count != 1)
            fprintf(out, "*%u", pieces[i].count);
    }
    if (fresh)
        fputs(printed ? " + fresh" : "fresh", out);
    else if (!printed)
        fputs("\"\"", out);
}

static void print_arg(const ob_arg_spec *s, const ob_value *v, FILE *out)
{
    switch (s->kind) {
    case OB_ARG_HANDLE:
        fprintf(out, " h%lld", (long long)v->i);
        break;
    case OB_ARG_INT:
        if (s->fresh)
            fputs(" fresh", out);
        else
            fprintf(out, " %lld", (long long)v->i);
        break;
    case OB_ARG_ENUM:
        fprintf(out, " %s", s->choices[v->i]);
        break;
    case OB_ARG_BYTES:
        fputc(' ', out);
        print_pieces(v, s->fresh, out);
        break;
    }
}

static void print_inst(const ob_target *t, const ob_inst *in, FILE *out)
{
    const ob_op *op = &t->ops[in->op];
    fprintf(out, "t%u ", in->thread);
    if (in->slot >= 0)
        fprintf(out, "h%d = ", in->slot);
    fputs(op->name, out);
    for (uint32_t i = 0; i < op->nargs; i++)
        print_arg(&op->args[i], &in->args[i], out);
    if (in->fail == OB_FAIL_NTH)
        fprintf(out, " !fail=%u", in->fail_n);
    else if (in->fail == OB_FAIL_ALL)
        fputs(" !failall", out);
    fputc('\n', out);
}

int ob_program_print(const ob_program *p, FILE *out)
{
    fprintf(out, "# ouroboros program: target %s, %u threads, %u operations\n", p->target->name,
            p->nthreads, p->ninsts);
    fprintf(out, "threads %u\nschedule", p->nthreads);
    for (uint32_t i = 0; i < p->nschedule; i++)
        fprintf(out, " %02x", p->schedule[i]);
    fputc('\n', out);
    for (uint32_t k = 0; k < p->ninsts; k++)
        print_inst(p->target, &p->insts[k], out);
    return ferror(out) ? -1 : 0;
}

/* ---- assembling ---- */

typedef struct asm_state {
    const ob_target *t;
    ob_program *p;
    const char *s; /* cursor in the current line */
    unsigned line;
    char *err;
    size_t errlen;
    uint8_t *arena; /* next free byte of p->arena */
    size_t budget;  /* how much more the program's byte strings may expand */
    int have_threads;
} asm_state;

static ob_status fail(asm_state *a, const char *fmt, ...)
{
    if (a->err && a->errlen) {
        int n = snprintf(a->err, a->errlen, "line %u: ", a->line);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < a->errlen)
            vsnprintf(a->err + n, a->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return OB_ESYNTAX;
}

static void skip_space(asm_state *a)
{
    while (*a->s == ' ' || *a->s == '\t' || *a->s == '\r')
        a->s++;
}

/* Copies the next space-delimited word into buf; returns its length (0 at line end). */
static size_t word(asm_state *a, char *buf, size_t cap)
{
    skip_space(a);
    size_t n = 0;
    while (*a->s && *a->s != '\n' && !isspace((unsigned char)*a->s)) {
        if (n + 1 < cap)
            buf[n] = *a->s;
        n++;
        a->s++;
    }
    buf[n < cap ? n : cap - 1] = 0;
    return n;
}

static int parse_int(const char *w, long long lo, long long hi, long long *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(w, &end, 10);
    if (errno || end == w || *end || x < lo || x > hi)
        return 0;
    *v = x;
    return 1;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One character of a quoted string: returns the byte, or -1 on a bad escape. */
static int string_char(asm_state *a)
{
    if (*a->s != '\\')
        return (unsigned char)*a->s++;
    a->s++;
    if (*a->s == '\\' || *a->s == '"')
        return (unsigned char)*a->s++;
    if (*a->s == 'x' && hexval(a->s[1]) >= 0 && hexval(a->s[2]) >= 0) {
        int v = hexval(a->s[1]) * 16 + hexval(a->s[2]);
        a->s += 3;
        return v;
    }
    return -1;
}

/* One quoted literal and its optional `*count`. */
static ob_status parse_piece(asm_state *a, uint32_t max, ob_piece *pc)
{
    skip_space(a);
    if (*a->s != '"')
        return fail(a, "expected a quoted byte string");
    a->s++;
    pc->bytes = a->arena;
    pc->len = 0;
    pc->count = 1;
    while (*a->s != '"') {
        if (!*a->s || *a->s == '\n')
            return fail(a, "unterminated byte string");
        int c = string_char(a);
        if (c < 0)
            return fail(a, "bad escape in byte string (use \\\\, \\\" or \\xNN)");
        if (pc->len == max && max < OB_MAX_BYTES_ARG)
            return fail(a, "byte string longer than %u bytes", max);
        if (pc->len == max)
            return fail(a, "byte string piece longer than %u bytes (repeat pieces with *N)", max);
        a->arena[pc->len++] = (uint8_t)c;
    }
    a->s++;
    a->arena += pc->len;
    if (*a->s != '*')
        return OB_OK;
    a->s++;
    char *end;
    errno = 0;
    unsigned long n = strtoul(a->s, &end, 10);
    if (end == a->s || !isdigit((unsigned char)*a->s) || errno || n > OB_MAX_REPEAT)
        return fail(a, "a repeat count is a whole number from 0 to %d", OB_MAX_REPEAT);
    a->s = end;
    pc->count = (uint32_t)n;
    return OB_OK;
}

/* The word `fresh` at the cursor (consumed when there). */
static int take_fresh(asm_state *a)
{
    skip_space(a);
    if (strncmp(a->s, "fresh", 5) != 0 || isalnum((unsigned char)a->s[5]) || a->s[5] == '_')
        return 0;
    a->s += 5;
    return 1;
}

static ob_status parse_bytes(asm_state *a, const ob_arg_spec *spec, ob_value *v)
{
    uint32_t room = ob_written_max(spec);
    uint32_t max = room < OB_MAX_BYTES_ARG ? room : OB_MAX_BYTES_ARG;
    int fresh = 0;
    for (;;) {
        if ((fresh = take_fresh(a)) != 0)
            break;
        if (v->npieces == OB_MAX_PIECES)
            return fail(a, "a byte string has at most %d pieces", OB_MAX_PIECES);
        ob_status st = parse_piece(a, max, &v->pieces[v->npieces++]);
        if (st)
            return st;
        skip_space(a);
        if (*a->s != '+')
            break;
        a->s++;
    }
    if (fresh && !spec->fresh)
        return fail(a, "this argument is not fresh (OB_BYTES_FRESH): `fresh` has no meaning here");
    if (!fresh && spec->fresh)
        return fail(a, "this argument is fresh: end it with `+ fresh`, or write `fresh` alone");
    size_t n = ob_pieces_length(v);
    if (n > room)
        return fail(a, "byte string of %zu bytes; this argument takes at most %u", n, room);
    if (n > a->budget)
        return fail(a, "the program's byte strings expand to more than %d bytes",
                    OB_MAX_EXPANDED_PROGRAM);
    return ob_pieces_expand(a->p, room, &a->budget, v);
}

static ob_status parse_enum(asm_state *a, const char *w, const ob_arg_spec *spec, ob_value *v)
{
    for (uint32_t i = 0; i < spec->nchoices; i++) {
        if (strcmp(w, spec->choices[i]) == 0) {
            v->i = i;
            return OB_OK;
        }
    }
    return fail(a, "'%s' is not one of this argument's names", w);
}

static ob_status parse_arg(asm_state *a, const ob_op *op, uint32_t i, ob_value *v)
{
    const ob_arg_spec *spec = &op->args[i];
    memset(v, 0, sizeof *v);
    if (spec->kind == OB_ARG_BYTES)
        return parse_bytes(a, spec, v);
    char w[64];
    if (!word(a, w, sizeof w))
        return fail(a, "%s takes %u arguments, found %u", op->name, op->nargs, i);
    long long x;
    switch (spec->kind) {
    case OB_ARG_HANDLE:
        if (w[0] != 'h' || !parse_int(w + 1, 0, (long long)a->p->nslots - 1, &x))
            return fail(a, "'%s' is not a handle made earlier (h0..h%d)", w, (int)a->p->nslots - 1);
        v->i = x;
        return OB_OK;
    case OB_ARG_INT:
        if (spec->fresh != (strcmp(w, "fresh") == 0))
            return fail(a,
                        spec->fresh ? "this argument is fresh: write `fresh`, not '%s'"
                                    : "this argument is not fresh (OB_INT_FRESH): '%s'",
                        w);
        if (spec->fresh)
            return OB_OK;
        if (!parse_int(w, spec->lo, spec->hi, &x))
            return fail(a, "'%s' is not an integer in [%d, %d]", w, spec->lo, spec->hi);
        v->i = x;
        return OB_OK;
    default:
        return parse_enum(a, w, spec, v);
    }
}

static ob_status parse_fail(asm_state *a, ob_inst *in)
{
    char w[64];
    if (!word(a, w, sizeof w))
        return OB_OK;
    long long n;
    if (strcmp(w, "!failall") == 0)
        in->fail = OB_FAIL_ALL;
    else if (strncmp(w, "!fail=", 6) == 0 && parse_int(w + 6, 1, OB_FAIL_NTH_MAX, &n))
        in->fail = OB_FAIL_NTH, in->fail_n = (uint8_t)n;
    else
        return fail(a, "unexpected '%s' (want !fail=1..%d or !failall)", w, OB_FAIL_NTH_MAX);
    if (!a->t->alloc_hooks)
        return fail(a,
                    "%s: target %s has no allocator seam on the kit's hooks (alloc_hooks), so a "
                    "failure point would do nothing",
                    w, a->t->name);
    if (word(a, w, sizeof w))
        return fail(a, "unexpected '%s' after the failure point", w);
    return OB_OK;
}

static const ob_op *find_op(const ob_target *t, const char *name, uint16_t *index)
{
    for (uint32_t i = 0; i < t->nops; i++) {
        if (strcmp(t->ops[i].name, name) == 0) {
            *index = (uint16_t)i;
            return &t->ops[i];
        }
    }
    return NULL;
}

/* After `tN`: optional `hK =`, the operation, its arguments, a failure point. */
static ob_status parse_op_line(asm_state *a, ob_inst *in)
{
    char w[64];
    size_t n = word(a, w, sizeof w);
    int declared = -1;
    if (n && w[0] == 'h' && isdigit((unsigned char)w[1])) {
        long long k;
        if (!parse_int(w + 1, 0, OB_MAX_SLOTS - 1, &k))
            return fail(a, "bad handle '%s'", w);
        declared = (int)k;
        char eq[8];
        if (!word(a, eq, sizeof eq) || strcmp(eq, "=") != 0)
            return fail(a, "expected '=' after %s", w);
        n = word(a, w, sizeof w);
    }
    if (!n)
        return fail(a, "missing operation name");
    const ob_op *op = find_op(a->t, w, &in->op);
    if (!op)
        return fail(a, "target %s has no operation '%s'", a->t->name, w);
    int fills = op->makes && a->p->nslots < OB_MAX_SLOTS;
    if (fills && declared != (int)a->p->nslots)
        return fail(a, "%s makes an object: write 'h%u = %s'", w, a->p->nslots, w);
    if (!fills && declared >= 0)
        return fail(a, "%s does not fill a handle here; drop 'h%d ='", w, declared);
    for (uint32_t i = 0; i < op->nargs; i++) {
        ob_status st = parse_arg(a, op, i, &in->args[i]);
        if (st)
            return st;
    }
    in->slot = (int8_t)(fills ? (int)a->p->nslots++ : -1);
    return parse_fail(a, in);
}

static ob_status parse_inst(asm_state *a, const char *first)
{
    ob_program *p = a->p;
    long long th;
    if (!a->have_threads)
        return fail(a, "'threads N' must come before the first operation");
    if (!parse_int(first + 1, 0, (long long)p->nthreads - 1, &th))
        return fail(a, "'%s' is not a thread of this program (t0..t%u)", first, p->nthreads - 1);
    if (p->ninsts == OB_MAX_INSTS)
        return fail(a, "more than %d operations", OB_MAX_INSTS);
    ob_inst *in = &p->insts[p->ninsts];
    memset(in, 0, sizeof *in);
    in->thread = (uint8_t)th;
    ob_status st = parse_op_line(a, in);
    if (st == OB_OK)
        p->ninsts++;
    return st;
}

static ob_status parse_schedule(asm_state *a)
{
    char w[64];
    while (word(a, w, sizeof w)) {
        if (strlen(w) != 2 || hexval(w[0]) < 0 || hexval(w[1]) < 0)
            return fail(a, "schedule bytes are two hex digits each, not '%s'", w);
        if (a->p->nschedule == OB_MAX_SCHEDULE)
            return fail(a, "more than %d schedule bytes", OB_MAX_SCHEDULE);
        a->p->schedule[a->p->nschedule++] = (uint8_t)(hexval(w[0]) * 16 + hexval(w[1]));
    }
    return OB_OK;
}

static ob_status parse_line(asm_state *a)
{
    char w[64];
    if (!word(a, w, sizeof w) || w[0] == '#')
        return OB_OK;
    if (w[0] == 't' && isdigit((unsigned char)w[1]))
        return parse_inst(a, w);
    if (strcmp(w, "schedule") == 0)
        return parse_schedule(a);
    if (strcmp(w, "threads") == 0) {
        long long n;
        if (a->have_threads || a->p->ninsts)
            return fail(a, "'threads' given twice or after an operation");
        if (!word(a, w, sizeof w) || !parse_int(w, 1, OB_PROGRAM_THREADS, &n))
            return fail(a, "threads takes a count from 1 to %d", OB_PROGRAM_THREADS);
        a->p->nthreads = (uint32_t)n;
        a->have_threads = 1;
        if (word(a, w, sizeof w))
            return fail(a, "unexpected '%s'", w);
        return OB_OK;
    }
    return fail(a, "unknown line starting '%s'", w);
}

ob_status ob_program_assemble(const ob_target *t, const char *text, ob_program *p, char *err,
                              size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->target = t;
    p->nthreads = 1;
    size_t len = strlen(text);
    if (len) {
        p->arena = malloc(len);
        if (!p->arena)
            return OB_ENOMEM;
    }
    asm_state a = {t, p, text, 1, err, errlen, p->arena, OB_MAX_EXPANDED_PROGRAM, 0};
    while (*a.s) {
        ob_status st = parse_line(&a);
        if (st) {
            ob_program_clear(p);
            return st;
        }
        while (*a.s && *a.s != '\n')
            a.s++;
        if (*a.s == '\n')
            a.s++;
        a.line++;
    }
    return OB_OK;
}
