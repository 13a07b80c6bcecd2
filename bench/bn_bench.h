/*
** bn_bench.h: the benchmark driver's shared declarations (internal to //bench:bench).
**
** The driver (bn_main.c) runs five sections, each in its own file, each returning one
** JSON object for results.json; bn_table.c prints them. Every figure a section reports
** is a ratio of two measurements taken in the same run on the same machine, or a median
** over repetitions, never an absolute time compared against another run.
**
** Paths are relative to the runfiles root, where `bazel run` and `bazel test` start the
** driver; the scratch directory is absolute.
*/
#ifndef BN_BENCH_H
#define BN_BENCH_H

#if !defined(BN_INTERNAL)
#error "bn_bench.h is internal to the benchmark driver (//bench:bench)"
#endif

#include <jansson.h>
#include <stddef.h>

#include "targets/tg_defects.h"

/* Settings of one benchmark run; --quick picks the small ones. */
typedef struct bn_config {
    int quick;
    double exec_seconds;   /* section 1: one executor measurement */
    unsigned exec_reps;    /* section 1's repetitions (the median is reported) */
    double fuzz_seconds;   /* section 2: one fuzzing run */
    unsigned fuzz_reps;    /* section 2's repetitions */
    double budget;         /* section 3: one attempt to find a defect (whole seconds) */
    double library_budget; /* section 3, real libraries: one attempt (the baseline's) */
    unsigned reps;         /* section 3's attempts per defect and fuzzer */
    double minimize_cap;   /* section 4: wall clock for one minimization */
    int minimize_all;      /* section 4: every defect, or the first of each target */
    char scratch[4096];    /* a fresh directory, removed at the end */
    int full_test_time;    /* section 5: `test //...`, not what fits in 2 minutes */
    const char *workspace; /* BUILD_WORKSPACE_DIRECTORY, or NULL (section 5 skips) */
} bn_config;

/* ---- sections: each returns a new JSON object (NULL only when out of memory) ---- */

json_t *bn_executors(const bn_config *c);
json_t *bn_detectors(const bn_config *c);
/* Also leaves one failing input per found defect as <scratch>/inputs/<defect id>. */
json_t *bn_detection(const bn_config *c);
json_t *bn_minimization(const bn_config *c);
json_t *bn_test_time(const bn_config *c);

/* Section 3's second part: each known finding of the real libraries (corpus/<lib>/known.md),
   our harness against the plain libFuzzer harness a user would write (bn_libraries.c). */
json_t *bn_libraries(const bn_config *c);

/* ---- section 3's attempts, shared by its two parts ---- */

enum { BN_OURS, BN_BASELINE, BN_NSIDES };

/* One fuzzer of a row: what it runs and what counts as finding the bug. */
typedef struct bn_side {
    const tg_defect *d; /* the seeded defect, or NULL for a real library's finding */
    const char *id;     /* names the row's scratch folder */
    int which;          /* BN_OURS or BN_BASELINE */
    char bin[512];
    char seeds[512];        /* a folder of seed inputs, or "" */
    const char *env[3];     /* extra "NAME=VALUE", NULL-terminated */
    double budget;          /* seconds an attempt; 0: the config's */
    const char *want_slug;  /* ours: only a finding with this signature slug counts */
    const char *want_class; /* baseline: only a report of this kind of bug counts */
} bn_side;

/* Runs both sides of a row (attempts until done or until more than half missed) and adds
   their results and the ratio to row, which it returns. */
json_t *bn_detection_row(const bn_config *c, json_t *row, const bn_side *sides);

/* Prints the results as the table the README shows. */
void bn_table_print(const json_t *results, FILE *out);

/* ---- the catalog, as the sections use it ---- */

/* The distinct targets of the defect catalog, in catalog order. Returns how many (at
   most max); names are static. */
size_t bn_targets(const char **names, size_t max);
/* 1 when the defect is only seen under ThreadSanitizer, so runs on the TSan builds. */
int bn_needs_tsan(const tg_defect *d);
/* Paths of a defect's harness binary, tool and seed corpus, in the configuration its
   class needs (see bench/BUILD: tsan/ for data races). */
void bn_harness_paths(const tg_defect *d, char *bin, char *tool, char *seeds, size_t len);

/* ---- small numeric helpers ---- */

/* The median of n values (the upper one of the middle two when n is even); sorts v. */
double bn_median(double *v, size_t n);
/* x rounded to 3 significant digits, as a JSON real (keeps results.json readable);
   null when x is not finite. */
json_t *bn_real(double x);
/* x as a JSON integer, or null when it is not finite (a miss counted as infinite). */
json_t *bn_count(double x);

/* Progress on stderr: "bench: " and the formatted text. */
void bn_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
