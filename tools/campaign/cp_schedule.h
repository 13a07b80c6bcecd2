/*
** cp_schedule.h: the campaign's loop (cp_schedule.c), its live view (cp_view.c) and the
** result it reports (cp_result.c). Internal to //tools/campaign.
*/
#ifndef CP_SCHEDULE_H
#define CP_SCHEDULE_H

#include "cp_driver.h"

typedef struct cp_schedule_config {
    const char *workspace;
    double budget;  /* wall seconds of fuzzing */
    int time_given; /* --time was given: never resume an old budget */
    int jobs;
    int defects;
    cp_harness **harnesses;
    int nharnesses;
} cp_schedule_config;

/* Runs the campaign; returns the process exit code (0, 1 when it found something new or,
   with --defects, missed an expected class, 130 when stopped), or -1 on bad setup. */
int cp_schedule_run(const cp_schedule_config *cfg);

/* One harness during a campaign. */
typedef struct cp_hstate {
    cp_harness *h;
    double quota, used;     /* fuzzing core-seconds: allowed and spent in this campaign */
    double committed;       /* seconds promised to running jobs */
    int running;            /* fuzzing jobs running now */
    int errors;             /* jobs in a row that ended without running anything */
    int disabled;           /* too many errors: not fuzzed any more */
    double seconds_before;  /* fuzzing seconds of earlier campaigns */
    long long execs_before; /* inputs run in earlier campaigns */
    long long execs;        /* inputs run in this campaign, finished jobs */
    long long live_runs;    /* inputs run by its running jobs */
    double live_seconds;    /* seconds its running jobs have run */
    cp_status status;       /* latest status line */
    unsigned failures;      /* failing inputs this campaign */
    unsigned found_new, found_known, found_flaky;
    size_t merged_before, merged_after;
    int merge_state;    /* 0 not merged, 1 merged, -1 failed or interrupted */
    int triaging;       /* a triage child works on one of its inputs */
    int expected_found; /* a defect harness found its catalog class (by the end) */
} cp_hstate;

/* The live view: one line per harness, redrawn in place on a terminal. */
typedef struct cp_view cp_view;
cp_view *cp_view_open(FILE *out, const cp_hstate *hs, int n, double budget);
/* Prints an event line above the status lines. */
void cp_view_event(cp_view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Redraws (at most once a second on a terminal, every 15 s otherwise). */
void cp_view_tick(cp_view *v, double elapsed, int force);
void cp_view_close(cp_view *v);
/* The summary table, after the campaign. */
void cp_view_summary(FILE *out, const cp_hstate *hs, int n, const cp_result *r, long long started);

/* Builds the report's model: every finding on disk, each harness's series and counters. */
int cp_result_build(cp_result *r, const char *findings, const cp_hstate *hs, int n);
void cp_result_free(cp_result *r);

#endif
