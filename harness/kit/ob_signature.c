/*
** ob_signature.c: which frames are the code under test, recursion cycles, signatures and
** slugs, and sanitizer reports read back into a class and a stack.
**
** A signature names functions only: never addresses, lines or counts, so the same bug
** reached by a bigger input or a deeper recursion signs the same. Repeated function names
** among the top project frames are skipped for the same reason (a recursive function
** would otherwise fill all three slots at one depth and two at another).
*/
#include "ob_report.h"

#include <stdlib.h>
#include <string.h>

/* A recursion counts as a cycle once its period repeats this often. */
enum { CYCLE_REPEATS = 3 };

static const char *const cwd_prefix = "/proc/self/cwd/";
/* Without a list from the build (the kit's own tests), this repository's layout decides. */
static const char *const project_dirs[] = {"targets/", "harness/", "tests/"};
static const char *const foreign_dirs[] = {"harness/kit/", "harness/util/", "targets/hooks/",
                                           "external/"};

/* The harness's project code, written by ob_fuzz_harness from its Bazel deps: exec-root
   paths of files, or folders ending in '/'; NULL-terminated. */
extern const char *const ob_harness_project_files[] __attribute__((weak));
static const char *const runtime_funcs[] = {"__asan", "__sanitizer", "__interceptor", "__lsan",
                                            "__tsan", "__ubsan",     "testing::"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int contains_any(const char *s, const char *const *needles, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(s, needles[i]) != NULL)
            return 1;
    return 0;
}

static int runtime_function(const char *func)
{
    for (size_t i = 0; i < COUNT(runtime_funcs); i++)
        if (strncmp(func, runtime_funcs[i], strlen(runtime_funcs[i])) == 0)
            return 1;
    return 0;
}

/* A frame's file relative to the exec root, as the build names it. */
static const char *exec_path(const char *file)
{
    if (strncmp(file, cwd_prefix, strlen(cwd_prefix)) == 0)
        file += strlen(cwd_prefix);
    while (strncmp(file, "./", 2) == 0)
        file += 2;
    return file;
}

static int listed(const char *file, const char *const *list)
{
    for (; *list; list++) {
        size_t n = strlen(*list);
        int folder = n > 0 && (*list)[n - 1] == '/';
        if (folder ? strncmp(file, *list, n) == 0 : strcmp(file, *list) == 0)
            return 1;
    }
    return 0;
}

int ob_frame_is_project(const ob_frame *f)
{
    const char *file = exec_path(f->file);
    if (runtime_function(f->func))
        return 0;
    if (ob_harness_project_files && ob_harness_project_files[0])
        return listed(file, ob_harness_project_files);
    return contains_any(file, project_dirs, COUNT(project_dirs)) &&
           !contains_any(file, foreign_dirs, COUNT(foreign_dirs));
}

/* ---- cycles ---- */

static int same_func(const ob_stack *s, unsigned a, unsigned b)
{
    return strcmp(s->frames[a].func, s->frames[b].func) == 0;
}

/* How many times frames [start, start + p) repeat back to back from start. */
static unsigned repeats_at(const ob_stack *s, unsigned start, unsigned p)
{
    unsigned i = start + p;
    while (i < s->n && same_func(s, i, i - p))
        i++;
    return (i - start) / p;
}

unsigned ob_stack_cycle(const ob_stack *s, unsigned min_repeats, unsigned *start)
{
    if (min_repeats < 2)
        min_repeats = 2;
    for (unsigned p = 1; p <= OB_MAX_FRAMES / 2 && p * min_repeats <= s->n; p++) {
        for (unsigned i = 0; i + p * min_repeats <= s->n; i++) {
            if (strcmp(s->frames[i].func, "?") != 0 && repeats_at(s, i, p) >= min_repeats) {
                *start = i;
                return p;
            }
        }
    }
    return 0;
}

/* ---- signatures ---- */

typedef struct sig_buf {
    char *s;
    size_t cap, len;
} sig_buf;

static void sig_add(sig_buf *b, const char *text)
{
    size_t n = strlen(text);
    if (b->len + 1 >= b->cap)
        return;
    if (n > b->cap - 1 - b->len)
        n = b->cap - 1 - b->len;
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* The cycle's names, starting at the smallest so that depth parity does not matter. */
static void sign_cycle(const ob_stack *s, unsigned start, unsigned p, sig_buf *b)
{
    unsigned first = 0;
    for (unsigned k = 1; k < p; k++)
        if (strcmp(s->frames[start + k].func, s->frames[start + first].func) < 0)
            first = k;
    for (unsigned k = 0; k < p; k++) {
        sig_add(b, k ? " < " : " ");
        sig_add(b, s->frames[start + (first + k) % p].func);
    }
}

static int named_before(const ob_stack *s, unsigned i, const unsigned *picked, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (same_func(s, picked[k], i))
            return 1;
    return 0;
}

/* Up to OB_SIG_FRAMES distinct project frames, innermost first. Without any (an opt
   build symbolized by dladdr has no file names), named frames outside the runtimes. */
static unsigned pick_frames(const ob_stack *s, unsigned *picked)
{
    unsigned n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        for (unsigned i = 0; i < s->n && n < OB_SIG_FRAMES; i++) {
            const ob_frame *f = &s->frames[i];
            int ok = pass == 0 ? ob_frame_is_project(f)
                               : strcmp(f->func, "?") != 0 && !runtime_function(f->func);
            if (ok && !named_before(s, i, picked, n))
                picked[n++] = i;
        }
    }
    return n;
}

static void sign_top(const ob_stack *s, sig_buf *b)
{
    unsigned picked[OB_SIG_FRAMES];
    unsigned n = pick_frames(s, picked);
    for (unsigned k = 0; k < n; k++) {
        sig_add(b, k ? " < " : " ");
        sig_add(b, s->frames[picked[k]].func);
    }
}

static int stack_class(const char *klass)
{
    return strcmp(klass, "stack-overflow") == 0 || strcmp(klass, "stack-budget") == 0 ||
           strcmp(klass, "stack-bounded") == 0;
}

static void slug_of(const char *text, char slug[17])
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, h >>= 4)
        slug[i] = hex[h & 15];
    slug[16] = '\0';
}

void ob_signature(const char *klass, const ob_stack *s, char *sig, size_t siglen, char slug[17])
{
    sig_buf b = {sig, siglen, 0};
    unsigned start = 0, p = 0;
    if (siglen == 0)
        return;
    sig[0] = '\0';
    sig_add(&b, klass);
    sig_add(&b, ":");
    if (stack_class(klass))
        p = ob_stack_cycle(s, CYCLE_REPEATS, &start);
    if (p > 0)
        sign_cycle(s, start, p, &b);
    else
        sign_top(s, &b);
    slug_of(sig, slug);
}

void ob_signature_reclass(const char *sig, const char *klass, char *out, size_t len, char slug[17])
{
    const char *frames = strchr(sig, ':');
    snprintf(out, len, "%s:%s", klass, frames ? frames + 1 : "");
    slug_of(out, slug);
}

/* ---- sanitizer reports ----
** Frame lines, as clang-19's runtimes print them:
**   #3 0x55d0c1a2b3c4 in objrt_list_append /proc/self/cwd/targets/objrt/objrt_list.c:120:5
**   #0 0x55bfe81cc346 in free (/path/bin+0xcc346) (BuildId: 205c...)
**   #0 objrt_decref /proc/self/cwd/targets/objrt/objrt_object.c:88:3 (bin+0x1234) (BuildId: ..)
**   #0 pthread_create <null> (bin+0x62e91) (BuildId: ...)          (TSan)
*/

typedef struct span {
    const char *p;
    size_t len;
} span;

typedef enum report_kind {
    REPORT_NONE,
    REPORT_ERROR,
    REPORT_LEAK,
    REPORT_UB,
    REPORT_TSAN
} report_kind;

static const char *next_line(const char *p)
{
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
}

static span line_at(const char *p)
{
    const char *nl = strchr(p, '\n');
    span s = {p, nl ? (size_t)(nl - p) : strlen(p)};
    return s;
}

/* Where needle occurs inside the line, or NULL. */
static const char *in_line(span l, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= l.len && i <= l.len - n; i++)
        if (memcmp(l.p + i, needle, n) == 0)
            return l.p + i;
    return NULL;
}

static int ends_with(span s, const char *suffix)
{
    size_t n = strlen(suffix);
    return s.len >= n && memcmp(s.p + s.len - n, suffix, n) == 0;
}

static void copy_span(char *dst, size_t cap, span s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

/* "ERROR: <Name>Sanitizer: " in the line: returns what follows it, else NULL. */
static const char *error_header(span l)
{
    const char *e = in_line(l, "ERROR: ");
    if (e == NULL)
        return NULL;
    span rest = {e + 7, l.len - (size_t)(e + 7 - l.p)};
    const char *colon = in_line(rest, ": ");
    span tool = {rest.p, colon ? (size_t)(colon - rest.p) : 0};
    return colon && ends_with(tool, "Sanitizer") ? colon + 2 : NULL;
}

static report_kind classify_line(span l, const char **after)
{
    if (in_line(l, "ERROR: LeakSanitizer: detected memory leaks"))
        return REPORT_LEAK;
    if ((*after = error_header(l)) != NULL)
        return REPORT_ERROR;
    if ((*after = in_line(l, "WARNING: ThreadSanitizer: ")) != NULL) {
        *after += strlen("WARNING: ThreadSanitizer: ");
        return REPORT_TSAN;
    }
    return in_line(l, ": runtime error: ") ? REPORT_UB : REPORT_NONE;
}

/* The first report header line of the text. */
static report_kind find_report(const char *text, const char **line, const char **after)
{
    for (const char *p = text; *p; p = next_line(p)) {
        report_kind k = classify_line(line_at(p), after);
        if (k != REPORT_NONE) {
            *line = p;
            return k;
        }
    }
    return REPORT_NONE;
}

/* A bug type word: a letter, then letters, digits, '-' or '_', up to a space or the line end. */
static size_t bug_type_len(const char *p)
{
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
    int letter = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
    return letter && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0') ? n : 0;
}

/* The bug type of the report's SUMMARY line ("SUMMARY: AddressSanitizer: bad-free (..."), or
   NULL when the report has none before the next report. */
static const char *summary_type(const char *from, size_t *len)
{
    for (const char *p = from; *p; p = next_line(p)) {
        span l = line_at(p);
        const char *s = in_line(l, "SUMMARY: ");
        const char *colon = s ? in_line((span){s, l.len - (size_t)(s - l.p)}, "Sanitizer: ") : NULL;
        if (colon != NULL)
            return (*len = bug_type_len(colon + 11)) > 0 ? colon + 11 : NULL;
        if (in_line(l, "ERROR: ") != NULL)
            return NULL;
    }
    return NULL;
}

/* The runtime's own bug type from SUMMARY ("attempting free on address which was not
   malloc()-ed" is "bad-free"), else the ERROR line's first word ("SEGV on unknown address"). */
static void error_class(const char *line, const char *after, char *klass, size_t cap)
{
    size_t n = 0;
    const char *t = summary_type(next_line(line), &n);
    if (strncmp(after, "attempting ", 11) == 0)
        after += 11;
    span w = t ? (span){t, n} : (span){after, strcspn(after, " :\n")};
    copy_span(klass, cap, w);
}

/* TSan's words up to any parenthesis, hyphenated ("data race (pid=1)" -> "data-race"). */
static void tsan_class(const char *after, char *klass, size_t cap)
{
    span w = {after, strcspn(after, "(\n")};
    while (w.len > 0 && w.p[w.len - 1] == ' ')
        w.len--;
    copy_span(klass, cap, w);
    for (char *c = klass; *c; c++)
        if (*c == ' ')
            *c = '-';
}

/* ---- frame lines ---- */

static const char *skip_spaces(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* After "#N ", or NULL when the line is not a frame. */
static const char *frame_body(span l)
{
    const char *p = skip_spaces(l.p, l.p + l.len), *end = l.p + l.len;
    if (p == end || *p != '#' || p + 1 == end || *(p + 1) < '0' || *(p + 1) > '9')
        return NULL;
    p++;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    return p < end && *p == ' ' ? skip_spaces(p, end) : NULL;
}

/* Drops trailing "(BuildId: ..)" and "(module+0xoff)" groups; the offset becomes the pc
   when the line had none (TSan). */
static span strip_groups(span b, uintptr_t *pc)
{
    for (;;) {
        while (b.len > 0 && (b.p[b.len - 1] == ' ' || b.p[b.len - 1] == '\r'))
            b.len--;
        const char *open = NULL;
        for (size_t i = b.len; i-- > 0 && open == NULL;)
            if (b.p[i] == '(')
                open = b.p + i;
        if (b.len == 0 || b.p[b.len - 1] != ')' || open == NULL)
            return b;
        span g = {open + 1, (size_t)(b.p + b.len - 1 - (open + 1))};
        const char *off = in_line(g, "+0x");
        if (strncmp(g.p, "BuildId:", 8) != 0 && off == NULL)
            return b;
        if (off != NULL && *pc == 0)
            *pc = (uintptr_t)strtoull(off + 3, NULL, 16);
        b.len = (size_t)(open - b.p);
    }
}

/* Strips a trailing ":digits" from s; returns the number or -1. */
static int strip_number(span *s)
{
    size_t i = s->len;
    while (i > 0 && s->p[i - 1] >= '0' && s->p[i - 1] <= '9')
        i--;
    if (i == s->len || i == 0 || s->p[i - 1] != ':')
        return -1;
    int n = atoi(s->p + i);
    s->len = i - 1;
    return n;
}

static int is_location(span t)
{
    return (t.len == 6 && memcmp(t.p, "<null>", 6) == 0) || memchr(t.p, '/', t.len) != NULL ||
           memchr(t.p, ':', t.len) != NULL;
}

static void set_location(span t, ob_frame *f)
{
    int last = strip_number(&t);
    int first = last >= 0 ? strip_number(&t) : -1;
    f->line = first >= 0 ? first : (last >= 0 ? last : 0);
    if (!(t.len == 6 && memcmp(t.p, "<null>", 6) == 0))
        copy_span(f->file, sizeof f->file, t);
}

static void set_func(span fn, ob_frame *f)
{
    const char *off = in_line(fn, "+0x");
    if (off != NULL)
        fn.len = (size_t)(off - fn.p);
    if (fn.len == 0 || (fn.len == 6 && memcmp(fn.p, "<null>", 6) == 0))
        return;
    copy_span(f->func, sizeof f->func, fn);
}

static int parse_frame(span l, ob_frame *f)
{
    const char *p = frame_body(l), *end = l.p + l.len;
    if (p == NULL)
        return -1;
    memset(f, 0, sizeof *f);
    strcpy(f->func, "?");
    if (end - p > 2 && p[0] == '0' && p[1] == 'x') {
        f->pc = (uintptr_t)strtoull(p, NULL, 16);
        p = skip_spaces(p + strcspn(p, " \n"), end);
        if (end - p >= 3 && memcmp(p, "in ", 3) == 0)
            p += 3;
    }
    span body = strip_groups((span){p, (size_t)(end - p)}, &f->pc);
    const char *sp = NULL;
    for (size_t i = body.len; i-- > 0 && sp == NULL;)
        if (body.p[i] == ' ')
            sp = body.p + i;
    span last = {sp ? sp + 1 : body.p, sp ? (size_t)(body.p + body.len - sp - 1) : body.len};
    if (sp != NULL && is_location(last)) {
        set_location(last, f);
        body.len = (size_t)(sp - body.p);
    }
    set_func(body, f);
    return 0;
}

/* The first run of frame lines at or after p; with adjacent, only one starting at p (UBSan
   prints no stack without print_stacktrace=1, and a later one belongs to something else). */
static void parse_stack(const char *p, int adjacent, ob_stack *out)
{
    ob_frame f;
    out->n = 0;
    while (!adjacent && *p && parse_frame(line_at(p), &f) != 0)
        p = next_line(p);
    for (; *p && out->n < OB_MAX_FRAMES && parse_frame(line_at(p), &f) == 0; p = next_line(p))
        out->frames[out->n++] = f;
}

static const char *line_starting(const char *p, const char *prefix)
{
    for (; *p; p = next_line(p))
        if (strncmp(p + strspn(p, " \t"), prefix, strlen(prefix)) == 0)
            return p;
    return NULL;
}

/* The first direct leak's allocation stack, else the first indirect one's. */
static const char *leak_stack(const char *from)
{
    const char *at = line_starting(from, "Direct leak of ");
    return at ? at : line_starting(from, "Indirect leak of ");
}

int ob_parse_sanitizer_report(const char *text, char *klass, size_t klass_len, ob_stack *out)
{
    const char *line = NULL, *after = NULL, *stack_from;
    report_kind k = find_report(text, &line, &after);
    out->n = 0;
    if (klass_len == 0)
        return -1;
    klass[0] = '\0';
    if (k == REPORT_NONE)
        return -1;
    stack_from = next_line(line);
    if (k == REPORT_ERROR)
        error_class(line, after, klass, klass_len);
    else if (k == REPORT_TSAN)
        tsan_class(after, klass, klass_len);
    else
        snprintf(klass, klass_len, "%s", k == REPORT_LEAK ? "leak" : "undefined-behavior");
    if (k == REPORT_LEAK && (stack_from = leak_stack(stack_from)) == NULL)
        return 0;
    parse_stack(stack_from, k == REPORT_UB, out);
    return 0;
}
