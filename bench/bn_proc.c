/*
** bn_proc.c: child processes with a deadline (see bn_proc.h).
*/
#define _XOPEN_SOURCE 700

#include "bench/bn_proc.h"
#include "bench/bn_bench.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The group of the child running now, for the driver's own interrupt: children lead
   groups of their own, so the terminal's Ctrl-C reaches only the driver. */
static volatile sig_atomic_t running_group;

static void stop_child_and_die(int sig)
{
    if (running_group > 0)
        kill(-running_group, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

double bn_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void redirect(const char *path, int fd)
{
    int to = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (to < 0 || dup2(to, fd) < 0)
        _exit(127);
    close(to);
}

/* In the child: its own group, its environment, its files, then the command. */
static void child(const bn_cmd *cmd)
{
    static const char *const cleared[] = {"OB_DETECT", "OB_EXECUTOR", "OB_FIBER_STACK",
                                          "OB_THREAD_STACK"};
    setpgid(0, 0);
    for (size_t i = 0; i < sizeof cleared / sizeof cleared[0]; i++)
        unsetenv(cleared[i]);
    for (const char *const *e = cmd->env; e && *e; e++)
        putenv((char *)*e);
    if (cmd->cwd && chdir(cmd->cwd) != 0)
        _exit(127);
    redirect(cmd->out, 1);
    redirect(cmd->err, 2);
    execv(cmd->argv[0], (char *const *)cmd->argv);
    _exit(127);
}

static int decode_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int bn_run(const bn_cmd *cmd, bn_result *r)
{
    memset(r, 0, sizeof *r);
    fflush(NULL);
    double start = bn_now(), last_note = start;
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench: cannot start %s: %s\n", cmd->argv[0], strerror(errno));
        return -1;
    }
    if (pid == 0)
        child(cmd);
    /* Also here: the group must exist before a kill names it. */
    setpgid(pid, pid);
    running_group = pid;
    signal(SIGINT, stop_child_and_die);
    signal(SIGTERM, stop_child_and_die);
    int status = 0;
    const struct timespec tick = {0, 2000000}; /* 2 ms: well under what is measured */
    while (waitpid(pid, &status, WNOHANG) == 0) {
        double now = bn_now();
        if (cmd->interrupt > 0 && now - start >= cmd->interrupt && !r->interrupted) {
            kill(-pid, SIGINT);
            r->interrupted = 1;
        }
        if (cmd->timeout > 0 && now - start >= cmd->timeout && !r->killed) {
            kill(-pid, SIGKILL);
            r->killed = 1;
        }
        if (cmd->progress && now - last_note >= 15) {
            bn_progress("%s: %.0f s so far", cmd->progress, now - start);
            last_note = now;
        }
        nanosleep(&tick, NULL);
    }
    r->seconds = bn_now() - start;
    running_group = 0;
    /* Whatever the command left running in its group goes with it. */
    kill(-pid, SIGKILL);
    r->status = decode_status(status);
    if (r->status == 127 && !r->killed)
        fprintf(stderr, "bench: %s could not be run\n", cmd->argv[0]);
    return 0;
}
