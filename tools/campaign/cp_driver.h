/*
** cp_driver.h: the campaign driver's modules, internal to //tools/campaign.
**
** The driver runs every harness as a series of plain libFuzzer jobs (its own fork mode:
** a crash, timeout or OOM ends one job, never the campaign), reads their logs for progress,
** queues what they found in findings/.campaign/pending/, and triages the queue in a child
** process: reproduce, deduplicate by signature, minimize, store.
*/
#ifndef CP_DRIVER_H
#define CP_DRIVER_H

#include "cp_campaign.h"
#include "harness/util/ou_util.h"

#include <signal.h>
#include <sys/types.h>

/* ---- the manifest (campaign.bzl) ---- */

typedef struct cp_harness {
    char name[64];
    int defect;        /* a seeded-defect harness */
    int tsan;          /* built with ThreadSanitizer: fuzzed on the thread pool */
    char corpus[1024]; /* the corpus folder a clean harness merges into, relative to the
                          workspace (e.g. corpus/objrt), or "" when it has none there */
    char package[256]; /* its Bazel package, e.g. harness/objrt */
    char bin[4096];    /* absolute paths into the runfiles */
    char tool[4096];
    char seeds[4096];     /* folder of assembled seeds, or "" */
    char dict[4096];      /* or "" */
    int max_len, timeout; /* libFuzzer flags */
    const char *expected; /* the class a defect harness must find (in expect), or NULL */
    char expect[64];
    char known[4096]; /* its known.md (known findings set aside), or "" */
} cp_harness;

/* 1 when the harness fuzzes into its corpus folder and merges there (clean, with one). */
int cp_harness_merges(const cp_harness *h);

/* Reads the manifest; paths in it are relative to `runfiles`. Returns the count, or -1. */
int cp_manifest_load(const char *path, const char *runfiles, cp_harness **out);

/* ---- known findings ---- */

/* 1 when slug is listed in the known-findings file `known` (a line "## <slug> <text>",
   README.md "Known findings"), with <text> copied to why (may be NULL); 0 when it is not,
   or when known is "" or unreadable. */
int cp_known_listed(const char *known, const char *slug, char *why, size_t len);

/* ---- paths (files and processes: harness/util/ou_util.h) ---- */

/* A formatted path into a buffer of the caller. Truncation is an error (-1, with a
   message). */
int cp_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- child processes ---- */

/* Environment additions for a harness's children: "NAME=VALUE" entries, NULL-terminated
   (OB_EXECUTOR=pool for TSan builds). */
typedef struct cp_env {
    const char *vars[4];
} cp_env;
void cp_env_for(const cp_harness *h, cp_env *env);

/* Whether the campaign's children get a process group of their own (the driver's do); a
   triage child clears it, so that killing the triage's group kills all it started. */
extern int cp_spawn_new_group;

/* Starts argv (its group as above, killed when this process dies) with stdout and stderr
   to `log` (appended when `append`; NULL: /dev/null). Returns the pid, or -1. */
pid_t cp_spawn(char *const argv[], const cp_env *env, const char *log, int append);
/* fork() for a child that runs our code, set up as cp_spawn's with output appended to log:
   0 in the child, its pid here, or -1. */
pid_t cp_fork(const char *log);
/* Runs argv to completion (see cp_spawn, output appended) and returns its exit status
   (128+signal when killed), or -1 when it could not start. A stop request (cp_stopping)
   ends it early: SIGINT, then SIGKILL 10 s later. */
int cp_run(char *const argv[], const cp_env *env, const char *log);
/* cp_run with a limit: past `seconds`, the child gets SIGINT, then SIGKILL 10 s later. */
int cp_run_limited(char *const argv[], const cp_env *env, const char *log, double seconds);

/* Set by SIGINT or SIGTERM: finish what must be finished, start nothing new. */
extern volatile sig_atomic_t cp_stopping;
void cp_install_signals(void);

/* ---- libFuzzer logs ---- */

typedef struct cp_status {
    long long runs; /* #N of the job */
    long cov, ft, corpus;
    double execs_per_sec;
    int valid;
} cp_status;

/* Parses one libFuzzer status line ("#N NEW cov: ... corp: ... exec/s: ..."). 0 when it is one. */
int cp_status_parse(const char *line, cp_status *st);

/* What one finished job's log says. */
typedef struct cp_job_log {
    cp_status last;      /* its last status line */
    long long runs;      /* inputs run, from the final stats or the last status line */
    int inited;          /* got past loading its corpus */
    char artifact[4096]; /* the failing input libFuzzer wrote, or "" */
    char klass[64];      /* the finding's class, from the kit's report or the sanitizer */
    char slug[17];       /* the kit's signature slug, or "" */
} cp_job_log;
void cp_job_log_parse(const char *text, cp_job_log *out);

/* ---- the findings store (findings/<slug>/) ---- */

/* 1 when findings/<slug>/finding.json exists. */
int cp_store_has(const char *findings, const char *slug);
/* 1 when that finding is flaky: no replay reproduced it yet. */
int cp_store_is_flaky(const char *findings, const char *slug);
/* Counts one more sighting of a known finding by `harness` (finding.json rewritten
   atomically; found_by lists every harness that found it). */
int cp_store_count(const char *findings, const char *slug, const char *harness, long long now);
/* 1 when a stored finding of class `klass` was found by `harness`. */
int cp_store_found(const char *findings, const char *harness, const char *klass);
/* Loads every finding, sorted by first_seen. Unreadable ones are reported and skipped. */
int cp_store_load(const char *findings, cp_finding **out, size_t *n);
void cp_findings_free(cp_finding *f, size_t n);
/* Writes f as findings/<slug>/ from the files staged in `staging` (a folder under
   findings/.campaign/), by one rename. 1 when it was new (or replaced a flaky finding of
   the same slug with a reproduced one), 0 when it was known and is counted, -1. */
int cp_store_add(const char *findings, const char *staging, const cp_finding *f);
/* Fills f's class, signature, message and frames from an ==ouroboros-json== line in text. */
int cp_finding_from_report(const char *text, cp_finding *f);

/* ---- triage (runs in a child of the driver) ---- */

typedef enum cp_verdict {
    CP_TRIAGE_NEW = 0,
    CP_TRIAGE_KNOWN = 1,
    CP_TRIAGE_FLAKY = 2,
    CP_TRIAGE_FAILED = 3,
    CP_TRIAGE_LISTED = 4 /* new in findings/, but on the harness's known-findings list */
} cp_verdict;

typedef struct cp_triage_result {
    char klass[64], slug[17];
    unsigned attempts, ops_before, ops_after;
} cp_triage_result;

/* Triages findings/.campaign/pending/<harness>/<artifact> (and its .log): reproduce up
   to three times, deduplicate, minimize, store. Removes the pending files when the
   result is stored. Returns a cp_verdict and fills *res. */
int cp_triage(const cp_harness *h, const char *workspace, const char *artifact,
              cp_triage_result *res);

/* ---- what a fuzzing job starts from ---- */

/* Writes the comma-separated -seed_inputs list of a job (seeds, and merged/ for a clean
   harness, less the inputs that crashed while libFuzzer loaded them). 1 when the list has
   files, 0 when empty, -1 on error. */
int cp_job_seed_list(const char *workspace, const cp_harness *h, const char *list_path);
/* The job's own corpus folder: corpus/<name>/inputs, or findings/.campaign/corpus/<name>
   for a seeded-defect harness (never checked in). */
int cp_job_corpus_dir(const char *workspace, const cp_harness *h, char *buf, size_t len);
/* An input crashed before libFuzzer finished loading: keep it out of later jobs (seeds
   and merged files are listed as excluded, working-corpus files moved to quarantine). */
void cp_job_exclude(const char *workspace, const cp_harness *h, const char *artifact);

/* ---- progress series (findings/.campaign/series/<harness>.tsv) ---- */

int cp_series_append(const char *findings, const char *harness, const cp_sample *s,
                     long long execs);
/* Loads a harness's samples; the last one's totals go to *seconds and *execs. */
int cp_series_load(const char *findings, const char *harness, cp_sample **out, size_t *n,
                   long long *execs);

/* ---- set-cover merge into corpus/<corpus>/merged ---- */

/* Puts a merge interrupted between its renames back in order. */
void cp_merge_recover(const char *workspace, const cp_harness *h);
/* 1 when an interrupted merge left its control file (the next merge resumes it). */
int cp_merge_pending(const char *workspace, const cp_harness *h);
/* Merges seeds, merged/ and inputs/ into a fresh merged/ (resuming from the control file).
   Writes the before/after file counts. 0, or -1 (interrupted or failed: nothing lost). */
int cp_merge(const char *workspace, const cp_harness *h, size_t *before, size_t *after);

/* Unix time. */
long long cp_now(void);

#endif
