/*
** cp_proc.c: the campaign's children and stop requests. Every child runs in its own process
** group, so a stop reaches the grandchildren too (libFuzzer's merge workers, the tool's
** replays), and a terminal's Ctrl-C reaches only the driver, which decides what to stop and
** how. Nothing outlives the driver, even a SIGKILLed one: a rerun would find it at work.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A stopped child gets this long between SIGINT and SIGKILL: libFuzzer then leaves a
   merge control file ready to resume. */
static const double STOP_GRACE = 10;

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

void cp_env_for(const cp_harness *h, cp_env *env)
{
    memset(env, 0, sizeof *env);
    if (h->tsan)
        env->vars[0] = "OB_EXECUTOR=pool";
}

static ou_cmd child(char *const argv[], const cp_env *env, const char *log, int append)
{
    return (ou_cmd){.argv = (const char *const *)argv,
                    .env = env ? env->vars : NULL,
                    .out = log ? log : "/dev/null",
                    .err = log ? log : "/dev/null",
                    .append = append,
                    .own_group = cp_spawn_new_group,
                    .die_with_parent = 1};
}

pid_t cp_spawn(char *const argv[], const cp_env *env, const char *log, int append)
{
    ou_cmd cmd = child(argv, env, log, append);
    pid_t pid = ou_spawn(&cmd);
    if (pid < 0)
        fprintf(stderr, "campaign: cannot start %s: %s\n", argv[0], strerror(errno));
    return pid;
}

pid_t cp_fork(const char *log)
{
    ou_cmd cmd = child(NULL, NULL, log, 1);
    pid_t pid = ou_fork(&cmd);
    if (pid < 0)
        fprintf(stderr, "campaign: cannot fork: %s\n", strerror(errno));
    return pid;
}

int cp_run(char *const argv[], const cp_env *env, const char *log)
{
    return cp_run_limited(argv, env, log, 0);
}

int cp_run_limited(char *const argv[], const cp_env *env, const char *log, double seconds)
{
    ou_cmd cmd = child(argv, env, log, 1);
    cmd.interrupt = seconds;
    cmd.timeout = seconds > 0 ? seconds + STOP_GRACE : 0;
    cmd.grace = STOP_GRACE;
    cmd.stop = &cp_stopping;
    ou_result r;
    if (ou_run(&cmd, &r) == 0)
        return r.status;
    fprintf(stderr, "campaign: cannot run %s: %s\n", argv[0], strerror(errno));
    return -1;
}
