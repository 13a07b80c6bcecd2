/*
** ob_sanitizer.h: the sanitizer options the kit relies on, and turning a sanitizer's own
** report into a finding block (class, signature, program). Internal to the kit.
*/
#ifndef OB_SANITIZER_H
#define OB_SANITIZER_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_sanitizer.h is internal to the harness kit; include ob_kit.h"
#endif

#include "ob_kit.h"
#include "ob_report.h"

#include <stddef.h>
#include <stdint.h>

/* Registers the report callbacks. Idempotent. */
void ob_sanitizer_install(void);
/* The program whose run a sanitizer report belongs to (NULL between inputs). */
void ob_sanitizer_set_program(const ob_program *p);
/* While set, a stack overflow is reported as class `klass` with `message` (the
   stack-budget detector reruns an input on stacks cut to the budget). NULL clears. */
void ob_sanitizer_expect_overflow(const char *klass, const char *message);

/* Heap measures from the sanitizer allocator; 0 when no sanitizer runtime is linked. */
int ob_heap_available(void);
uint64_t ob_heap_bytes(void);
uint64_t ob_heap_blocks(void);

/* After a growth report: the live heap's largest allocation sites (ASan's memory profile;
   nothing without ASan). */
void ob_heap_print_top_sites(void);

/* Runs LeakSanitizer's recoverable check with its report captured. Returns 1 and fills
   klass/stack (the report is echoed to stderr) when it found leaks, 0 when not or when
   LSan is absent. */
int ob_sanitizer_leak_check(ob_stack *stack);

#endif
