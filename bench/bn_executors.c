/*
** bn_executors.c: section 1, the executors. Each target's programs (exec_bench.c) run
** for exec_seconds in four modes back to back: direct calls on one thread, the fiber
** executor, a pthread per logical thread per input, the thread pool. Reported per
** target: the median, over repetitions, of the ratios fibers/direct and pool/threads of
** inputs per second (a repetition's four modes run within seconds of each other, so
** drift of a shared machine mostly cancels in its ratios), and each mode's median rate.
**
** Built sanitizer-free at -O2 without coverage instrumentation (--config=opt's flags,
** bench/opt/): the executors as a library user's build would run them.
*/
#include "bench/bn_bench.h"
#include "bench/bn_proc.h"

#include <stdio.h>
#include <stdlib.h>

enum { DIRECT, FIBERS, THREADS, POOL, NMODES, MAX_REPS = 64 };
static const char *const mode_names[NMODES] = {"direct", "fibers", "threads", "pool"};

/* Inputs per second of one mode, or -1 with a message. */
static double measure(const bn_config *c, const char *target, int mode)
{
    char exe[256], seeds[256], secs[32], out[4200], err[4200];
    snprintf(exe, sizeof exe, "bench/opt/bench/exec_%s", target);
    snprintf(seeds, sizeof seeds, "harness/%s/%s_corpus", target, target);
    snprintf(secs, sizeof secs, "%g", c->exec_seconds);
    snprintf(out, sizeof out, "%s/exec.out", c->scratch);
    snprintf(err, sizeof err, "%s/exec.err", c->scratch);
    const char *argv[] = {exe, mode_names[mode], secs, seeds, NULL};
    bn_cmd cmd = {.argv = argv, .out = out, .err = err, .timeout = c->exec_seconds + 60};
    ou_result r;
    char *text = bn_run(&cmd, &r) == 0 && r.status == 0 ? ou_read_file(out, NULL) : NULL;
    double runs = 0, seconds = 0;
    int ok = text && sscanf(text, "%lf %lf", &runs, &seconds) == 2 && runs > 0 && seconds > 0;
    free(text);
    if (!ok) {
        bn_progress("executors: %s %s failed (exit %d); see its stderr:", target, mode_names[mode],
                    r.status);
        char *log = ou_read_file(err, NULL);
        fprintf(stderr, "%s\n", log ? log : "(none)");
        free(log);
        return -1;
    }
    return runs / seconds;
}

static json_t *target_row(const bn_config *c, const char *target)
{
    double rate[NMODES][MAX_REPS], fibers_ratio[MAX_REPS], pool_ratio[MAX_REPS];
    unsigned reps = c->exec_reps < MAX_REPS ? c->exec_reps : MAX_REPS;
    json_t *row = json_pack("{s:s}", "target", target);
    for (unsigned r = 0; r < reps; r++) {
        bn_progress("executors: %s, repetition %u of %u", target, r + 1, reps);
        for (int m = 0; m < NMODES; m++) {
            rate[m][r] = measure(c, target, m);
            if (rate[m][r] < 0) {
                json_object_set_new(row, "error", json_string("a measurement failed"));
                return row;
            }
        }
        fibers_ratio[r] = rate[FIBERS][r] / rate[DIRECT][r];
        pool_ratio[r] = rate[POOL][r] / rate[THREADS][r];
    }
    json_t *rates = json_object();
    for (int m = 0; m < NMODES; m++)
        json_object_set_new(rates, mode_names[m], bn_real(bn_median(rate[m], reps)));
    json_object_set_new(row, "inputs_per_second", rates);
    json_object_set_new(row, "fibers_vs_direct", bn_real(bn_median(fibers_ratio, reps)));
    json_object_set_new(row, "pool_vs_threads", bn_real(bn_median(pool_ratio, reps)));
    return row;
}

json_t *bn_executors(const bn_config *c)
{
    const char *targets[16];
    size_t n = bn_targets(targets, 16);
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, target_row(c, targets[i]));
    return json_pack("{s:s, s:f, s:i, s:o}", "build",
                     "sanitizer-free -O2, no coverage instrumentation (--config=opt flags)",
                     "seconds_per_measurement", c->exec_seconds, "repetitions", (int)c->exec_reps,
                     "rows", rows);
}
