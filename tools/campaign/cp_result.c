/*
** cp_result.c: the reports' model, built from what is on disk (so a report after a rerun
** covers every campaign) plus this campaign's counters.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_schedule.h"

#include <stdlib.h>
#include <string.h>

/* Known findings are marked from the lists as they are now, whenever a campaign stored
   them: a team lists a finding after it has been found. */
static void mark_listed(cp_finding *f, const cp_hstate *hs, int n)
{
    char why[512];
    for (int i = 0; i < n; i++)
        if (f->harness && strcmp(hs[i].h->name, f->harness) == 0 &&
            cp_known_listed(hs[i].h->known, f->slug, why, sizeof why))
            f->listed = strdup(why);
}

int cp_result_build(cp_result *r, const char *findings, const cp_hstate *hs, int n)
{
    memset(r, 0, sizeof *r);
    r->ended = cp_now();
    if (cp_store_load(findings, &r->findings, &r->nfindings))
        return -1;
    for (size_t k = 0; k < r->nfindings; k++)
        mark_listed(&r->findings[k], hs, n);
    r->harnesses = calloc((size_t)n, sizeof *r->harnesses);
    if (!r->harnesses)
        return -1;
    r->nharnesses = (size_t)n;
    for (int i = 0; i < n; i++) {
        const cp_hstate *s = &hs[i];
        cp_harness_stats *h = &r->harnesses[i];
        h->name = strdup(s->h->name);
        h->defect = s->h->defect;
        h->expected = s->h->expected ? strdup(s->h->expected) : NULL;
        cp_series_load(findings, s->h->name, &h->samples, &h->nsamples, &h->execs);
        h->seconds = h->nsamples ? h->samples[h->nsamples - 1].seconds : 0;
        h->cov = s->status.cov;
        h->corpus = s->status.corpus;
        h->findings_new = s->found_new;
        h->findings_known = s->found_known;
        h->findings_flaky = s->found_flaky;
    }
    return 0;
}

void cp_result_free(cp_result *r)
{
    for (size_t i = 0; i < r->nharnesses; i++) {
        free(r->harnesses[i].name);
        free(r->harnesses[i].expected);
        free(r->harnesses[i].samples);
    }
    free(r->harnesses);
    cp_findings_free(r->findings, r->nfindings);
    memset(r, 0, sizeof *r);
}
