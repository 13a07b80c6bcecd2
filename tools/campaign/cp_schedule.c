/*
** cp_schedule.c: the campaign's loop. Slots (--jobs) run fuzzing jobs (cp_fuzz_job.c) and,
** one at a time while fuzzing goes on, a triage child (cp_triage_job.c); once fuzzing is
** over, triage takes every slot. Each harness has a quota of core-seconds. State that a
** rerun needs (quotas, queued inputs, merge control files, series) is on disk
** (cp_state.c) before anything depends on it.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_sched_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

double cp_sched_elapsed(const cp_sched *S)
{
    return ou_monotonic() - S->t0;
}

int cp_sched_fuzzing_over(const cp_sched *S)
{
    return cp_stopping || cp_sched_elapsed(S) >= S->deadline - 1;
}

static cp_job *free_job(cp_sched *S)
{
    for (int i = 0; i < S->njobs; i++)
        if (S->jobs[i].pid == 0)
            return &S->jobs[i];
    return NULL;
}

static int triages_running(const cp_sched *S)
{
    int n = 0;
    for (int i = 0; i < S->njobs; i++)
        n += S->jobs[i].pid && S->jobs[i].kind == CP_JOB_TRIAGE;
    return n;
}

static int running(const cp_sched *S)
{
    int n = 0;
    for (int i = 0; i < S->njobs; i++)
        n += S->jobs[i].pid != 0;
    return n;
}

/* Fills free slots: the triage queue first (findings matter more than more fuzzing), one
   triage at a time while fuzzing goes on, every free slot once fuzzing is over. */
static int fill_slots(cp_sched *S)
{
    int started = 0;
    cp_job *j;
    while (!cp_stopping && (j = free_job(S))) {
        char name[512];
        cp_hstate *s;
        double length;
        if ((cp_sched_fuzzing_over(S) || !triages_running(S)) &&
            (s = cp_triage_job_next(S, name, sizeof name))) {
            if (cp_triage_job_start(S, s, name, j))
                return -1;
        } else if (!cp_sched_fuzzing_over(S) && (s = cp_fuzz_job_next(S, &length))) {
            if (cp_fuzz_job_start(S, s, length, j))
                return -1;
        } else {
            break;
        }
        started++;
    }
    return started;
}

static void reap(cp_sched *S)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int code = ou_exit_status(status);
        for (int i = 0; i < S->njobs; i++) {
            cp_job *j = &S->jobs[i];
            if (j->pid != pid)
                continue;
            if (j->kind == CP_JOB_FUZZ)
                cp_fuzz_job_finish(S, j, code);
            else
                cp_triage_job_finish(S, j, code);
            j->pid = 0;
        }
    }
}

/* Follows every running job; on a stop request, SIGINT to all, then SIGKILL 10 s later. */
static void watch(cp_sched *S)
{
    double now = cp_sched_elapsed(S);
    for (int i = 0; i < S->n; i++)
        S->hs[i].live_runs = 0, S->hs[i].live_seconds = 0;
    for (int i = 0; i < S->njobs; i++) {
        cp_job *j = &S->jobs[i];
        if (j->pid && j->kind == CP_JOB_FUZZ)
            cp_fuzz_job_watch(S, j, now);
        else if (j->pid)
            cp_triage_job_watch(S, j, now);
    }
    if (cp_stopping && !S->stop_sent) {
        S->stop_sent = 1;
        S->kill_at = now + 10;
        cp_view_event(S->view, "stopping: waiting for %d process(es) to finish writing",
                      running(S));
        for (int i = 0; i < S->njobs; i++)
            if (S->jobs[i].pid) {
                S->jobs[i].interrupted = 1;
                ou_signal(S->jobs[i].pid, SIGINT);
            }
    } else if (S->stop_sent && now > S->kill_at) {
        for (int i = 0; i < S->njobs; i++)
            ou_signal(S->jobs[i].pid, SIGKILL);
        S->kill_at = now + 3600;
    }
}

static void merge_all(cp_sched *S, int only_pending)
{
    for (int i = 0; i < S->n && !cp_stopping; i++) {
        cp_hstate *s = &S->hs[i];
        if (!cp_harness_merges(s->h))
            continue;
        int pending = cp_merge_pending(S->ws, s->h);
        if (only_pending ? !pending : s->used <= 0 && !pending)
            continue;
        fprintf(stderr, "campaign: %s %s/merged (set cover of seeds, merged, inputs)\n",
                pending ? "resuming the merge into" : "merging into", s->h->corpus);
        s->merge_state = cp_merge(S->ws, s->h, &s->merged_before, &s->merged_after) ? -1 : 1;
    }
}

/* Before the clock starts: what an interrupted campaign left (its budget, its queue, its
   merges), announced. */
static void begin(cp_sched *S)
{
    S->started = cp_now();
    S->t0 = ou_monotonic();
    double wall = cp_state_resume(S);
    int resumed = wall >= 0;
    S->deadline = resumed ? wall : S->cfg->budget;
    fprintf(stderr,
            "campaign: %d harness(es), %d job(s) at once, %.0f s%s: %.0f s of fuzzing each; "
            "workspace %s\n",
            S->n, S->cfg->jobs, S->deadline,
            resumed ? " (the rest of an interrupted campaign)" : "", S->hs[0].quota, S->ws);
    size_t queued = cp_triage_queued(S);
    if (queued)
        fprintf(stderr, "campaign: %zu input(s) queued by an earlier campaign are triaged first\n",
                queued);
    merge_all(S, 1);
    cp_state_save(S, 1);
    /* The clock starts after the resumed merges: they are not fuzzing time. */
    S->t0 = ou_monotonic();
}

/* Until fuzzing and the queue are done, or a stop request has ended every child. */
static void run_slots(cp_sched *S)
{
    double length;
    S->view = cp_view_open(stderr, S->hs, S->n, S->deadline);
    for (;;) {
        reap(S);
        watch(S);
        if (fill_slots(S) < 0) {
            cp_view_event(S->view, "cannot start a job; stopping");
            cp_stopping = 1;
        }
        cp_view_tick(S->view, cp_sched_elapsed(S), 0);
        if (!running(S) &&
            (cp_stopping || cp_sched_fuzzing_over(S) || !cp_fuzz_job_next(S, &length)))
            break;
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cp_view_tick(S->view, cp_sched_elapsed(S), 1);
    cp_view_close(S->view);
}

/* The summary table and the reports, rebuilt from disk. */
static void report(cp_sched *S, int stopped)
{
    cp_result r;
    if (cp_result_build(&r, S->findings, S->hs, S->n) != 0)
        return;
    r.started = S->started;
    r.budget = S->deadline;
    r.interrupted = stopped;
    cp_view_summary(stdout, S->hs, S->n, &r, S->started);
    if (cp_report_write_all(&r, S->findings) == 0)
        printf("reports: %s/report.json, report.sarif, report.html\n", S->findings);
    cp_result_free(&r);
}

/* The exit code (see cp_schedule.h), with a line on what it means. */
static int verdict(cp_sched *S, int stopped, int all_defects)
{
    if (stopped) {
        printf("stopped: corpus and findings are saved; run the same command again to continue\n");
        return 130;
    }
    if (S->cfg->defects) {
        if (!all_defects)
            printf("some seeded defects were not found in this budget: give it more --time\n");
        return all_defects ? 0 : 1;
    }
    for (int i = 0; i < S->n; i++)
        if (S->hs[i].found_new || S->hs[i].found_flaky)
            return 1;
    return 0;
}

static void sched_free(cp_sched *S)
{
    for (size_t i = 0; i < S->nskip; i++)
        free(S->skip[i]);
    free(S->skip);
    free(S->hs);
    free(S->jobs);
}

int cp_schedule_run(const cp_schedule_config *cfg)
{
    cp_sched S = {.cfg = cfg, .ws = cfg->workspace};
    if (cp_state_setup(&S)) {
        sched_free(&S);
        return -1;
    }
    begin(&S);
    run_slots(&S);
    if (!cp_stopping)
        merge_all(&S, 0);
    int stopped = cp_stopping != 0;
    cp_state_save(&S, stopped);
    int all_defects = cp_state_defects_found(&S);
    report(&S, stopped);
    int rc = verdict(&S, stopped, all_defects);
    sched_free(&S);
    return rc;
}
