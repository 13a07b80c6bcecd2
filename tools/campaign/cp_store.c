/*
** cp_store.c: findings/<slug>/, one folder per deduplicated finding. A finding appears by
** one rename of a fully written staging folder, and its finding.json changes only by
** atomic rewrite, so a kill at any moment leaves either the old or the new state.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"
#include "harness/util/ou_report_line.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void frames_from(json_t *arr, cp_finding *f)
{
    size_t n = json_array_size(arr);
    f->frames = n ? calloc(n, sizeof *f->frames) : NULL;
    f->nframes = 0;
    for (size_t i = 0; f->frames && i < n; i++) {
        json_t *fr = json_array_get(arr, i);
        cp_frame *c = &f->frames[f->nframes++];
        c->func = strdup(ou_report_str(fr, "func"));
        c->file = strdup(ou_report_str(fr, "file"));
        c->line = (int)json_integer_value(json_object_get(fr, "line"));
        c->project = json_is_true(json_object_get(fr, "project"));
    }
}

static void frames_free(cp_finding *f)
{
    for (size_t i = 0; i < f->nframes; i++) {
        free(f->frames[i].func);
        free(f->frames[i].file);
    }
    free(f->frames);
    f->frames = NULL;
    f->nframes = 0;
}

int cp_finding_from_report(const char *text, cp_finding *f)
{
    json_t *root = ou_report_line(text);
    if (!root)
        return -1;
    free(f->klass);
    free(f->signature);
    free(f->message);
    f->klass = strdup(ou_report_str(root, "class"));
    f->signature = strdup(ou_report_str(root, "signature"));
    f->message = strdup(ou_report_str(root, "message"));
    frames_free(f);
    frames_from(json_object_get(root, "frames"), f);
    json_decref(root);
    return 0;
}

static json_t *finding_json(const cp_finding *f)
{
    json_t *frames = json_array();
    for (size_t i = 0; i < f->nframes; i++)
        json_array_append_new(frames,
                              json_pack("{s:s, s:s, s:i, s:b}", "func", f->frames[i].func, "file",
                                        f->frames[i].file, "line", f->frames[i].line, "project",
                                        f->frames[i].project));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:i, s:I, s:I, s:i, s:i, s:i, s:I, "
                     "s:I, s:o, s:s}",
                     "slug", f->slug, "class", f->klass, "signature",
                     f->signature ? f->signature : "", "message", f->message ? f->message : "",
                     "harness", f->harness, "flaky", f->flaky, "reproduced", (int)f->reproduced,
                     "attempts", (int)f->attempts, "first_seen", (json_int_t)f->first_seen,
                     "last_seen", (json_int_t)f->last_seen, "count", (int)f->count, "ops_before",
                     (int)f->ops_before, "ops_after", (int)f->ops_after, "bytes_before",
                     (json_int_t)f->bytes_before, "bytes_after", (json_int_t)f->bytes_after,
                     "frames", frames, "package", f->package ? f->package : "");
}

static int write_json(const char *path, json_t *root)
{
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    int rc = text ? ou_write_atomic(path, text, strlen(text)) : -1;
    free(text);
    return rc;
}

static int finding_path(char *buf, size_t len, const char *findings, const char *slug,
                        const char *file)
{
    if (strlen(slug) != 16 || strspn(slug, "0123456789abcdef") != 16)
        return -1;
    return cp_path(buf, len, "%s/%s/%s", findings, slug, file);
}

int cp_store_has(const char *findings, const char *slug)
{
    char path[4096];
    return finding_path(path, sizeof path, findings, slug, "finding.json") == 0 && ou_exists(path);
}

/* Locks a finding's folder against other writers of its finding.json (the driver and
   triage children count the same finding). The descriptor to close, or -1. */
static int lock_finding(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void add_found_by(json_t *root, const char *harness)
{
    json_t *by = json_object_get(root, "found_by");
    if (!json_is_array(by)) {
        by = json_array();
        json_object_set_new(root, "found_by", by);
    }
    size_t i;
    json_t *v;
    json_array_foreach(by, i, v) if (strcmp(json_string_value(v) ? json_string_value(v) : "",
                                            harness) == 0) return;
    json_array_append_new(by, json_string(harness));
}

int cp_store_count(const char *findings, const char *slug, const char *harness, long long now)
{
    char path[4096], dir[4096];
    if (finding_path(path, sizeof path, findings, slug, "finding.json") ||
        cp_path(dir, sizeof dir, "%s/%s", findings, slug))
        return -1;
    int lock = lock_finding(dir);
    if (lock < 0)
        return -1;
    json_t *root = json_load_file(path, 0, NULL);
    if (!json_is_object(root)) {
        fprintf(stderr, "campaign: %s is unreadable; left as it is\n", path);
        json_decref(root);
        close(lock);
        return -1;
    }
    json_int_t count = json_integer_value(json_object_get(root, "count"));
    json_object_set_new(root, "count", json_integer(count + 1));
    json_object_set_new(root, "last_seen", json_integer(now));
    add_found_by(root, harness);
    int rc = write_json(path, root);
    json_decref(root);
    close(lock);
    return rc;
}

static int load_one(const char *findings, const char *slug, cp_finding *f)
{
    char path[4096];
    if (finding_path(path, sizeof path, findings, slug, "finding.json"))
        return -1;
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!json_is_object(root)) {
        fprintf(stderr, "campaign: skipping %s: %s\n", path, root ? "not an object" : err.text);
        json_decref(root);
        return -1;
    }
    memset(f, 0, sizeof *f);
    f->slug = strdup(slug);
    f->klass = strdup(ou_report_str(root, "class"));
    f->signature = strdup(ou_report_str(root, "signature"));
    f->message = strdup(ou_report_str(root, "message"));
    f->harness = strdup(ou_report_str(root, "harness"));
    f->package = *ou_report_str(root, "package") ? strdup(ou_report_str(root, "package")) : NULL;
    f->flaky = json_is_true(json_object_get(root, "flaky"));
    f->reproduced = (unsigned)json_integer_value(json_object_get(root, "reproduced"));
    f->attempts = (unsigned)json_integer_value(json_object_get(root, "attempts"));
    f->first_seen = json_integer_value(json_object_get(root, "first_seen"));
    f->last_seen = json_integer_value(json_object_get(root, "last_seen"));
    f->count = (unsigned)json_integer_value(json_object_get(root, "count"));
    f->ops_before = (unsigned)json_integer_value(json_object_get(root, "ops_before"));
    f->ops_after = (unsigned)json_integer_value(json_object_get(root, "ops_after"));
    f->bytes_before = (size_t)json_integer_value(json_object_get(root, "bytes_before"));
    f->bytes_after = (size_t)json_integer_value(json_object_get(root, "bytes_after"));
    frames_from(json_object_get(root, "frames"), f);
    json_decref(root);
    if (finding_path(path, sizeof path, findings, slug, "program.txt") == 0)
        f->program = ou_read_file(path, NULL);
    if (finding_path(path, sizeof path, findings, slug, "report.txt") == 0)
        f->report = ou_read_file(path, NULL);
    return 0;
}

static int by_first_seen(const void *a, const void *b)
{
    const cp_finding *x = a, *y = b;
    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    return strcmp(x->slug, y->slug);
}

int cp_store_load(const char *findings, cp_finding **out, size_t *n)
{
    size_t count = 0;
    char **names = ou_list_dir(findings, &count);
    *out = NULL;
    *n = 0;
    if (!names)
        return 0; /* no findings folder yet */
    cp_finding *fs = count ? calloc(count, sizeof *fs) : NULL;
    for (size_t i = 0; fs && i < count; i++) {
        char path[4096];
        if (finding_path(path, sizeof path, findings, names[i], "finding.json") == 0 &&
            ou_exists(path) && load_one(findings, names[i], &fs[*n]) == 0)
            (*n)++;
    }
    ou_free_names(names);
    if (*n)
        qsort(fs, *n, sizeof *fs, by_first_seen);
    *out = fs;
    return 0;
}

void cp_findings_free(cp_finding *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].slug);
        free(f[i].klass);
        free(f[i].signature);
        free(f[i].message);
        free(f[i].harness);
        free(f[i].package);
        free(f[i].program);
        free(f[i].report);
        free(f[i].listed);
        frames_free(&f[i]);
    }
    free(f);
}

int cp_store_is_flaky(const char *findings, const char *slug)
{
    char path[4096];
    if (finding_path(path, sizeof path, findings, slug, "finding.json"))
        return 0;
    json_t *root = json_load_file(path, 0, NULL);
    int flaky = json_is_true(json_object_get(root, "flaky"));
    json_decref(root);
    return flaky;
}

/* A flaky finding reproduced at last: its minimized input, program, report and log are
   replaced file by file (each a rename), then finding.json, which keeps the first input,
   first-seen time, count and finders. A kill in between leaves it flaky, to be upgraded
   again. 1, or -1. */
static int upgrade(const char *findings, const char *staging, const cp_finding *f)
{
    static const char *const files[] = {"minimized", "program.txt", "report.txt", "triage.log"};
    char from[4096], to[4096], dir[4096], path[4096];
    if (cp_path(dir, sizeof dir, "%s/%s", findings, f->slug) ||
        cp_path(path, sizeof path, "%s/finding.json", dir))
        return -1;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (cp_path(from, sizeof from, "%s/%s", staging, files[i]) == 0 &&
            cp_path(to, sizeof to, "%s/%s", dir, files[i]) == 0 && ou_exists(from) &&
            rename(from, to))
            return -1;
    int lock = lock_finding(dir);
    if (lock < 0)
        return -1;
    json_t *old = json_load_file(path, 0, NULL), *root = finding_json(f);
    json_object_set(root, "first_seen", json_object_get(old, "first_seen"));
    json_object_set_new(root, "count",
                        json_integer(json_integer_value(json_object_get(old, "count")) + 1));
    json_object_set_new(root, "bytes_before",
                        json_integer(json_integer_value(json_object_get(old, "bytes_before"))));
    json_object_set(root, "found_by", json_object_get(old, "found_by"));
    add_found_by(root, f->harness);
    int rc = write_json(path, root);
    json_decref(old);
    json_decref(root);
    close(lock);
    ou_remove_tree(staging);
    return rc ? -1 : 1;
}

int cp_store_add(const char *findings, const char *staging, const cp_finding *f)
{
    char json_path[4096], final[4096];
    if (cp_path(json_path, sizeof json_path, "%s/finding.json", staging) ||
        cp_path(final, sizeof final, "%s/%s", findings, f->slug))
        return -1;
    json_t *root = finding_json(f);
    add_found_by(root, f->harness);
    int rc = write_json(json_path, root);
    json_decref(root);
    if (rc)
        return -1;
    if (rename(staging, final) == 0)
        return 1;
    if (errno == EEXIST || errno == ENOTEMPTY) {
        if (!f->flaky && cp_store_is_flaky(findings, f->slug))
            return upgrade(findings, staging, f);
        ou_remove_tree(staging);
        return cp_store_count(findings, f->slug, f->harness, f->last_seen) == 0 ? 0 : -1;
    }
    fprintf(stderr, "campaign: cannot store %s: %s\n", final, strerror(errno));
    return -1;
}

int cp_store_found(const char *findings, const char *harness, const char *klass)
{
    char **names = ou_list_dir(findings, NULL);
    int found = 0;
    for (char **p = names; p && *p && !found; p++) {
        char path[4096];
        if (finding_path(path, sizeof path, findings, *p, "finding.json"))
            continue;
        json_t *root = json_load_file(path, 0, NULL);
        size_t i;
        json_t *v;
        if (strcmp(ou_report_str(root, "class"), klass) == 0)
            json_array_foreach(json_object_get(root, "found_by"), i, v) found |=
                json_string_value(v) && strcmp(json_string_value(v), harness) == 0;
        json_decref(root);
    }
    ou_free_names(names);
    return found;
}
