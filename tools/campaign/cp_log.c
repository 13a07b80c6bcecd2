/*
** cp_log.c: reads libFuzzer's output. Status lines give progress; a finished job's log
** gives its run count, the input it wrote and the kit's report of what that input did.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"
#include "harness/util/ou_report_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long field(const char *line, const char *name, int *found)
{
    const char *p = strstr(line, name);
    if (!p)
        return 0;
    *found += 1;
    return strtol(p + strlen(name), NULL, 10);
}

int cp_status_parse(const char *line, cp_status *st)
{
    if (line[0] != '#' || line[1] < '0' || line[1] > '9')
        return -1;
    char *end;
    long long runs = strtoll(line + 1, &end, 10);
    if (*end != '\t' && *end != ' ')
        return -1;
    int found = 0;
    cp_status s = {.runs = runs, .valid = 1};
    s.cov = field(line, " cov: ", &found);
    s.ft = field(line, " ft: ", &found);
    s.corpus = field(line, " corp: ", &found);
    s.execs_per_sec = (double)field(line, " exec/s: ", &found);
    if (found < 2) /* at least cov and corp */
        return -1;
    *st = s;
    return 0;
}

/* The rest of the line after `key` (its first or last occurrence) into dst. */
static void after(const char *text, const char *key, int last, char *dst, size_t len)
{
    const char *p = strstr(text, key), *q = p;
    while (last && q && (q = strstr(q + 1, key)))
        p = q;
    *dst = 0;
    if (!p)
        return;
    p += strlen(key);
    size_t n = strcspn(p, "\r\n");
    if (n >= len)
        return;
    memcpy(dst, p, n);
    dst[n] = 0;
}

static const struct {
    const char *needle, *klass;
} sanitizer_classes[] = {
    {"WARNING: ThreadSanitizer: data race", "data-race"},
    {"ERROR: LeakSanitizer", "leak"},
    {"ERROR: libFuzzer: timeout", "timeout"},
    {"ERROR: libFuzzer: out-of-memory", "out-of-memory"},
    {"runtime error:", "undefined-behavior"},
    {"ERROR: libFuzzer: deadly signal", "crash"},
};

static void sanitizer_class(const char *text, char klass[64])
{
    const char *asan = strstr(text, "ERROR: AddressSanitizer: ");
    if (asan) {
        asan += strlen("ERROR: AddressSanitizer: ");
        size_t n = strcspn(asan, " \r\n");
        if (n < 64) {
            memcpy(klass, asan, n);
            klass[n] = 0;
            return;
        }
    }
    for (size_t i = 0; i < sizeof sanitizer_classes / sizeof *sanitizer_classes; i++)
        if (strstr(text, sanitizer_classes[i].needle)) {
            strcpy(klass, sanitizer_classes[i].klass);
            return;
        }
    strcpy(klass, "unknown");
}

static void kit_report(const char *text, char klass[64], char slug[17])
{
    json_t *root = ou_report_line(text);
    const char *k = ou_report_str(root, "class"), *s = ou_report_str(root, "slug");
    if (*k && strlen(k) < 64)
        strcpy(klass, k);
    if (strlen(s) == 16)
        strcpy(slug, s);
    json_decref(root);
}

void cp_job_log_parse(const char *text, cp_job_log *out)
{
    memset(out, 0, sizeof *out);
    const char *line = text;
    while (line && *line) {
        cp_status st;
        if (cp_status_parse(line, &st) == 0)
            out->last = st;
        if (strncmp(line, "#", 1) == 0 && strstr(line, "INITED"))
            out->inited = 1;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    char buf[64];
    after(text, "stat::number_of_executed_units:", 1, buf, sizeof buf);
    out->runs = *buf ? strtoll(buf, NULL, 10) : out->last.runs;
    after(text, "Test unit written to ", 1, out->artifact, sizeof out->artifact);
    if (strstr(out->artifact, "/slow-unit-") || strncmp(out->artifact, "slow-unit-", 10) == 0)
        *out->artifact = 0; /* a slow input, not a failing one */
    if (!*out->artifact)
        return;
    kit_report(text, out->klass, out->slug);
    if (!*out->klass)
        sanitizer_class(text, out->klass);
}
