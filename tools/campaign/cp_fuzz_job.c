/*
** cp_fuzz_job.c: fuzzing jobs. Each is one plain libFuzzer process of 10 to 60 s on one
** harness, its log followed for progress and read at its end for runs and the input it
** queued; each harness has a quota of core-seconds, and the one furthest behind gets the
** next free slot.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_sched_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_ERRORS = 3 };

/* Job lengths: long enough to amortize loading the corpus, short enough that the
   status and the time split stay fair. */
static const double MIN_JOB = 10, MAX_JOB = 60, SAMPLE_EVERY = 10;

static void sample(cp_sched *S, cp_hstate *s, const cp_status *st, double running_seconds)
{
    cp_sample x = {
        .seconds = s->seconds_before + s->used + running_seconds,
        .execs_per_sec = st->execs_per_sec,
        .cov = st->cov,
        .ft = st->ft,
        .corpus = st->corpus,
        .findings = (long)s->failures,
    };
    cp_series_append(S->findings, s->h->name, &x, s->execs_before + s->execs + s->live_runs);
}

cp_hstate *cp_fuzz_job_next(cp_sched *S, double *length)
{
    cp_hstate *best = NULL;
    double best_share = 0;
    for (int i = 0; i < S->n; i++) {
        cp_hstate *s = &S->hs[i];
        double left = s->quota - s->used - s->committed;
        if (s->disabled || left < 1)
            continue;
        double share = (s->used + s->committed) / s->quota;
        if (!best || share < best_share) {
            best = s;
            best_share = share;
        }
    }
    if (!best)
        return NULL;
    double job_len = best->quota / 4;
    job_len = job_len < MIN_JOB ? MIN_JOB : job_len > MAX_JOB ? MAX_JOB : job_len;
    double left = best->quota - best->used - best->committed;
    double wall = S->deadline - cp_sched_elapsed(S);
    *length = job_len < left ? job_len : left;
    *length = *length < wall ? *length : wall;
    return *length >= 1 ? best : NULL;
}

int cp_fuzz_job_start(cp_sched *S, cp_hstate *s, double length, cp_job *j)
{
    cp_harness *h = s->h;
    char corpus[4096], pending[4096], list[4096], log[4096];
    if (cp_job_corpus_dir(S->ws, h, corpus, sizeof corpus) || ou_mkdirs(corpus) ||
        cp_path(pending, sizeof pending, "%s/pending/%s/", S->campaign, h->name) ||
        ou_mkdirs(pending) ||
        cp_path(list, sizeof list, "%s/jobs/%s.seeds", S->campaign, h->name) ||
        cp_path(log, sizeof log, "%s/jobs/%s.%d.log", S->campaign, h->name, (int)(j - S->jobs)))
        return -1;
    int seeds = cp_job_seed_list(S->ws, h, list);
    if (seeds < 0)
        return -1;
    char a_time[64], a_timeout[64], a_len[64], a_prefix[4200], a_dict[4200], a_seeds[4200];
    snprintf(a_time, sizeof a_time, "-max_total_time=%d", (int)(length + 0.5));
    snprintf(a_timeout, sizeof a_timeout, "-timeout=%d", h->timeout);
    snprintf(a_len, sizeof a_len, "-max_len=%d", h->max_len);
    snprintf(a_prefix, sizeof a_prefix, "-artifact_prefix=%s", pending);
    snprintf(a_dict, sizeof a_dict, "-dict=%s", h->dict);
    snprintf(a_seeds, sizeof a_seeds, "-seed_inputs=@%s", list);
    /* Slow inputs are the kit's hang detector's business, not slow-unit files to triage. */
    char a_slow[64];
    snprintf(a_slow, sizeof a_slow, "-report_slow_units=%d", h->timeout + 1);
    char *argv[20];
    int k = 0;
    argv[k++] = h->bin;
    argv[k++] = a_time;
    argv[k++] = a_timeout;
    argv[k++] = a_len;
    argv[k++] = "-rss_limit_mb=4096";
    argv[k++] = "-use_value_profile=1";
    argv[k++] = "-print_final_stats=1";
    argv[k++] = a_slow;
    argv[k++] = a_prefix;
    if (*h->dict)
        argv[k++] = a_dict;
    if (seeds > 0)
        argv[k++] = a_seeds;
    argv[k++] = corpus;
    argv[k] = NULL;
    cp_env env;
    cp_env_for(h, &env);
    pid_t pid = cp_spawn(argv, &env, log, 0);
    if (pid < 0)
        return -1;
    memset(j, 0, sizeof *j);
    strcpy(j->log, log);
    j->pid = pid;
    j->kind = CP_JOB_FUZZ;
    j->s = s;
    j->started = j->last_sample = cp_sched_elapsed(S);
    j->length = length;
    s->running++;
    s->committed += length;
    return 0;
}

/* Reads what the job's log gained since the last look, for its latest status line. */
static void follow(cp_job *j)
{
    FILE *f = fopen(j->log, "r");
    if (!f)
        return;
    if (fseek(f, j->log_off, SEEK_SET) == 0) {
        int c;
        while ((c = fgetc(f)) != EOF) {
            j->log_off++;
            if (c != '\n') {
                if (j->nline + 1 < sizeof j->line)
                    j->line[j->nline++] = (char)c;
                continue;
            }
            j->line[j->nline] = 0;
            cp_status st;
            if (cp_status_parse(j->line, &st) == 0)
                j->st = st;
            j->nline = 0;
        }
    }
    fclose(f);
}

void cp_fuzz_job_watch(cp_sched *S, cp_job *j, double now)
{
    follow(j);
    j->s->live_seconds += now - j->started;
    if (j->st.valid) {
        j->s->status = j->st;
        j->s->live_runs += j->st.runs;
    }
    /* A sample when the job has loaded its corpus, then every SAMPLE_EVERY seconds. */
    if (j->st.valid && (!j->sampled || now - j->last_sample >= SAMPLE_EVERY)) {
        j->sampled = 1;
        sample(S, j->s, &j->st, now - j->started);
        j->last_sample = now;
    }
    /* A job past its length plus the harness's timeout is stuck in one input; one that
       ignores SIGINT too (a deadlock in a sanitizer's report) is killed. */
    double overdue = now - (j->started + j->length + j->s->h->timeout + 5);
    if (!j->interrupted && overdue > 0) {
        ou_signal(j->pid, SIGINT);
        j->interrupted = 1;
    } else if (j->interrupted == 1 && overdue > 10) {
        cp_view_event(S->view, "%s: a job did not stop; killed it (its log: %s)", j->s->h->name,
                      j->log);
        ou_signal(j->pid, SIGKILL);
        j->interrupted = 2;
    }
}

void cp_fuzz_job_finish(cp_sched *S, cp_job *j, int code)
{
    cp_hstate *s = j->s;
    double secs = cp_sched_elapsed(S) - j->started;
    char *text = ou_read_file(j->log, NULL);
    cp_job_log jl;
    cp_job_log_parse(text ? text : "", &jl);
    free(text);
    s->running--;
    s->live_seconds = 0;
    if (j->st.valid)
        s->live_runs -= j->st.runs;
    s->committed -= j->length;
    s->used += secs;
    s->execs += jl.runs;
    if (jl.last.valid) {
        s->status = jl.last;
        s->status.execs_per_sec = secs > 0 ? (double)jl.runs / secs : 0;
    }
    if (*jl.artifact) {
        s->errors = 0;
        s->failures++;
        char log_copy[4200];
        snprintf(log_copy, sizeof log_copy, "%s.log", jl.artifact);
        ou_copy_file(j->log, log_copy);
        if (!jl.inited)
            cp_job_exclude(S->ws, s->h, jl.artifact);
        if (*jl.slug && cp_store_has(S->findings, jl.slug) &&
            !cp_store_is_flaky(S->findings, jl.slug)) {
            /* Known already: count it, no need to replay it. */
            cp_store_count(S->findings, jl.slug, s->h->name, cp_now());
            unlink(log_copy);
            unlink(jl.artifact);
            s->found_known++;
        }
    } else if (code != 0 && !jl.inited && !j->interrupted && !cp_stopping) {
        if (++s->errors >= MAX_ERRORS) {
            s->disabled = 1;
            cp_view_event(S->view,
                          "%s: %d jobs in a row failed to run (exit %d); no more "
                          "fuzzing for it. Its log: %s",
                          s->h->name, s->errors, code, j->log);
        }
    } else {
        s->errors = 0;
    }
    sample(S, s, &s->status, 0);
    cp_state_save(S, 1);
}
