/*
** ob_tool.c: a harness's command line, linked around its ob_harness_target.
**
**   print FILE...             the text form of each input
**   assemble TEXT OUT         a text program to fuzz-input bytes (OUT written atomically)
**   replay PATH...            run inputs (files, or every file of a directory); text
**                             programs (*.txt) are assembled first
**   stress [--seed N] [--iterations N] [--seconds T] [--max-len N]
**                             random programs on the thread pool, with a progress line
**   repro [--history H] FILE...  each input's program, then its finding replayed in a child;
**                             exit 0 when every input reproduced a finding, 1 when not.
**                             With a history file (persistent state), its runs go first,
**                             and repro says whether the finding needs them, and which
**   signature [--history H] FILE  the finding's class and signature slug (in a child)
**   minimize [--history H] FILE   the smallest program with the same signature, written
**                             beside FILE as FILE.min (input bytes) and FILE.min.txt (text);
**                             with a history, then the fewest of its runs still needed
**   (OB_HISTORY=H: replay, and every child, runs H's programs before the inputs)
**   calibrate PATH...         the deepest stack each input needs (on large fibers), and the
**                             fiber size that keeps them all under the stack budget; exit 1
**                             when the harness's own fibers are too small for them
**
** The input bytes minimize writes (FILE.min) end with the fingerprint of the operation
** table (ob_program_save). assemble's do not: they become the seeds libFuzzer mutates, and
** a mutated trailer would read as stale. A saved input read under a changed table is
** reported stale with what it decodes to now: replay refuses it, repro says so, minimize
** refuses it.
**
** Exit codes: 0 nothing found, 1 a finding, 2 bad usage, unreadable or stale input.
*/
#define _POSIX_C_SOURCE 200809L

#include "harness/util/ou_util.h"
#include "ob_depth.h"
#include "ob_kit.h"
#include "ob_minimize.h"
#include "ob_tool_history.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_CLEAN = 0, EXIT_FINDING = 1, EXIT_USAGE = 2 };

static int usage(void)
{
    fprintf(stderr,
            "usage: %s print FILE... | assemble TEXT OUT | replay PATH... |\n"
            "       stress [--seed N] [--iterations N] [--seconds T] [--max-len N] |\n"
            "       repro [--history H] FILE... | signature [--history H] FILE |\n"
            "       minimize [--history H] FILE | calibrate PATH...\n",
            ob_harness_target.name);
    return EXIT_USAGE;
}

/* Reads a whole file; NUL-terminates it for text use. Returns NULL with a message. */
static uint8_t *slurp(const char *path, size_t *size)
{
    uint8_t *buf = (uint8_t *)ou_read_file(path, size);
    if (!buf)
        fprintf(stderr, "ouroboros: cannot read %s: %s\n", path, strerror(errno));
    return buf;
}

static int is_text(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".txt") == 0;
}

/* A text program, whatever its name: printable, starting as the printer starts. */
static int looks_like_program(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\t' && b[i] != '\r')
            return 0;
    return n && (b[0] == '#' || strncmp((const char *)b, "threads", 7) == 0);
}

/* Input bytes of a file: text programs are assembled. Returns NULL with a message. */
static uint8_t *load_input(const char *path, size_t *size)
{
    uint8_t *raw = slurp(path, size);
    if (raw && *size == 0) {
        fprintf(stderr, "ouroboros: %s is empty: no input to run\n", path);
        free(raw);
        return NULL;
    }
    if (!raw || !(is_text(path) || looks_like_program(raw, *size)))
        return raw;
    ob_program p;
    char err[256] = "";
    ob_status st = ob_program_assemble(&ob_harness_target, (char *)raw, &p, err, sizeof err);
    free(raw);
    if (st) {
        fprintf(stderr, "ouroboros: %s is not a %s program: %s\n", path, ob_harness_target.name,
                st == OB_ESYNTAX ? err : "out of memory");
        return NULL;
    }
    /* Plain bytes, no fingerprint: assembled seeds are what libFuzzer mutates, and a mutated
       trailer would read as stale. */
    uint8_t *bytes = NULL;
    st = ob_program_encode(&p, &bytes, size);
    ob_program_clear(&p);
    return st ? NULL : bytes;
}

/* 1 when data was saved for another operation table: says so on stderr, with the program
   the bytes decode to now, so a stale input is never taken for one that runs clean. */
static int stale(const char *path, const uint8_t *data, size_t n)
{
    ob_program p;
    if (ob_program_decode(&ob_harness_target, data, n, &p) != OB_OK)
        return 0;
    int is_stale = p.stale;
    if (is_stale) {
        fprintf(stderr,
                "ouroboros: %s is stale: it was saved for an operation table with fingerprint "
                "%016llx, and this build of %s has %016llx, so its bytes mean another program "
                "now. It decodes to:\n",
                path, (unsigned long long)p.saved_fingerprint, ob_harness_target.name,
                (unsigned long long)ob_program_fingerprint(&ob_harness_target));
        ob_program_print(&p, stderr);
        fprintf(stderr,
                "ouroboros: keep findings as text programs (`%s_tool print`, FILE.min.txt, "
                "program.txt): operation names survive a changed table\n",
                ob_harness_target.name);
    }
    ob_program_clear(&p);
    return is_stale;
}

static int cmd_print(int argc, char **argv)
{
    int rc = EXIT_CLEAN;
    for (int i = 0; i < argc; i++) {
        size_t n;
        uint8_t *data = load_input(argv[i], &n);
        ob_program p;
        if (!data || ob_program_decode(&ob_harness_target, data, n, &p)) {
            free(data);
            rc = EXIT_USAGE;
            continue;
        }
        stale(argv[i], data, n);
        if (argc > 1)
            printf("# %s\n", argv[i]);
        ob_program_print(&p, stdout);
        ob_program_clear(&p);
        free(data);
    }
    return rc;
}

/* Writes size bytes to path through a temporary file and a rename. */
static int write_atomic(const char *path, const uint8_t *data, size_t size)
{
    if (ou_write_atomic(path, data, size) == 0)
        return 0;
    fprintf(stderr, "ouroboros: cannot write %s: %s\n", path, strerror(errno));
    return -1;
}

static int cmd_assemble(int argc, char **argv)
{
    if (argc != 2 || !is_text(argv[0])) {
        fprintf(stderr, "ouroboros: assemble takes a text program (*.txt) and an output path\n");
        return EXIT_USAGE;
    }
    size_t n;
    uint8_t *bytes = load_input(argv[0], &n);
    if (!bytes)
        return EXIT_USAGE;
    int rc = write_atomic(argv[1], bytes, n) ? EXIT_USAGE : EXIT_CLEAN;
    free(bytes);
    return rc;
}

static int replay_file(const char *path)
{
    size_t n;
    uint8_t *data = load_input(path, &n);
    if (!data)
        return EXIT_USAGE;
    if (stale(path, data, n)) {
        free(data);
        return EXIT_USAGE;
    }
    ob_finding f;
    ob_status st = ob_harness_run(data, n, &f);
    free(data);
    if (st) {
        fprintf(stderr, "ouroboros: %s: the harness kit failed (status %d)\n", path, st);
        return EXIT_USAGE;
    }
    if (f.klass)
        fprintf(stderr, "ouroboros: %s: %s\n", path, f.klass);
    if (f.klass && strcmp(f.klass, "stack-budget") == 0)
        fprintf(stderr,
                "ouroboros: if %s is a legitimate input (a seed), its depth may be the "
                "library's own: `%s_tool calibrate %s` says which fiber_stack it needs\n",
                path, ob_harness_target.name, path);
    return f.klass ? EXIT_FINDING : EXIT_CLEAN;
}

static int worse(int a, int b)
{
    return a > b ? a : b;
}

/* Runs fn on path, or on every file below it when it is a folder (in name order), until fn
   returns `stop`. Returns the worst of fn's results, or EXIT_USAGE when a path is
   unreadable. */
static int each_file(const char *path, int (*fn)(const char *file, void *ctx), void *ctx, int stop)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "ouroboros: cannot read %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    if (!S_ISDIR(st.st_mode))
        return fn(path, ctx);
    char **names = ou_list_dir(path, NULL);
    if (!names) {
        fprintf(stderr, "ouroboros: cannot list %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    int rc = EXIT_CLEAN;
    for (char **p = names; *p && rc != stop; p++) {
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, *p);
        rc = worse(rc, each_file(child, fn, ctx, stop));
    }
    ou_free_names(names);
    return rc;
}

static int replay_counted(const char *path, void *count)
{
    ++*(unsigned *)count;
    return replay_file(path);
}

/* A finding ends the replay: what it leaked would be blamed on the next input. */
static int replay_path(const char *path, unsigned *count)
{
    return each_file(path, replay_counted, count, EXIT_FINDING);
}

static int cmd_replay(int argc, char **argv)
{
    if (argc == 0)
        return usage();
    int history = ob_tool_replay_history();
    if (history)
        return history == 1 ? EXIT_FINDING : EXIT_USAGE;
    int rc = EXIT_CLEAN;
    unsigned count = 0;
    for (int i = 0; i < argc && rc != EXIT_FINDING; i++)
        rc = worse(rc, replay_path(argv[i], &count));
    fprintf(stderr, "ouroboros: replayed %u inputs: %s\n", count,
            rc == EXIT_CLEAN     ? "no finding"
            : rc == EXIT_FINDING ? "FINDING"
                                 : "errors");
    return rc;
}

/* ---- calibrate ---- */

enum { CALIBRATE_FIBER = 16 << 20 };

typedef struct calibration {
    size_t deepest;
    char where[4096];
    unsigned inputs;
    ob_stack_use use;
} calibration;

static int calibrate_file(const char *path, void *ctx)
{
    calibration *c = ctx;
    size_t n;
    uint8_t *data = load_input(path, &n);
    if (!data)
        return EXIT_USAGE;
    ob_stack_use u;
    ob_status st = ob_harness_stack_use(data, n, &u);
    free(data);
    if (st) {
        fprintf(stderr, "ouroboros: %s: the harness kit failed (status %d)\n", path, st);
        return EXIT_USAGE;
    }
    printf("%10zu  %s\n", u.deepest, path);
    fflush(stdout);
    c->inputs++;
    c->use = u;
    if (u.deepest > c->deepest) {
        c->deepest = u.deepest;
        snprintf(c->where, sizeof c->where, "%s", path);
    }
    return EXIT_CLEAN;
}

/* Runs every input on 16 MiB fibers (an unbounded recursion still ends there, as a
   stack overflow report that names the input printed last), then says whether the
   harness's own fibers keep the deepest under its budget, and which size would. */
static int cmd_calibrate(int argc, char **argv)
{
    if (argc == 0)
        return usage();
    char big[32];
    snprintf(big, sizeof big, "%d", CALIBRATE_FIBER);
    setenv("OB_FIBER_STACK", big, 1);
    setenv("OB_EXECUTOR", "fibers", 1);
    calibration c = {0};
    printf("%10s  %s\n", "stack B", "input");
    int rc = EXIT_CLEAN;
    for (int i = 0; i < argc; i++)
        rc = worse(rc, each_file(argv[i], calibrate_file, &c, -1));
    if (rc != EXIT_CLEAN || !c.inputs)
        return rc == EXIT_CLEAN ? EXIT_USAGE : rc;
    size_t allowed = c.use.fiber_stack / 100 * c.use.budget;
    size_t need = ob_depth_fiber_for(c.deepest, c.use.budget);
    printf("calibrate: %u inputs; the deepest uses %zu bytes of stack (%s)\n", c.inputs, c.deepest,
           c.where);
    if (c.deepest <= allowed) {
        printf("calibrate: fibers of %zu KiB with stack_budget=%u allow %zu bytes: enough\n",
               c.use.fiber_stack / 1024, c.use.budget, allowed);
        return EXIT_CLEAN;
    }
    printf("calibrate: fibers of %zu KiB with stack_budget=%u allow %zu bytes: too few. If this "
           "depth is the library's own (a nesting limit it enforces), set fiber_stack = %zu "
           "(KiB) in ob_fuzz_harness, or OB_DETECT=fiber_stack=%zu; if nothing bounds it, it is "
           "the bug\n",
           c.use.fiber_stack / 1024, c.use.budget, allowed, need / 1024, need / 1024);
    return EXIT_FINDING;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct stress_opts {
    uint64_t seed;
    uint64_t iterations; /* 0: until the time runs out */
    double seconds;      /* 0: until the iterations run out */
    size_t max_len;
} stress_opts;

static int parse_stress(int argc, char **argv, stress_opts *o)
{
    *o = (stress_opts){(uint64_t)time(NULL), 0, 0, 512};
    for (int i = 0; i + 1 < argc; i += 2) {
        char *end;
        double v = strtod(argv[i + 1], &end);
        if (*end || v < 0) {
            fprintf(stderr, "ouroboros: %s takes a non-negative number\n", argv[i]);
            return -1;
        }
        if (strcmp(argv[i], "--seed") == 0)
            o->seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--iterations") == 0)
            o->iterations = (uint64_t)v;
        else if (strcmp(argv[i], "--seconds") == 0)
            o->seconds = v;
        else if (strcmp(argv[i], "--max-len") == 0 && v >= 1)
            o->max_len = (size_t)v;
        else {
            fprintf(stderr, "ouroboros: unknown stress option %s\n", argv[i]);
            return -1;
        }
    }
    if (argc % 2) {
        fprintf(stderr, "ouroboros: %s needs a value\n", argv[argc - 1]);
        return -1;
    }
    if (!o->iterations && !o->seconds)
        o->seconds = 10;
    return 0;
}

/* The input of one iteration comes from its own seed, so that seed alone replays it. */
static int stress_one(uint64_t seed, size_t max_len, uint8_t *buf)
{
    uint64_t s = seed;
    size_t n = 2 + splitmix64(&s) % max_len;
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)splitmix64(&s);
    ob_finding f;
    if (ob_harness_run(buf, n, &f) != OB_OK)
        return EXIT_USAGE;
    if (!f.klass)
        return EXIT_CLEAN;
    fprintf(stderr,
            "\nouroboros: stress found %s; replay it with: stress --seed %llu --iterations 1 "
            "--max-len %zu\n",
            f.klass, (unsigned long long)seed, max_len);
    return EXIT_FINDING;
}

static int cmd_stress(int argc, char **argv)
{
    stress_opts o;
    if (parse_stress(argc, argv, &o))
        return EXIT_USAGE;
    /* Stress mode means real threads unless the user picked an executor; growth is
       sampled as when fuzzing, so the loop keeps its pace. */
    setenv("OB_EXECUTOR", "pool", 0);
    ob_harness_defaults("growth_every=32");
    uint8_t *buf = malloc(o.max_len + 2);
    if (!buf)
        return EXIT_USAGE;
    double start = ou_monotonic(), last = start;
    uint64_t runs = 0, base = o.seed;
    int rc = EXIT_CLEAN;
    while (rc == EXIT_CLEAN) {
        double t = ou_monotonic();
        if ((o.iterations && runs >= o.iterations) || (o.seconds && t - start >= o.seconds))
            break;
        if (t - last >= 1.0) {
            fprintf(stderr, "\rstress: %llu runs, %.0f runs/s, seed %llu   ",
                    (unsigned long long)runs, (double)runs / (t - start),
                    (unsigned long long)o.seed);
            last = t;
        }
        /* With one iteration the seed is used as given; otherwise each gets a derived one. */
        uint64_t seed = o.iterations == 1 ? o.seed : splitmix64(&base);
        rc = stress_one(seed, o.max_len, buf);
        runs++;
    }
    fprintf(stderr, "\nstress: %llu runs, %s\n", (unsigned long long)runs,
            rc == EXIT_CLEAN ? "no finding" : "stopped at a finding");
    free(buf);
    return rc;
}

/* Findings reported from another thread (hang) end the process with the finding code. */
static void die_with_finding(void)
{
    fflush(stderr);
    _exit(EXIT_FINDING);
}

static int self_exe(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0) {
        fprintf(stderr, "ouroboros: cannot find this executable: %s\n", strerror(errno));
        return -1;
    }
    buf[n] = 0;
    return 0;
}

static int cmd_signature(int argc, char **argv)
{
    char exe[4096], klass[64], slug[17];
    size_t n;
    if (ob_tool_take_history(&argc, &argv))
        return EXIT_USAGE;
    if (argc != 1 || self_exe(exe, sizeof exe))
        return usage();
    uint8_t *data = load_input(argv[0], &n);
    if (!data)
        return EXIT_USAGE;
    int rc = ob_minimize_signature(exe, data, n, klass, slug);
    free(data);
    if (rc)
        return EXIT_USAGE;
    printf("%s %s\n", *klass ? klass : "none", *slug ? slug : "-");
    return *slug ? EXIT_FINDING : EXIT_CLEAN;
}

/* What the replay of path found, said plainly; a stale input is never called clean. */
static int repro_verdict(const char *path, int was_stale, const char *klass, const char *slug,
                         const char *signature)
{
    if (!*slug && was_stale) {
        printf("did not reproduce: %s is stale (saved for another operation table): what it "
               "decodes to now runs clean; replay the program text it was saved with\n",
               path);
        return EXIT_FINDING;
    }
    if (!*slug) {
        printf("did not reproduce: %s runs clean on this build of %s%s\n", path,
               ob_harness_target.name, getenv("OB_HISTORY") ? " after its history" : "");
        return EXIT_FINDING;
    }
    if (was_stale)
        printf("stale: %s was saved for another operation table; what it decodes to now "
               "found this:\n",
               path);
    printf("reproduced: %s\nsignature: %s (%s)\n", klass, signature, slug);
    return EXIT_CLEAN;
}

static int repro_one(const char *exe, const char *path)
{
    char klass[64], slug[17], signature[512];
    size_t n;
    uint8_t *data = load_input(path, &n);
    ob_program p;
    if (!data || ob_program_decode(&ob_harness_target, data, n, &p) != OB_OK) {
        free(data);
        return EXIT_USAGE;
    }
    printf("==== %s\n", path);
    ob_program_print(&p, stdout);
    fflush(stdout);
    ob_program_clear(&p);
    int was_stale = stale(path, data, n);
    int rc = ob_replay_child(exe, data, n, stderr, klass, slug, signature);
    if (rc != 0) {
        free(data);
        fprintf(stderr, "ouroboros: cannot replay %s in a child process\n", path);
        return EXIT_USAGE;
    }
    rc = repro_verdict(path, was_stale, klass, slug, signature);
    fflush(stdout);
    if (rc == EXIT_CLEAN && ob_tool_explain_history(exe, data, n, slug, path) != 0)
        rc = EXIT_USAGE;
    free(data);
    return rc;
}

static int cmd_repro(int argc, char **argv)
{
    char exe[4096];
    if (ob_tool_take_history(&argc, &argv))
        return EXIT_USAGE;
    if (argc == 0 || self_exe(exe, sizeof exe))
        return usage();
    int rc = EXIT_CLEAN;
    for (int i = 0; i < argc; i++)
        rc = worse(rc, repro_one(exe, argv[i]));
    return rc;
}

static int write_minimized(const char *path, const ob_program *p)
{
    char out[4096];
    uint8_t *bytes = NULL;
    size_t n = 0;
    char *text = NULL;
    size_t tlen = 0;
    FILE *mem = open_memstream(&text, &tlen);
    int rc = mem && ob_program_save(p, &bytes, &n) == OB_OK ? 0 : -1;
    if (mem) {
        ob_program_print(p, mem);
        fclose(mem);
    }
    snprintf(out, sizeof out, "%s.min", path);
    rc = rc ? rc : write_atomic(out, bytes, n);
    snprintf(out, sizeof out, "%s.min.txt", path);
    rc = rc ? rc : write_atomic(out, (const uint8_t *)text, tlen);
    if (rc == 0)
        fputs(text, stdout);
    free(bytes);
    free(text);
    return rc;
}

/* With a history (--history): the runs the minimized program still needs, shrunk too. */
static int minimize_history(const char *exe, const ob_program *p, const char *slug,
                            const char *input)
{
    char min[4096];
    uint8_t *bytes = NULL;
    size_t n = 0;
    if (!getenv("OB_HISTORY"))
        return EXIT_CLEAN;
    snprintf(min, sizeof min, "%s.min", input);
    int rc = ob_program_encode(p, &bytes, &n) == OB_OK &&
                     ob_tool_explain_history(exe, bytes, n, slug, min) == 0
                 ? EXIT_CLEAN
                 : EXIT_USAGE;
    free(bytes);
    return rc;
}

static int cmd_minimize(int argc, char **argv)
{
    char exe[4096], klass[64], slug[17];
    size_t n;
    if (ob_tool_take_history(&argc, &argv))
        return EXIT_USAGE;
    if (argc != 1 || self_exe(exe, sizeof exe))
        return usage();
    uint8_t *data = load_input(argv[0], &n);
    if (!data)
        return EXIT_USAGE;
    ob_program p;
    int rc = EXIT_USAGE;
    if (stale(argv[0], data, n))
        fprintf(stderr, "ouroboros: not minimizing %s: minimize its program text instead\n",
                argv[0]);
    else if (ob_minimize_signature(exe, data, n, klass, slug) != 0)
        fprintf(stderr, "ouroboros: cannot replay %s in a child process\n", argv[0]);
    else if (!*slug)
        fprintf(stderr, "ouroboros: %s does not reproduce a finding: nothing to minimize\n",
                argv[0]);
    else if (ob_program_decode(&ob_harness_target, data, n, &p) == OB_OK) {
        ob_minimize_stats st;
        fprintf(stderr, "ouroboros: minimizing %s (%s, signature %s)\n", argv[0], klass, slug);
        if (ob_minimize_program(exe, &p, slug, &st) == 0 && write_minimized(argv[0], &p) == 0) {
            fprintf(stderr,
                    "ouroboros: %u operations, %zu bytes -> %u operations, %zu bytes in %u tries; "
                    "same signature %s; wrote %s.min and %s.min.txt\n",
                    st.ops_before, st.bytes_before, st.ops_after, st.bytes_after, st.tries, slug,
                    argv[0], argv[0]);
            rc = minimize_history(exe, &p, slug, argv[0]);
        }
        ob_program_clear(&p);
    }
    free(data);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    ob_harness_on_fatal(die_with_finding);
    const char *cmd = argv[1];
    if (strcmp(cmd, "print") == 0 && argc > 2)
        return cmd_print(argc - 2, argv + 2);
    if (strcmp(cmd, "assemble") == 0)
        return cmd_assemble(argc - 2, argv + 2);
    if (strcmp(cmd, "replay") == 0)
        return cmd_replay(argc - 2, argv + 2);
    if (strcmp(cmd, "stress") == 0)
        return cmd_stress(argc - 2, argv + 2);
    if (strcmp(cmd, "repro") == 0)
        return cmd_repro(argc - 2, argv + 2);
    if (strcmp(cmd, "signature") == 0)
        return cmd_signature(argc - 2, argv + 2);
    if (strcmp(cmd, "calibrate") == 0)
        return cmd_calibrate(argc - 2, argv + 2);
    if (strcmp(cmd, "minimize") == 0)
        return cmd_minimize(argc - 2, argv + 2);
    return usage();
}
