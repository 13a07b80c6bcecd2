/*
** cp_manifest.c: reads the harness list campaign.bzl writes (tab-separated, one harness a
** line, fields in its doc) and resolves its runfiles paths.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FIELDS = 13 };

int cp_harness_merges(const cp_harness *h)
{
    return !h->defect && h->corpus[0] != 0;
}

/* "-" stands for an empty field. */
static int copy_field(char *dst, size_t len, const char *src)
{
    if (strcmp(src, "-") == 0)
        src = "";
    if (strlen(src) >= len)
        return -1;
    strcpy(dst, src);
    return 0;
}

/* A runfiles path, or an absolute one as it is (a manifest written by hand). */
static int resolve(char *dst, size_t len, const char *runfiles, const char *rel)
{
    if (strcmp(rel, "-") == 0) {
        *dst = 0;
        return 0;
    }
    if (rel[0] == '/')
        return cp_path(dst, len, "%s", rel);
    return cp_path(dst, len, "%s/%s", runfiles, rel);
}

static int parse_line(char *line, const char *runfiles, cp_harness *h)
{
    char *f[FIELDS];
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(line, "\t", &save); tok && n < FIELDS;
         tok = strtok_r(NULL, "\t", &save))
        f[n++] = tok;
    if (n != FIELDS)
        return -1;
    memset(h, 0, sizeof *h);
    h->defect = strcmp(f[1], "defect") == 0;
    h->tsan = strcmp(f[2], "tsan") == 0;
    h->max_len = atoi(f[7]);
    h->timeout = atoi(f[8]);
    if (copy_field(h->name, sizeof h->name, f[0]) ||
        copy_field(h->expect, sizeof h->expect, f[11]) ||
        copy_field(h->corpus, sizeof h->corpus, f[3]) ||
        copy_field(h->package, sizeof h->package, f[10]) ||
        resolve(h->bin, sizeof h->bin, runfiles, f[4]) ||
        resolve(h->tool, sizeof h->tool, runfiles, f[5]) ||
        resolve(h->seeds, sizeof h->seeds, runfiles, f[6]) ||
        resolve(h->dict, sizeof h->dict, runfiles, f[9]) ||
        resolve(h->known, sizeof h->known, runfiles, f[12]) || h->max_len <= 0 || h->timeout <= 0)
        return -1;
    return 0;
}

int cp_manifest_load(const char *path, const char *runfiles, cp_harness **out)
{
    size_t size;
    char *text = ou_read_file(path, &size);
    if (!text) {
        fprintf(stderr, "campaign: cannot read the harness manifest %s\n", path);
        return -1;
    }
    int count = 0, cap = 8, line_no = 0;
    cp_harness *hs = malloc((size_t)cap * sizeof *hs);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); hs && line; line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        if (count == cap) {
            cp_harness *bigger = realloc(hs, (size_t)(cap *= 2) * sizeof *hs);
            if (!bigger)
                break;
            hs = bigger;
        }
        if (parse_line(line, runfiles, &hs[count])) {
            fprintf(stderr, "campaign: %s:%d: not a harness line\n", path, line_no);
            free(hs);
            free(text);
            return -1;
        }
        count++;
    }
    free(text);
    /* Pointers into the array only once it has stopped moving. */
    for (int i = 0; hs && i < count; i++)
        hs[i].expected = hs[i].defect && hs[i].expect[0] ? hs[i].expect : NULL;
    *out = hs;
    return hs ? count : -1;
}
