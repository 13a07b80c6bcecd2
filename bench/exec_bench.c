/*
** exec_bench.c: one harness's programs run four ways, for section 1 of the benchmark
** (executors). Linked around a harness's ob_harness_target, like the kit's tool.
**
**   exec_<harness> MODE SECONDS CORPUS_DIR
**
** MODE is fibers or pool (the kit's executors, through ob_run), direct (every operation
** called in program order on this thread) or threads (a pthread per logical thread per
** input, created and joined each time). Every mode does the same work around the
** operations that ob_run does: setup, release the handles, collect, check, teardown.
** Prints "RUNS SECONDS": inputs completed and the time they took.
**
** The programs are the seed programs in CORPUS_DIR plus 256 random byte strings decoded
** by the kit: what a fuzzer runs in its first seconds. Allocation failures are taken out
** of them, since injecting one is not an executor's cost and direct calls cannot.
*/
#define _POSIX_C_SOURCE 200809L

#include <ouroboros/ob_kit.h>

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { RANDOM_PROGRAMS = 256, RANDOM_MAX_LEN = 512, MAX_PROGRAMS = 1024 };
enum { THREAD_STACK = 256 * 1024 }; /* the pool's default, for a like-for-like comparison */

typedef enum mode { DIRECT, THREADS, FIBERS, POOL } mode;

/* One input's state when the executor is ours: filled handles, shared by its threads. */
typedef struct plain_run {
    const ob_program *p;
    void *state;
    _Atomic(void *) slots[OB_MAX_SLOTS];
} plain_run;

typedef struct plain_thread {
    plain_run *run;
    unsigned thread;
} plain_thread;

static ob_program programs[MAX_PROGRAMS];
static unsigned nprograms;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Decodes one input into the next program, without its allocation failures. */
static int add_program(const uint8_t *data, size_t size)
{
    ob_program *p = &programs[nprograms];
    if (nprograms == MAX_PROGRAMS || ob_program_decode(&ob_harness_target, data, size, p))
        return -1;
    for (uint32_t k = 0; k < p->ninsts; k++)
        p->insts[k].fail = OB_FAIL_NONE;
    nprograms++;
    return 0;
}

static int add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t buf[65536];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    int bad = !f || ferror(f);
    if (f)
        fclose(f);
    if (bad) {
        fprintf(stderr, "exec_bench: cannot read %s\n", path);
        return -1;
    }
    return add_program(buf, n);
}

static int load_programs(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), rc = n < 0 ? -1 : 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (names[i]->d_name[0] != '.' && rc == 0)
            rc = add_file(path);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    uint64_t seed = 1;
    uint8_t buf[RANDOM_MAX_LEN + 2];
    for (unsigned i = 0; i < RANDOM_PROGRAMS && rc == 0; i++) {
        size_t len = 2 + splitmix64(&seed) % RANDOM_MAX_LEN;
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)splitmix64(&seed);
        rc = add_program(buf, len);
    }
    if (rc)
        fprintf(stderr, "exec_bench: cannot load the programs of %s\n", dir);
    return rc;
}

/* As the kit's runner does: resolve handles (skip the operation when one is not filled
   yet), call, keep or drop what it made. */
static void plain_inst(plain_run *r, const ob_inst *in, unsigned thread)
{
    const ob_op *op = &ob_harness_target.ops[in->op];
    ob_call call = {r->state, in->args, {0}, NULL, thread, NULL};
    for (uint32_t i = 0; i < op->nargs; i++) {
        if (op->args[i].kind != OB_ARG_HANDLE)
            continue;
        call.objs[i] = atomic_load_explicit(&r->slots[in->args[i].i], memory_order_acquire);
        if (!call.objs[i])
            return;
    }
    op->fn(&call);
    if (call.result && in->slot >= 0)
        atomic_store_explicit(&r->slots[in->slot], call.result, memory_order_release);
    else if (call.result)
        ob_harness_target.release(r->state, call.result);
}

static void *plain_thread_body(void *arg)
{
    plain_thread *t = arg;
    const ob_program *p = t->run->p;
    for (uint32_t k = 0; k < p->ninsts; k++)
        if (p->insts[k].thread == t->thread)
            plain_inst(t->run, &p->insts[k], t->thread);
    return NULL;
}

static int run_threads(plain_run *r)
{
    pthread_t tid[OB_PROGRAM_THREADS];
    plain_thread args[OB_PROGRAM_THREADS];
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, THREAD_STACK);
    unsigned started = 0;
    while (rc == 0 && started < r->p->nthreads) {
        args[started] = (plain_thread){r, started};
        rc = pthread_create(&tid[started], &attr, plain_thread_body, &args[started]);
        started += rc == 0;
    }
    for (unsigned t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_attr_destroy(&attr);
    return rc;
}

/* One input without the kit's executors: setup, operations, release, collect, check,
   teardown, as ob_run does them. */
static int run_plain(const ob_program *p, mode m)
{
    const ob_target *t = &ob_harness_target;
    plain_run r = {p, t->setup ? t->setup() : NULL, {NULL}};
    int rc = 0;
    if (m == THREADS) {
        rc = run_threads(&r);
    } else {
        for (uint32_t k = 0; k < p->ninsts; k++)
            plain_inst(&r, &p->insts[k], p->insts[k].thread);
    }
    for (unsigned i = 0; i < OB_MAX_SLOTS; i++)
        if (r.slots[i])
            t->release(r.state, r.slots[i]);
    if (t->collect)
        t->collect(r.state);
    if (t->check)
        (void)t->check(r.state);
    if (t->teardown)
        t->teardown(r.state);
    return rc;
}

static int run_one(ob_runner *runner, const ob_program *p, mode m)
{
    if (m == DIRECT || m == THREADS)
        return run_plain(p, m);
    ob_outcome out;
    return ob_run(runner, p, &out) != OB_OK;
}

static int parse_mode(const char *s, mode *m)
{
    static const char *const names[] = {"direct", "threads", "fibers", "pool"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *m = (mode)i;
            return 0;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    mode m;
    char *end = NULL;
    double seconds = argc == 4 ? strtod(argv[2], &end) : 0;
    if (argc != 4 || parse_mode(argv[1], &m) || *end || seconds <= 0) {
        fprintf(stderr, "usage: %s direct|threads|fibers|pool SECONDS CORPUS_DIR\n", argv[0]);
        return 2;
    }
    if (load_programs(argv[3]))
        return 2;
    if (ob_harness_target.init)
        ob_harness_target.init();
    ob_options opt = {m == POOL ? OB_EXEC_POOL : OB_EXEC_FIBERS, 0, THREAD_STACK};
    ob_runner *runner = NULL;
    if (ob_runner_new(&opt, &runner))
        return 2;
    /* One untimed pass: executors create their stacks and threads on first use. */
    int rc = 0;
    for (unsigned i = 0; i < nprograms && rc == 0; i++)
        rc = run_one(runner, &programs[i], m);
    unsigned long long runs = 0;
    double start = now(), elapsed = 0;
    while (rc == 0 && elapsed < seconds) {
        rc = run_one(runner, &programs[runs % nprograms], m);
        runs++;
        elapsed = now() - start;
    }
    ob_runner_free(runner);
    if (rc) {
        fprintf(stderr, "exec_bench: an input failed to run in mode %s\n", argv[1]);
        return 1;
    }
    printf("%llu %.6f\n", runs, elapsed);
    return 0;
}
