/*
** bn_proc.h: the benchmark's child processes: run one command with a deadline, time it,
** keep its output in files (internal to //bench:bench).
**
** Each child leads its own process group, so a deadline kills everything it started
** (libFuzzer's -minimize_crash and the minimizer run children of their own) and nothing
** else. The ouroboros settings variables (OB_DETECT, OB_EXECUTOR, OB_FIBER_STACK,
** OB_THREAD_STACK) are cleared in the child before the command's own are set, so the
** user's shell does not change what is measured.
*/
#ifndef BN_PROC_H
#define BN_PROC_H

#if !defined(BN_INTERNAL)
#error "bn_proc.h is internal to the benchmark driver (//bench:bench)"
#endif

typedef struct bn_cmd {
    const char *const *argv; /* argv[0] is a path; NULL-terminated */
    const char *const *env;  /* extra "NAME=VALUE" entries, NULL-terminated; or NULL */
    const char *cwd;         /* or NULL: the driver's */
    const char *out;         /* stdout goes here (truncated), or NULL: /dev/null */
    const char *err;         /* stderr likewise */
    double interrupt;        /* seconds of wall clock before the group gets SIGINT (libFuzzer then
                                prints its final stats and exits); 0: never */
    double timeout;          /* seconds of wall clock before the group is killed; 0: never */
    const char *progress;    /* when set, a progress line every 15 s names the command */
} bn_cmd;

typedef struct bn_result {
    int status;      /* exit code, or 128 + the signal that ended it */
    int interrupted; /* 1 when it was still running at its interrupt time */
    int killed;      /* 1 when the deadline ended it */
    double seconds;  /* wall clock from fork to exit */
} bn_result;

/* Runs cmd and waits for it. Returns 0 with *r filled, or -1 when no child could be
   started (a message is printed). */
int bn_run(const bn_cmd *cmd, bn_result *r);

/* Seconds on the monotonic clock. */
double bn_now(void);

#endif
