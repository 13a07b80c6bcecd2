/*
** ou_proc.c: child processes: started with their group, files and environment, waited
** for with deadlines, their stderr captured (see ou_util.h).
*/
#define _XOPEN_SOURCE 700

#include "harness/util/ou_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

double ou_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ou_exit_status(int wait_status)
{
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

void ou_signal(pid_t pid, int sig)
{
    if (pid > 0 && kill(-pid, sig) != 0)
        kill(pid, sig);
}

/* ---- in the child ---- */

static int open_output(const char *path, int append)
{
    return open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0666);
}

/* stdin from /dev/null; stdout and stderr to their files (one file when both name it),
   stderr to err_pipe when it is open. */
static int redirect(const ou_cmd *cmd, int err_pipe)
{
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in < 0 || dup2(in, 0) < 0)
        return -1;
    int out = cmd->out ? open_output(cmd->out, cmd->append) : -1;
    if (cmd->out && (out < 0 || dup2(out, 1) < 0))
        return -1;
    if (err_pipe >= 0)
        return dup2(err_pipe, 2) < 0 ? -1 : 0;
    if (!cmd->err)
        return 0;
    int err =
        cmd->out && strcmp(cmd->out, cmd->err) == 0 ? out : open_output(cmd->err, cmd->append);
    return err < 0 || dup2(err, 2) < 0 ? -1 : 0;
}

static void set_env(const ou_cmd *cmd)
{
    for (const char *const *u = cmd->unset; u && *u; u++)
        unsetenv(*u);
    for (const char *const *e = cmd->env; e && *e; e++)
        putenv((char *)*e);
}

/* Everything but the command: group, parent death, environment, folder, files. */
static int child_setup(const ou_cmd *cmd, pid_t parent, int err_pipe)
{
    if (cmd->own_group)
        setpgid(0, 0);
#if defined(__linux__)
    /* A parent gone before the prctl would never send the signal. */
    if (cmd->die_with_parent && (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent))
        _exit(127);
#else
    (void)parent;
#endif
    set_env(cmd);
    if (cmd->cwd && chdir(cmd->cwd) != 0)
        return -1;
    return redirect(cmd, err_pipe);
}

/* fork, with the group made on both sides: a signal to it may follow at once. */
static pid_t start(const ou_cmd *cmd, int err_pipe)
{
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid > 0 && cmd->own_group)
        setpgid(pid, pid);
    if (pid == 0 && child_setup(cmd, parent, err_pipe) != 0) {
        dprintf(2, "cannot start a child in %s: %s\n", cmd->cwd ? cmd->cwd : ".", strerror(errno));
        _exit(127);
    }
    return pid;
}

static void exec_child(const ou_cmd *cmd)
{
    /* A caught signal is reset by exec, an ignored one is not: a driver started in the
       background must still be able to stop its children. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    execv(cmd->argv[0], (char *const *)cmd->argv);
    dprintf(2, "cannot run %s: %s\n", cmd->argv[0], strerror(errno));
    _exit(127);
}

pid_t ou_fork(const ou_cmd *cmd)
{
    return start(cmd, -1);
}

pid_t ou_spawn(const ou_cmd *cmd)
{
    pid_t pid = start(cmd, -1);
    if (pid == 0)
        exec_child(cmd);
    return pid;
}

/* ---- waiting ---- */

typedef struct waiter {
    const ou_cmd *cmd;
    pid_t pid;
    int fd; /* the stderr pipe's read end, or -1 */
    double start, interrupted_at;
    ou_result *r;
} waiter;

/* Hands what the pipe holds to on_output; closes it at its end. Waits at most ms. */
static void read_output(waiter *w, int ms)
{
    struct pollfd p = {w->fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0)
        return;
    char buf[4096];
    ssize_t n = read(w->fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return;
    if (n > 0) {
        w->cmd->on_output(w->cmd->ctx, buf, (size_t)n);
        return;
    }
    close(w->fd);
    w->fd = -1;
}

/* Short waits at first, so a quick child is timed closely; longer ones later, so a slow
   one costs little: never more than 1% of the time it has run, past 2 ms. */
static int tick_ms(double seconds)
{
    int ms = (int)(seconds * 10);
    return ms < 2 ? 2 : ms > 20 ? 20 : ms;
}

static void pause_a_tick(waiter *w, double seconds)
{
    int ms = tick_ms(seconds);
    if (w->fd >= 0) {
        read_output(w, ms);
        return;
    }
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void apply_deadlines(waiter *w, double t)
{
    const ou_cmd *c = w->cmd;
    ou_result *r = w->r;
    int stopped = c->stop && *c->stop;
    if (!r->interrupted && ((c->interrupt > 0 && t >= c->interrupt) || stopped)) {
        ou_signal(w->pid, SIGINT);
        r->interrupted = 1;
        w->interrupted_at = t;
    }
    if (!r->killed && ((c->timeout > 0 && t >= c->timeout) ||
                       (stopped && c->grace > 0 && t >= w->interrupted_at + c->grace))) {
        ou_signal(w->pid, SIGKILL);
        r->killed = 1;
    }
}

/* After the exit: what the pipe still holds (without waiting on a grandchild that keeps
   it open), then whatever the child left in its group. */
static void finish(waiter *w)
{
    while (w->fd >= 0) {
        struct pollfd p = {w->fd, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0)
            break;
        read_output(w, 0);
    }
    if (w->fd >= 0)
        close(w->fd);
    if (w->cmd->own_group)
        kill(-w->pid, SIGKILL);
}

static int wait_for(waiter *w)
{
    for (;;) {
        int status = 0;
        pid_t got = waitpid(w->pid, &status, WNOHANG);
        double t = ou_monotonic() - w->start;
        if (got == w->pid) {
            w->r->seconds = t;
            w->r->status = ou_exit_status(status);
            finish(w);
            return 0;
        }
        if (got < 0 && errno != EINTR) {
            finish(w);
            return -1;
        }
        apply_deadlines(w, t);
        if (w->cmd->on_tick)
            w->cmd->on_tick(w->cmd->ctx, t);
        pause_a_tick(w, t);
    }
}

int ou_run(const ou_cmd *cmd, ou_result *r)
{
    memset(r, 0, sizeof *r);
    int fds[2] = {-1, -1};
    if (cmd->on_output && pipe(fds) != 0)
        return -1;
    /* Neither end may outlive the exec: the child writes through its dup on stderr. */
    for (int i = 0; i < 2 && fds[i] >= 0; i++)
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    waiter w = {.cmd = cmd, .fd = fds[0], .r = r, .start = ou_monotonic()};
    w.pid = start(cmd, fds[1]);
    if (w.pid == 0) {
        close(fds[0]);
        exec_child(cmd);
    }
    if (fds[1] >= 0)
        close(fds[1]);
    if (w.pid < 0) {
        if (fds[0] >= 0)
            close(fds[0]);
        return -1;
    }
    return wait_for(&w);
}
