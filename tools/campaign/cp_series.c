/*
** cp_series.c: each harness's progress over its fuzzing time, one line a sample, kept
** across campaigns. Appending is not atomic: a kill can cut the last line, which the
** reader skips; nothing before it is touched.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int series_path(char *buf, size_t len, const char *findings, const char *harness)
{
    return cp_path(buf, len, "%s/.campaign/series/%s.tsv", findings, harness);
}

int cp_series_append(const char *findings, const char *harness, const cp_sample *s, long long execs)
{
    char path[4096], dir[4096];
    if (series_path(path, sizeof path, findings, harness) ||
        cp_path(dir, sizeof dir, "%s/.campaign/series", findings) || ou_mkdirs(dir))
        return -1;
    FILE *f = fopen(path, "a");
    if (!f)
        return -1;
    fprintf(f, "%.1f\t%lld\t%.0f\t%ld\t%ld\t%ld\t%ld\n", s->seconds, execs, s->execs_per_sec,
            s->cov, s->ft, s->corpus, s->findings);
    return fclose(f) ? -1 : 0;
}

int cp_series_load(const char *findings, const char *harness, cp_sample **out, size_t *n,
                   long long *execs)
{
    char path[4096];
    *out = NULL;
    *n = 0;
    *execs = 0;
    if (series_path(path, sizeof path, findings, harness))
        return -1;
    char *text = ou_read_file(path, NULL);
    if (!text)
        return 0;
    /* A line without its newline was cut by a kill. */
    char *last = strrchr(text, '\n');
    *(last ? last + 1 : text) = 0;
    size_t cap = 64;
    cp_sample *s = malloc(cap * sizeof *s);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); s && line; line = strtok_r(NULL, "\n", &save)) {
        cp_sample x;
        long long e;
        char tail;
        if (sscanf(line, "%lf\t%lld\t%lf\t%ld\t%ld\t%ld\t%ld%c", &x.seconds, &e, &x.execs_per_sec,
                   &x.cov, &x.ft, &x.corpus, &x.findings, &tail) != 7)
            continue;
        if (*n == cap) {
            cp_sample *bigger = realloc(s, (cap *= 2) * sizeof *s);
            if (!bigger)
                break;
            s = bigger;
        }
        s[(*n)++] = x;
        *execs = e;
    }
    free(text);
    *out = s;
    return 0;
}
