/*
** ob_assert.c: a failed assert() in the code under test is a finding.
**
** glibc's assert() ends in abort(), which no sanitizer reports, so a library's assertion
** would end the fuzzer with no finding block: no class, no signature, nothing for the
** tool's signature, repro or minimize to hold on to. The kit's __assert_fail replaces
** glibc's for the whole harness binary: it prints glibc's line, then reports the failure
** through the sanitizers' summary hook (ob_sanitizer.c) as class "assertion-failure",
** signed with the project frames of the stack at the assertion, and aborts as glibc's
** would. This frame is the kit's, so it never signs a finding.
*/
#include <stdio.h>
#include <stdlib.h>

void __sanitizer_report_error_summary(const char *summary);

/* glibc's contract (assert.h): print the failed assertion, then end the process. */
void __assert_fail(const char *assertion, const char *file, unsigned int line,
                   const char *function);

void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function)
{
    /* Static: an assertion may fail on a small fiber stack. */
    static char summary[512];
    fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", file, line, function, assertion);
    /* The class is the summary's first word; the rest says where, as sanitizers do. */
    snprintf(summary, sizeof summary, "assertion-failure %s:%u in %s", file, line, function);
    __sanitizer_report_error_summary(summary);
    abort();
}
