/*
** ob_sanitizer.c: the one place that sets sanitizer options for every harness, and the
** hooks that turn a sanitizer's report into an ouroboros finding block.
**
** Options (a user's ASAN_OPTIONS etc. still override them):
** - detect_stack_use_after_return=0: recent clang turns it on, and its heap "fake stack"
**   hides real stack depth from the stack-budget and stack-overflow detectors;
** - use_sigaltstack=1: a stack overflow can only be reported from a stack of its own;
** - detect_leaks=1, and halt_on_error for UBSan and TSan, so every finding ends the input;
** - handle_abort=0: a finding we reported ends in abort(), which libFuzzer, not ASan, handles;
** - the llvm-19 symbolizer, so every report has file:line frames.
** Report buffers are static: a stack-overflow report runs on the small signal stack.
*/
#define _POSIX_C_SOURCE 200809L

#include "ob_sanitizer.h"
#include "ob_history.h"

#include <execinfo.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OB_SYMBOLIZER "external_symbolizer_path=/usr/lib/llvm-19/bin/llvm-symbolizer"

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__tsan_default_options(void);
const char *__lsan_default_options(void);
void __sanitizer_report_error_summary(const char *summary);

const char *__asan_default_options(void)
{
    return "detect_stack_use_after_return=0:use_sigaltstack=1:detect_leaks=1:"
           "handle_abort=0:print_summary=1:malloc_context_size=30:" OB_SYMBOLIZER;
}

const char *__ubsan_default_options(void)
{
    return "print_stacktrace=1:halt_on_error=1:print_summary=1:" OB_SYMBOLIZER;
}

const char *__tsan_default_options(void)
{
    /* report_signal_unsafe=0: a kit finding ends in abort(), and libFuzzer's crash handler
       then calls what TSan would report as signal-unsafe, and deadlock in reporting it. */
    return "halt_on_error=1:second_deadlock_stack=1:print_summary=1:report_signal_unsafe="
           "0:" OB_SYMBOLIZER;
}

const char *__lsan_default_options(void)
{
    return "report_objects=1:" OB_SYMBOLIZER;
}

/* From whichever sanitizer runtime is linked; absent ones are NULL. */
void __asan_set_error_report_callback(void (*cb)(const char *)) __attribute__((weak));
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));
void __sanitizer_print_memory_profile(size_t top_percent, size_t max_contexts)
    __attribute__((weak));
int __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
                                              void (*f)(const volatile void *))
    __attribute__((weak));

/* ThreadSanitizer's report inspection API (tsan_debugging.cpp); absent in other builds. */
void *__tsan_get_current_report(void) __attribute__((weak));
int __tsan_get_report_data(void *report, const char **description, int *count, int *stack_count,
                           int *mop_count, int *loc_count, int *mutex_count, int *thread_count,
                           int *unique_tid_count, void **sleep_trace, size_t trace_size)
    __attribute__((weak));
int __tsan_get_report_mop(void *report, size_t idx, int *tid, void **addr, int *size, int *write,
                          int *atomic, void **trace, size_t trace_size) __attribute__((weak));

static _Atomic(const ob_program *) current_program;
static const char *overflow_klass;
static char overflow_message[512];
static atomic_int in_leak_check;
static atomic_llong live_blocks;
static char asan_text[1 << 16];
static atomic_int have_asan_text;
static ob_report report; /* static: see the file comment */
static uintptr_t pcs[OB_MAX_FRAMES];

static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
}

static void on_free(const volatile void *p)
{
    if (p)
        atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
}

static void on_asan_report(const char *text);

void ob_sanitizer_install(void)
{
    static atomic_int done;
    if (atomic_exchange(&done, 1))
        return;
    if (__asan_set_error_report_callback)
        __asan_set_error_report_callback(on_asan_report);
    if (__sanitizer_install_malloc_and_free_hooks)
        __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}

void ob_sanitizer_set_program(const ob_program *p)
{
    atomic_store(&current_program, p);
}

void ob_sanitizer_expect_overflow(const char *klass, const char *message)
{
    overflow_klass = klass;
    snprintf(overflow_message, sizeof overflow_message, "%s", message ? message : "");
}

int ob_heap_available(void)
{
    return __sanitizer_get_current_allocated_bytes != NULL;
}

uint64_t ob_heap_bytes(void)
{
    return __sanitizer_get_current_allocated_bytes ? __sanitizer_get_current_allocated_bytes() : 0;
}

uint64_t ob_heap_blocks(void)
{
    long long n = atomic_load_explicit(&live_blocks, memory_order_relaxed);
    return n > 0 ? (uint64_t)n : 0;
}

void ob_heap_print_top_sites(void)
{
    if (!__sanitizer_print_memory_profile)
        return;
    fprintf(stderr, "==ouroboros== where the live heap is, by allocation site (the growth is "
                    "among the largest):\n");
    fflush(stderr);
    __sanitizer_print_memory_profile(100, 6);
}

/* "SUMMARY: ThreadSanitizer: data race x.c:3 in f" -> "data-race": the words after the
   tool's name up to the first that looks like a location, joined by '-'. */
static void class_from_summary(const char *summary, char *klass, size_t len)
{
    if (strstr(summary, " leaked in ")) {
        snprintf(klass, len, "leak");
        return;
    }
    const char *p = strstr(summary, "Sanitizer: ");
    p = p ? p + strlen("Sanitizer: ") : summary;
    size_t n = 0;
    while (*p && n + 1 < len) {
        size_t w = strcspn(p, " ");
        if (w == 0 || strcspn(p, "/:.(") < w || n + w + 2 > len)
            break;
        if (n)
            klass[n++] = '-';
        memcpy(klass + n, p, w);
        n += w;
        p += w + (p[w] == ' ');
    }
    klass[n] = 0;
    if (!n)
        snprintf(klass, len, "sanitizer");
}

static char klass_buf[64];
static char race_detail[256];
static ob_stack race_stack;

/* A race is reported by whichever access came second, so neither thread's stack is a
   stable signature. The plain (non-atomic) accesses are what the bug is about: sign the
   race by their top project frames, sorted and without repeats. Returns 1 when filled. */
static int race_signature(void)
{
    void *r = __tsan_get_current_report ? __tsan_get_current_report() : NULL;
    const char *desc = NULL;
    int count, stacks, mops = 0, locs, mutexes, threads, tids;
    void *sleep;
    if (!r || !__tsan_get_report_data || !__tsan_get_report_mop ||
        !__tsan_get_report_data(r, &desc, &count, &stacks, &mops, &locs, &mutexes, &threads, &tids,
                                &sleep, 1))
        return 0;
    const char *names[4] = {0};
    int nnames = 0;
    for (int m = 0; m < mops && m < 4; m++) {
        void *trace[OB_MAX_FRAMES] = {0};
        int tid, size, write, atomic;
        void *addr;
        if (!__tsan_get_report_mop(r, (size_t)m, &tid, &addr, &size, &write, &atomic, trace,
                                   OB_MAX_FRAMES) ||
            atomic)
            continue;
        unsigned n = 0;
        while (n < OB_MAX_FRAMES && trace[n])
            n++;
        ob_stack_symbolize((const uintptr_t *)trace, n, &race_stack);
        for (unsigned f = 0; f < race_stack.n; f++) {
            if (ob_frame_is_project(&race_stack.frames[f])) {
                names[nnames++] = race_stack.frames[f].func;
                break;
            }
        }
        if (nnames && m == 0)
            report.stack = race_stack;
    }
    if (nnames == 2 && strcmp(names[0], names[1]) > 0) {
        const char *t = names[0];
        names[0] = names[1], names[1] = t;
    }
    if (nnames == 2 && strcmp(names[0], names[1]) == 0)
        nnames = 1;
    if (!nnames)
        return 0;
    snprintf(race_detail, sizeof race_detail, "data-race: %s%s%s", names[0],
             nnames == 2 ? " + " : "", nnames == 2 ? names[1] : "");
    return 1;
}

static void build_report(const char *summary)
{
    memset(&report, 0, sizeof report);
    if (atomic_load(&have_asan_text) &&
        ob_parse_sanitizer_report(asan_text, klass_buf, sizeof klass_buf, &report.stack) == 0) {
        report.klass = klass_buf;
    } else {
        class_from_summary(summary, klass_buf, sizeof klass_buf);
        report.klass = klass_buf;
        /* UBSan and TSan report from the failing thread, through runtime frames kept
           without frame pointers: unwind by DWARF tables (glibc's backtrace), not by
           frame pointers, which would follow whatever those frames left in rbp. */
        int got = backtrace((void **)pcs, OB_MAX_FRAMES);
        unsigned n = got > 0 ? (unsigned)got : 0;
        ob_stack_symbolize(pcs, n, &report.stack);
    }
    if (overflow_klass &&
        (strcmp(report.klass, "stack-overflow") == 0 || strcmp(report.klass, "SEGV") == 0)) {
        report.klass = overflow_klass;
        snprintf(report.message, sizeof report.message, "%s", overflow_message);
    } else if (atomic_load(&have_asan_text)) {
        const char *e = strstr(asan_text, "ERROR: ");
        e = e ? e : asan_text;
        snprintf(report.message, sizeof report.message, "%.*s", (int)strcspn(e, "\n"), e);
    } else {
        snprintf(report.message, sizeof report.message, "%s", summary);
    }
    report.program = atomic_load(&current_program);
    if (strcmp(report.klass, "data-race") == 0 && race_signature()) {
        static const ob_stack no_frames;
        ob_signature(race_detail, &no_frames, report.signature, sizeof report.signature,
                     report.slug);
        return;
    }
    ob_report_sign(&report);
}

/* ASan hands over its whole report after printing it (and after its SUMMARY line), so
   for ASan errors this is where the finding block is written. */
static void on_asan_report(const char *text)
{
    snprintf(asan_text, sizeof asan_text, "%s", text);
    atomic_store(&have_asan_text, 1);
    if (atomic_load(&in_leak_check) || !atomic_load(&current_program))
        return;
    build_report("");
    ob_report_write(stderr, &report);
    ob_history_finding(report.slug);
    fflush(stderr);
}

static int asan_will_report(const char *summary)
{
    return __asan_set_error_report_callback && strstr(summary, "AddressSanitizer: ") &&
           !strstr(summary, " leaked in ");
}

/* Every sanitizer calls this once per report, just before it ends the process (we set
   halt_on_error everywhere). Defining it replaces the runtime's own SUMMARY line. */
void __sanitizer_report_error_summary(const char *summary)
{
    fprintf(stderr, "%s\n", summary);
    if (atomic_load(&in_leak_check) || !atomic_load(&current_program) || asan_will_report(summary))
        return;
    build_report(summary);
    ob_report_write(stderr, &report);
    ob_history_finding(report.slug);
    fflush(stderr);
}

static size_t read_all(FILE *f, char *buf, size_t cap)
{
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    return n;
}

int ob_sanitizer_leak_check(ob_stack *stack)
{
    if (!__lsan_do_recoverable_leak_check)
        return 0;
    FILE *tmp = tmpfile();
    int saved = tmp ? dup(2) : -1;
    if (saved < 0) {
        if (tmp)
            fclose(tmp);
        return __lsan_do_recoverable_leak_check() != 0;
    }
    fflush(stderr);
    dup2(fileno(tmp), 2);
    atomic_store(&in_leak_check, 1);
    int leaked = __lsan_do_recoverable_leak_check();
    atomic_store(&in_leak_check, 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    read_all(tmp, asan_text, sizeof asan_text);
    fclose(tmp);
    if (!leaked)
        return 0;
    fputs(asan_text, stderr);
    char klass[64];
    if (ob_parse_sanitizer_report(asan_text, klass, sizeof klass, stack) != 0)
        stack->n = 0;
    return 1;
}
