/*
** bn_detectors.c: section 2, the detectors' cost. Each clean harness fuzzes for
** fuzz_seconds with every detector on, then with every detector off (OB_DETECT), from
** the same libFuzzer seed and seed corpus, fuzz_reps times. Reported per target: the
** median of the per-repetition ratios on/off of inputs per second, and each setting's
** median rate.
**
** Built sanitizer-free at -O2, keeping libFuzzer's coverage instrumentation
** (bench/opt_fuzz/): without coverage feedback libFuzzer would not be the fuzzer the
** detectors run under. "On" is what fuzzing runs by default: growth sampled on one input
** in 32 (the libFuzzer entry's setting); "off" turns off leak, growth, stack, hang and
** invariant. Sanitizers are absent in both.
*/
#include "bench/bn_bench.h"
#include "bench/bn_logs.h"
#include "bench/bn_proc.h"

#include <stdio.h>
#include <stdlib.h>

enum { OFF, ON, NSETTINGS, MAX_REPS = 64 };
static const char *const setting_names[NSETTINGS] = {"off", "on"};
static const char *const setting_env[NSETTINGS] = {
    "OB_DETECT=leak=0 growth=0 stack=0 hang=0 invariant=0",
    "OB_DETECT=leak=1 growth=1 stack=1 hang=1 invariant=1",
};
/* The settings without the variable name, for results.json. */
#define SPEC(s) (setting_env[s] + sizeof "OB_DETECT=" - 1)

/* Inputs per second of one fuzzing run, or -1 with a message; *found = 1 when the run
   ended at a finding (clean harnesses should have none). */
static double fuzz_rate(const bn_config *c, const char *target, int setting, unsigned rep,
                        int *found)
{
    char dir[4200], corpus[4300], prefix[4300], log[4300], exe[256], seeds[256], seed[32], secs[48],
        artifact[4400];
    snprintf(dir, sizeof dir, "%s/detectors/%s-%s-%u", c->scratch, target, setting_names[setting],
             rep);
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    snprintf(prefix, sizeof prefix, "-artifact_prefix=%s/", dir);
    snprintf(log, sizeof log, "%s/fuzz.log", dir);
    snprintf(exe, sizeof exe, "bench/opt_fuzz/harness/%s/%s_bin", target, target);
    snprintf(seeds, sizeof seeds, "harness/%s/%s_corpus", target, target);
    snprintf(seed, sizeof seed, "-seed=%u", rep + 1);
    snprintf(secs, sizeof secs, "-max_total_time=%.0f", c->fuzz_seconds);
    if (ou_mkdirs(corpus))
        return -1;
    const char *argv[] = {exe,
                          seed,
                          secs,
                          "-max_len=4096",
                          "-timeout=30",
                          "-rss_limit_mb=4096",
                          "-use_value_profile=1",
                          "-print_final_stats=1",
                          prefix,
                          corpus,
                          seeds,
                          NULL};
    const char *env[] = {setting_env[setting], NULL};
    bn_cmd cmd = {.argv = argv, .env = env, .err = log, .timeout = c->fuzz_seconds + 60};
    ou_result r;
    char *text = bn_run(&cmd, &r) == 0 ? ou_read_file(log, NULL) : NULL;
    long runs = text ? bn_fuzzer_runs(text) : -1;
    free(text);
    *found = bn_find_artifact(dir, artifact, sizeof artifact) == 0;
    if (runs <= 0 || r.killed) {
        bn_progress("detectors: %s with detectors %s did not run (exit %d); log %s", target,
                    setting_names[setting], r.status, log);
        return -1;
    }
    return (double)runs / r.seconds;
}

static json_t *target_row(const bn_config *c, const char *target)
{
    double rate[NSETTINGS][MAX_REPS], ratio[MAX_REPS];
    unsigned reps = c->fuzz_reps < MAX_REPS ? c->fuzz_reps : MAX_REPS;
    int findings = 0;
    json_t *row = json_pack("{s:s}", "target", target);
    for (unsigned r = 0; r < reps; r++) {
        bn_progress("detectors: %s, repetition %u of %u", target, r + 1, reps);
        for (int s = 0; s < NSETTINGS; s++) {
            int found = 0;
            rate[s][r] = fuzz_rate(c, target, s, r, &found);
            findings += found;
            if (rate[s][r] < 0) {
                json_object_set_new(row, "error", json_string("a fuzzing run failed"));
                return row;
            }
        }
        ratio[r] = rate[ON][r] / rate[OFF][r];
    }
    json_t *rates = json_object();
    for (int s = 0; s < NSETTINGS; s++)
        json_object_set_new(rates, setting_names[s], bn_real(bn_median(rate[s], reps)));
    json_object_set_new(row, "inputs_per_second", rates);
    json_object_set_new(row, "on_vs_off", bn_real(bn_median(ratio, reps)));
    json_object_set_new(row, "runs_ended_by_a_finding", json_integer(findings));
    return row;
}

json_t *bn_detectors(const bn_config *c)
{
    const char *targets[16];
    size_t n = bn_targets(targets, 16);
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, target_row(c, targets[i]));
    return json_pack("{s:s, s:{s:s, s:s}, s:f, s:i, s:o}", "build",
                     "sanitizer-free -O2 with libFuzzer coverage instrumentation", "settings", "on",
                     SPEC(ON), "off", SPEC(OFF), "seconds_per_run", c->fuzz_seconds, "repetitions",
                     (int)c->fuzz_reps, "rows", rows);
}
