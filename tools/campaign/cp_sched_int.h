/*
** cp_sched_int.h: what the campaign's loop shares among its files, internal to
** //tools/campaign:driver. The loop (cp_schedule.c) fills slots with fuzzing jobs
** (cp_fuzz_job.c) and triage children (cp_triage_job.c); what a rerun needs is on disk
** (cp_state.c) before anything depends on it.
*/
#ifndef CP_SCHED_INT_H
#define CP_SCHED_INT_H

#if !defined(CP_SCHED_INTERNAL)
#error "cp_sched_int.h is internal to the campaign's loop; include cp_schedule.h"
#endif

#include "cp_schedule.h"

#include <stddef.h>
#include <sys/types.h>

enum { CP_JOB_FUZZ, CP_JOB_TRIAGE };

/* One slot: a fuzzing job or a triage child while pid is set, free when it is 0. */
typedef struct cp_job {
    pid_t pid;
    int kind;
    cp_hstate *s;
    double started, length;
    int interrupted; /* we asked it to stop (1), or killed it (2) */
    char log[4096];
    long log_off;
    char line[1024]; /* a status line read in part */
    size_t nline;
    cp_status st;
    double last_sample;
    int sampled;
    char artifact[512]; /* triage: the queued input's name */
    char slug[17];      /* triage: its slug as the fuzzer saw it, or "" */
} cp_job;

typedef struct cp_sched {
    const cp_schedule_config *cfg;
    const char *ws;
    char findings[4096], campaign[4096];
    cp_hstate *hs;
    int n;
    cp_job *jobs;
    int njobs;
    cp_view *view;
    double t0, deadline, kill_at;
    long long started;
    int stop_sent;
    char next_slug[17]; /* the fuzzer's slug of the input cp_triage_job_next picked */
    char **skip;        /* queued inputs whose triage failed in this campaign */
    size_t nskip;
} cp_sched;

/* ---- the loop (cp_schedule.c) ---- */

/* Seconds since the campaign's clock started. */
double cp_sched_elapsed(const cp_sched *S);
/* 1 once no more fuzzing starts: stopped, or the wall budget is spent. */
int cp_sched_fuzzing_over(const cp_sched *S);

/* ---- state and resume (cp_state.c) ---- */

/* Paths, the workspace lock (one campaign per workspace), a fresh staging folder, and
   every harness's state from its series and merges. 0, or -1 with a message. S->hs and
   S->jobs are the caller's to free, whatever the result (NULL when not allocated). */
int cp_state_setup(cp_sched *S);
/* Writes findings/.campaign/state.json (quotas, what was used, whether it still runs). */
void cp_state_save(const cp_sched *S, int running);
/* An interrupted campaign over the same harnesses continues with what was left of its
   quotas, unless --time asks for a new budget. Returns the wall seconds left (0 when only
   its queue is left), or -1 when there is nothing to resume. */
double cp_state_resume(cp_sched *S);
/* With --defects: 1 when every defect harness found its expected class, in this campaign
   or an earlier one (fills each hstate's expected_found). */
int cp_state_defects_found(cp_sched *S);

/* ---- fuzzing jobs (cp_fuzz_job.c) ---- */

/* The harness furthest behind its quota with at least a second left, and the length of
   its next job; NULL when none. */
cp_hstate *cp_fuzz_job_next(cp_sched *S, double *length);
/* Starts one libFuzzer job of s in slot j. 0, or -1. */
int cp_fuzz_job_start(cp_sched *S, cp_hstate *s, double length, cp_job *j);
/* Follows a running job: progress, samples, and a stop for one stuck past its length. */
void cp_fuzz_job_watch(cp_sched *S, cp_job *j, double now);
/* Accounts for a finished job (exit status code): time, runs, what it queued. */
void cp_fuzz_job_finish(cp_sched *S, cp_job *j, int code);

/* ---- triage children (cp_triage_job.c) ---- */

/* The next queued input worth a triage child (its name into name), or NULL. */
cp_hstate *cp_triage_job_next(cp_sched *S, char *name, size_t len);
/* Inputs queued for triage, over every harness. */
size_t cp_triage_queued(cp_sched *S);
/* Forks a triage child for the queued input `name` of s in slot j. 0, or -1. */
int cp_triage_job_start(cp_sched *S, cp_hstate *s, const char *name, cp_job *j);
/* Kills a triage child that ran over its limit. */
void cp_triage_job_watch(cp_sched *S, cp_job *j, double now);
/* Accounts for a finished triage child (its exit status is its cp_verdict). */
void cp_triage_job_finish(cp_sched *S, cp_job *j, int code);

#endif
