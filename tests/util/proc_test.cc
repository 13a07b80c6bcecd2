// //harness/util's child processes: exit codes, files, environment, deadlines (SIGINT,
// grace, SIGKILL), stop requests, captured stderr, process groups and parent death.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/test_support.h"

extern "C" {
#include "harness/util/ou_util.h"
}

namespace
{

// temp_dir, slurp and the other helpers every suite shares.
using namespace ou_test;

// Runs `sh -c script` with cmd's other fields; returns the result.
ou_result sh(const char *script, ou_cmd cmd = {})
{
    const char *argv[] = {"/bin/sh", "-c", script, nullptr};
    cmd.argv = argv;
    ou_result r;
    EXPECT_EQ(ou_run(&cmd, &r), 0);
    return r;
}

// 1 when pid is gone or a zombie, within a few seconds.
bool dies(pid_t pid)
{
    for (int i = 0; i < 300; i++) {
        std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
        size_t paren = stat.rfind(')');
        if (stat.empty() || (paren != std::string::npos && stat.compare(paren + 2, 1, "Z") == 0))
            return true;
        usleep(10000);
    }
    return false;
}

TEST(Run, ExitCodesAndSignals)
{
    EXPECT_EQ(sh("exit 0").status, 0);
    EXPECT_EQ(sh("exit 7").status, 7);
    EXPECT_EQ(sh("kill -TERM $$").status, 128 + SIGTERM);
    const char *argv[] = {"/nonexistent/program", nullptr};
    std::string err = temp_dir("proc-exec") + "/err";
    ou_cmd cmd = {};
    cmd.argv = argv;
    cmd.err = err.c_str();
    ou_result r;
    ASSERT_EQ(ou_run(&cmd, &r), 0);
    EXPECT_EQ(r.status, 127);
    EXPECT_NE(slurp(err).find("cannot run /nonexistent/program"), std::string::npos) << slurp(err);
}

TEST(Run, OutputFilesTruncatedOrAppendedAndSharedWhenTheSame)
{
    std::string dir = temp_dir("proc-files"), log = dir + "/log";
    ou_cmd cmd = {};
    cmd.out = cmd.err = log.c_str();
    sh("echo one; echo two >&2; echo three", cmd);
    EXPECT_EQ(slurp(log), "one\ntwo\nthree\n");
    sh("echo again", cmd);
    EXPECT_EQ(slurp(log), "again\n");
    cmd.append = 1;
    sh("echo more >&2", cmd);
    EXPECT_EQ(slurp(log), "again\nmore\n");
    std::string out = dir + "/out", err = dir + "/err";
    cmd = {};
    cmd.out = out.c_str();
    cmd.err = err.c_str();
    sh("echo o; echo e >&2; read x && echo stdin", cmd);
    EXPECT_EQ(slurp(out), "o\n") << "stdin is /dev/null";
    EXPECT_EQ(slurp(err), "e\n");
}

TEST(Run, EnvironmentAndFolder)
{
    std::string dir = temp_dir("proc-env"), out = dir + "/out";
    setenv("OU_TEST_GONE", "still here", 1);
    const char *env[] = {"OU_TEST_SET=yes", nullptr};
    const char *unset[] = {"OU_TEST_GONE", nullptr};
    ou_cmd cmd = {};
    cmd.env = env;
    cmd.unset = unset;
    cmd.cwd = dir.c_str();
    cmd.out = "out";
    sh("echo \"$OU_TEST_SET ${OU_TEST_GONE-unset} $(pwd)\"", cmd);
    EXPECT_EQ(slurp(out), "yes unset " + dir + "\n");
    EXPECT_STREQ(getenv("OU_TEST_GONE"), "still here") << "only the child's changes";
    unsetenv("OU_TEST_GONE");
}

// How a run ended: its status, which signals it got, and well before its 30 s sleep.
void expect_end(const ou_result &r, int status, bool interrupted, bool killed)
{
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.interrupted != 0, interrupted);
    EXPECT_EQ(r.killed != 0, killed);
    EXPECT_LT(r.seconds, 10);
}

TEST(Run, InterruptThenExit)
{
    ou_cmd cmd = {};
    cmd.own_group = 1;
    cmd.interrupt = 0.2;
    ou_result r = sh("trap 'exit 3' INT; while :; do sleep 0.05; done", cmd);
    expect_end(r, 3, true, false); // an interrupt alone sends no SIGKILL
    EXPECT_GE(r.seconds, 0.2);
}

volatile sig_atomic_t stop_requested;

// A stop request once the script has set its trap.
void stop_soon(void *, double seconds)
{
    if (seconds > 0.3)
        stop_requested = 1;
}

TEST(Run, AStopsGraceEndsAChildThatIgnoresTheInterrupt)
{
    stop_requested = 0;
    ou_cmd cmd = {};
    cmd.own_group = 1;
    cmd.stop = &stop_requested;
    cmd.on_tick = stop_soon;
    cmd.grace = 0.3;
    expect_end(sh("trap '' INT; sleep 30", cmd), 128 + SIGKILL, true, true);
}

TEST(Run, TimeoutKills)
{
    ou_cmd cmd = {};
    cmd.own_group = 1;
    cmd.timeout = 0.2;
    expect_end(sh("sleep 30", cmd), 128 + SIGKILL, false, true);
}

TEST(Run, AStopRequestInterrupts)
{
    stop_requested = 0;
    ou_cmd cmd = {};
    cmd.stop = &stop_requested;
    cmd.on_tick = stop_soon;
    cmd.grace = 5;
    expect_end(sh("trap 'exit 4' INT; while :; do sleep 0.05; done", cmd), 4, true, false);
}

TEST(Run, ChildrenGetDefaultSignalsWhereTheParentIgnoresThem)
{
    struct sigaction ignore = {}, old = {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ignore, &old);
    ou_result r = sh("kill -INT $$; sleep 5; exit 0");
    sigaction(SIGINT, &old, nullptr);
    EXPECT_EQ(r.status, 128 + SIGINT);
}

void collect(void *ctx, const char *data, size_t n)
{
    static_cast<std::string *>(ctx)->append(data, n);
}

int ticks;

void count_tick(void *, double seconds)
{
    EXPECT_GE(seconds, 0);
    ticks++;
}

TEST(Run, CapturesStderrAsItComes)
{
    std::string dir = temp_dir("proc-capture"), out = dir + "/out", captured;
    ou_cmd cmd = {};
    cmd.out = out.c_str();
    cmd.on_output = collect;
    cmd.on_tick = count_tick;
    cmd.ctx = &captured;
    ticks = 0;
    ou_result r = sh("echo to-out; echo to-err >&2; sleep 0.1; head -c 300000 /dev/zero >&2", cmd);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(slurp(out), "to-out\n");
    ASSERT_EQ(captured.size(), 7u + 300000u) << "more than a pipe holds, without a deadlock";
    EXPECT_EQ(captured.substr(0, 7), "to-err\n");
    EXPECT_GT(ticks, 0);
}

TEST(Run, WhatTheChildLeftInItsGroupIsKilled)
{
    std::string dir = temp_dir("proc-group"), pidfile = dir + "/pid";
    ou_cmd cmd = {};
    cmd.own_group = 1;
    std::string script = "sleep 30 & echo $! > " + pidfile;
    EXPECT_EQ(sh(script.c_str(), cmd).status, 0);
    pid_t stray = atoi(slurp(pidfile).c_str());
    ASSERT_GT(stray, 0);
    EXPECT_TRUE(dies(stray));
}

TEST(Spawn, ReturnsAtOnceAndSignalReachesTheGroup)
{
    const char *argv[] = {"/bin/sh", "-c", "sleep 30 & wait", nullptr};
    ou_cmd cmd = {};
    cmd.argv = argv;
    cmd.own_group = 1;
    pid_t pid = ou_spawn(&cmd);
    ASSERT_GT(pid, 0);
    EXPECT_EQ(getpgid(pid), pid);
    ou_signal(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(ou_exit_status(status), 128 + SIGKILL);
}

TEST(Fork, TheChildRunsOurCodeWithItsSetup)
{
    std::string dir = temp_dir("proc-fork"), log = dir + "/log";
    ou_cmd cmd = {};
    cmd.out = cmd.err = log.c_str();
    cmd.own_group = 1;
    pid_t pid = ou_fork(&cmd);
    if (pid == 0) {
        printf("child %d\n", getpgid(0) == getpid());
        fflush(stdout);
        _exit(5);
    }
    ASSERT_GT(pid, 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(ou_exit_status(status), 5);
    EXPECT_EQ(slurp(log), "child 1\n");
}

TEST(Fork, AChildDiesWithItsParent)
{
    std::string dir = temp_dir("proc-orphan"), pidfile = dir + "/pid";
    ou_cmd none = {};
    pid_t parent = ou_fork(&none);
    if (parent == 0) {
        const char *argv[] = {"/bin/sleep", "30", nullptr};
        ou_cmd cmd = {};
        cmd.argv = argv;
        cmd.die_with_parent = 1;
        pid_t child = ou_spawn(&cmd);
        FILE *f = fopen(pidfile.c_str(), "w");
        fprintf(f, "%d\n", (int)child);
        fclose(f);
        _exit(0);
    }
    ASSERT_GT(parent, 0);
    int status = 0;
    ASSERT_EQ(waitpid(parent, &status, 0), parent);
    pid_t child = atoi(slurp(pidfile).c_str());
    ASSERT_GT(child, 0);
    EXPECT_TRUE(dies(child));
}

TEST(Clock, Monotonic)
{
    double a = ou_monotonic();
    usleep(1000);
    EXPECT_GT(ou_monotonic(), a);
}

} // namespace
