/*
** bn_proc.h: how the benchmark runs a child (internal to //bench:bench): ou_run with the
** benchmark's rules. Each child leads its own process group, so a deadline kills
** everything it started (libFuzzer's -minimize_crash and the minimizer run children of
** their own) and nothing else; a Ctrl-C of the driver stops the running child first. The
** ouroboros settings variables (OB_DETECT, OB_EXECUTOR, OB_FIBER_STACK, OB_THREAD_STACK)
** are cleared in the child before the command's own are set, so the user's shell does not
** change what is measured.
*/
#ifndef BN_PROC_H
#define BN_PROC_H

#if !defined(BN_INTERNAL)
#error "bn_proc.h is internal to the benchmark driver (//bench:bench)"
#endif

#include "harness/util/ou_util.h"

typedef struct bn_cmd {
    const char *const *argv; /* argv[0] is a path; NULL-terminated */
    const char *const *env;  /* extra "NAME=VALUE" entries, NULL-terminated; or NULL */
    const char *cwd;         /* or NULL: the driver's */
    const char *out;         /* stdout goes here (truncated), or NULL: /dev/null */
    const char *err;         /* stderr likewise (one file when it is out's) */
    double interrupt;        /* seconds of wall clock before the group gets SIGINT (libFuzzer then
                                prints its final stats and exits); 0: never */
    double timeout;          /* seconds of wall clock before the group is killed; 0: never */
    const char *progress;    /* when set, a progress line every 15 s names the command */
} bn_cmd;

/* Runs cmd and waits for it. Returns 0 with *r filled (its status is the exit code, or
   128 + the signal that ended it), or -1 when no child could be started (a message is
   printed). */
int bn_run(const bn_cmd *cmd, ou_result *r);

#endif
