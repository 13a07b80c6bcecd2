/*
** cp_main.c: `bazel run //:campaign -- [--time 10m] [--jobs N] [--harness NAME ...] [--defects]`
**
** Spreads the time budget and the cores over the chosen harnesses: each harness gets an
** equal share of core-seconds, fuzzed as a series of libFuzzer jobs (one process each, so a
** crash or timeout ends one job, never the campaign). Failing inputs are queued and triaged
** one at a time in a child; clean harnesses' corpora are merged when their time is up.
** Ctrl-C or SIGTERM stops every child, keeps all that was written, and a rerun continues:
** queued inputs are triaged, an interrupted merge resumes, and an interrupted campaign
** gets the rest of its time when rerun without --time.
*/
#define _XOPEN_SOURCE 700

#include "cp_driver.h"
#include "cp_schedule.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_FOUND = 1, EXIT_USAGE = 2, EXIT_STOPPED = 130 };

static int usage(FILE *out)
{
    fputs("usage: bazel run //:campaign -- [--time DURATION] [--jobs N] [--harness NAME]...\n"
          "                                 [--defects] [--workspace DIR]\n"
          "  --time      fuzzing time, e.g. 90, 90s, 10m, 1h (default 10m)\n"
          "  --jobs      processes at once (default: the number of cores)\n"
          "  --harness   fuzz only these harnesses (repeatable; any harness of the manifest)\n"
          "  --defects   add the seeded-defect harnesses: see every class of bug found\n"
          "  --workspace where corpus/ and findings/ are (default: the workspace of bazel run)\n",
          out);
    return EXIT_USAGE;
}

static double parse_duration(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v <= 0)
        return -1;
    if (*end == 0 || strcmp(end, "s") == 0)
        return v;
    if (strcmp(end, "m") == 0)
        return v * 60;
    if (strcmp(end, "h") == 0)
        return v * 3600;
    return -1;
}

typedef struct options {
    double budget;
    int time_given;
    int jobs;
    int defects;
    const char *names[64];
    int nnames;
    const char *workspace;
    const char *manifest;
} options;

static int parse_options(int argc, char **argv, options *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    *o = (options){.budget = 600, .jobs = cores > 0 ? (int)cores : 1};
    o->workspace = getenv("BUILD_WORKSPACE_DIRECTORY");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char opt[64];
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) == 0 && eq && (size_t)(eq - a) < sizeof opt) {
            /* --time=3m is --time 3m. */
            memcpy(opt, a, (size_t)(eq - a));
            opt[eq - a] = 0;
            a = opt;
            v = eq + 1;
            i--; /* the value was in this argument, not the next */
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(EXIT_OK);
        } else if (strcmp(a, "--defects") == 0) {
            if (a == opt) {
                fprintf(stderr, "campaign: --defects takes no value\n");
                return -1;
            }
            o->defects = 1;
            continue;
        } else if (!v) {
            fprintf(stderr, "campaign: %s needs a value\n", a);
            return -1;
        } else if (strcmp(a, "--time") == 0) {
            o->budget = parse_duration(v);
            o->time_given = 1;
            if (o->budget <= 0) {
                fprintf(stderr, "campaign: --time %s: give seconds, or a number with s, m or h\n",
                        v);
                return -1;
            }
        } else if (strcmp(a, "--jobs") == 0) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "campaign: --jobs %s: give a count from 1 to 256\n", v);
                return -1;
            }
            o->jobs = (int)n;
        } else if (strcmp(a, "--harness") == 0) {
            if (o->nnames == 64) {
                fprintf(stderr, "campaign: too many --harness\n");
                return -1;
            }
            o->names[o->nnames++] = v;
        } else if (strcmp(a, "--workspace") == 0) {
            o->workspace = v;
        } else if (strcmp(a, "--manifest") == 0) {
            o->manifest = v;
        } else {
            fprintf(stderr, "campaign: unknown option %s\n", a);
            return -1;
        }
        i++;
    }
    if (!o->manifest) {
        fprintf(stderr, "campaign: no --manifest: run it through bazel run //:campaign\n");
        return -1;
    }
    return 0;
}

/* The harnesses asked for: named ones, or every clean one (and the defects on request). */
static int select_harnesses(const options *o, cp_harness *all, int n, cp_harness ***out)
{
    cp_harness **sel = calloc((size_t)n + 1, sizeof *sel);
    int k = 0;
    if (!sel)
        return -1;
    for (int i = 0; i < o->nnames; i++) {
        int found = 0;
        for (int j = 0; j < n && !found; j++)
            if (strcmp(all[j].name, o->names[i]) == 0) {
                found = 1;
                int dup = 0;
                for (int m = 0; m < k; m++)
                    dup |= sel[m] == &all[j];
                if (!dup)
                    sel[k++] = &all[j];
            }
        if (!found) {
            fprintf(stderr, "campaign: no harness named %s; the harnesses are:\n", o->names[i]);
            for (int j = 0; j < n; j++)
                fprintf(stderr, "  %s%s\n", all[j].name, all[j].defect ? " (seeded defect)" : "");
            free(sel);
            return -1;
        }
    }
    for (int j = 0; j < n && o->nnames == 0; j++)
        if (!all[j].defect || o->defects)
            sel[k++] = &all[j];
    *out = sel;
    return k;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o))
        return usage(stderr);
    char cwd[4096], ws[4096];
    if (!getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "campaign: cannot read the working directory\n");
        return EXIT_USAGE;
    }
    if (!realpath(o.workspace ? o.workspace : cwd, ws)) {
        fprintf(stderr, "campaign: workspace %s: %s\n", o.workspace ? o.workspace : cwd,
                strerror(errno));
        return EXIT_USAGE;
    }
    cp_harness *all = NULL;
    int n = cp_manifest_load(o.manifest, cwd, &all);
    if (n < 0)
        return EXIT_USAGE;
    cp_harness **sel = NULL;
    int k = select_harnesses(&o, all, n, &sel);
    if (k <= 0) {
        if (k == 0)
            fprintf(stderr, "campaign: no harness to fuzz\n");
        free(all);
        return EXIT_USAGE;
    }
    cp_install_signals();
    signal(SIGPIPE, SIG_IGN);
    cp_schedule_config cfg = {
        .workspace = ws,
        .budget = o.budget,
        .time_given = o.time_given,
        .jobs = o.jobs,
        .defects = o.defects,
        .harnesses = sel,
        .nharnesses = k,
    };
    int rc = cp_schedule_run(&cfg);
    free(sel);
    free(all);
    return rc < 0 ? EXIT_USAGE : rc;
}
