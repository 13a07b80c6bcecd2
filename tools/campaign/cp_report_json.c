/*
** cp_report_json.c: findings/report.json, the whole campaign as one JSON document, and the
** JSON helpers the SARIF writer shares (cp_report_int.h).
**
** Layout (keys in this order; times are Unix seconds with an ISO-8601 UTC twin):
**   campaign   {started, started_utc, ended, ended_utc, budget_seconds, interrupted}
**   harnesses  [{name, defect, expected, seconds, execs, cov, corpus, findings_new,
**               findings_known, findings_flaky, samples: [{seconds, execs_per_sec, cov,
**               ft, corpus, findings}]}]
**   findings   [{every field of cp_finding; frames as {func, file, line, project}}]
**   summary    {findings (on disk), by_class {class: count, in order of first appearance},
**               new, known, flaky (this campaign, summed over the harnesses)}
** Absent strings are null; a non-finite number is null.
*/
#define _GNU_SOURCE
#include "cp_report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- shared helpers ---- */

int cp_iso8601(long long t, char *buf, size_t cap)
{
    /* Years 0 to 9999: ISO-8601 without an expanded year. */
    static const long long lo = -62167219200LL, hi = 253402300799LL;
    time_t tt = (time_t)t;
    struct tm tm;
    buf[0] = '\0';
    if (t < lo || t > hi || gmtime_r(&tt, &tm) == NULL)
        return -1;
    return strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0 ? 0 : -1;
}

json_t *cp_json_text(const char *s)
{
    if (s == NULL)
        return json_null();
    char *buf = NULL;
    size_t k = 0;
    FILE *mem = open_memstream(&buf, &k);
    if (mem == NULL)
        return NULL;
    ou_utf8_write(mem, s, ou_latin1_byte);
    json_t *v = fclose(mem) == 0 ? json_stringn(buf, k) : NULL;
    free(buf);
    return v;
}

json_t *cp_json_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

int cp_json_set(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v) == 0 ? 0 : -1;
}

int cp_json_push(json_t *arr, json_t *v)
{
    return json_array_append_new(arr, v) == 0 ? 0 : -1;
}

json_t *cp_json_done(json_t *o, int rc)
{
    if (rc == 0)
        return o;
    json_decref(o);
    return NULL;
}

int cp_json_dump(json_t *root, FILE *out)
{
    int rc = root != NULL ? json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : -1;
    json_decref(root);
    if (rc == 0 && fputc('\n', out) == EOF)
        rc = -1;
    if (fflush(out) != 0 || ferror(out))
        rc = -1;
    return rc;
}

/* ---- the document ---- */

static int time_pair(json_t *o, const char *key, const char *utc_key, long long t)
{
    char iso[32];
    int rc = cp_json_set(o, key, json_integer(t));
    rc |= cp_json_set(o, utc_key,
                      cp_iso8601(t, iso, sizeof iso) == 0 ? json_string(iso) : json_null());
    return rc;
}

static json_t *campaign_json(const cp_result *r)
{
    json_t *o = json_object();
    int rc = time_pair(o, "started", "started_utc", r->started);
    rc |= time_pair(o, "ended", "ended_utc", r->ended);
    rc |= cp_json_set(o, "budget_seconds", cp_json_num(r->budget));
    rc |= cp_json_set(o, "interrupted", json_boolean(r->interrupted));
    return cp_json_done(o, rc);
}

static json_t *sample_json(const cp_sample *s)
{
    json_t *o = json_object();
    int rc = cp_json_set(o, "seconds", cp_json_num(s->seconds));
    rc |= cp_json_set(o, "execs_per_sec", cp_json_num(s->execs_per_sec));
    rc |= cp_json_set(o, "cov", json_integer(s->cov));
    rc |= cp_json_set(o, "ft", json_integer(s->ft));
    rc |= cp_json_set(o, "corpus", json_integer(s->corpus));
    rc |= cp_json_set(o, "findings", json_integer(s->findings));
    return cp_json_done(o, rc);
}

static json_t *harness_json(const cp_harness_stats *h)
{
    json_t *o = json_object(), *samples = json_array();
    int rc = cp_json_set(o, "name", cp_json_text(h->name));
    rc |= cp_json_set(o, "defect", json_boolean(h->defect));
    rc |= cp_json_set(o, "expected", cp_json_text(h->expected));
    rc |= cp_json_set(o, "seconds", cp_json_num(h->seconds));
    rc |= cp_json_set(o, "execs", json_integer(h->execs));
    rc |= cp_json_set(o, "cov", json_integer(h->cov));
    rc |= cp_json_set(o, "corpus", json_integer(h->corpus));
    rc |= cp_json_set(o, "findings_new", json_integer(h->findings_new));
    rc |= cp_json_set(o, "findings_known", json_integer(h->findings_known));
    rc |= cp_json_set(o, "findings_flaky", json_integer(h->findings_flaky));
    for (size_t i = 0; i < h->nsamples; i++)
        rc |= cp_json_push(samples, sample_json(&h->samples[i]));
    rc |= cp_json_set(o, "samples", samples);
    return cp_json_done(o, rc);
}

static json_t *frame_json(const cp_frame *f)
{
    json_t *o = json_object();
    int rc = cp_json_set(o, "func", cp_json_text(f->func));
    rc |= cp_json_set(o, "file", cp_json_text(f->file));
    rc |= cp_json_set(o, "line", json_integer(f->line));
    rc |= cp_json_set(o, "project", json_boolean(f->project));
    return cp_json_done(o, rc);
}

static int finding_counts(json_t *o, const cp_finding *f)
{
    int rc = cp_json_set(o, "flaky", json_boolean(f->flaky));
    rc |= cp_json_set(o, "listed", f->listed ? json_string(f->listed) : json_null());
    rc |= cp_json_set(o, "reproduced", json_integer(f->reproduced));
    rc |= cp_json_set(o, "attempts", json_integer(f->attempts));
    rc |= time_pair(o, "first_seen", "first_seen_utc", f->first_seen);
    rc |= time_pair(o, "last_seen", "last_seen_utc", f->last_seen);
    rc |= cp_json_set(o, "count", json_integer(f->count));
    rc |= cp_json_set(o, "ops_before", json_integer(f->ops_before));
    rc |= cp_json_set(o, "ops_after", json_integer(f->ops_after));
    rc |= cp_json_set(o, "bytes_before", json_integer((json_int_t)f->bytes_before));
    rc |= cp_json_set(o, "bytes_after", json_integer((json_int_t)f->bytes_after));
    return rc;
}

static json_t *finding_json(const cp_finding *f)
{
    json_t *o = json_object(), *frames = json_array();
    int rc = cp_json_set(o, "slug", cp_json_text(f->slug));
    rc |= cp_json_set(o, "class", cp_json_text(f->klass));
    rc |= cp_json_set(o, "signature", cp_json_text(f->signature));
    rc |= cp_json_set(o, "message", cp_json_text(f->message));
    rc |= cp_json_set(o, "harness", cp_json_text(f->harness));
    rc |= cp_json_set(o, "package", cp_json_text(f->package));
    rc |= finding_counts(o, f);
    for (size_t i = 0; i < f->nframes; i++)
        rc |= cp_json_push(frames, frame_json(&f->frames[i]));
    rc |= cp_json_set(o, "frames", frames);
    rc |= cp_json_set(o, "program", cp_json_text(f->program));
    rc |= cp_json_set(o, "report", cp_json_text(f->report));
    return cp_json_done(o, rc);
}

/* Adds one to by_class[klass]. */
static int count_class(json_t *by_class, const char *klass)
{
    json_t *key = cp_json_text(klass != NULL ? klass : "unknown");
    if (key == NULL)
        return -1;
    const char *k = json_string_value(key);
    json_t *n = json_object_get(by_class, k);
    int rc = cp_json_set(by_class, k, json_integer(n != NULL ? json_integer_value(n) + 1 : 1));
    json_decref(key);
    return rc;
}

static json_t *summary_json(const cp_result *r)
{
    json_t *o = json_object(), *by_class = json_object();
    long long fresh = 0, known = 0, flaky = 0;
    int rc = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        rc |= count_class(by_class, r->findings[i].klass);
    for (size_t i = 0; i < r->nharnesses; i++) {
        fresh += r->harnesses[i].findings_new;
        known += r->harnesses[i].findings_known;
        flaky += r->harnesses[i].findings_flaky;
    }
    rc |= cp_json_set(o, "findings", json_integer((json_int_t)r->nfindings));
    rc |= cp_json_set(o, "by_class", by_class);
    rc |= cp_json_set(o, "new", json_integer(fresh));
    rc |= cp_json_set(o, "known", json_integer(known));
    rc |= cp_json_set(o, "flaky", json_integer(flaky));
    return cp_json_done(o, rc);
}

static json_t *report_json(const cp_result *r)
{
    json_t *root = json_object(), *harnesses = json_array(), *findings = json_array();
    int rc = cp_json_set(root, "campaign", campaign_json(r));
    for (size_t i = 0; i < r->nharnesses; i++)
        rc |= cp_json_push(harnesses, harness_json(&r->harnesses[i]));
    rc |= cp_json_set(root, "harnesses", harnesses);
    for (size_t i = 0; i < r->nfindings; i++)
        rc |= cp_json_push(findings, finding_json(&r->findings[i]));
    rc |= cp_json_set(root, "findings", findings);
    rc |= cp_json_set(root, "summary", summary_json(r));
    return cp_json_done(root, rc);
}

int cp_report_json(const cp_result *r, FILE *out)
{
    return cp_json_dump(report_json(r), out);
}
