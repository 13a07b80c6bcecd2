/*
** bn_table.c: results.json as the table the README shows, one block per section. Reads
** only the JSON, so what is printed is what was written.
*/
#include "bench/bn_bench.h"

#include <stdio.h>
#include <string.h>

static double num(const json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* A number, or "-" when the JSON has none (null or absent). */
static const char *fmt(char *buf, size_t len, const json_t *o, const char *key, const char *f)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_number(v))
        snprintf(buf, len, f, json_number_value(v));
    else
        snprintf(buf, len, "-");
    return buf;
}

/* "  FAILED: why" after a row whose measurement failed, else "". */
static const char *failure(const json_t *r)
{
    static char buf[512];
    const char *why = str(r, "error");
    if (!*why)
        return "";
    snprintf(buf, sizeof buf, "  FAILED: %s", why);
    return buf;
}

static int skipped(const json_t *s, FILE *out)
{
    if (json_object_get(s, "skipped"))
        fprintf(out, "not measured: %s\n", str(s, "skipped"));
    else if (json_object_get(s, "error"))
        fprintf(out, "FAILED: %s\n", str(s, "error"));
    else
        return 0;
    return 1;
}

static void executors(const json_t *s, FILE *out)
{
    char a[32], b[32], c[32], d[32], e[32], f[32];
    fprintf(out, "\n1. Executors: inputs/s, median of %d x %.1f s (%s)\n",
            (int)num(s, "repetitions"), num(s, "seconds_per_measurement"), str(s, "build"));
    fprintf(out, "%-8s %10s %10s %14s %10s %10s %13s\n", "target", "direct", "fibers",
            "fibers/direct", "threads", "pool", "pool/threads");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(s, "rows"), i, r)
    {
        json_t *rate = json_object_get(r, "inputs_per_second");
        fprintf(out, "%-8s %10s %10s %14s %10s %10s %13s%s\n", str(r, "target"),
                fmt(a, 32, rate, "direct", "%.0f"), fmt(b, 32, rate, "fibers", "%.0f"),
                fmt(c, 32, r, "fibers_vs_direct", "%.2f"), fmt(d, 32, rate, "threads", "%.0f"),
                fmt(e, 32, rate, "pool", "%.0f"), fmt(f, 32, r, "pool_vs_threads", "%.2f"),
                failure(r));
    }
}

static void detectors(const json_t *s, FILE *out)
{
    char a[32], b[32], c[32];
    fprintf(out, "\n2. Detectors: clean fuzzing, inputs/s, median of %d x %.0f s (%s)\n",
            (int)num(s, "repetitions"), num(s, "seconds_per_run"), str(s, "build"));
    fprintf(out, "%-8s %10s %10s %8s  %s\n", "target", "all off", "all on", "on/off",
            "runs ended by a finding");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(s, "rows"), i, r)
    {
        json_t *rate = json_object_get(r, "inputs_per_second");
        fprintf(out, "%-8s %10s %10s %8s  %lld%s\n", str(r, "target"),
                fmt(a, 32, rate, "off", "%.0f"), fmt(b, 32, rate, "on", "%.0f"),
                fmt(c, 32, r, "on_vs_off", "%.2f"),
                (long long)json_integer_value(json_object_get(r, "runs_ended_by_a_finding")),
                failure(r));
    }
}

/* "found/attempts  seconds  inputs  class"; a miss shows ">budget" and the inputs it ran. */
/* One side's columns; the header row uses the same widths. */
#define SIDE_FORMAT "%-5s %6s %7s %-19s"

static void side(char *buf, size_t len, const json_t *j, double budget)
{
    char found[16], secs[16], runs[32];
    int hit = json_is_number(json_object_get(j, "median_seconds"));
    if (hit)
        snprintf(secs, sizeof secs, "%.2f", num(j, "median_seconds"));
    else
        snprintf(secs, sizeof secs, ">%.0f", budget);
    fmt(runs, sizeof runs, j, hit ? "median_runs" : "runs_when_missed", "%.0f");
    snprintf(found, sizeof found, "%d/%d", (int)num(j, "found"), (int)num(j, "attempts"));
    snprintf(buf, len, SIDE_FORMAT, found, secs, runs, hit ? str(j, "class") : "");
}

/* The baseline's time over ours: "4.2x", or ">18x" when the baseline missed. */
static void times(char *buf, size_t len, const json_t *r)
{
    int at_least = !json_is_number(json_object_get(r, "speedup"));
    double x = num(r, at_least ? "speedup_at_least" : "speedup");
    if (!json_is_number(json_object_get(r, at_least ? "speedup_at_least" : "speedup")))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, x < 10 ? "%s%.1fx" : "%s%.0fx", at_least ? ">" : "", x);
}

/* Section 3's rows (both parts): three leading columns named by keys, with widths, then
   each side's columns and the ratio. */
typedef struct row_columns {
    const char *key[3], *head[3];
    int width[3];
} row_columns;

static void detection_rows(const json_t *s, FILE *out, const row_columns *c)
{
    double budget = num(s, "budget_seconds");
    char head[96];
    snprintf(head, sizeof head, SIDE_FORMAT, "found", "s", "inputs", "class");
    fprintf(out, "%-*s %-*s %-*s | %-40s | %-40s | %s\n", c->width[0], "", c->width[1], "",
            c->width[2], "", "ours", "baseline", "baseline");
    fprintf(out, "%-*s %-*s %-*s | %s | %s | %s\n", c->width[0], c->head[0], c->width[1],
            c->head[1], c->width[2], c->head[2], head, head, "/ours");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(s, "rows"), i, r)
    {
        char ours[96], base[96], ratio[32];
        side(ours, sizeof ours, json_object_get(r, "ours"), budget);
        side(base, sizeof base, json_object_get(r, "baseline"), budget);
        times(ratio, sizeof ratio, r);
        fprintf(out, "%-*s %-*s %-*s | %s | %s | %s%s\n", c->width[0], str(r, c->key[0]),
                c->width[1], str(r, c->key[1]), c->width[2], str(r, c->key[2]), ours, base, ratio,
                failure(r));
    }
}

static void detection(const json_t *s, FILE *out)
{
    static const row_columns c = {
        {"defect", "class", "sanitizer"}, {"defect", "class", "san"}, {26, 19, 4}};
    fprintf(out,
            "\n3. Time to detect: median seconds and inputs run, over %d attempt(s) of at most "
            "%.0f s each\n   ours: %s; baseline: %s\n",
            (int)num(s, "repetitions"), num(s, "budget_seconds"), str(s, "ours"),
            str(s, "baseline"));
    detection_rows(s, out, &c);
}

static void libraries(const json_t *s, FILE *out)
{
    static const row_columns c = {
        {"library", "slug", "class"}, {"library", "finding", "class"}, {8, 16, 19}};
    fprintf(out,
            "\n3b. Real libraries, each known finding (corpus/<lib>/known.md): median seconds and "
            "inputs run, over %d attempt(s) of at most %.0f s each\n   ours: %s\n   baseline: "
            "%s\n",
            (int)num(s, "repetitions"), num(s, "budget_seconds"), str(s, "ours"),
            str(s, "baseline"));
    detection_rows(s, out, &c);
}

static void minimized(char *buf, size_t len, const json_t *j)
{
    char secs[32];
    if (json_object_get(j, "error"))
        snprintf(buf, len, "%s", str(j, "error"));
    else
        snprintf(buf, len, "%3lld ops %4lld B %6s s %s%s",
                 (long long)json_integer_value(json_object_get(j, "ops")),
                 (long long)json_integer_value(json_object_get(j, "bytes")),
                 fmt(secs, 32, j, "seconds", "%.1f"),
                 json_is_true(json_object_get(j, "signature_kept")) ? "same" : "NEW",
                 json_is_true(json_object_get(j, "killed")) ? " (cap)" : "");
}

static void minimization(const json_t *s, FILE *out)
{
    fprintf(out,
            "\n4. Minimization of the input found in section 3 (cap %.0f s each; signature same "
            "or NEW)\n",
            num(s, "cap_seconds"));
    fprintf(out, "%-26s %-13s | %-31s | %s\n", "defect", "input", "ours", "libFuzzer alone");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(s, "rows"), i, r)
    {
        if (json_object_get(r, "skipped")) {
            fprintf(out, "%-26s not measured: %s\n", str(r, "defect"), str(r, "skipped"));
            continue;
        }
        char ours[96], lf[96];
        json_t *in = json_object_get(r, "input");
        minimized(ours, sizeof ours, json_object_get(r, "ours"));
        minimized(lf, sizeof lf, json_object_get(r, "libfuzzer"));
        fprintf(out, "%-26s %3lld ops %4lld B | %-31s | %s\n", str(r, "defect"),
                (long long)json_integer_value(json_object_get(in, "ops")),
                (long long)json_integer_value(json_object_get(in, "bytes")), ours, lf);
    }
}

static void test_time(const json_t *s, FILE *out)
{
    json_t *cold = json_object_get(s, "cold"), *warm = json_object_get(s, "warm");
    fprintf(out, "\n5. Test command, fresh copy of the workspace and output base: `%s`%s\n",
            str(s, "command"),
            json_is_true(json_object_get(s, "everything"))
                ? ""
                : " (what fits in 2 minutes; --full-test-time runs `bazel test //...`)");
    fprintf(out, "cold %.1f s%s, warm %.1f s%s, cold/warm %.0f\n", num(cold, "seconds"),
            json_is_true(json_object_get(cold, "passed")) ? "" : " (FAILED)", num(warm, "seconds"),
            json_is_true(json_object_get(warm, "passed")) ? "" : " (FAILED)",
            num(s, "cold_vs_warm"));
}

void bn_table_print(const json_t *results, FILE *out)
{
    static const struct {
        const char *name;
        void (*print)(const json_t *s, FILE *out);
    } blocks[] = {{"executors", executors},       {"detectors", detectors},
                  {"detection", detection},       {"libraries", libraries},
                  {"minimization", minimization}, {"test_time", test_time}};
    json_t *m = json_object_get(results, "machine");
    fprintf(out, "%s  (%d cores, load %.1f at start, %.0f s in all)\n", str(results, "command"),
            (int)num(m, "cores"), num(m, "load_average_at_start"), num(results, "seconds"));
    json_t *sections = json_object_get(results, "sections");
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        json_t *s = json_object_get(sections, blocks[i].name);
        if (!s)
            continue;
        if (json_object_get(s, "skipped") || json_object_get(s, "error")) {
            fprintf(out, "\n%zu. %s: ", i + 1, blocks[i].name);
            skipped(s, out);
            continue;
        }
        blocks[i].print(s, out);
    }
}
