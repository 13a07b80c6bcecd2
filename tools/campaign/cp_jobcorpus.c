/*
** cp_jobcorpus.c: what a fuzzing job starts from. libFuzzer stops at the first failing
** input, even while loading its corpus, so an input that fails on load would end every
** later job at once; such inputs are set aside here (the finding itself is triaged).
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cp_job_corpus_dir(const char *ws, const cp_harness *h, char *buf, size_t len)
{
    if (!cp_harness_merges(h))
        return cp_path(buf, len, "%s/findings/.campaign/corpus/%s", ws, h->name);
    return cp_path(buf, len, "%s/%s/inputs", ws, h->corpus);
}

static int excluded_path(const char *ws, const cp_harness *h, char *buf, size_t len)
{
    return cp_path(buf, len, "%s/findings/.campaign/excluded/%s.txt", ws, h->name);
}

/* 1 when `line` is one of the lines of text. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == 0))
            return 1;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return 0;
}

/* Appends dir's files to the list, skipping excluded "<kind>/<name>" keys. */
static void add_files(FILE *list, int *count, const char *dir, const char *kind,
                      const char *excluded)
{
    char **names = ou_list_dir(dir, NULL);
    for (char **p = names; p && *p; p++) {
        char key[512];
        snprintf(key, sizeof key, "%s/%s", kind, *p);
        if (excluded && has_line(excluded, key))
            continue;
        fprintf(list, "%s%s/%s", (*count)++ ? "," : "", dir, *p);
    }
    ou_free_names(names);
}

int cp_job_seed_list(const char *ws, const cp_harness *h, const char *list_path)
{
    char excl[4096], merged[4096];
    if (excluded_path(ws, h, excl, sizeof excl) ||
        cp_path(merged, sizeof merged, "%s/%s/merged", ws, h->corpus))
        return -1;
    char *excluded = ou_read_file(excl, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *list = open_memstream(&text, &len);
    int count = 0;
    if (!list) {
        free(excluded);
        return -1;
    }
    if (*h->seeds)
        add_files(list, &count, h->seeds, "seeds", excluded);
    if (cp_harness_merges(h))
        add_files(list, &count, merged, "merged", excluded);
    fclose(list);
    free(excluded);
    int rc = ou_write_atomic(list_path, text, len);
    free(text);
    return rc ? -1 : count > 0;
}

/* The name of a file in dir with exactly these bytes, or NULL (the caller frees). */
static char *same_bytes(const char *dir, const char *data, size_t n)
{
    char **names = ou_list_dir(dir, NULL);
    char *found = NULL;
    for (char **p = names; p && *p && !found; p++) {
        char path[4096];
        size_t m;
        if (cp_path(path, sizeof path, "%s/%s", dir, *p))
            continue;
        char *other = ou_read_file(path, &m);
        if (other && m == n && memcmp(other, data, n) == 0)
            found = strdup(*p);
        free(other);
    }
    ou_free_names(names);
    return found;
}

static void exclude_key(const char *ws, const cp_harness *h, const char *key)
{
    char path[4096], dir[4096];
    if (excluded_path(ws, h, path, sizeof path) ||
        cp_path(dir, sizeof dir, "%s/findings/.campaign/excluded", ws) || ou_mkdirs(dir))
        return;
    size_t n = 0;
    char *old = ou_read_file(path, &n);
    if (old && has_line(old, key)) {
        free(old);
        return;
    }
    size_t len = n + strlen(key) + 2;
    char *text = malloc(len);
    if (text) {
        snprintf(text, len, "%s%s\n", old ? old : "", key);
        ou_write_atomic(path, text, strlen(text));
    }
    free(text);
    free(old);
}

void cp_job_exclude(const char *ws, const cp_harness *h, const char *artifact)
{
    size_t n;
    char *data = ou_read_file(artifact, &n);
    if (!data)
        return;
    char merged[4096], inputs[4096], key[512];
    char *name;
    if (*h->seeds && (name = same_bytes(h->seeds, data, n))) {
        snprintf(key, sizeof key, "seeds/%s", name);
        exclude_key(ws, h, key);
        free(name);
    }
    if (cp_harness_merges(h) &&
        cp_path(merged, sizeof merged, "%s/%s/merged", ws, h->corpus) == 0 &&
        (name = same_bytes(merged, data, n))) {
        snprintf(key, sizeof key, "merged/%s", name);
        exclude_key(ws, h, key);
        free(name);
    }
    if (cp_job_corpus_dir(ws, h, inputs, sizeof inputs) == 0 &&
        (name = same_bytes(inputs, data, n))) {
        char from[4096], dir[4096], to[4096];
        if (cp_path(from, sizeof from, "%s/%s", inputs, name) == 0 &&
            cp_path(dir, sizeof dir, "%s/findings/.campaign/quarantine/%s", ws, h->name) == 0 &&
            ou_mkdirs(dir) == 0 && cp_path(to, sizeof to, "%s/%s", dir, name) == 0)
            rename(from, to);
        free(name);
    }
    free(data);
}
