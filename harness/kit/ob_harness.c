/*
** ob_harness.c: one input through every detector, for every entry point alike.
**
**   run (hang: watchdog armed) -> deadlock -> invariant -> stack -> leak -> growth
**
** Each judge returns 1 once it filled the finding; the first finding ends the input.
** Sanitizer findings (heap-use-after-free, data races, UB, stack overflows) end the
** process from inside the sanitizer: ob_sanitizer.c prints their finding block.
*/
#include "ob_depth.h"
#include "ob_features.h"
#include "ob_graph.h"
#include "ob_history.h"
#include "ob_kit.h"
#include "ob_pieces.h"
#include "ob_report.h"
#include "ob_run.h"
#include "ob_sanitizer.h"
#include "ob_watchdog.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_GAUGES = 32, PAGE = 4096, MIN_STACK = 16384 };

typedef struct harness {
    ob_detectors det;
    ob_options opt;
    ob_runner *runner;
    ob_runner *budget_runner; /* fibers cut to the stack budget */
    ob_runner *depth_runner;  /* fibers of OB_DEPTH_FIBER, to measure scaled inputs */
    void (*die)(void);
    const char *mode_defaults;
    uint64_t inputs;
    ob_status status;
} harness;

static harness H;
static pthread_once_t once = PTHREAD_ONCE_INIT;
/* Static: a program and a report are too large for fiber or signal stacks. */
static ob_program program;
static ob_report rep;
static ob_gauge_value gauge_values[MAX_GAUGES];
static int64_t gauges_before[MAX_GAUGES], gauges_after[MAX_GAUGES];
static const ob_stack no_stack;

static const ob_target *T(void)
{
    return &ob_harness_target;
}

static unsigned ngauges(void)
{
    return T()->ngauges < MAX_GAUGES ? T()->ngauges : MAX_GAUGES;
}

static void read_gauges(int64_t *v)
{
    for (unsigned i = 0; i < ngauges(); i++)
        v[i] = T()->gauges[i].read();
}

void ob_harness_defaults(const char *spec)
{
    H.mode_defaults = spec;
}

void ob_harness_on_fatal(void (*die)(void))
{
    H.die = die;
}

/* Fills the report and the caller's finding; prints the block. `detail` stands in for
   stack frames in the signature of findings that have none (a gauge, a message). */
static int emit(ob_finding *f, const char *klass, const ob_stack *stack, const char *detail,
                const char *fmt, ...)
{
    memset(&rep, 0, sizeof rep);
    rep.klass = klass;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep.message, sizeof rep.message, fmt, ap);
    va_end(ap);
    rep.stack = stack ? *stack : no_stack;
    rep.gauges = gauge_values;
    rep.ngauges = ngauges();
    rep.program = &program;
    if (detail && *detail) {
        char k[512];
        snprintf(k, sizeof k, "%s: %s", klass, detail);
        ob_signature(k, &no_stack, rep.signature, sizeof rep.signature, rep.slug);
    } else {
        ob_report_sign(&rep);
    }
    f->klass = klass;
    snprintf(f->message, sizeof f->message, "%s", rep.message);
    snprintf(f->signature, sizeof f->signature, "%s", rep.signature);
    memcpy(f->slug, rep.slug, sizeof f->slug);
    ob_report_write(stderr, &rep);
    ob_history_finding(rep.slug);
    fflush(stderr);
    return 1;
}

/* The frames every sample shares, outermost first, by function name: where the thread
   loops, whatever point of the loop each sample caught. Fills out innermost first. */
static const char *outermost(const ob_stack *s)
{
    return s->n ? s->frames[s->n - 1].func : "";
}

/* A sample interrupted where frame pointers are not kept walks only a few inner frames;
   keep the samples whose outermost frame is the most common one. */
static unsigned keep_whole_walks(ob_stack *samples, unsigned n)
{
    unsigned best = 0, best_count = 0, kept = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned count = 0;
        for (unsigned k = 0; k < n; k++)
            count += strcmp(outermost(&samples[i]), outermost(&samples[k])) == 0;
        if (count > best_count)
            best = i, best_count = count;
    }
    const char *mode = outermost(&samples[best]);
    for (unsigned k = 0; k < n; k++)
        if (strcmp(outermost(&samples[k]), mode) == 0)
            samples[kept++] = samples[k];
    return kept;
}

static void common_frames(ob_stack *samples, unsigned n, ob_stack *out)
{
    n = keep_whole_walks(samples, n);
    unsigned shared = samples[0].n;
    for (unsigned k = 1; k < n; k++) {
        unsigned d = 0;
        while (d < shared && d < samples[k].n &&
               strcmp(samples[0].frames[samples[0].n - 1 - d].func,
                      samples[k].frames[samples[k].n - 1 - d].func) == 0)
            d++;
        shared = d;
    }
    out->n = shared;
    for (unsigned i = 0; i < shared; i++)
        out->frames[i] = samples[0].frames[samples[0].n - shared + i];
}

/* The outermost three project frames every sample shares, outermost first: from the
   operation that hung inward. The innermost shared frame depends on where the samples
   happened to land in the loop; these do not. */
static void outer_project_frames(const ob_stack *s, char *buf, size_t len)
{
    size_t n = 0;
    unsigned named = 0;
    buf[0] = 0;
    for (unsigned i = s->n; i-- > 0 && named < 3 && n < len;) {
        if (!ob_frame_is_project(&s->frames[i]))
            continue;
        n += (size_t)snprintf(buf + n, len - n, "%s%s", named ? " > " : "", s->frames[i].func);
        named++;
    }
}

static void on_hang(uintptr_t (*pcs)[OB_MAX_FRAMES], const unsigned *npcs, unsigned nsamples)
{
    static ob_stack taken[OB_HANG_SAMPLES], stack;
    static ob_finding f;
    char where[512];
    ob_run_describe(where, sizeof where);
    unsigned used = 0;
    for (unsigned k = 0; k < nsamples; k++)
        if (npcs[k])
            ob_stack_symbolize(pcs[k], npcs[k], &taken[used++]);
    if (used)
        common_frames(taken, used, &stack);
    char detail[256];
    outer_project_frames(&stack, detail, sizeof detail);
    emit(&f, "hang", &stack, detail,
         "the input ran longer than %.2f s; %s; the stack below is what %u samples share",
         H.det.hang_seconds, where, used);
    /* Already reported: the abort that follows must not be reported again as a crash. */
    ob_sanitizer_set_program(NULL);
    H.die();
}

static void default_die(void)
{
    abort();
}

/* Compiled in by ob_fuzz_harness from its macro attributes; absent elsewhere. */
extern const char ob_harness_settings[] __attribute__((weak));

static ob_status configure(void)
{
    char err[256];
    static const char *const from[] = {"the entry point", "the target", "the BUILD file",
                                       "OB_DETECT"};
    ob_detectors_default(&H.det);
    const char *specs[] = {H.mode_defaults, T()->detect, ob_harness_settings, getenv("OB_DETECT")};
    for (unsigned i = 0; i < 4; i++) {
        if (ob_detectors_parse(&H.det, specs[i], err, sizeof err) != OB_OK) {
            fprintf(stderr, "ouroboros: %s (from %s)\n", err, from[i]);
            return OB_EINVAL;
        }
    }
    ob_status st = ob_options_from_env(&H.opt);
    if (!getenv("OB_FIBER_STACK") || !*getenv("OB_FIBER_STACK"))
        H.opt.fiber_stack = (size_t)H.det.fiber_stack * 1024;
    if (!getenv("OB_THREAD_STACK") || !*getenv("OB_THREAD_STACK"))
        H.opt.thread_stack = (size_t)H.det.thread_stack * 1024;
    return st;
}

static void init(void)
{
    if (!H.die)
        H.die = default_die;
    H.status = configure();
    if (H.status == OB_OK)
        H.status = ob_runner_new(&H.opt, &H.runner);
    if (H.status != OB_OK)
        return;
    ob_sanitizer_install();
    if (H.det.hang && ob_watchdog_start(on_hang) != 0)
        fprintf(stderr, "ouroboros: the hang watchdog could not start; hangs go undetected\n");
    if (T()->init)
        T()->init();
    ob_history_set_prefix(getenv("OB_HISTORY_PREFIX"));
}

static ob_status run_program(ob_runner *r, const ob_program *p, ob_outcome *o)
{
    if (H.det.hang)
        ob_watchdog_arm(H.det.hang_seconds);
    ob_status st = ob_run(r, p, o);
    if (H.det.hang)
        ob_watchdog_disarm();
    return st;
}

/* The input in flight. */
static ob_status run_watched(ob_runner *r, ob_outcome *o)
{
    if (r == H.runner && T()->persistent_setup)
        ob_history_note(&program);
    return run_program(r, &program, o);
}

static int judge_deadlock(ob_status st, const ob_outcome *o, ob_finding *f)
{
    if (st != OB_EDEADLOCK)
        return 0;
    char where[512] = "", detail[512] = "";
    size_t n = 0, d = 0;
    for (uint32_t t = 0; t < program.nthreads; t++) {
        const char *pos = o->positions[t] ? o->positions[t] : "start";
        n += (size_t)snprintf(where + n, n < sizeof where ? sizeof where - n : 0, "%st%u %s %s",
                              t ? "; " : "", t, o->blocked[t] ? "waits in" : "is at", pos);
        if (o->blocked[t] && !strstr(detail, pos))
            d += (size_t)snprintf(detail + d, d < sizeof detail ? sizeof detail - d : 0, "%s%s",
                                  d ? " + " : "", pos);
    }
    return emit(f, "deadlock", NULL, detail, "every unfinished logical thread waits: %s", where);
}

static int judge_invariant(const ob_outcome *o, ob_finding *f)
{
    if (!H.det.invariant || !o->check)
        return 0;
    return emit(f, "invariant", NULL, o->check, "the target's check failed: %s", o->check);
}

/* Reruns the input on stacks cut to the budget, so the recursion overflows there and the
   sanitizer's report names it, as klass; returns only if the rerun did not overflow. */
static void confirm_budget(size_t budget, const char *klass, const char *message)
{
    if (!H.budget_runner) {
        ob_options opt = H.opt;
        opt.executor = OB_EXEC_FIBERS;
        opt.fiber_stack = budget / PAGE * PAGE < MIN_STACK ? MIN_STACK : budget / PAGE * PAGE;
        if (ob_runner_new(&opt, &H.budget_runner) != OB_OK)
            return;
    }
    ob_outcome o;
    ob_sanitizer_expect_overflow(klass, message);
    run_watched(H.budget_runner, &o);
    ob_sanitizer_expect_overflow(NULL, NULL);
}

/* The deepest stack any of a run's first n logical threads used. */
static size_t deepest_of(const ob_outcome *o, unsigned n)
{
    size_t deepest = 0;
    for (unsigned t = 0; t < n; t++)
        if (o->stack_used[t] > deepest)
            deepest = o->stack_used[t];
    return deepest;
}

/* The input with its repeats scaled by scale i, run on 16 MiB fibers: its deepest stack,
   or OB_DEPTH_UNKNOWN when a limit cut the scaled expansion. An overflow even there ends
   the process as the stack-budget finding it is (the caller arranged the report). */
static size_t depth_at(unsigned i)
{
    static ob_program scaled; /* static: too large for fiber stacks */
    uint8_t *bytes = NULL;
    size_t n = 0, deepest = OB_DEPTH_UNKNOWN;
    if (!H.depth_runner) {
        ob_options opt = H.opt;
        opt.executor = OB_EXEC_FIBERS;
        opt.fiber_stack = OB_DEPTH_FIBER;
        if (ob_runner_new(&opt, &H.depth_runner) != OB_OK)
            return OB_DEPTH_UNKNOWN;
    }
    if (ob_program_rescaled(&program, ob_depth_num[i], ob_depth_den[i], &bytes, &n) != OB_OK)
        return OB_DEPTH_UNKNOWN;
    ob_status st = ob_program_decode(T(), bytes, n, &scaled);
    free(bytes);
    if (st != OB_OK)
        return OB_DEPTH_UNKNOWN;
    int cut = ob_program_rescale_cut(&program, &scaled, ob_depth_num[i], ob_depth_den[i]);
    ob_outcome o;
    if (!cut && run_program(H.depth_runner, &scaled, &o) == OB_OK)
        deepest = deepest_of(&o, scaled.nthreads);
    ob_program_clear(&scaled);
    return deepest;
}

/* Whether the recursion grows with the input (ob_depth.h); depth[] gets what was measured. */
static int keeps_growing(const char *message, size_t depth[OB_DEPTH_SCALES])
{
    for (unsigned i = 0; i < OB_DEPTH_SCALES; i++)
        depth[i] = OB_DEPTH_UNKNOWN;
    if (!ob_program_repeats(&program))
        return -1;
    ob_sanitizer_expect_overflow("stack-budget", message);
    for (unsigned i = 0; i < OB_DEPTH_SCALES; i++)
        depth[i] = depth_at(i);
    ob_sanitizer_expect_overflow(NULL, NULL);
    return ob_depth_keeps_growing(depth);
}

static int judge_stack(const ob_outcome *o, ob_finding *f)
{
    if (!H.det.stack || !o->stack_size)
        return 0;
    size_t budget = o->stack_size / 100 * H.det.stack_budget;
    unsigned worst = 0;
    for (unsigned t = 1; t < program.nthreads; t++)
        if (o->stack_used[t] > o->stack_used[worst])
            worst = t;
    if (o->stack_used[worst] <= budget)
        return 0;
    char message[512];
    snprintf(message, sizeof message,
             "logical thread t%u used %zu of its %zu stack bytes; the budget is %u%% (%zu bytes)",
             worst, o->stack_used[worst], o->stack_size, H.det.stack_budget, budget);
    size_t depth[OB_DEPTH_SCALES];
    if (keeps_growing(message, depth) == 0) {
        size_t need = ob_depth_fiber_for(depth[3], H.det.stack_budget) / 1024;
        snprintf(message, sizeof message,
                 "logical thread t%u used %zu of its %zu stack bytes, more than the %u%% budget; "
                 "but the recursion stops however the input's repeats scale (x1/8: %zu, x1: %zu, "
                 "x4: %zu bytes), so it is bounded: fibers of %zu KiB hold it (fiber_stack = %zu)",
                 worst, o->stack_used[worst], o->stack_size, H.det.stack_budget, depth[1], depth[3],
                 depth[5], need, need);
        confirm_budget(budget, "stack-bounded", message);
        return emit(f, "stack-bounded", NULL, "no overflow on the budget-sized rerun", "%s",
                    message);
    }
    confirm_budget(budget, "stack-budget", message);
    return emit(f, "stack-budget", NULL, "no overflow on the budget-sized rerun", "%s", message);
}

/* Like libFuzzer: a target whose heap keeps growing into global state without leaking
   would pay for a full leak check on every input, so fruitless checks are capped. */
static int lsan_attempts_left(void)
{
    enum { MAX_FRUITLESS_CHECKS = 1000 };
    static unsigned checks;
    if (checks == MAX_FRUITLESS_CHECKS)
        return 0;
    if (++checks == MAX_FRUITLESS_CHECKS)
        fprintf(stderr,
                "ouroboros: INFO: %d LeakSanitizer checks found nothing; no more "
                "(the target keeps memory in global state)\n",
                MAX_FRUITLESS_CHECKS);
    return 1;
}

static int judge_leak(uint64_t heap_before, ob_finding *f)
{
    if (!H.det.leak)
        return 0;
    int changed = 0;
    char names[256] = "";
    size_t n = 0;
    for (unsigned i = 0; i < ngauges(); i++) {
        gauge_values[i] = (ob_gauge_value){T()->gauges[i].name, gauges_before[i], gauges_after[i]};
        if (T()->gauges[i].kind == OB_GAUGE_BALANCED &&
            gauge_values[i].after != gauge_values[i].before) {
            changed = 1;
            n += (size_t)snprintf(names + n, n < sizeof names ? sizeof names - n : 0, "%s%s",
                                  n ? "," : "", gauge_values[i].name);
        }
    }
    if (changed) {
        char cycle[512], types[256];
        ob_graph_describe(T(), cycle, sizeof cycle, types, sizeof types);
        return emit(f, "leak", NULL, *types ? types : names,
                    "gauges did not return to their values from before the input (%s)%s%s", names,
                    *cycle ? "; the cycle that keeps them alive: " : "", cycle);
    }
    if (H.det.lsan && ob_heap_bytes() > heap_before && lsan_attempts_left()) {
        static ob_stack stack;
        if (ob_sanitizer_leak_check(&stack))
            return emit(f, "leak", &stack, NULL, "LeakSanitizer found memory no longer reachable");
    }
    return 0;
}

/* A measure of the growth detector, sampled after each run. */
static unsigned sample(int64_t *m)
{
    m[0] = (int64_t)ob_heap_bytes();
    m[1] = (int64_t)ob_heap_blocks();
    read_gauges(m + 2);
    return 2 + ngauges();
}

static const char *measure_name(unsigned i)
{
    return i == 0 ? "heap_bytes" : i == 1 ? "heap_blocks" : T()->gauges[i - 2].name;
}

/* A rerun of the same program broke the target's check: state the first run left behind
   (one teardown or reset does not undo) is the bug, signed as the same invariant. */
static int rerun_broke(const ob_outcome *o, unsigned run, ob_finding *f)
{
    if (!H.det.invariant || !o->check)
        return 0;
    return emit(f, "invariant", NULL, o->check,
                "the target's check failed when the growth detector ran the same program again "
                "(run %u of it): %s",
                run + 1, o->check);
}

static int judge_growth(ob_finding *f)
{
    if (!H.det.growth || H.inputs % H.det.growth_every != 0)
        return 0;
    static int64_t m[101][2 + MAX_GAUGES];
    ob_outcome o;
    unsigned runs = H.det.growth_runs, warm = H.det.growth_warmup ? H.det.growth_warmup - 1 : 0;
    for (unsigned i = 0; i < warm; i++)
        if (run_watched(H.runner, &o) != OB_OK || o.check)
            return rerun_broke(&o, 1 + i, f);
    unsigned nm = sample(m[0]);
    for (unsigned r = 1; r <= runs; r++) {
        if (run_watched(H.runner, &o) != OB_OK || o.check)
            return rerun_broke(&o, warm + r, f);
        sample(m[r]);
    }
    /* Gauges first: they name the bug better than heap totals do. */
    for (unsigned k = 0; k < nm; k++) {
        unsigned i = (k + 2) % nm;
        if (i < 2 && !ob_heap_available())
            continue;
        unsigned up = 0;
        char deltas[256] = "";
        size_t n = 0;
        for (unsigned r = 1; r <= runs; r++) {
            up += m[r][i] > m[r - 1][i];
            n += (size_t)snprintf(deltas + n, n < sizeof deltas ? sizeof deltas - n : 0, " %+lld",
                                  (long long)(m[r][i] - m[r - 1][i]));
        }
        if (up == runs) {
            /* The gauges as the reruns saw them, so "after" is what grew, not the input's own. */
            for (unsigned g = 0; g < ngauges(); g++)
                gauge_values[g] =
                    (ob_gauge_value){T()->gauges[g].name, m[0][2 + g], m[runs][2 + g]};
            emit(f, "growth", NULL, measure_name(i),
                 "%s grew on every one of %u repeated runs of the same program (after %u "
                 "warm-up runs):%s per run",
                 measure_name(i), runs, H.det.growth_warmup, deltas);
            ob_heap_print_top_sites();
            return 1;
        }
    }
    return 0;
}

/* Before the judges: their reruns (budget, growth) must not stand for this input. */
static void note_features(const ob_outcome *o, uint64_t heap_before)
{
    if (!H.det.features)
        return;
    ob_features_note(deepest_of(o, program.nthreads),
                     (int64_t)ob_heap_bytes() - (int64_t)heap_before, gauges_before, gauges_after,
                     ngauges());
}

static void judge(ob_status st, const ob_outcome *o, uint64_t heap_before, ob_finding *f)
{
    if (judge_deadlock(st, o, f) || judge_invariant(o, f) || judge_stack(o, f))
        return;
    if (judge_leak(heap_before, f))
        return;
    judge_growth(f);
}

/* One run of data with no detector judging it; o gets what it did. */
static ob_status run_unjudged(const uint8_t *data, size_t size, ob_outcome *o)
{
    pthread_once(&once, init);
    memset(o, 0, sizeof *o);
    if (H.status != OB_OK)
        return H.status;
    ob_program_clear(&program);
    ob_status st = ob_program_decode(T(), data, size, &program);
    if (st != OB_OK)
        return st;
    ob_history_begin_input();
    st = run_watched(H.runner, o);
    return st == OB_EDEADLOCK ? OB_OK : st;
}

ob_status ob_harness_stack_use(const uint8_t *data, size_t size, ob_stack_use *u)
{
    ob_outcome o;
    memset(u, 0, sizeof *u);
    ob_status st = run_unjudged(data, size, &o);
    u->fiber_stack = H.det.fiber_stack ? (size_t)H.det.fiber_stack * 1024 : 64 * 1024;
    u->budget = H.det.stack_budget;
    u->deepest = deepest_of(&o, program.nthreads);
    return st;
}

ob_status ob_harness_run_once(const uint8_t *data, size_t size)
{
    ob_outcome o;
    return run_unjudged(data, size, &o);
}

ob_status ob_harness_run(const uint8_t *data, size_t size, ob_finding *f)
{
    pthread_once(&once, init);
    memset(f, 0, sizeof *f);
    if (H.status != OB_OK)
        return H.status;
    ob_program_clear(&program);
    ob_status st = ob_program_decode(T(), data, size, &program);
    if (st != OB_OK)
        return st;
    H.inputs++;
    ob_history_begin_input();
    read_gauges(gauges_before);
    for (unsigned i = 0; i < ngauges(); i++)
        gauge_values[i] = (ob_gauge_value){T()->gauges[i].name, gauges_before[i], 0};
    uint64_t heap_before = ob_heap_bytes();
    ob_sanitizer_set_program(&program);
    ob_outcome o;
    st = run_watched(H.runner, &o);
    if (st == OB_OK || st == OB_EDEADLOCK) {
        /* Once for both the features and the leak judge: no rerun comes between them. */
        read_gauges(gauges_after);
        note_features(&o, heap_before);
        judge(st, &o, heap_before, f);
        st = OB_OK;
    }
    ob_sanitizer_set_program(NULL);
    return st;
}
