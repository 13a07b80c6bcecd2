/*
** bn_logs.c: reading children's output (see bn_logs.h). Every pattern here is a line
** format of libFuzzer, the sanitizers or the harness kit, matched literally.
*/
#include "bench/bn_logs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long bn_fuzzer_runs(const char *log)
{
    static const char stat[] = "stat::number_of_executed_units:";
    const char *p = strstr(log, stat);
    if (p)
        return strtol(p + sizeof stat - 1, NULL, 10);
    long runs = -1;
    for (p = log; (p = strchr(p, '#')) != NULL; p++) {
        /* Status lines start a line: "#4096\tpulse  cov: ..." */
        if ((p == log || p[-1] == '\n') && p[1] >= '0' && p[1] <= '9')
            runs = strtol(p + 1, NULL, 10);
    }
    return runs;
}

/* Copies the word after mark (up to a space, quote, colon or line end) into out. */
static int word_after(const char *log, const char *mark, char *out, size_t len)
{
    const char *p = strstr(log, mark);
    if (!p)
        return 0;
    p += strlen(mark);
    size_t n = strcspn(p, " \":\r\n");
    snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p);
    return 1;
}

void bn_ouroboros_class(const char *log, char *out, size_t len)
{
    out[0] = 0;
    word_after(log, "==ouroboros-json== {\"class\":\"", out, len);
}

void bn_sanitizer_class(const char *log, char *out, size_t len)
{
    static const struct {
        const char *mark, *klass;
    } fixed[] = {
        {"ERROR: LeakSanitizer:", "leak"},
        {"WARNING: ThreadSanitizer: data race", "data-race"},
        {": runtime error:", "undefined-behavior"},
        {"ERROR: libFuzzer: timeout", "timeout"},
        {"ERROR: libFuzzer: out-of-memory", "out-of-memory"},
        {"ERROR: libFuzzer: deadly signal", "deadly-signal"},
    };
    out[0] = 0;
    if (word_after(log, "ERROR: AddressSanitizer: ", out, len))
        return;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strstr(log, fixed[i].mark)) {
            snprintf(out, len, "%s", fixed[i].klass);
            return;
        }
    }
}

long bn_program_ops(const char *printed)
{
    const char *p = strstr(printed, " operations");
    if (!p)
        return -1;
    while (p > printed && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return strtol(p, NULL, 10);
}
