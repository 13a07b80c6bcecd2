/*
** cp_proc.c: child processes and stop requests. Every child runs in its own process group,
** so a stop reaches the grandchildren too (libFuzzer's merge workers, the tool's replays),
** and a terminal's Ctrl-C reaches only the driver, which decides what to stop and how.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cp_stopping;
int cp_spawn_new_group = 1;

static void on_stop(int sig)
{
    (void)sig;
    cp_stopping = 1;
}

void cp_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

long long cp_now(void)
{
    return (long long)time(NULL);
}

double cp_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cp_env_for(const cp_harness *h, cp_env *env)
{
    env->n = 0;
    if (h->tsan) {
        env->names[env->n] = "OB_EXECUTOR";
        env->values[env->n++] = "pool";
    }
}

pid_t cp_spawn(char *const argv[], const cp_env *env, const char *log, int append)
{
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "campaign: cannot start %s: %s\n", argv[0], strerror(errno));
        return -1;
    }
    if (pid > 0) {
        if (cp_spawn_new_group)
            setpgid(pid, pid);
        return pid;
    }
    if (cp_spawn_new_group)
        setpgid(0, 0);
    /* Nothing outlives the driver, even a SIGKILLed one: a rerun would find it at work. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    for (int i = 0; env && i < env->n; i++)
        setenv(env->names[i], env->values[i], 1);
    int fd = open(log ? log : "/dev/null",
                  O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0666);
    int in = open("/dev/null", O_RDONLY);
    if (fd < 0 || in < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || dup2(in, 0) < 0)
        _exit(127);
    execv(argv[0], argv);
    dprintf(2, "campaign: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

void cp_signal_group(pid_t pid, int sig)
{
    if (pid > 0 && kill(-pid, sig) != 0)
        kill(pid, sig); /* not a group leader: a triage child's own child */
}

static int status_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cp_run(char *const argv[], const cp_env *env, const char *log)
{
    return cp_run_limited(argv, env, log, 0);
}

int cp_run_limited(char *const argv[], const cp_env *env, const char *log, double seconds)
{
    pid_t pid = cp_spawn(argv, env, log, 1);
    if (pid < 0)
        return -1;
    int status = 0, signalled = 0;
    double deadline = 0, limit = seconds > 0 ? cp_monotonic() + seconds : 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status_code(status);
        if (r < 0 && errno != EINTR)
            return -1;
        if ((cp_stopping || (limit && cp_monotonic() > limit)) && !signalled) {
            /* SIGINT first: libFuzzer then leaves a merge control file ready to resume. */
            cp_signal_group(pid, SIGINT);
            signalled = 1;
            deadline = cp_monotonic() + 10;
        } else if (signalled == 1 && cp_monotonic() > deadline) {
            cp_signal_group(pid, SIGKILL);
            signalled = 2;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}
