/*
** bn_main.c: `bazel run //bench -- [options]`: the suite's speed and detection power,
** side by side with plain libFuzzer (bench/README.md). Runs the five sections in
** order, prints progress on stderr and the table on stdout, and writes results.json
** (atomically) into the workspace's bench/ folder, or where --out says.
**
** The driver itself must be the default (ASan) build: sections 3 and 4 run the harnesses
** of its configuration as users run them, and pick other builds (bench/opt/,
** bench/opt_fuzz/, bench/tsan/) where something else is measured.
*/
#define _DEFAULT_SOURCE

#include "bench/bn_bench.h"
#include "bench/bn_proc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BN_DEFAULT_CONFIG 1
#endif
#endif

typedef json_t *(*bn_section_fn)(const bn_config *c);

static const struct {
    const char *name;
    bn_section_fn run;
} sections[] = {
    {"executors", bn_executors}, {"detectors", bn_detectors},       {"detection", bn_detection},
    {"libraries", bn_libraries}, {"minimization", bn_minimization}, {"test_time", bn_test_time},
};
enum { NSECTIONS = sizeof sections / sizeof sections[0] };

typedef struct options {
    bn_config c;
    const char *out;
    const char *table;   /* --table FILE: print that results.json as a table, run nothing */
    int only[NSECTIONS]; /* all zero: every section */
    int keep_scratch;
    char command[1024];
} options;

void bn_progress(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int usage(void)
{
    fputs("usage: bazel run //bench -- [--quick] [--out FILE] [--only SECTION,...]\n"
          "           [--budget SECONDS] [--reps N] [--full-test-time] [--keep-scratch]\n"
          "       bazel run //bench -- --table RESULTS_JSON   (print a table again)\n"
          "sections: executors, detectors, detection, libraries, minimization (needs\n"
          "          detection), test_time. Default out: <workspace>/bench/results.json\n",
          stderr);
    return 2;
}

static void defaults(bn_config *c, int quick)
{
    memset(c, 0, sizeof *c);
    c->quick = quick;
    c->exec_seconds = quick ? 0.2 : 1;
    c->exec_reps = 3;
    c->fuzz_seconds = quick ? 1 : 3;
    c->fuzz_reps = quick ? 1 : 3;
    c->budget = quick ? 2 : 3;
    c->reps = quick ? 1 : 3;
    c->library_budget = quick ? 3 : 60;
    c->minimize_cap = quick ? 20 : 40;
    c->minimize_all = !quick;
}

static int pick_sections(const char *list, int *only)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int i = 0; i < NSECTIONS; i++)
            if (strcmp(w, sections[i].name) == 0)
                only[i] = found = 1;
        if (!found)
            return -1;
    }
    /* Minimization starts from the inputs detection found. */
    for (int i = 0; i < NSECTIONS; i++)
        for (int k = 0; k < NSECTIONS; k++)
            if (only[i] && sections[i].run == bn_minimization && sections[k].run == bn_detection)
                only[k] = 1;
    return 0;
}

static int whole_number(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (!s || *end || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    int quick = 0;
    for (int i = 1; i < argc; i++)
        quick |= strcmp(argv[i], "--quick") == 0;
    defaults(&o->c, quick);
    snprintf(o->command, sizeof o->command, "bazel run //bench --");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned n = 0;
        snprintf(o->command + strlen(o->command), sizeof o->command - strlen(o->command), " %s", a);
        if (strcmp(a, "--quick") == 0)
            continue;
        else if (strcmp(a, "--full-test-time") == 0)
            o->c.full_test_time = 1;
        else if (strcmp(a, "--keep-scratch") == 0)
            o->keep_scratch = 1;
        else if (strcmp(a, "--out") == 0 && v)
            o->out = v;
        else if (strcmp(a, "--table") == 0 && v)
            o->table = v;
        else if (strcmp(a, "--only") == 0 && v && pick_sections(v, o->only) == 0)
            ;
        else if (strcmp(a, "--budget") == 0 && whole_number(v, 1, 3600, &n) == 0)
            o->c.budget = n;
        else if (strcmp(a, "--reps") == 0 && whole_number(v, 1, 64, &n) == 0)
            o->c.reps = o->c.exec_reps = o->c.fuzz_reps = n;
        else
            return -1;
        /* Options with a value consumed it. */
        if (strcmp(a, "--out") == 0 || strcmp(a, "--only") == 0 || strcmp(a, "--budget") == 0 ||
            strcmp(a, "--reps") == 0 || strcmp(a, "--table") == 0) {
            snprintf(o->command + strlen(o->command), sizeof o->command - strlen(o->command), " %s",
                     argv[++i]);
        }
    }
    if (strcmp(o->command, "bazel run //bench --") == 0)
        snprintf(o->command, sizeof o->command, "bazel run //bench");
    return 0;
}

/* A path the user typed: relative ones are taken from where `bazel run` was started, not
   from the runfiles folder the driver runs in. */
static const char *user_path(const char *path, char *buf, size_t len)
{
    const char *cwd = getenv("BUILD_WORKING_DIRECTORY");
    if (path[0] == '/' || !cwd)
        return path;
    snprintf(buf, len, "%s/%s", cwd, path);
    return buf;
}

/* --table: a results.json printed again (after the table's format changed, say). */
static int print_table(const char *path)
{
    char buf[4096];
    json_error_t err;
    json_t *results = json_load_file(user_path(path, buf, sizeof buf), 0, &err);
    if (!results) {
        fprintf(stderr, "bench: cannot read %s: %s\n", path, err.text);
        return 2;
    }
    bn_table_print(results, stdout);
    json_decref(results);
    return 0;
}

static int make_scratch(bn_config *c)
{
    const char *base = getenv("TEST_TMPDIR");
    base = base ? base : getenv("TMPDIR");
    snprintf(c->scratch, sizeof c->scratch, "%s/bench-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(c->scratch)) {
        perror("bench: cannot make a scratch directory");
        return -1;
    }
    return 0;
}

static json_t *machine(void)
{
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    return json_pack("{s:i, s:o}", "cores", (int)sysconf(_SC_NPROCESSORS_ONLN),
                     "load_average_at_start", bn_real(load[0]));
}

static json_t *run_sections(const options *o)
{
    int any = 0;
    for (int i = 0; i < NSECTIONS; i++)
        any |= o->only[i];
    json_t *all = json_object();
    for (int i = 0; i < NSECTIONS; i++) {
        if (any && !o->only[i])
            continue;
        double start = ou_monotonic();
        bn_progress("section %d of %d: %s", i + 1, NSECTIONS, sections[i].name);
        json_t *s = sections[i].run(&o->c);
        json_object_set_new(s, "section_seconds", bn_real(ou_monotonic() - start));
        bn_progress("%s: done in %.0f s", sections[i].name, ou_monotonic() - start);
        json_object_set_new(all, sections[i].name, s);
    }
    return all;
}

static int write_results(const json_t *results, const char *path)
{
    char *text = json_dumps(results, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    size_t n = text ? strlen(text) : 0;
    char *line = text ? realloc(text, n + 2) : NULL;
    if (line) {
        line[n] = '\n';
        line[n + 1] = 0;
    }
    int rc = line ? ou_write_atomic(path, line, n + 1) : -1;
    free(line ? line : text);
    if (rc)
        fprintf(stderr, "bench: cannot write %s\n", path);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    char out[4096];
    memset(&o, 0, sizeof o);
    if (parse(argc, argv, &o))
        return usage();
    if (o.table)
        return print_table(o.table);
#ifndef BN_DEFAULT_CONFIG
    fputs("bench: run it in the default configuration (no --config): the sections choose\n"
          "       their own builds, and the harnesses it runs must be the ASan ones\n",
          stderr);
    return 2;
#endif
    o.c.workspace = getenv("BUILD_WORKSPACE_DIRECTORY");
    if (!o.out && !o.c.workspace) {
        fputs("bench: not started by `bazel run`: say where results go with --out FILE\n", stderr);
        return usage();
    }
    char typed[4096];
    if (o.out)
        snprintf(out, sizeof out, "%s", user_path(o.out, typed, sizeof typed));
    else
        snprintf(out, sizeof out, "%s/bench/results.json", o.c.workspace);
    if (make_scratch(&o.c))
        return 2;
    double start = ou_monotonic();
    json_t *results = json_pack("{s:s, s:b, s:o}", "command", o.command, "quick", o.c.quick,
                                "machine", machine());
    json_object_set_new(results, "sections", run_sections(&o));
    json_object_set_new(results, "seconds", bn_real(ou_monotonic() - start));
    bn_table_print(results, stdout);
    int rc = write_results(results, out);
    if (rc == 0)
        bn_progress("wrote %s in %.0f s", out, ou_monotonic() - start);
    json_decref(results);
    if (!o.keep_scratch)
        ou_remove_tree(o.c.scratch);
    else
        bn_progress("scratch files kept in %s", o.c.scratch);
    return rc ? 1 : 0;
}
