/*
** cp_state.c: the campaign's state on disk: the workspace lock, the harnesses' state from
** their series and merges, and findings/.campaign/state.json, which lets a rerun after an
** interruption take the rest of its budget.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_sched_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int state_path(const cp_sched *S, char *buf, size_t len)
{
    return cp_path(buf, len, "%s/state.json", S->campaign);
}

void cp_state_save(const cp_sched *S, int running)
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

double cp_state_resume(cp_sched *S)
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

/* One campaign per workspace: a second would share its queue, merges and state. The lock
   goes with the process, however it ends. 0, or -1 with a message. */
static int lock_workspace(const cp_sched *S, const char *lock)
{
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    fprintf(stderr, "campaign: another campaign is running in %s\n", S->ws);
    if (fd >= 0)
        close(fd);
    return -1;
}

/* A harness's totals from its series, and its merge put back in order. */
static void load_harness(cp_sched *S, cp_hstate *s)
{
    cp_sample *samples = NULL;
    size_t ns = 0;
    s->quota = S->cfg->budget * S->cfg->jobs / S->n;
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

int cp_state_setup(cp_sched *S)
{
    char jobs[4096], staging[4096], lock[4096];
    if (cp_path(S->findings, sizeof S->findings, "%s/findings", S->ws) ||
        cp_path(S->campaign, sizeof S->campaign, "%s/.campaign", S->findings) ||
        cp_path(jobs, sizeof jobs, "%s/jobs", S->campaign) ||
        cp_path(staging, sizeof staging, "%s/staging", S->campaign) ||
        cp_path(lock, sizeof lock, "%s/lock", S->campaign))
        return -1;
    if (ou_mkdirs(jobs)) {
        fprintf(stderr, "campaign: cannot create %s: %s\n", jobs, strerror(errno));
        return -1;
    }
    if (lock_workspace(S, lock))
        return -1;
    if (ou_remove_tree(staging)) {
        fprintf(stderr, "campaign: cannot remove %s: %s\n", staging, strerror(errno));
        return -1;
    }
    S->n = S->cfg->nharnesses;
    S->hs = calloc((size_t)S->n, sizeof *S->hs);
    S->njobs = S->cfg->jobs;
    S->jobs = calloc((size_t)S->njobs, sizeof *S->jobs);
    if (!S->hs || !S->jobs)
        return -1;
    for (int i = 0; i < S->n; i++) {
        S->hs[i].h = S->cfg->harnesses[i];
        load_harness(S, &S->hs[i]);
    }
    return 0;
}

int cp_state_defects_found(cp_sched *S)
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
