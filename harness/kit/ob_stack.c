/*
** ob_stack.c: the calling thread's stack by frame-pointer walk, and its symbols.
**
** The whole project builds with -fno-omit-frame-pointer, so on x86-64 each frame starts
** with [saved rbp][return address]. The walk trusts no pointer: each frame pointer must
** be 8-aligned, inside the stack bounds, and above the previous one (stacks grow down),
** so a corrupt or foreign chain ends the walk instead of faulting. Reading the stack
** needs no lock or allocation, which keeps the walk usable from a signal handler.
**
** Return addresses point after their call, which may already be the next source line
** (or the next function): every frame but the innermost is symbolized at pc - 1.
*/
#define _GNU_SOURCE
#include "ob_report.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Present in the ASan, UBSan and TSan runtimes; absent (NULL) in opt builds. */
extern void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t len)
    __attribute__((weak));

/* The calling thread's stack bounds, found once per thread: pthread_getattr_np allocates,
   so a signal handler must not be the first to ask (the constructor below asks for the
   main thread). */
static _Thread_local uintptr_t tl_stack_lo, tl_stack_hi;

static void thread_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    if (tl_stack_hi == 0) {
        pthread_attr_t attr;
        void *addr = NULL;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            pthread_attr_getstack(&attr, &addr, &size);
            pthread_attr_destroy(&attr);
        }
        tl_stack_lo = (uintptr_t)addr;
        tl_stack_hi = (uintptr_t)addr + size;
    }
    *lo = tl_stack_lo;
    *hi = tl_stack_hi;
}

__attribute__((constructor)) static void prime_main_thread_bounds(void)
{
    uintptr_t lo, hi;
    thread_stack_bounds(&lo, &hi);
}

static int frame_ok(uintptr_t fp, uintptr_t lo, uintptr_t hi)
{
    return fp % sizeof(uintptr_t) == 0 && fp >= lo && fp < hi && hi - fp >= 2 * sizeof(uintptr_t);
}

/* Reads another frame's saved registers: the sanitizers must not see these loads (an
   uninstrumented caller's frame, a parked fiber's stack). */
__attribute__((no_sanitize("address", "thread"))) static uintptr_t read_word(uintptr_t at)
{
    return *(const uintptr_t *)at;
}

/* Inlined so that ob_stack_pcs cannot tail-call it: its own frame must stay live while read. */
static inline __attribute__((always_inline)) unsigned walk(uintptr_t fp, uintptr_t lo, uintptr_t hi,
                                                           uintptr_t *pcs, unsigned n, unsigned max,
                                                           unsigned skip)
{
    while (n < max && frame_ok(fp, lo, hi)) {
        uintptr_t next = read_word(fp);
        uintptr_t ret = read_word(fp + sizeof(uintptr_t));
        if (ret == 0)
            break;
        if (skip > 0)
            skip--;
        else
            pcs[n++] = ret;
        if (next <= fp)
            break;
        fp = next;
    }
    return n;
}

__attribute__((noinline)) unsigned ob_stack_pcs(uintptr_t *pcs, unsigned max, unsigned skip)
{
    uintptr_t lo, hi;
    thread_stack_bounds(&lo, &hi);
    return walk((uintptr_t)__builtin_frame_address(0), lo, hi, pcs, 0, max, skip);
}

/* Runs in the hang watchdog's signal handler: a signal is no synchronization ThreadSanitizer
   knows of, so its writes to pcs (read by the watchdog thread after an atomic flag) must not
   be instrumented, or TSan reports them from inside the handler and deadlocks there. */
__attribute__((no_sanitize("thread"))) unsigned ob_stack_pcs_from(uintptr_t pc, uintptr_t fp,
                                                                  uintptr_t lo, uintptr_t hi,
                                                                  uintptr_t *pcs, unsigned max)
{
    if (max == 0 || pc == 0)
        return 0;
    pcs[0] = pc;
    return walk(fp, lo, hi, pcs, 1, max, 0);
}

static void set_text(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static int unknown(const char *s, size_t len)
{
    return len == 0 || (len == 6 && memcmp(s, "<null>", 6) == 0) ||
           (len == 2 && memcmp(s, "??", 2) == 0);
}

/* One "function|file|line" line of the symbolizer into a frame. */
static void frame_from_line(uintptr_t pc, const char *text, ob_frame *f)
{
    const char *bar1 = strchr(text, '|');
    const char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    memset(f, 0, sizeof *f);
    f->pc = pc;
    strcpy(f->func, "?");
    if (bar2 == NULL)
        return;
    if (!unknown(text, (size_t)(bar1 - text)))
        set_text(f->func, sizeof f->func, text, (size_t)(bar1 - text));
    if (!unknown(bar1 + 1, (size_t)(bar2 - bar1 - 1)))
        set_text(f->file, sizeof f->file, bar1 + 1, (size_t)(bar2 - bar1 - 1));
    f->line = atoi(bar2 + 1);
}

/* The sanitizer symbolizer writes one NUL-terminated line per frame, inlined callees
   first, so a pc may expand into several frames. Returns the new count. */
static unsigned symbolize_sanitizer(uintptr_t pc, uintptr_t lookup, ob_stack *out)
{
    char buf[2048];
    memset(buf, 0, sizeof buf);
    __sanitizer_symbolize_pc((void *)lookup, "%f|%s|%l", buf, sizeof buf);
    buf[sizeof buf - 1] = '\0';
    for (const char *p = buf; p < buf + sizeof buf && *p != '\0'; p += strlen(p) + 1) {
        if (out->n == OB_MAX_FRAMES || strchr(p, '|') == NULL)
            break;
        frame_from_line(pc, p, &out->frames[out->n++]);
    }
    return out->n;
}

static void symbolize_dladdr(uintptr_t pc, uintptr_t lookup, ob_frame *f)
{
    Dl_info info;
    memset(f, 0, sizeof *f);
    f->pc = pc;
    strcpy(f->func, "?");
    if (dladdr((void *)lookup, &info) != 0 && info.dli_sname != NULL)
        set_text(f->func, sizeof f->func, info.dli_sname, strlen(info.dli_sname));
}

void ob_stack_symbolize(const uintptr_t *pcs, unsigned n, ob_stack *out)
{
    out->n = 0;
    for (unsigned i = 0; i < n && out->n < OB_MAX_FRAMES; i++) {
        uintptr_t lookup = i == 0 ? pcs[i] : pcs[i] - 1;
        unsigned before = out->n;
        if (__sanitizer_symbolize_pc != NULL)
            symbolize_sanitizer(pcs[i], lookup, out);
        if (out->n == before)
            symbolize_dladdr(pcs[i], lookup, &out->frames[out->n++]);
    }
}
