/*
** cp_view.c: what the campaign shows while it runs and when it ends. On a terminal the
** status lines are redrawn in place; in a log (CI) they are printed every 15 seconds.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_schedule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct cp_view {
    FILE *out;
    const cp_hstate *hs;
    int n;
    double budget;
    int tty;
    int drawn;   /* status lines on screen now */
    double last; /* when they were last drawn */
    double now;  /* campaign seconds at the last tick */
};

cp_view *cp_view_open(FILE *out, const cp_hstate *hs, int n, double budget)
{
    cp_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->out = out;
    v->hs = hs;
    v->n = n;
    v->budget = budget;
    v->tty = isatty(fileno(out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
    v->last = -1e9;
    return v;
}

/* 12345 -> "12.3k": status lines stay one line wide. */
static void human(char *buf, size_t len, double x)
{
    if (x >= 1e9)
        snprintf(buf, len, "%.1fG", x / 1e9);
    else if (x >= 1e6)
        snprintf(buf, len, "%.1fM", x / 1e6);
    else if (x >= 1e4)
        snprintf(buf, len, "%.1fk", x / 1e3);
    else
        snprintf(buf, len, "%.0f", x);
}

static void line(cp_view *v, const cp_hstate *s)
{
    char runs[16], eps[16], secs[32];
    human(runs, sizeof runs, (double)(s->execs + s->live_runs));
    snprintf(secs, sizeof secs, "%.0f/%.0fs", s->used + s->live_seconds, s->quota);
    human(eps, sizeof eps, s->status.execs_per_sec);
    const char *state = s->disabled               ? "failed"
                        : s->triaging             ? "triage"
                        : s->running              ? "fuzzing"
                        : s->used >= s->quota - 1 ? "done"
                                                  : "waiting";
    fprintf(v->out,
            "  %-26s %-7s %9s  runs %7s  exec/s %6s  cov %5ld  corp %5ld  "
            "found %u (%u new)\n",
            s->h->name, state, secs, runs, eps, s->status.cov, s->status.corpus, s->failures,
            s->found_new + s->found_flaky);
}

static void erase(cp_view *v)
{
    if (v->tty && v->drawn) {
        fprintf(v->out, "\033[%dA", v->drawn);
        for (int i = 0; i < v->drawn; i++)
            fputs("\033[2K\n", v->out);
        fprintf(v->out, "\033[%dA", v->drawn);
    }
    v->drawn = 0;
}

static void draw(cp_view *v)
{
    fprintf(v->out, "campaign: %.0f of %.0f s\n", v->now, v->budget);
    for (int i = 0; i < v->n; i++)
        line(v, &v->hs[i]);
    v->drawn = v->n + 1;
    fflush(v->out);
}

void cp_view_event(cp_view *v, const char *fmt, ...)
{
    if (!v)
        return;
    erase(v);
    va_list ap;
    va_start(ap, fmt);
    fputs("campaign: ", v->out);
    vfprintf(v->out, fmt, ap);
    fputc('\n', v->out);
    va_end(ap);
    if (v->tty)
        draw(v);
    fflush(v->out);
}

void cp_view_tick(cp_view *v, double elapsed, int force)
{
    if (!v)
        return;
    v->now = elapsed;
    if (!force && elapsed - v->last < (v->tty ? 1 : 15))
        return;
    v->last = elapsed;
    erase(v);
    draw(v);
    if (!v->tty)
        v->drawn = 0;
}

void cp_view_close(cp_view *v)
{
    free(v);
}

static const char *when(long long t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

void cp_view_summary(FILE *out, const cp_hstate *hs, int n, const cp_result *r, long long started)
{
    fprintf(out, "\n%-26s %8s %9s %8s %6s %6s %4s %5s %5s  %s\n", "harness", "fuzz s", "runs",
            "exec/s", "cov", "corpus", "new", "known", "flaky", "merged corpus / expected class");
    for (int i = 0; i < n; i++) {
        const cp_hstate *s = &hs[i];
        char runs[16], eps[16], note[128] = "";
        human(runs, sizeof runs, (double)s->execs);
        human(eps, sizeof eps, s->used > 0 ? (double)s->execs / s->used : 0);
        if (s->h->defect) {
            snprintf(note, sizeof note, "%s%s", s->h->expected ? s->h->expected : "-",
                     s->h->expected ? (s->expected_found ? " (found)" : " (MISSED)") : "");
        } else if (s->merge_state == 1) {
            snprintf(note, sizeof note, "%zu -> %zu files", s->merged_before, s->merged_after);
        } else if (s->merge_state == -1) {
            snprintf(note, sizeof note, "merge interrupted: resumes next run");
        }
        fprintf(out, "%-26s %8.0f %9s %8s %6ld %6ld %4u %5u %5u  %s\n", s->h->name, s->used, runs,
                eps, s->status.cov, s->status.corpus, s->found_new, s->found_known, s->found_flaky,
                note);
    }
    char buf[64];
    unsigned fresh = 0, listed = 0;
    for (size_t k = 0; k < r->nfindings; k++) {
        fresh += r->findings[k].first_seen >= started && !r->findings[k].listed;
        listed += r->findings[k].listed != NULL;
    }
    fprintf(out, "\nfindings: %zu in findings/, %u new in this campaign, %u on known lists\n",
            r->nfindings, fresh, listed);
    for (size_t k = 0; k < r->nfindings; k++) {
        const cp_finding *f = &r->findings[k];
        const char *age = f->listed ? "LISTED" : f->first_seen >= started ? "NEW   " : "known ";
        fprintf(out, "  %s %-20s %s  %-26s %u -> %u ops  seen %u time(s), last %s%s\n", age,
                f->klass, f->slug, f->harness, f->ops_before, f->ops_after, f->count,
                when(f->last_seen, buf, sizeof buf), f->flaky ? "  FLAKY" : "");
    }
}
