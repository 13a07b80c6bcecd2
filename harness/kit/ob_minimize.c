/*
** ob_minimize.c: structure-aware delta debugging over a decoded program.
**
**   drop threads -> drop operations (halving chunks) -> compact threads -> shorten the
**   schedule -> drop failure points -> shrink arguments; again while anything shrank.
**
** Dropping an operation that made a handle drops every later operation that uses it, and
** handles are renumbered, so every candidate is a valid program. A candidate is kept
** when a child replaying it reports the same signature slug.
*/
#define _POSIX_C_SOURCE 200809L

#include "ob_depth.h"
#include "ob_minimize.h"
#include "ob_pieces.h"
#include "ob_report.h"
#include "harness/util/ou_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CHILD_SECONDS = 120, MAX_ROUNDS = 4 };

static const char JSON_MARK[] = "==ouroboros-json== ";

static int write_temp(const uint8_t *data, size_t size, char *path, size_t len)
{
    snprintf(path, len, "/tmp/ouroboros-min-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0 && errno != EINTR)
            break;
        done += w > 0 ? (size_t)w : 0;
    }
    close(fd);
    if (done != size) {
        unlink(path);
        return -1;
    }
    return 0;
}

/* Copies the quoted value of "key":"..." from a JSON line. */
static void json_field(const char *line, const char *key, char *out, size_t len)
{
    char pat[32];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(line, pat);
    out[0] = 0;
    if (!p)
        return;
    p += strlen(pat);
    size_t n = strcspn(p, "\"");
    snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

/* Scans the child's stderr line by line for the finding's JSON line. */
typedef struct scan {
    char line[8192];
    size_t n;
    char klass[64];
    char slug[17];
    char signature[512];
    FILE *echo;
} scan;

static void scan_line(scan *s)
{
    s->line[s->n < sizeof s->line ? s->n : sizeof s->line - 1] = 0;
    if (strncmp(s->line, JSON_MARK, sizeof JSON_MARK - 1) == 0 && !s->slug[0]) {
        json_field(s->line, "class", s->klass, sizeof s->klass);
        json_field(s->line, "slug", s->slug, sizeof s->slug);
        json_field(s->line, "signature", s->signature, sizeof s->signature);
    }
    s->n = 0;
}

static void scan_bytes(scan *s, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n')
            scan_line(s);
        else if (s->n < sizeof s->line - 1)
            s->line[s->n++] = buf[i];
    }
}

static void scan_output(void *ctx, const char *buf, size_t n)
{
    scan *s = ctx;
    if (s->echo)
        fwrite(buf, 1, n, s->echo);
    scan_bytes(s, buf, n);
}

/* ---- a stack overflow, bounded or not (ob_depth.h) ---- */

/* The deepest stack the tool's calibrate measures for bytes, in a child: OB_DEPTH_OVERFLOW
   when the child died before printing it (16 MiB did not hold the recursion). *kib gets
   the fiber_stack calibrate advises, when it advises one. */
static size_t child_depth(const char *exe, const uint8_t *data, size_t size, unsigned *kib)
{
    char in[64], out[64];
    size_t depth = OB_DEPTH_UNKNOWN;
    if (write_temp(data, size, in, sizeof in) != 0)
        return depth;
    if (write_temp((const uint8_t *)"", 0, out, sizeof out) != 0) {
        unlink(in);
        return depth;
    }
    const char *argv[] = {exe, "calibrate", in, NULL};
    ou_cmd cmd = {.argv = argv, .out = out, .die_with_parent = 1, .timeout = CHILD_SECONDS};
    ou_result r;
    if (ou_run(&cmd, &r) == 0) {
        char *text = ou_read_file(out, NULL);
        const char *line = text ? strstr(text, in) : NULL;
        /* "%10zu  path": the number ends two spaces before the path. */
        while (line && line > text && line[-1] != '\n')
            line--;
        unsigned long long v;
        depth = line && sscanf(line, "%llu", &v) == 1 ? (size_t)v : OB_DEPTH_OVERFLOW;
        const char *advice = text ? strstr(text, "set fiber_stack = ") : NULL;
        if (advice)
            sscanf(advice, "set fiber_stack = %u", kib);
        free(text);
    }
    unlink(in);
    unlink(out);
    return depth;
}

/* Reports a stack overflow whose input repeats pieces as stack-bounded when the
   recursion stops growing with the input (ob_depth.h), with its signature and slug. */
static void class_overflow(const char *exe, const uint8_t *data, size_t size, char klass[64],
                           char slug[17], char signature[512])
{
    static ob_program p; /* one at a time; too large for small stacks */
    if (strcmp(klass, "stack-overflow") != 0 ||
        ob_program_decode(&ob_harness_target, data, size, &p) != OB_OK)
        return;
    size_t depth[OB_DEPTH_SCALES] = {0};
    unsigned kib = 0, ignored = 0;
    int repeats = ob_program_repeats(&p);
    for (unsigned i = 0; i < OB_DEPTH_SCALES && repeats; i++) {
        uint8_t *bytes = NULL;
        size_t n = 0;
        static ob_program scaled;
        if (ob_program_rescaled(&p, ob_depth_num[i], ob_depth_den[i], &bytes, &n) != OB_OK)
            continue;
        int cut = ob_program_decode(&ob_harness_target, bytes, n, &scaled) != OB_OK ||
                  ob_program_rescale_cut(&p, &scaled, ob_depth_num[i], ob_depth_den[i]);
        ob_program_clear(&scaled);
        depth[i] =
            cut ? OB_DEPTH_UNKNOWN
                : child_depth(exe, bytes, n, ob_depth_num[i] == ob_depth_den[i] ? &kib : &ignored);
        free(bytes);
    }
    ob_program_clear(&p);
    if (!repeats || ob_depth_keeps_growing(depth) != 0)
        return;
    char sig[512];
    ob_signature_reclass(signature, "stack-bounded", sig, sizeof sig, slug);
    snprintf(signature, 512, "%s", sig);
    snprintf(klass, 64, "stack-bounded");
    fprintf(stderr,
            "ouroboros: the stack overflow is bounded: the recursion stops however the input's "
            "repeats scale (x1/8: %zu, x1: %zu, x4: %zu bytes of stack), so fibers of %u KiB "
            "hold it (fiber_stack = %u); signature %s (%s)\n",
            depth[1], depth[3], depth[5], kib, kib, signature, slug);
}

/* Real threads interleave differently each run, so a finding there may need several
   replays to show again; the fiber executor replays the same interleaving every time. */
static unsigned replays_per_judgement(void)
{
    const char *tries = getenv("OB_REPRO_TRIES");
    const char *exec = getenv("OB_EXECUTOR");
    if (tries && atoi(tries) > 0)
        return (unsigned)atoi(tries);
    return exec && strcmp(exec, "pool") == 0 ? 8 : 1;
}

int ob_minimize_signature(const char *exe, const uint8_t *data, size_t size, char klass[64],
                          char slug[17])
{
    char signature[512];
    int rc = 0;
    for (unsigned i = 0, n = replays_per_judgement(); i < n && rc == 0; i++) {
        rc = ob_replay_child(exe, data, size, NULL, klass, slug, signature);
        if (*slug)
            break;
    }
    return rc;
}

int ob_replay_child(const char *exe, const uint8_t *data, size_t size, FILE *echo, char klass[64],
                    char slug[17], char signature[512])
{
    char path[64];
    klass[0] = slug[0] = signature[0] = 0;
    if (write_temp(data, size, path, sizeof path) != 0)
        return -1;
    static scan s; /* one child at a time */
    memset(&s, 0, sizeof s);
    s.echo = echo;
    const char *argv[] = {exe, "replay", path, NULL};
    ou_cmd cmd = {.argv = argv,
                  .die_with_parent = 1,
                  .timeout = CHILD_SECONDS,
                  .on_output = scan_output,
                  .ctx = &s};
    ou_result r;
    int rc = ou_run(&cmd, &r);
    scan_line(&s);
    unlink(path);
    if (rc != 0 || (r.status == 127 && !r.killed))
        return -1;
    snprintf(klass, 64, "%s", s.klass);
    snprintf(slug, 17, "%s", s.slug);
    snprintf(signature, 512, "%s", s.signature);
    class_overflow(exe, data, size, klass, slug, signature);
    return 0;
}

/* ---- candidates ---- */

typedef struct judge {
    const char *exe;
    const char *slug;
    ob_minimize_stats *st;
    int broken; /* a child could not be run */
} judge;

static int same_bug(judge *j, const ob_program *cand)
{
    uint8_t *bytes = NULL;
    size_t n = 0;
    char klass[64], slug[17];
    if (j->broken || ob_program_encode(cand, &bytes, &n) != OB_OK)
        return 0;
    j->st->tries++;
    if (ob_minimize_signature(j->exe, bytes, n, klass, slug) != 0)
        j->broken = 1;
    free(bytes);
    return !j->broken && strcmp(slug, j->slug) == 0;
}

/* The operations of src with keep[k] set, handles renumbered; operations whose handle
   was dropped are dropped too. Byte arguments stay borrowed from src. */
static void keep_insts(const ob_program *src, const uint8_t *keep, ob_program *dst)
{
    int map[OB_MAX_SLOTS];
    for (unsigned i = 0; i < OB_MAX_SLOTS; i++)
        map[i] = -1;
    *dst = *src; /* the arena stays the original program's */
    dst->ninsts = dst->nslots = 0;
    for (uint32_t k = 0; k < src->ninsts; k++) {
        ob_inst in = src->insts[k];
        const ob_op *op = &src->target->ops[in.op];
        int ok = keep[k];
        for (uint32_t i = 0; ok && i < op->nargs; i++) {
            if (op->args[i].kind != OB_ARG_HANDLE)
                continue;
            ok = map[in.args[i].i] >= 0;
            if (ok)
                in.args[i].i = map[in.args[i].i];
        }
        if (!ok)
            continue;
        if (in.slot >= 0) {
            map[in.slot] = (int)dst->nslots;
            in.slot = (int8_t)dst->nslots++;
        }
        dst->insts[dst->ninsts++] = in;
    }
}

static ob_program cand; /* one candidate at a time; too large for the stack */

static int try_keep(judge *j, ob_program *p, const uint8_t *keep)
{
    keep_insts(p, keep, &cand);
    if (cand.ninsts == p->ninsts || !same_bug(j, &cand))
        return 0;
    *p = cand;
    return 1;
}

static int drop_threads(judge *j, ob_program *p)
{
    int shrank = 0;
    uint8_t keep[OB_MAX_INSTS];
    for (uint32_t t = 0; t < p->nthreads; t++) {
        for (uint32_t k = 0; k < p->ninsts; k++)
            keep[k] = p->insts[k].thread != t;
        shrank |= try_keep(j, p, keep);
    }
    return shrank;
}

static int drop_ops(judge *j, ob_program *p)
{
    int shrank = 0;
    uint8_t keep[OB_MAX_INSTS];
    for (uint32_t chunk = p->ninsts / 2 ? p->ninsts / 2 : 1; chunk >= 1; chunk /= 2) {
        for (uint32_t start = 0; start < p->ninsts;) {
            for (uint32_t k = 0; k < p->ninsts; k++)
                keep[k] = k < start || k >= start + chunk;
            if (try_keep(j, p, keep))
                shrank = 1;
            else
                start += chunk;
        }
        if (chunk == 1)
            break;
    }
    return shrank;
}

/* Renumbers the threads that have operations to 0..n-1. */
static int compact_threads(judge *j, ob_program *p)
{
    int rank[OB_PROGRAM_THREADS], n = 0;
    for (uint32_t t = 0; t < OB_PROGRAM_THREADS; t++)
        rank[t] = -1;
    for (uint32_t k = 0; k < p->ninsts; k++)
        if (rank[p->insts[k].thread] < 0)
            rank[p->insts[k].thread] = n++;
    if ((uint32_t)(n ? n : 1) == p->nthreads)
        return 0;
    cand = *p;
    cand.nthreads = (uint32_t)(n ? n : 1);
    for (uint32_t k = 0; k < cand.ninsts; k++)
        cand.insts[k].thread = (uint8_t)rank[cand.insts[k].thread];
    if (!same_bug(j, &cand))
        return 0;
    *p = cand;
    return 1;
}

static int shorten_schedule(judge *j, ob_program *p)
{
    int shrank = 0;
    while (p->nschedule) {
        cand = *p;
        cand.nschedule = p->nschedule > 1 && !shrank ? 0 : p->nschedule - 1;
        if (!same_bug(j, &cand)) {
            if (cand.nschedule == 0 && p->nschedule > 1) {
                shrank = -1; /* emptying failed: shorten byte by byte instead */
                continue;
            }
            break;
        }
        *p = cand;
        shrank = 1;
    }
    return shrank > 0;
}

/* ---- byte strings: pieces, their repeat counts and their literals ---- */

/* Tries piece i of argument a of operation k as pc; keeps it if the bug stays. The
   candidate's expanded bytes are stale: only its encoding, from the pieces, is judged. */
static int try_piece(judge *j, ob_program *p, uint32_t k, uint32_t a, uint32_t i, ob_piece pc)
{
    cand = *p;
    ob_value *v = &cand.insts[k].args[a];
    ob_pieces_of(&p->insts[k].args[a], v->pieces);
    if (!v->npieces)
        v->npieces = 1;
    v->pieces[i] = pc;
    if (!same_bug(j, &cand))
        return 0;
    *p = cand;
    return 1;
}

/* The fewest repeats that keep the bug, by bisection: a few replays, whatever the count. */
static int shrink_count(judge *j, ob_program *p, uint32_t k, uint32_t a, uint32_t i)
{
    ob_piece pc = p->insts[k].args[a].pieces[i];
    uint32_t lo = 0, hi = pc.count;
    int shrank = 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (try_piece(j, p, k, a, i, (ob_piece){pc.bytes, pc.len, mid})) {
            hi = mid;
            shrank = 1;
        } else {
            lo = mid + 1;
        }
    }
    return shrank;
}

/* The literal cut to a halves, then trimmed a byte at a time from either end. */
static int shrink_literal(judge *j, ob_program *p, uint32_t k, uint32_t a, uint32_t i)
{
    int shrank = 0, progress = 1;
    while (progress) {
        ob_piece pc = p->insts[k].args[a].pieces[i];
        uint32_t h = pc.len / 2;
        progress =
            pc.len > 0 &&
            (try_piece(j, p, k, a, i, (ob_piece){pc.bytes, 0, 1}) ||
             (h && try_piece(j, p, k, a, i, (ob_piece){pc.bytes, h, pc.count})) ||
             (h && try_piece(j, p, k, a, i, (ob_piece){pc.bytes + h, pc.len - h, pc.count})) ||
             (pc.len > 1 &&
              try_piece(j, p, k, a, i, (ob_piece){pc.bytes + 1, pc.len - 1, pc.count})) ||
             (pc.len > 1 && try_piece(j, p, k, a, i, (ob_piece){pc.bytes, pc.len - 1, pc.count})));
        shrank |= progress;
    }
    return shrank;
}

static int shrink_bytes(judge *j, ob_program *p, uint32_t k, uint32_t a)
{
    ob_value *v = &p->insts[k].args[a];
    if (!v->npieces)
        return 0;
    int shrank = 0;
    for (uint32_t i = 0; i < v->npieces && !j->broken; i++) {
        if (v->pieces[i].len && v->pieces[i].count > 1)
            shrank |= shrink_count(j, p, k, a, i);
        if (v->pieces[i].len && v->pieces[i].count)
            shrank |= shrink_literal(j, p, k, a, i);
    }
    return shrank;
}

/* Simpler values for an integer or an enum, most drastic first; returns how many. */
static unsigned simpler(const ob_arg_spec *s, const ob_value *v, ob_value *out)
{
    unsigned n = 0;
    if (s->kind == OB_ARG_INT) {
        int64_t zero = s->lo > 0 ? s->lo : s->hi < 0 ? s->hi : 0;
        if (v->i != zero)
            out[n++] = (ob_value){.i = zero};
        if (v->i / 2 != v->i && v->i / 2 != zero && v->i / 2 >= s->lo && v->i / 2 <= s->hi)
            out[n++] = (ob_value){.i = v->i / 2};
    } else if (s->kind == OB_ARG_ENUM && v->i != 0) {
        out[n++] = (ob_value){.i = 0};
    }
    return n;
}

static int shrink_inst(judge *j, ob_program *p, uint32_t k)
{
    int shrank = 0;
    if (p->insts[k].fail != OB_FAIL_NONE) {
        cand = *p;
        cand.insts[k].fail = OB_FAIL_NONE;
        if (same_bug(j, &cand))
            *p = cand, shrank = 1;
    }
    const ob_op *op = &p->target->ops[p->insts[k].op];
    for (uint32_t i = 0; i < op->nargs; i++) {
        if (op->args[i].kind == OB_ARG_BYTES) {
            shrank |= shrink_bytes(j, p, k, i);
            continue;
        }
        ob_value opts[2];
        unsigned n = simpler(&op->args[i], &p->insts[k].args[i], opts);
        for (unsigned o = 0; o < n; o++) {
            cand = *p;
            cand.insts[k].args[i] = opts[o];
            if (same_bug(j, &cand)) {
                *p = cand;
                shrank = 1;
                break;
            }
        }
    }
    return shrank;
}

static size_t encoded_size(const ob_program *p)
{
    uint8_t *bytes = NULL;
    size_t n = 0;
    if (ob_program_encode(p, &bytes, &n) != OB_OK)
        return 0;
    free(bytes);
    return n;
}

/* Shrunk byte strings kept their old expansions (only pieces were judged): decode the
   program afresh so every value's bytes match its pieces again. */
static void refresh(ob_program *p)
{
    uint8_t *bytes = NULL;
    size_t n = 0;
    ob_program fresh;
    if (ob_program_encode(p, &bytes, &n) != OB_OK)
        return;
    if (ob_program_decode(p->target, bytes, n, &fresh) == OB_OK) {
        ob_program_clear(p);
        *p = fresh;
    }
    free(bytes);
}

int ob_minimize_program(const char *exe, ob_program *p, const char *slug, ob_minimize_stats *st)
{
    judge j = {exe, slug, st, 0};
    memset(st, 0, sizeof *st);
    st->ops_before = p->ninsts;
    st->bytes_before = encoded_size(p);
    for (int round = 0; round < MAX_ROUNDS && !j.broken; round++) {
        int shrank = drop_threads(&j, p);
        shrank |= drop_ops(&j, p);
        shrank |= compact_threads(&j, p);
        shrank |= shorten_schedule(&j, p);
        for (uint32_t k = 0; k < p->ninsts; k++)
            shrank |= shrink_inst(&j, p, k);
        if (!shrank)
            break;
    }
    st->ops_after = p->ninsts;
    st->bytes_after = encoded_size(p);
    refresh(p);
    return j.broken ? -1 : 0;
}
