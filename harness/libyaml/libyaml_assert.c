/*
** libyaml_assert.c: libyaml's failed assert()s as findings.
**
** libyaml checks its own invariants with assert(), which glibc turns into abort(). The
** kit reports what a sanitizer reports and leaves an abort to libFuzzer, so a library
** assertion would crash the fuzzer with no finding block: no class, no signature, nothing
** for the tool's signature, repro or minimize to hold on to. Defined here, __assert_fail
** replaces glibc's for the whole binary and hands the failure to the sanitizers' summary
** hook (which the kit defines), as a report of class "assertion-failure" with the stack
** at the assertion; then it aborts as glibc's would. The library is tagged ob_foreign
** (BUILD), so this frame never signs a finding. The harness honours every assertion the
** library documents as the caller's duty (libyaml_harness.c), so one that fails is the
** library's to explain.
*/
#include <stdio.h>
#include <stdlib.h>

/* The sanitizers' report hook, defined by the kit (and by the sanitizer runtimes). */
void __sanitizer_report_error_summary(const char *summary);

/* glibc's contract: print the failed assertion, then end the process. */
void __assert_fail(const char *assertion, const char *file, unsigned int line,
                   const char *function);

void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function)
{
    /* The class is the summary's first word; the rest says where, as sanitizers do. */
    static char summary[512];
    fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", file, line, function, assertion);
    snprintf(summary, sizeof summary, "assertion-failure %s:%u in %s", file, line, function);
    __sanitizer_report_error_summary(summary);
    abort();
}
