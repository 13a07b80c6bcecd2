/*
** bn_proc.c: the benchmark's children (see bn_proc.h).
*/
#include "bench/bn_proc.h"
#include "bench/bn_bench.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* A child that ignores the driver's stop this long after its SIGINT is killed. */
static const double STOP_GRACE = 2;
static const double PROGRESS_EVERY = 15;

/* The driver's own SIGINT or SIGTERM: children lead groups of their own, so the
   terminal's Ctrl-C reaches only the driver, which stops the child, then dies of it. */
static volatile sig_atomic_t stop_signal, child_running;

static void on_signal(int sig)
{
    stop_signal = sig;
    if (!child_running) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

typedef struct progress {
    const char *what;
    double last;
} progress;

static void note_progress(void *ctx, double seconds)
{
    progress *p = ctx;
    if (p->what && seconds - p->last >= PROGRESS_EVERY) {
        bn_progress("%s: %.0f s so far", p->what, seconds);
        p->last = seconds;
    }
}

int bn_run(const bn_cmd *cmd, ou_result *r)
{
    static const char *const cleared[] = {"OB_DETECT", "OB_EXECUTOR", "OB_FIBER_STACK",
                                          "OB_THREAD_STACK", NULL};
    progress p = {cmd->progress, 0};
    ou_cmd c = {.argv = cmd->argv,
                .env = cmd->env,
                .unset = cleared,
                .cwd = cmd->cwd,
                .out = cmd->out ? cmd->out : "/dev/null",
                .err = cmd->err ? cmd->err : "/dev/null",
                .own_group = 1,
                .die_with_parent = 1,
                .interrupt = cmd->interrupt,
                .timeout = cmd->timeout,
                .stop = &stop_signal,
                .grace = STOP_GRACE,
                .on_tick = note_progress,
                .ctx = &p};
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    child_running = 1;
    int rc = ou_run(&c, r);
    child_running = 0;
    if (stop_signal) {
        signal(stop_signal, SIG_DFL);
        raise(stop_signal);
    }
    if (rc) {
        fprintf(stderr, "bench: cannot start %s: %s\n", cmd->argv[0], strerror(errno));
        return -1;
    }
    if (r->status == 127 && !r->killed)
        fprintf(stderr, "bench: %s could not be run\n", cmd->argv[0]);
    return 0;
}
