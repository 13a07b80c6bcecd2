/*
** cp_triage_job.c: triage children. The queue is findings/.campaign/pending/<harness>/;
** a child (a fork of the driver running cp_triage) takes one input, from the harness with
** the fewest findings so far, and reports its verdict by exit code and a result file.
** Inputs whose fuzzer signature is known by then are counted without a child.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_sched_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A triage that takes longer is stuck (minimizing a data race on real threads takes a few
   minutes); it is killed and its input stays queued for the next campaign. */
static const double TRIAGE_LIMIT = 900;

static int skipped(const cp_sched *S, const char *name)
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
static int under_triage(const cp_sched *S, const cp_hstate *s, const char *name, const char *slug)
{
    for (int i = 0; i < S->njobs; i++) {
        const cp_job *j = &S->jobs[i];
        if (j->pid && j->kind == CP_JOB_TRIAGE &&
            ((*slug && strcmp(j->slug, slug) == 0) ||
             (j->s == s && strcmp(j->artifact, name) == 0)))
            return 1;
    }
    return 0;
}

/* The next queued input worth a triage child, from the harness with the fewest findings
   so far (every harness's first finding comes early). Inputs whose fuzzer signature is
   known by now are counted and dropped here; ones with the signature under triage wait. */
cp_hstate *cp_triage_job_next(cp_sched *S, char *name, size_t len)
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

size_t cp_triage_queued(cp_sched *S)
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

static int result_path(const cp_sched *S, const cp_job *j, char *buf, size_t len)
{
    return cp_path(buf, len, "%s/triage.%d.result", S->campaign, (int)(j - S->jobs));
}

int cp_triage_job_start(cp_sched *S, cp_hstate *s, const char *name, cp_job *j)
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
    j->kind = CP_JOB_TRIAGE;
    j->s = s;
    j->started = cp_sched_elapsed(S);
    snprintf(j->artifact, sizeof j->artifact, "%s", name);
    strcpy(j->slug, S->next_slug);
    s->triaging = 1;
    return 0;
}

void cp_triage_job_watch(cp_sched *S, cp_job *j, double now)
{
    if (j->interrupted || now - j->started <= TRIAGE_LIMIT)
        return;
    cp_view_event(S->view, "%s: triage of %s ran over %.0f s; killed it", j->s->h->name,
                  j->artifact, TRIAGE_LIMIT);
    j->interrupted = 2;
    ou_signal(j->pid, SIGKILL);
}

void cp_triage_job_finish(cp_sched *S, cp_job *j, int code)
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
    case CP_TRIAGE_LISTED:
        s->found_known++;
        cp_view_event(S->view, "KNOWN %s in %s, on its known-findings list -> findings/%s/", klass,
                      s->h->name, slug);
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
