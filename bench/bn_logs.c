/*
** bn_logs.c: reading children's output and artifacts (see bn_logs.h). Every pattern here
** is a line format of libFuzzer or the sanitizers, matched literally; the kit's report line
** is JSON, read by ou_report_line.
*/
#include "bench/bn_logs.h"
#include "harness/util/ou_report_line.h"
#include "harness/util/ou_util.h"

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
    json_t *report = ou_report_line(log);
    snprintf(out, len, "%s", ou_report_str(report, "class"));
    json_decref(report);
}

void bn_ouroboros_slug(const char *log, char *out, size_t len)
{
    json_t *report = ou_report_line(log);
    snprintf(out, len, "%s", ou_report_str(report, "slug"));
    json_decref(report);
}

int bn_same_kind(const char *kit_class, const char *plain_class)
{
    static const char *const alike[][2] = {
        {"stack-budget", "stack-overflow"},
        {"assertion-failure", "deadly-signal"},
        {"hang", "timeout"},
    };
    if (!*plain_class)
        return 0;
    if (strcmp(kit_class, plain_class) == 0)
        return 1;
    for (size_t i = 0; i < sizeof alike / sizeof alike[0]; i++)
        if (strcmp(kit_class, alike[i][0]) == 0 && strcmp(plain_class, alike[i][1]) == 0)
            return 1;
    return 0;
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

int bn_find_artifact(const char *dir, char *out, size_t len)
{
    static const char *const prefixes[] = {"crash-", "leak-", "timeout-", "oom-"};
    char **names = ou_list_dir(dir, NULL);
    int rc = -1;
    for (char **p = names; p && *p && rc != 0; p++)
        for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && rc != 0; i++)
            if (strncmp(*p, prefixes[i], strlen(prefixes[i])) == 0) {
                snprintf(out, len, "%s/%s", dir, *p);
                rc = 0;
            }
    ou_free_names(names);
    return rc;
}
