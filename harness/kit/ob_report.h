/*
** ob_report.h: stacks, signatures and the report block of a finding. Internal to the kit.
**
** A signature is stable across runs and input sizes: the finding's class plus the top 3
** frames inside project code (the harness's sources and its Bazel deps', as
** ob_fuzz_harness lists them in ob_harness_project_files: never the kit, seams tagged
** ob_foreign, libc, the sanitizer runtimes or GoogleTest); for stack classes (stack-overflow,
*stack-budget), the
** functions of the repeating recursion cycle, rotated to start at the smallest name, as
** ClusterFuzz does. The slug is a 16-hex-digit FNV-1a hash of the signature text, safe for
** file names: findings with the same slug are the same bug.
*/
#ifndef OB_REPORT_H
#define OB_REPORT_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_report.h is internal to the harness kit; include ob_kit.h"
#endif

#include "ob_kit.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { OB_MAX_FRAMES = 64, OB_SIG_FRAMES = 3 };

typedef struct ob_frame {
    uintptr_t pc;
    char func[128]; /* "?" when unknown */
    char file[192]; /* source path as the symbolizer gave it, "" when unknown */
    int line;
} ob_frame;

typedef struct ob_stack {
    ob_frame frames[OB_MAX_FRAMES]; /* innermost first */
    unsigned n;
} ob_stack;

/* PCs of the calling thread's stack, innermost first, skipping `skip` frames of the
   caller's own. Frame-pointer walk; safe in a signal handler. Returns the count. */
unsigned ob_stack_pcs(uintptr_t *pcs, unsigned max, unsigned skip);
/* Frame-pointer walk from a given pc/fp (a signal context, a parked fiber), following
   only frame pointers inside [lo, hi). Returns the count. */
unsigned ob_stack_pcs_from(uintptr_t pc, uintptr_t fp, uintptr_t lo, uintptr_t hi, uintptr_t *pcs,
                           unsigned max);
/* Symbolizes pcs into out (via __sanitizer_symbolize_pc when a sanitizer runtime is linked,
   else dladdr names). Not async-signal-safe. */
void ob_stack_symbolize(const uintptr_t *pcs, unsigned n, ob_stack *out);

/* 1 when the frame belongs to the code under test (see the file comment). */
int ob_frame_is_project(const ob_frame *f);

/* The shortest period p (1..OB_MAX_FRAMES/2) such that the function names of frames
   [start, start + k*p) repeat with period p at least `min_repeats` times; 0 when there is
   none. *start receives where the cycle begins (the innermost repeating frame). */
unsigned ob_stack_cycle(const ob_stack *s, unsigned min_repeats, unsigned *start);

/* The signature of a finding of class klass with the given stack (see the file comment),
   as text ("class: f1 < f2 < f3") into sig, and its slug (16 hex digits + NUL). */
void ob_signature(const char *klass, const ob_stack *s, char *sig, size_t siglen, char slug[17]);

/* The signature sig ("class: frames") under another class, and its slug: a finding the
   tool classes again after the fact (a stack overflow found to be bounded). */
void ob_signature_reclass(const char *sig, const char *klass, char *out, size_t len, char slug[17]);

/* Parses a sanitizer report as printed (ASan, LSan, UBSan, TSan) into the finding class
   ("heap-use-after-free", "heap-buffer-overflow", "double-free", "stack-overflow", "leak",
   "undefined-behavior", "data-race", "SEGV", ...) and the stack that matters (the access
   or error stack; for leaks the first leak's allocation stack, counting indirect leaks too,
   since a pure reference cycle shows only indirect leaks). Returns 0, or -1 when the text
   has no sanitizer report. */
int ob_parse_sanitizer_report(const char *text, char *klass, size_t klass_len, ob_stack *out);

typedef struct ob_gauge_value {
    const char *name;
    int64_t before, after;
} ob_gauge_value;

typedef struct ob_report {
    const char *klass;
    char message[1024]; /* the detector's own words: measures, deltas, cycle, depth */
    char signature[512];
    char slug[17];
    ob_stack stack;
    const ob_gauge_value *gauges;
    unsigned ngauges;
    const ob_program *program; /* may be NULL */
} ob_report;

/* Fills r->signature and r->slug from r->klass and r->stack. */
void ob_report_sign(ob_report *r);
/* The human block:
     ==ouroboros== FINDING <class>
     signature: ... (slug)
     <message>
     stack: (symbolized frames, project frames marked)
     gauges: name before -> after
     program: (the text form)
     ==ouroboros== END
   then one line `==ouroboros-json== {...}` holding the same as one JSON object
   (class, signature, slug, message, frames [{func,file,line,project}], gauges, program
   text). Returns 0 or -1 on a write error. */
int ob_report_write(FILE *out, const ob_report *r);

#endif
