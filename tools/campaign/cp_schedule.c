/*
** cp_schedule.c: the campaign's loop. Slots (--jobs) run fuzzing jobs and, one at a time,
** a triage child. Each harness has a quota of core-seconds; the harness furthest behind
** its quota gets the next free slot. State that a rerun needs (quotas, queued inputs,
** merge control files, series) is on disk before anything depends on it.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_schedule.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { JOB_FUZZ, JOB_TRIAGE };
enum { MAX_ERRORS = 3 };

/* Job lengths: long enough to amortize loading the corpus, short enough that the
   status and the time split stay fair. */
static const double MIN_JOB = 10, MAX_JOB = 60, SAMPLE_EVERY = 10;
/* A triage that takes longer is stuck (minimizing a data race on real threads takes a few
   minutes); it is killed and its input stays queued for the next campaign. */
static const double TRIAGE_LIMIT = 900;

typedef struct job {
    pid_t pid;
    int kind;
    cp_hstate *s;
    double started, length;
    int interrupted; /* we asked it to stop */
    char log[4096];
    long log_off;
    char line[1024]; /* a status line read in part */
    size_t nline;
    cp_status st;
    double last_sample;
    int sampled;
    char artifact[512]; /* triage: the queued input's name */
    char slug[17];      /* triage: its slug as the fuzzer saw it, or "" */
} job;

typedef struct sched {
    const cp_schedule_config *cfg;
    const char *ws;
    char findings[4096], campaign[4096];
    cp_hstate *hs;
    int n;
    job *jobs;
    int njobs;
    cp_view *view;
    double t0, deadline, kill_at;
    long long started;
    int stop_sent;
    char next_slug[17]; /* the fuzzer's slug of the input next_queued picked */
    char **skip;        /* queued inputs whose triage failed in this campaign */
    size_t nskip;
} sched;

static double elapsed(const sched *S)
{
    return ou_monotonic() - S->t0;
}

/* ---- the campaign state, for a rerun after an interruption ---- */

static int state_path(const sched *S, char *buf, size_t len)
{
    return cp_path(buf, len, "%s/state.json", S->campaign);
}

static void save_state(const sched *S, int running)
{
    char path[4096];
    if (state_path(S, path, sizeof path))
        return;
    json_t *hs = json_object();
    for (int i = 0; i < S->n; i++)
        json_object_set_new(
            hs, S->hs[i].h->name,
            json_pack("{s:f, s:f}", "quota", S->hs[i].quota, "used", S->hs[i].used));
    json_t *root = json_pack("{s:b, s:f, s:i, s:o}", "running", running, "budget", S->cfg->budget,
                             "jobs", S->cfg->jobs, "harnesses", hs);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (text)
        ou_write_atomic(path, text, strlen(text));
    free(text);
    json_decref(root);
}

/* An interrupted campaign over the same harnesses continues with what was left of its
   quotas, unless --time asks for a new budget. Returns the wall seconds left (0 when only
   its queue is left), or -1 when there is nothing to resume. */
static double resume_state(sched *S)
{
    char path[4096];
    if (S->cfg->time_given || state_path(S, path, sizeof path))
        return -1;
    json_t *root = json_load_file(path, 0, NULL);
    json_t *hs = json_object_get(root, "harnesses");
    double left = 0;
    int same =
        json_is_true(json_object_get(root, "running")) && json_object_size(hs) == (size_t)S->n;
    for (int i = 0; same && i < S->n; i++)
        same = json_object_get(hs, S->hs[i].h->name) != NULL;
    for (int i = 0; same && i < S->n; i++) {
        json_t *h = json_object_get(hs, S->hs[i].h->name);
        double q = json_real_value(json_object_get(h, "quota"));
        double u = json_real_value(json_object_get(h, "used"));
        S->hs[i].quota = q > u ? q - u : 0;
        left += S->hs[i].quota;
    }
    json_decref(root);
    return same ? left / S->cfg->jobs : -1;
}

/* ---- fuzzing jobs ---- */

static void sample(sched *S, cp_hstate *s, const cp_status *st, double running_seconds)
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

static job *free_job(sched *S)
{
    for (int i = 0; i < S->njobs; i++)
        if (S->jobs[i].pid == 0)
            return &S->jobs[i];
    return NULL;
}

static int start_fuzz(sched *S, cp_hstate *s, double length, job *j)
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
    j->kind = JOB_FUZZ;
    j->s = s;
    j->started = j->last_sample = elapsed(S);
    j->length = length;
    s->running++;
    s->committed += length;
    return 0;
}

/* Reads what the job's log gained since the last look, for its latest status line. */
static void follow(job *j)
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

static void finish_fuzz(sched *S, job *j, int code)
{
    cp_hstate *s = j->s;
    double secs = elapsed(S) - j->started;
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
    save_state(S, 1);
}

/* ---- triage ---- */

static int skipped(const sched *S, const char *name)
{
    for (size_t i = 0; i < S->nskip; i++)
        if (strcmp(S->skip[i], name) == 0)
            return 1;
    return 0;
}

/* libFuzzer's failing inputs; not its logs, temporaries or slow-unit reports. */
static int is_queued_input(const char *name)
{
    size_t n = strlen(name);
    return !(n > 4 && strcmp(name + n - 4, ".log") == 0) &&
           !(n > 4 && strcmp(name + n - 4, ".tmp") == 0) && strncmp(name, "slow-unit-", 10) != 0;
}

/* The fuzzer's signature slug for a queued input, from its job log ("" when none). */
static void queued_slug(const char *dir, const char *name, char slug[17])
{
    char path[4096];
    *slug = 0;
    if (cp_path(path, sizeof path, "%s/%s.log", dir, name))
        return;
    char *text = ou_read_file(path, NULL);
    cp_job_log jl;
    cp_job_log_parse(text ? text : "", &jl);
    free(text);
    strcpy(slug, jl.slug);
}

/* 1 when a triage child works on this input, or on one with the same fuzzer slug. */
static int under_triage(const sched *S, const cp_hstate *s, const char *name, const char *slug)
{
    for (int i = 0; i < S->njobs; i++) {
        const job *j = &S->jobs[i];
        if (j->pid && j->kind == JOB_TRIAGE &&
            ((*slug && strcmp(j->slug, slug) == 0) ||
             (j->s == s && strcmp(j->artifact, name) == 0)))
            return 1;
    }
    return 0;
}

/* The next queued input worth a triage child, from the harness with the fewest findings
   so far (every harness's first finding comes early). Inputs whose fuzzer signature is
   known by now are counted and dropped here; ones with the signature under triage wait. */
static cp_hstate *next_queued(sched *S, char *name, size_t len)
{
    cp_hstate *best = NULL;
    for (int i = 0; i < S->n; i++) {
        cp_hstate *s = &S->hs[i];
        char dir[4096];
        if (cp_path(dir, sizeof dir, "%s/pending/%s", S->campaign, s->h->name))
            continue;
        char **names = ou_list_dir(dir, NULL);
        for (char **p = names; p && *p; p++) {
            char key[4200], slug[17], path[4096];
            snprintf(key, sizeof key, "%s/%s", s->h->name, *p);
            if (!is_queued_input(*p) || skipped(S, key) || strlen(*p) >= len)
                continue;
            /* Without its log, a running job may still be writing it. */
            char log[4200];
            snprintf(log, sizeof log, "%s/%s.log", dir, *p);
            if (s->running && !ou_exists(log))
                continue;
            queued_slug(dir, *p, slug);
            if (under_triage(S, s, *p, slug))
                continue;
            if (*slug && cp_store_has(S->findings, slug) && !cp_store_is_flaky(S->findings, slug)) {
                cp_store_count(S->findings, slug, s->h->name, cp_now());
                s->found_known++;
                if (cp_path(path, sizeof path, "%s/%s.log", dir, *p) == 0)
                    unlink(path);
                if (cp_path(path, sizeof path, "%s/%s", dir, *p) == 0)
                    unlink(path);
                continue;
            }
            if (!best || s->found_new + s->found_flaky < best->found_new + best->found_flaky) {
                best = s;
                strcpy(name, *p);
                strcpy(S->next_slug, slug);
            }
            break;
        }
        ou_free_names(names);
    }
    return best;
}

static size_t count_queued(sched *S)
{
    size_t total = 0;
    for (int i = 0; i < S->n; i++) {
        char dir[4096];
        if (cp_path(dir, sizeof dir, "%s/pending/%s", S->campaign, S->hs[i].h->name))
            continue;
        char **names = ou_list_dir(dir, NULL);
        for (char **p = names; p && *p; p++)
            total += is_queued_input(*p);
        ou_free_names(names);
    }
    return total;
}

static int result_path(const sched *S, const job *j, char *buf, size_t len)
{
    return cp_path(buf, len, "%s/triage.%d.result", S->campaign, (int)(j - S->jobs));
}

static int start_triage(sched *S, cp_hstate *s, const char *name, job *j)
{
    char log[4096], result[4096];
    if (cp_path(log, sizeof log, "%s/triage.log", S->campaign) ||
        result_path(S, j, result, sizeof result))
        return -1;
    unlink(result);
    pid_t pid = cp_fork(log);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        cp_spawn_new_group = 0;
        fprintf(stderr, "== %s: triaging %s\n", s->h->name, name);
        cp_triage_result res;
        int verdict = cp_triage(s->h, S->ws, name, &res);
        char line[256];
        int n = snprintf(line, sizeof line, "%s %s %u %u %u\n", *res.klass ? res.klass : "-",
                         *res.slug ? res.slug : "-", res.attempts, res.ops_before, res.ops_after);
        ou_write_atomic(result, line, (size_t)n);
        fflush(NULL);
        _exit(verdict);
    }
    memset(j, 0, sizeof *j);
    j->pid = pid;
    j->kind = JOB_TRIAGE;
    j->s = s;
    j->started = elapsed(S);
    snprintf(j->artifact, sizeof j->artifact, "%s", name);
    strcpy(j->slug, S->next_slug);
    s->triaging = 1;
    return 0;
}

static void finish_triage(sched *S, job *j, int code)
{
    cp_hstate *s = j->s;
    s->triaging = 0;
    char path[4096], klass[64] = "-", slug[32] = "-";
    unsigned attempts = 0, before = 0, after = 0;
    char *text = result_path(S, j, path, sizeof path) == 0 ? ou_read_file(path, NULL) : NULL;
    if (text)
        sscanf(text, "%63s %31s %u %u %u", klass, slug, &attempts, &before, &after);
    free(text);
    switch (code) {
    case CP_TRIAGE_NEW:
        s->found_new++;
        cp_view_event(S->view, "NEW %s in %s: %u -> %u operations -> findings/%s/", klass,
                      s->h->name, before, after, slug);
        break;
    case CP_TRIAGE_KNOWN:
        s->found_known++;
        break;
    case CP_TRIAGE_FLAKY:
        s->found_flaky++;
        cp_view_event(S->view, "FLAKY %s in %s: did not reproduce in %u replays -> findings/%s/",
                      klass, s->h->name, attempts, slug);
        break;
    default:
        if (cp_stopping)
            break;
        /* Not again in this campaign; the input stays queued for the next one. */
        char **grown = realloc(S->skip, (S->nskip + 1) * sizeof *S->skip);
        char key[4200];
        snprintf(key, sizeof key, "%s/%s", s->h->name, j->artifact);
        if (grown) {
            S->skip = grown;
            S->skip[S->nskip++] = strdup(key);
        }
        cp_view_event(S->view,
                      "%s: triage of %s failed (exit %d); it stays queued. See %s/triage.log",
                      s->h->name, j->artifact, code, S->campaign);
    }
}

/* ---- the loop ---- */

static int fuzzing_over(const sched *S)
{
    return cp_stopping || elapsed(S) >= S->deadline - 1;
}

/* The harness furthest behind its quota with at least a second left, or NULL. */
static cp_hstate *next_fuzz(sched *S, double *length)
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
    double wall = S->deadline - elapsed(S);
    *length = job_len < left ? job_len : left;
    *length = *length < wall ? *length : wall;
    return *length >= 1 ? best : NULL;
}

static int triages_running(const sched *S)
{
    int n = 0;
    for (int i = 0; i < S->njobs; i++)
        n += S->jobs[i].pid && S->jobs[i].kind == JOB_TRIAGE;
    return n;
}

static int running(const sched *S)
{
    int n = 0;
    for (int i = 0; i < S->njobs; i++)
        n += S->jobs[i].pid != 0;
    return n;
}

/* Fills free slots: the triage queue first (findings matter more than more fuzzing), one
   triage at a time while fuzzing goes on, every free slot once fuzzing is over. */
static int fill_slots(sched *S)
{
    int started = 0;
    job *j;
    while (!cp_stopping && (j = free_job(S))) {
        char name[512];
        cp_hstate *s;
        double length;
        if ((fuzzing_over(S) || !triages_running(S)) && (s = next_queued(S, name, sizeof name))) {
            if (start_triage(S, s, name, j))
                return -1;
        } else if (!fuzzing_over(S) && (s = next_fuzz(S, &length))) {
            if (start_fuzz(S, s, length, j))
                return -1;
        } else {
            break;
        }
        started++;
    }
    return started;
}

static void reap(sched *S)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int code = ou_exit_status(status);
        for (int i = 0; i < S->njobs; i++) {
            job *j = &S->jobs[i];
            if (j->pid != pid)
                continue;
            if (j->kind == JOB_FUZZ)
                finish_fuzz(S, j, code);
            else
                finish_triage(S, j, code);
            j->pid = 0;
        }
    }
}

static void watch(sched *S)
{
    double now = elapsed(S);
    for (int i = 0; i < S->n; i++)
        S->hs[i].live_runs = 0, S->hs[i].live_seconds = 0;
    for (int i = 0; i < S->njobs; i++) {
        job *j = &S->jobs[i];
        if (!j->pid || j->kind != JOB_FUZZ)
            continue;
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
    for (int i = 0; i < S->njobs; i++) {
        job *j = &S->jobs[i];
        if (j->pid && j->kind == JOB_TRIAGE && !j->interrupted && now - j->started > TRIAGE_LIMIT) {
            cp_view_event(S->view, "%s: triage of %s ran over %.0f s; killed it", j->s->h->name,
                          j->artifact, TRIAGE_LIMIT);
            j->interrupted = 2;
            ou_signal(j->pid, SIGKILL);
        }
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

static void merge_all(sched *S, int only_pending)
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

static int setup(sched *S)
{
    if (cp_path(S->findings, sizeof S->findings, "%s/findings", S->ws) ||
        cp_path(S->campaign, sizeof S->campaign, "%s/.campaign", S->findings))
        return -1;
    char jobs[4096], staging[4096], lock[4096];
    if (cp_path(jobs, sizeof jobs, "%s/jobs", S->campaign) ||
        cp_path(staging, sizeof staging, "%s/staging", S->campaign) ||
        cp_path(lock, sizeof lock, "%s/lock", S->campaign) || ou_mkdirs(jobs))
        return -1;
    /* One campaign per workspace: a second would share its queue, merges and state. The
       lock goes with the process, however it ends. */
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB)) {
        fprintf(stderr, "campaign: another campaign is running in %s\n", S->ws);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (ou_remove_tree(staging))
        return -1;
    S->n = S->cfg->nharnesses;
    S->hs = calloc((size_t)S->n, sizeof *S->hs);
    S->njobs = S->cfg->jobs;
    S->jobs = calloc((size_t)S->njobs, sizeof *S->jobs);
    if (!S->hs || !S->jobs)
        return -1;
    for (int i = 0; i < S->n; i++) {
        cp_hstate *s = &S->hs[i];
        s->h = S->cfg->harnesses[i];
        s->quota = S->cfg->budget * S->cfg->jobs / S->n;
        cp_sample *samples = NULL;
        size_t ns = 0;
        cp_series_load(S->findings, s->h->name, &samples, &ns, &s->execs_before);
        if (ns) {
            s->seconds_before = samples[ns - 1].seconds;
            s->status = (cp_status){.cov = samples[ns - 1].cov,
                                    .ft = samples[ns - 1].ft,
                                    .corpus = samples[ns - 1].corpus,
                                    .valid = 1};
        }
        free(samples);
        if (cp_harness_merges(s->h))
            cp_merge_recover(S->ws, s->h);
    }
    return 0;
}

/* With --defects: 1 when every defect harness found its expected class, in this campaign
   or an earlier one. */
static int defects_found(sched *S)
{
    int all = 1;
    for (int i = 0; i < S->n; i++) {
        cp_hstate *s = &S->hs[i];
        if (s->h->defect && s->h->expected) {
            s->expected_found = cp_store_found(S->findings, s->h->name, s->h->expected);
            all &= s->expected_found;
        }
    }
    return all;
}

int cp_schedule_run(const cp_schedule_config *cfg)
{
    sched S = {.cfg = cfg, .ws = cfg->workspace};
    if (setup(&S))
        return -1;
    S.started = cp_now();
    S.t0 = ou_monotonic();
    double wall = resume_state(&S);
    int resumed = wall >= 0;
    S.deadline = resumed ? wall : cfg->budget;
    fprintf(stderr,
            "campaign: %d harness(es), %d job(s) at once, %.0f s%s: %.0f s of fuzzing each; "
            "workspace %s\n",
            S.n, cfg->jobs, S.deadline, resumed ? " (the rest of an interrupted campaign)" : "",
            S.hs[0].quota, S.ws);
    size_t queued = count_queued(&S);
    if (queued)
        fprintf(stderr, "campaign: %zu input(s) queued by an earlier campaign are triaged first\n",
                queued);
    merge_all(&S, 1);
    save_state(&S, 1);
    /* The clock starts after the resumed merges: they are not fuzzing time. */
    S.t0 = ou_monotonic();
    S.view = cp_view_open(stderr, S.hs, S.n, S.deadline);
    for (;;) {
        reap(&S);
        watch(&S);
        if (fill_slots(&S) < 0) {
            cp_view_event(S.view, "cannot start a job; stopping");
            cp_stopping = 1;
        }
        cp_view_tick(S.view, elapsed(&S), 0);
        if (!running(&S) && (cp_stopping || (fuzzing_over(&S) || !next_fuzz(&S, &wall))))
            break;
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cp_view_tick(S.view, elapsed(&S), 1);
    cp_view_close(S.view);
    if (!cp_stopping)
        merge_all(&S, 0);
    int stopped = cp_stopping != 0;
    save_state(&S, stopped);
    int all_defects = defects_found(&S);
    cp_result r;
    int rc = stopped ? 130 : 0;
    if (cp_result_build(&r, S.findings, S.hs, S.n) == 0) {
        r.started = S.started;
        r.budget = S.deadline;
        r.interrupted = stopped;
        cp_view_summary(stdout, S.hs, S.n, &r, S.started);
        if (cp_report_write_all(&r, S.findings) == 0)
            printf("reports: %s/report.json, report.sarif, report.html\n", S.findings);
        cp_result_free(&r);
    }
    if (stopped) {
        printf("stopped: corpus and findings are saved; run the same command again to continue\n");
    } else if (cfg->defects) {
        rc = all_defects ? 0 : 1;
        if (rc)
            printf("some seeded defects were not found in this budget: give it more --time\n");
    } else {
        for (int i = 0; i < S.n; i++)
            if (S.hs[i].found_new || S.hs[i].found_flaky)
                rc = 1;
    }
    for (size_t i = 0; i < S.nskip; i++)
        free(S.skip[i]);
    free(S.skip);
    free(S.hs);
    free(S.jobs);
    return rc;
}
