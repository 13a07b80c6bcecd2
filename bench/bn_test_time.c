/*
** bn_test_time.c: section 5, how long the test command takes, cold and warm. The
** workspace is copied (without its bazel-* links, .git, findings/, corpus/<harness>/inputs/ and
** user.bazelrc: what a fresh clone has) and the command runs there twice with an
** output base of its own: cold (nothing built, a new Bazel server), then warm (nothing
** changed). The user's output base and server are not touched; the temporary server is
** shut down and its output base removed.
**
** `test //...` cold takes well over this section's 2 minutes on 2 cores, so by default
** the section runs what fits: the kit's tests and the clean harnesses' regression tests.
** --full-test-time runs `test //...` itself. Not run inside `bazel test` (--quick).
*/
#define _POSIX_C_SOURCE 200809L

#include "bench/bn_bench.h"
#include "bench/bn_proc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const FITS[] = {"//harness/...", "//tests/kit/...", NULL};
static const char *const ALL[] = {"//...", NULL};
/* Far beyond what either takes; only a stuck build meets it. */
static const double DEADLINE_SECONDS = 1800;

/* What a fresh clone would not have (relative paths; .gitignore lists the same). */
static int excluded(const char *rel)
{
    static const char *const top[] = {".git", "findings", "user.bazelrc"};
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        if (strcmp(rel, top[i]) == 0)
            return 1;
    const char *inputs = strstr(rel, "/inputs");
    return strncmp(rel, "bazel-", 6) == 0 ||
           (strncmp(rel, "corpus/", 7) == 0 && inputs && !inputs[7] &&
            !memchr(rel + 7, '/', (size_t)(inputs - rel - 7)));
}

static int copy_tree(const char *from, const char *to, const char *rel)
{
    DIR *d = opendir(from);
    struct dirent *e;
    int rc = d && ou_mkdirs(to) == 0 ? 0 : -1;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char src[4096], dst[4096], sub[2048], link[4096];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
        if (excluded(sub) || lstat(src, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = copy_tree(src, dst, sub);
        } else if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(src, link, sizeof link - 1);
            link[n > 0 ? n : 0] = 0;
            rc = n > 0 && symlink(link, dst) == 0 ? 0 : -1;
        } else if (S_ISREG(st.st_mode)) {
            rc = ou_copy_file(src, dst);
        }
    }
    if (d)
        closedir(d);
    if (rc)
        fprintf(stderr, "bench: cannot copy %s to %s\n", from, to);
    return rc;
}

/* One `bazelw --output_base=... test PATTERNS` in the copy; its wall time into *r. */
static int test_once(const char *src, const char *base, const char *const *patterns,
                     const char *what, ou_result *r)
{
    char bazelw[4200], startup[4200], log[4200];
    const char *argv[16];
    size_t n = 0;
    snprintf(bazelw, sizeof bazelw, "%s/bazelw", src);
    snprintf(startup, sizeof startup, "--output_base=%s", base);
    snprintf(log, sizeof log, "%s.%s.log", base, what);
    argv[n++] = bazelw;
    argv[n++] = startup;
    /* A server left behind by a killed benchmark goes away by itself. */
    argv[n++] = "--max_idle_secs=300";
    argv[n++] = "test";
    /* A broken target fails the run without cutting it short: the time stays comparable. */
    argv[n++] = "--keep_going";
    for (size_t i = 0; patterns[i] && n < 15; i++)
        argv[n++] = patterns[i];
    argv[n] = NULL;
    bn_cmd cmd = {.argv = argv,
                  .cwd = src,
                  .out = log,
                  .err = log,
                  .timeout = DEADLINE_SECONDS,
                  .progress = what};
    if (bn_run(&cmd, r) != 0)
        return -1;
    bn_progress("test time: %s run: exit %d in %.1f s (log %s)", what, r->status, r->seconds, log);
    return 0;
}

static void shutdown_server(const char *src, const char *base)
{
    char bazelw[4200], startup[4200];
    snprintf(bazelw, sizeof bazelw, "%s/bazelw", src);
    snprintf(startup, sizeof startup, "--output_base=%s", base);
    const char *argv[] = {bazelw, startup, "shutdown", NULL};
    bn_cmd cmd = {.argv = argv, .cwd = src, .timeout = 120};
    ou_result r;
    bn_run(&cmd, &r);
}

static json_t *run_json(const ou_result *r)
{
    return json_pack("{s:o, s:i, s:b}", "seconds", bn_real(r->seconds), "exit", r->status, "passed",
                     r->status == 0 && !r->killed);
}

static json_t *measure(const bn_config *c, const char *const *patterns)
{
    char src[4200], base[4200], command[512] = "bazel test --keep_going";
    snprintf(src, sizeof src, "%s/test-time/src", c->scratch);
    snprintf(base, sizeof base, "%s/test-time/output_base", c->scratch);
    for (size_t i = 0; patterns[i]; i++)
        snprintf(command + strlen(command), sizeof command - strlen(command), " %s", patterns[i]);
    bn_progress("test time: copying the workspace %s", c->workspace);
    if (copy_tree(c->workspace, src, ""))
        return json_pack("{s:s}", "error", "cannot copy the workspace");
    ou_result cold, warm;
    int rc = test_once(src, base, patterns, "cold", &cold);
    rc = rc ? rc : test_once(src, base, patterns, "warm", &warm);
    shutdown_server(src, base);
    ou_remove_tree(src);
    ou_remove_tree(base);
    if (rc)
        return json_pack("{s:s}", "error", "cannot run bazelw");
    json_t *j = json_pack("{s:s, s:b, s:o, s:o}", "command", command, "everything", patterns == ALL,
                          "cold", run_json(&cold), "warm", run_json(&warm));
    json_object_set_new(j, "cold_vs_warm", bn_real(cold.seconds / warm.seconds));
    return j;
}

json_t *bn_test_time(const bn_config *c)
{
    if (c->quick)
        return json_pack("{s:s}", "skipped",
                         "--quick: a build inside a build (bazel test runs the quick bench)");
    if (!c->workspace)
        return json_pack("{s:s}", "skipped", "no workspace: run with bazel run");
    return measure(c, c->full_test_time ? ALL : FITS);
}
