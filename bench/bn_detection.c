/*
** bn_detection.c: section 3, time to detect each seeded defect. Two fuzzers attack each
** defect variant, with the same libFuzzer seeds (-seed=1, 2, ...) and the same seed
** files (the harness's assembled seed programs):
**
** - ours: the defect's ouroboros harness with the flags its `_run` launcher passes, and
**   a 1 s per-input hang deadline (the calc harnesses' default is 2 s), so a hang is
**   reported well within the budget;
** - the baseline: a plain single-threaded libFuzzer harness over the same library variant
**   (bl_<target>.c) with libFuzzer's default flags, which a user would write instead.
**
** Both run under ASan + UBSan (libFuzzer's LeakSanitizer on), or under TSan for data
** races (our harness then on the thread pool, OB_EXECUTOR=pool, as the detection matrix
** runs it). An attempt finds the defect when libFuzzer saved a failing input and exited
** within the budget. At the budget the fuzzer is interrupted (SIGINT: libFuzzer prints
** its stats and exits, even inside an input that hangs, as one does under libFuzzer's
** default 1200 s -timeout) and killed 5 s later if still there.
**
** Per side: attempts that found it, and the median seconds (process start to exit) and
** inputs run, misses counting as infinitely long. Once more than half the attempts
** missed, the median is a miss and the remaining attempts are skipped. The ratio is the
** baseline's median time over ours, or at least the budget over ours when the baseline
** missed. The first failing input our harness found is kept for section 4.
*/
#include "bench/bn_bench.h"
#include "bench/bn_logs.h"
#include "bench/bn_proc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_REPS = 64 };
static const char *const side_names[BN_NSIDES] = {"ours", "baseline"};
static const double GRACE_SECONDS = 5;

typedef struct attempt {
    int found;
    double seconds;
    long runs;
    char klass[64];
} attempt;

typedef bn_side side;

static void side_init(side *s, const tg_defect *d, int which)
{
    char tool[512];
    memset(s, 0, sizeof *s);
    s->d = d;
    s->id = d->id;
    s->which = which;
    s->budget = 0;
    bn_harness_paths(d, s->bin, tool, s->seeds, sizeof s->bin);
    if (which == BN_BASELINE)
        snprintf(s->bin, sizeof s->bin, "%sbench/bl_%s", bn_needs_tsan(d) ? "bench/tsan/" : "",
                 d->id);
    size_t n = 0;
    if (which == BN_OURS)
        s->env[n++] = "OB_DETECT=hang_seconds=1";
    if (which == BN_OURS && bn_needs_tsan(d))
        s->env[n++] = "OB_EXECUTOR=pool";
}

/* Besides the seed, the budget and the paths: ours gets what its `_run` launcher passes
   (harness/private/fuzz_run.sh and the macro's -max_len, -timeout), the baseline
   libFuzzer's defaults. Both print their final stats, which only reports. */
static const char *const side_flags[BN_NSIDES][6] = {
    {"-rss_limit_mb=4096", "-max_len=4096", "-timeout=30", "-use_value_profile=1",
     "-print_final_stats=1", NULL},
    {"-print_final_stats=1", NULL},
};

static double budget_of(const bn_config *c, const side *s)
{
    return s->budget > 0 ? s->budget : c->budget;
}

/* Whether a failing input is the one this side looks for: any, for a seeded defect (its
   harness has one bug); for a real library's known finding, ours must sign it with its
   slug and the baseline report a class that names the same kind of bug. */
static int is_wanted(const side *s, const attempt *a, const char *log)
{
    if (s->want_slug) {
        char slug[32];
        bn_ouroboros_slug(log, slug, sizeof slug);
        return strcmp(slug, s->want_slug) == 0;
    }
    return !s->want_class || bn_same_kind(s->want_class, a->klass);
}

/* Fuzzes once in dir (corpus/ and the artifacts inside, stderr in fuzz.log). */
static int fuzz(const bn_config *c, const side *s, unsigned rep, const char *dir, ou_result *r)
{
    char corpus[4300], prefix[4300], log[4300], seed[32], secs[48];
    const char *argv[16];
    size_t n = 0;
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    snprintf(prefix, sizeof prefix, "-artifact_prefix=%s/", dir);
    snprintf(log, sizeof log, "%s/fuzz.log", dir);
    snprintf(seed, sizeof seed, "-seed=%u", rep + 1);
    snprintf(secs, sizeof secs, "-max_total_time=%.0f", budget_of(c, s));
    if (ou_mkdirs(corpus))
        return -1;
    argv[n++] = s->bin;
    argv[n++] = seed;
    argv[n++] = secs;
    for (const char *const *f = side_flags[s->which]; *f; f++)
        argv[n++] = *f;
    argv[n++] = prefix;
    argv[n++] = corpus;
    if (*s->seeds)
        argv[n++] = s->seeds;
    argv[n] = NULL;
    bn_cmd cmd = {.argv = argv,
                  .env = s->env,
                  .err = log,
                  .interrupt = budget_of(c, s),
                  .timeout = budget_of(c, s) + GRACE_SECONDS};
    return bn_run(&cmd, r);
}

/* What an attempt did, from its directory; found is the failing input's path or "". */
static void read_attempt(const side *s, const char *dir, const ou_result *r, attempt *a,
                         char *found, size_t len)
{
    char log[4300];
    snprintf(log, sizeof log, "%s/fuzz.log", dir);
    char *text = ou_read_file(log, NULL);
    memset(a, 0, sizeof *a);
    a->found = !r->interrupted && bn_find_artifact(dir, found, len) == 0;
    a->seconds = r->seconds;
    a->runs = text ? bn_fuzzer_runs(text) : -1;
    if (text && s->which == BN_OURS)
        bn_ouroboros_class(text, a->klass, sizeof a->klass);
    else if (text)
        bn_sanitizer_class(text, a->klass, sizeof a->klass);
    if (a->found && !is_wanted(s, a, text ? text : ""))
        a->found = 0;
    free(text);
}

/* One fuzzing attempt in its own directory. Returns -1 when the fuzzer could not run. */
static int run_attempt(const bn_config *c, const side *s, unsigned rep, attempt *a)
{
    char dir[4200], found[4400], keep[4200];
    ou_result r;
    snprintf(dir, sizeof dir, "%s/detection/%s/%s-%u", c->scratch, s->id, side_names[s->which],
             rep);
    if (fuzz(c, s, rep, dir, &r) != 0)
        return -1;
    read_attempt(s, dir, &r, a, found, sizeof found);
    if (a->runs < 0 && !a->found) {
        bn_progress("detection: %s did not fuzz (exit %d); see %s/fuzz.log", s->bin, r.status, dir);
        if (ou_file_size(s->bin) < 0 && s->d && bn_needs_tsan(s->d))
            bn_progress("detection: data races run on TSan builds: add %s to TSAN_DEFECTS in "
                        "bench/BUILD",
                        s->d->id);
        return -1;
    }
    /* Section 4 minimizes the first input our harness found for a seeded defect. */
    snprintf(keep, sizeof keep, "%s/inputs/%s", c->scratch, s->id);
    if (s->d && a->found && s->which == BN_OURS && ou_file_size(keep) < 0)
        ou_copy_file(found, keep);
    return 0;
}

static json_t *side_json(const attempt *a, unsigned n)
{
    double secs[MAX_REPS], runs[MAX_REPS], missed_runs[MAX_REPS];
    unsigned found = 0, missed = 0;
    const char *klass = "";
    for (unsigned i = 0; i < n; i++) {
        secs[i] = a[i].found ? a[i].seconds : INFINITY;
        runs[i] = a[i].found ? (double)a[i].runs : INFINITY;
        if (!a[i].found)
            missed_runs[missed++] = (double)a[i].runs;
        if (a[i].found && !*klass)
            klass = a[i].klass;
        found += (unsigned)a[i].found;
    }
    json_t *j = json_pack("{s:i, s:i, s:o, s:o, s:s}", "found", (int)found, "attempts", (int)n,
                          "median_seconds", bn_real(bn_median(secs, n)), "median_runs",
                          bn_count(bn_median(runs, n)), "class", klass);
    /* How hard a side tried when it missed: the inputs it ran within the budget. */
    if (missed)
        json_object_set_new(j, "runs_when_missed", bn_count(bn_median(missed_runs, missed)));
    return j;
}

/* Attempts until done or until more than half missed (the median is then a miss). */
static int run_side(const bn_config *c, const side *s, attempt *a, unsigned *n)
{
    unsigned reps = c->reps < MAX_REPS ? c->reps : MAX_REPS, missed = 0;
    for (*n = 0; *n < reps && missed * 2 <= reps; ++*n) {
        if (run_attempt(c, s, *n, &a[*n]) != 0)
            return -1;
        missed += !a[*n].found;
        bn_progress("detection: %-26s %-8s attempt %u: %s in %.1f s, %ld inputs", s->id,
                    side_names[s->which], *n + 1, a[*n].found ? a[*n].klass : "missed",
                    a[*n].seconds, a[*n].runs);
    }
    return 0;
}

json_t *bn_detection_row(const bn_config *c, json_t *row, const bn_side *sides)
{
    attempt a[BN_NSIDES][MAX_REPS];
    unsigned n[BN_NSIDES];
    for (int w = 0; w < BN_NSIDES; w++) {
        if (run_side(c, &sides[w], a[w], &n[w]) != 0) {
            json_object_set_new(row, "error", json_string("a fuzzer could not run"));
            return row;
        }
        json_object_set_new(row, side_names[w], side_json(a[w], n[w]));
    }
    json_t *ours = json_object_get(json_object_get(row, "ours"), "median_seconds");
    json_t *base = json_object_get(json_object_get(row, "baseline"), "median_seconds");
    if (json_is_real(ours) && json_is_real(base))
        json_object_set_new(row, "speedup", bn_real(json_real_value(base) / json_real_value(ours)));
    else if (json_is_real(ours))
        json_object_set_new(row, "speedup_at_least",
                            bn_real(budget_of(c, &sides[BN_BASELINE]) / json_real_value(ours)));
    return row;
}

static json_t *defect_row(const bn_config *c, const tg_defect *d)
{
    bn_side sides[BN_NSIDES];
    json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "defect", d->id, "target", d->target, "class",
                            d->klass, "sanitizer", bn_needs_tsan(d) ? "tsan" : "asan");
    for (int w = 0; w < BN_NSIDES; w++)
        side_init(&sides[w], d, w);
    return bn_detection_row(c, row, sides);
}

json_t *bn_detection(const bn_config *c)
{
    size_t count = 0;
    const tg_defect *d = tg_defects(&count);
    char inputs[4200];
    snprintf(inputs, sizeof inputs, "%s/inputs", c->scratch);
    ou_mkdirs(inputs);
    json_t *rows = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(rows, defect_row(c, &d[i]));
    return json_pack("{s:f, s:i, s:s, s:s, s:o}", "budget_seconds", c->budget, "repetitions",
                     (int)c->reps, "ours",
                     "the defect's harness, its _run flags, OB_DETECT=hang_seconds=1", "baseline",
                     "plain libFuzzer harness (bench/bl_<target>.c), default flags", "rows", rows);
}
