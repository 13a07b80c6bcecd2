/*
** ob_kit.h: the ouroboros harness kit, its one public header.
**
** A harness describes the code under test with an ob_target (its operations, per-input
** setup/teardown, optional collect/check and gauges). The kit decodes any byte string
** into an ob_program over those operations (logical threads x operations x schedule),
** prints and assembles programs as readable text, and runs them on a deterministic fiber
** executor or a real thread pool, with allocation failures injected where the program
** says.
**
** Invariants of a decoded program:
** - decoding is total: every byte string (including empty) is a valid program;
** - a handle argument names a slot made by an operation decoded earlier, so it refers to
**   an object that exists at that point of the program text (an interleaving may still
**   reach it first: such an operation is skipped, never called with a missing object);
** - program -> text -> bytes -> program is the identity.
*/
#ifndef OB_KIT_H
#define OB_KIT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    OB_MAX_ARGS = 4,
    OB_MAX_SLOTS = 64,      /* handles h0..h63 */
    OB_MAX_INSTS = 256,     /* operations per program, all threads together */
    OB_MAX_SCHEDULE = 32,   /* schedule bytes per program */
    OB_MAX_BYTES_ARG = 255, /* longest literal piece of a byte-string argument */
    OB_MAX_PIECES = 3,      /* pieces of a byte-string argument, each repeated (below) */
    OB_PROGRAM_THREADS = 8, /* logical threads per program, at most */
    OB_FAIL_NTH_MAX = 28,   /* "fail the Nth allocation" goes up to this N */
};

/* Status codes of kit calls. */
typedef enum ob_status {
    OB_OK = 0,
    OB_ENOMEM = 1,   /* the kit itself could not allocate */
    OB_ESYNTAX = 2,  /* text that does not assemble; the message says where */
    OB_EINVAL = 3,   /* an argument out of its documented range */
    OB_EDEADLOCK = 4 /* fibers: every unfinished logical thread waits on a lock */
} ob_status;

/* ---- target adapter ---- */

typedef enum ob_arg_kind {
    OB_ARG_HANDLE, /* an object made by an earlier operation */
    OB_ARG_INT,    /* an integer in [lo, hi] */
    OB_ARG_BYTES,  /* a byte string of at most max_len bytes */
    OB_ARG_ENUM    /* one of choices[0..nchoices) */
} ob_arg_kind;

/* Byte strings are written as up to OB_MAX_PIECES pieces, each a literal of at most
   OB_MAX_BYTES_ARG bytes repeated some number of times: "["*5000+"1"+"]"*5000 in the text
   form, a few bytes in a fuzz input. The operation sees the pieces expanded, at most the
   spec's max_len bytes in all (decoding lowers repeat counts to fit, and to keep a
   program's expansions under OB_MAX_EXPANDED_PROGRAM bytes). */
enum {
    OB_MAX_EXPANDED_ARG = 1 << 20,        /* the largest max_len of a byte-string argument */
    OB_MAX_EXPANDED_PROGRAM = 4 << 20,    /* all of a program's byte strings, expanded */
    OB_MAX_REPEAT = (0x3f << 16) | 0xffff /* the largest repeat count of a piece */
};

typedef struct ob_arg_spec {
    ob_arg_kind kind;
    int32_t lo, hi;             /* OB_ARG_INT */
    uint32_t max_len;           /* OB_ARG_BYTES: expanded, <= OB_MAX_EXPANDED_ARG */
    const char *const *choices; /* OB_ARG_ENUM: names without spaces */
    uint32_t nchoices;
} ob_arg_spec;

/* Spec initializers, for readable operation tables. */
#define OB_HANDLE                                                                                  \
    {                                                                                              \
        OB_ARG_HANDLE, 0, 0, 0, NULL, 0                                                            \
    }
#define OB_INT(lo, hi)                                                                             \
    {                                                                                              \
        OB_ARG_INT, (lo), (hi), 0, NULL, 0                                                         \
    }
#define OB_BYTES(max)                                                                              \
    {                                                                                              \
        OB_ARG_BYTES, 0, 0, (max), NULL, 0                                                         \
    }
#define OB_ENUM(names)                                                                             \
    {                                                                                              \
        OB_ARG_ENUM, 0, 0, 0, (names), sizeof(names) / sizeof((names)[0])                          \
    }

/* One piece of a byte string: a literal and how many times it repeats. */
typedef struct ob_piece {
    const uint8_t *bytes; /* borrowed from the program */
    uint32_t len;         /* <= OB_MAX_BYTES_ARG */
    uint32_t count;       /* <= OB_MAX_REPEAT */
} ob_piece;

typedef struct ob_value {
    int64_t i;            /* INT value, ENUM index, HANDLE slot */
    const uint8_t *bytes; /* BYTES: the pieces expanded, borrowed from the program */
    size_t len;
    /* BYTES: how the string is written. A value with npieces 0 is written as one piece
       of its first OB_MAX_BYTES_ARG bytes. */
    ob_piece pieces[OB_MAX_PIECES];
    uint32_t npieces;
} ob_value;

/* What an operation receives. */
typedef struct ob_call {
    void *state;             /* from the target's setup */
    const ob_value *args;    /* as decoded */
    void *objs[OB_MAX_ARGS]; /* HANDLE arguments resolved: borrowed, never NULL */
    void *result;            /* an operation that makes an object stores a new reference */
    unsigned thread;         /* logical thread running it */
} ob_call;

/* Returns 0, or the target's own error code: errors are expected results, not findings. */
typedef int (*ob_op_fn)(ob_call *call);

typedef struct ob_op {
    const char *name; /* no spaces, e.g. "list.append" */
    ob_op_fn fn;
    uint32_t nargs;
    ob_arg_spec args[OB_MAX_ARGS];
    int makes; /* 1: stores an object in call->result, which goes into the next handle */
} ob_op;

/* A process-wide counter of the target, readable before setup and after teardown.
   Balanced gauges (live objects, open handles) must return to their value from before
   the input: the leak detector checks them. Bounded gauges (cache entries, registry
   size) may keep what an input left, since caches fill, but must not grow when the same
   input runs again: only the growth detector watches them. */
typedef enum ob_gauge_kind { OB_GAUGE_BALANCED = 0, OB_GAUGE_BOUNDED = 1 } ob_gauge_kind;

typedef struct ob_gauge {
    const char *name; /* e.g. "live_objects" */
    int64_t (*read)(void);
    ob_gauge_kind kind;
} ob_gauge;

/* Live objects and their references, reported by a target's enumerate hook so a leak
   report can show the cycle that keeps objects alive (`list#3 -> dict#5 -> list#3`). */
typedef struct ob_graph ob_graph;
/* type has static storage; ids are the target's own, unique among live objects. */
void ob_graph_node(ob_graph *g, uint64_t id, const char *type);
void ob_graph_edge(ob_graph *g, uint64_t from, uint64_t to);

typedef struct ob_target {
    const char *name;
    const ob_op *ops;
    uint32_t nops;
    /* Once per process, before the first setup: plug ob_hook_* into the target's
       allocator and sync seams. Optional. */
    void (*init)(void);
    /* Per input. setup returns the state every operation sees (may be NULL). */
    void *(*setup)(void);
    void (*teardown)(void *state);
    /* Drops the reference a handle holds; called for every filled handle after the
       threads finish and before teardown. */
    void (*release)(void *state, void *obj);
    void (*collect)(void *state);      /* optional: e.g. run a cycle collector */
    const char *(*check)(void *state); /* optional: NULL, or what invariant broke */
    const ob_gauge *gauges;            /* optional */
    uint32_t ngauges;
    /* Optional: every live object and reference, for cycle reports. Called with no
       operation in flight, after teardown. */
    void (*enumerate)(ob_graph *g);
    /* Optional detector settings for this harness, in OB_DETECT syntax (see below). */
    const char *detect;
} ob_target;

/* An ob_target's counted fields filled from arrays (arrays, not pointers: the count is the
   array's), so a harness states what it has instead of sizeof arithmetic. OB_TARGET makes
   the whole initializer; the arguments after the operations are further designated
   initializers, OB_GAUGES among them:
     const ob_target ob_harness_target = OB_TARGET("tagset", ops, OB_GAUGES(gauges),
                                                   .setup = setup, .teardown = teardown);
   OB_OPS and OB_GAUGES also serve inside braces: {.name = "x", OB_OPS(ops), ...}. */
#define OB_COUNT(array) ((uint32_t)(sizeof(array) / sizeof((array)[0])))
#define OB_OPS(array) .ops = (array), .nops = OB_COUNT(array)
#define OB_GAUGES(array) .gauges = (array), .ngauges = OB_COUNT(array)
#define OB_TARGET(target_name, ops_array, ...)                                                     \
    {                                                                                              \
        .name = (target_name), OB_OPS(ops_array), __VA_ARGS__                                      \
    }

/* ---- programs ---- */

typedef enum ob_fail_kind {
    OB_FAIL_NONE = 0,
    OB_FAIL_NTH = 1, /* the Nth allocation inside the operation fails */
    OB_FAIL_ALL = 2  /* every allocation inside the operation fails */
} ob_fail_kind;

typedef struct ob_inst {
    uint16_t op;
    uint8_t thread;
    uint8_t fail; /* ob_fail_kind */
    uint8_t fail_n;
    int8_t slot; /* handle this operation fills, or -1 */
    ob_value args[OB_MAX_ARGS];
} ob_inst;

typedef struct ob_program {
    const ob_target *target; /* borrowed */
    uint32_t nthreads;       /* 1..OB_PROGRAM_THREADS */
    uint32_t nschedule;
    uint8_t schedule[OB_MAX_SCHEDULE];
    uint32_t ninsts;
    uint32_t nslots;
    ob_inst insts[OB_MAX_INSTS];
    uint8_t *arena;   /* owned copies of byte arguments' literal pieces */
    void *expansions; /* owned: byte arguments whose pieces repeat, expanded */
} ob_program;

/* Decodes data into *p (which the caller owns; ob_program_clear releases it). Total:
   returns OB_OK for every input, or OB_ENOMEM. */
ob_status ob_program_decode(const ob_target *t, const uint8_t *data, size_t size, ob_program *p);
/* Releases what decode allocated; *p may be decoded into again. */
void ob_program_clear(ob_program *p);
/* Encodes p as bytes that decode to p. *out is malloc'd (caller frees). */
ob_status ob_program_encode(const ob_program *p, uint8_t **out, size_t *size);
/* 1 when both programs are the same (byte arguments compared by content). */
int ob_program_equal(const ob_program *a, const ob_program *b);
/* Writes the text form: a header line, `threads N`, `schedule ..`, one line per op. */
int ob_program_print(const ob_program *p, FILE *out);
/* Assembles text into *p. On OB_ESYNTAX, err (if not NULL) gets "line N: why". */
ob_status ob_program_assemble(const ob_target *t, const char *text, ob_program *p, char *err,
                              size_t errlen);

/* ---- allocation-failure injection ----
** Plug these into the target's allocator seam (same shapes as tg_allocator). They pass
** through to libc except inside an operation whose program line carries !fail=N or
** !failall, per logical thread. */
void *ob_hook_malloc(void *ctx, size_t size);
void *ob_hook_realloc(void *ctx, void *p, size_t size);
void ob_hook_free(void *ctx, void *p);
/* Sync seam shapes (as tg_sync): scheduling points for the deterministic executor. */
void ob_hook_lock(void *ctx, pthread_mutex_t *m);
void ob_hook_unlock(void *ctx, pthread_mutex_t *m);
void ob_hook_yield(void *ctx, const char *where);
/* Allocations failed on purpose so far in this process. */
uint64_t ob_injected_failures(void);

/* ---- running ---- */

typedef enum ob_executor_kind { OB_EXEC_FIBERS = 0, OB_EXEC_POOL = 1 } ob_executor_kind;

typedef struct ob_options {
    ob_executor_kind executor;
    size_t fiber_stack;  /* 0: 64 KiB */
    size_t thread_stack; /* 0: 256 KiB */
} ob_options;

/* What one run of a program did. */
typedef struct ob_outcome {
    ob_status status;                          /* OB_OK or OB_EDEADLOCK */
    uint32_t executed;                         /* operations called */
    uint32_t skipped;                          /* operations whose handle was not filled yet */
    uint32_t failed;                           /* operations that returned a target error */
    const char *positions[OB_PROGRAM_THREADS]; /* OB_EDEADLOCK: where each thread waits */
    int blocked[OB_PROGRAM_THREADS];
    const char *check; /* the target's check message, or NULL */
    /* Each logical thread's deepest stack use in bytes: measured exactly on fibers, out of
       stack_size bytes; on the pool, down to the lowest instrumented frame (0 without
       coverage instrumentation), and stack_size is 0 (no budget is judged there). */
    size_t stack_used[OB_PROGRAM_THREADS];
    size_t stack_size;
} ob_outcome;

typedef struct ob_runner ob_runner;

/* A runner owns its executors (created on first use, reused for every input). */
ob_status ob_runner_new(const ob_options *opt, ob_runner **out);
void ob_runner_free(ob_runner *r);
/* setup -> threads -> release handles -> collect -> check -> teardown. */
ob_status ob_run(ob_runner *r, const ob_program *p, ob_outcome *out);
/* Options from the environment: OB_EXECUTOR=fibers|pool, OB_FIBER_STACK, OB_THREAD_STACK
   (bytes). Unknown values are an error with a message on stderr. */
ob_status ob_options_from_env(ob_options *opt);

/* ---- detectors ----
** Settings are words `name=value` separated by spaces or commas, applied in order:
** built-in defaults, then the entry point's (fuzzing samples growth), then the target's
** `detect` string, then the OB_DETECT environment variable. Names:
**   leak=0|1 growth=0|1 stack=0|1 hang=0|1 invariant=0|1   detectors on or off
**   lsan=0|1 (1)   LeakSanitizer's check after inputs that grew the heap; the libFuzzer
**                  entry turns it off, since libFuzzer runs the same check itself
**   growth_warmup=N (2) growth_runs=N (3) growth_every=N (1: every input)
**   stack_budget=P (50: percent of a logical thread's stack)   hang_seconds=S (5)
**   fiber_stack=KiB thread_stack=KiB (0: 64 and 256)   the logical threads' stacks; the
**                  OB_FIBER_STACK and OB_THREAD_STACK variables (bytes) override them
**   features=0|1 (1)  tell libFuzzer, as extra coverage, how deep the input's deepest
**                  logical thread went, how many heap bytes it left behind and how far
**                  each gauge rose (log scale, 16 steps an octave): inputs that go deeper
**                  or grow global state further join the corpus (ob_features.h)
** A harness built by ob_fuzz_harness gets its macro attributes (detect, fiber_stack,
** thread_stack) compiled in as ob_harness_settings, applied after the target's string. */
typedef struct ob_detectors {
    int leak, growth, stack, hang, invariant, lsan;
    unsigned growth_warmup, growth_runs, growth_every;
    unsigned stack_budget;
    double hang_seconds;
    unsigned fiber_stack, thread_stack; /* KiB; 0: the executor's default */
    int features; /* depth, heap left behind and gauge rises as libFuzzer features */
} ob_detectors;

void ob_detectors_default(ob_detectors *d);
/* Applies spec to *d. Returns OB_OK, or OB_EINVAL with a message in err. */
ob_status ob_detectors_parse(ob_detectors *d, const char *spec, char *err, size_t errlen);

/* ---- harness entry points ----
** A harness source defines ob_harness_target; the kit supplies main()s around it: the
** libFuzzer entry (ob_fuzz.c) and the tool (ob_tool.c: print, assemble, replay, stress). */
extern const ob_target ob_harness_target;

typedef struct ob_finding {
    const char *klass; /* NULL when the input found nothing, else e.g. "leak" */
    char message[1024];
    char signature[512]; /* stable: what minimization keeps and campaigns deduplicate on */
    char slug[17];
} ob_finding;

/* Runs one input through the process-wide runner (made on first use from the
   environment). On a finding, prints its report block to stderr. Returns OB_OK, or an
   error when the kit itself failed (options, memory). */
ob_status ob_harness_run(const uint8_t *data, size_t size, ob_finding *f);
/* Detector settings an entry point applies before the target's and the environment's;
   call before the first ob_harness_run. */
void ob_harness_defaults(const char *spec);
/* How much stack one input needs, for `<name>_tool calibrate`. */
typedef struct ob_stack_use {
    size_t deepest;     /* bytes the deepest logical thread used on this run's fibers */
    size_t fiber_stack; /* the harness's own fiber size, as its settings give it (bytes) */
    unsigned budget;    /* its stack_budget, percent */
} ob_stack_use;

/* Runs one input on the process-wide runner with no detector judging it (its fibers as
   the environment sizes them: the caller sets OB_FIBER_STACK large before the first run)
   and reports its deepest stack use. Returns OB_OK, or an error as ob_harness_run does. */
ob_status ob_harness_stack_use(const uint8_t *data, size_t size, ob_stack_use *u);

/* What a finding does to the process once reported: the libFuzzer entry aborts (so
   libFuzzer saves the input); the tool exits with its finding code. Used by detectors
   that fire from another thread (hang) or from a sanitizer callback. */
void ob_harness_on_fatal(void (*die)(void));

#ifdef __cplusplus
}
#endif

#endif
