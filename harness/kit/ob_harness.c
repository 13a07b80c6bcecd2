/*
** ob_harness.c: one input, decoded, run and judged, for every entry point alike.
*/
#include "ob_kit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ob_runner *runner;
static ob_program program; /* reused: a program is too large for the stack */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static ob_status init_status;

static void init(void)
{
    ob_options opt;
    init_status = ob_options_from_env(&opt);
    if (init_status == OB_OK)
        init_status = ob_runner_new(&opt, &runner);
    if (init_status == OB_OK && ob_harness_target.init)
        ob_harness_target.init();
}

static void judge(const ob_status st, const ob_outcome *o, ob_finding *f)
{
    memset(f, 0, sizeof *f);
    if (st == OB_EDEADLOCK) {
        f->klass = "deadlock";
        size_t n = 0;
        for (uint32_t t = 0; t < program.nthreads && n < sizeof f->message; t++)
            n += (size_t)snprintf(f->message + n, sizeof f->message - n, "%st%u %s %s",
                                  t ? "; " : "", t, o->blocked[t] ? "waits in" : "is at",
                                  o->positions[t] ? o->positions[t] : "start");
    } else if (o->check) {
        f->klass = "invariant";
        snprintf(f->message, sizeof f->message, "%s", o->check);
    }
}

static void report(const ob_finding *f)
{
    fprintf(stderr, "\n==ouroboros== finding: %s\n==ouroboros== %s\n==ouroboros== program:\n",
            f->klass, f->message);
    ob_program_print(&program, stderr);
    fprintf(stderr, "==ouroboros== end of finding\n");
}

ob_status ob_harness_run(const uint8_t *data, size_t size, ob_finding *f)
{
    pthread_once(&once, init);
    memset(f, 0, sizeof *f);
    if (init_status)
        return init_status;
    ob_program_clear(&program);
    ob_status st = ob_program_decode(&ob_harness_target, data, size, &program);
    if (st)
        return st;
    ob_outcome o;
    st = ob_run(runner, &program, &o);
    if (st != OB_OK && st != OB_EDEADLOCK)
        return st;
    judge(st, &o, f);
    if (f->klass)
        report(f);
    return OB_OK;
}
