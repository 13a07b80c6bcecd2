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
    OB_MAX_ARGS = 8,
    OB_MAX_SLOTS = 64,      /* handles h0..h63 */
    OB_MAX_INSTS = 256,     /* operations per program, all threads together */
    OB_MAX_SCHEDULE = 32,   /* schedule bytes per program */
    OB_MAX_BYTES_ARG = 255, /* longest literal piece of a byte-string argument */
    OB_MAX_PIECES = 3,      /* pieces of a byte-string argument, each repeated (below) */
    OB_PROGRAM_THREADS = 8, /* logical threads per program, at most */
    OB_FAIL_NTH_MAX = 28,   /* "fail the Nth allocation" goes up to this N */
    OB_HISTORY_RUNS = 64,   /* runs before a finding kept for a target with persistent state */
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

/* What an operation does to the object of a handle argument, once it returns 0 (or
   whatever it returns, with OB_OWN_ALWAYS: a steal that drops the reference when it
   fails, like jansson's json_array_append_new, is MOVED on success and gone on failure).
   - BORROWED: nothing; the handle keeps its reference.
   - MOVED: the object now belongs to the object of handle argument `owner` (an add-child
     that takes ownership, a setter that steals a reference): the kit no longer releases
     it, and it is gone when its owner is freed. It may still be passed while it lives.
   - FREED: the object is gone (a delete that frees a subtree, a decref of the handle's
     own reference), and with it every handle moved into it or made part of it,
     transitively: the kit never passes those handles again and never releases them.
   Without one_owner (refcounted targets) only a handle that holds its own reference may be
   moved or freed: an operation that would give away a borrowed or already moved one is
   skipped. With one_owner, any handle of the object will do (the object moves, not a
   reference). The leak detector still judges everything: what the end releases (the handles that
   still own their reference) must take every object with it. */
typedef enum ob_own {
    OB_OWN_BORROWED = 0,
    OB_OWN_MOVED = 1,
    OB_OWN_FREED = 2,
    OB_OWN_ALWAYS = 4 /* or'ed in: the reference is taken whatever the operation returns */
} ob_own;

typedef struct ob_arg_spec {
    ob_arg_kind kind;
    int32_t lo, hi;             /* OB_ARG_INT */
    uint32_t max_len;           /* OB_ARG_BYTES: expanded, <= OB_MAX_EXPANDED_ARG */
    const char *const *choices; /* OB_ARG_ENUM: names without spaces */
    uint32_t nchoices;
    uint8_t own;   /* OB_ARG_HANDLE: ob_own */
    uint8_t owner; /* OB_OWN_MOVED: the argument index of the new owner's handle */
    /* OB_ARG_INT, OB_ARG_BYTES: every run takes a value never used before in this process
       (the growth detector's reruns too), so a table keyed by it meets a new key each time.
       An integer takes lo + n mod (hi - lo + 1), n counting the fresh integers taken in the
       process; a byte string is its written pieces followed by OB_FRESH_DIGITS hex digits
       of the count of fresh byte strings (fewer when max_len is smaller). The text form writes
       `fresh`: `"key" + fresh`, or `fresh`. */
    uint8_t fresh;
} ob_arg_spec;

enum { OB_FRESH_DIGITS = 8 };

/* Spec initializers, for readable operation tables. */
#define OB_HANDLE                                                                                  \
    {                                                                                              \
        OB_ARG_HANDLE, 0, 0, 0, NULL, 0, OB_OWN_BORROWED, 0, 0                                     \
    }
/* The handle's object, on success, belongs to the object of handle argument `owner_arg`. */
#define OB_HANDLE_MOVED(owner_arg)                                                                 \
    {                                                                                              \
        OB_ARG_HANDLE, 0, 0, 0, NULL, 0, OB_OWN_MOVED, (owner_arg), 0                              \
    }
/* The handle's object, on success, is freed with everything it owns. */
#define OB_HANDLE_FREED                                                                            \
    {                                                                                              \
        OB_ARG_HANDLE, 0, 0, 0, NULL, 0, OB_OWN_FREED, 0, 0                                        \
    }
/* The handle's reference is stolen by the object of handle argument `owner_arg`, even when
   the operation fails (then it is dropped: the handle is gone). */
#define OB_HANDLE_STOLEN(owner_arg)                                                                \
    {                                                                                              \
        OB_ARG_HANDLE, 0, 0, 0, NULL, 0, OB_OWN_MOVED | OB_OWN_ALWAYS, (owner_arg), 0              \
    }
#define OB_INT(lo, hi)                                                                             \
    {                                                                                              \
        OB_ARG_INT, (lo), (hi), 0, NULL, 0, 0, 0, 0                                                \
    }
#define OB_INT_FRESH(lo, hi)                                                                       \
    {                                                                                              \
        OB_ARG_INT, (lo), (hi), 0, NULL, 0, 0, 0, 1                                                \
    }
#define OB_BYTES(max)                                                                              \
    {                                                                                              \
        OB_ARG_BYTES, 0, 0, (max), NULL, 0, 0, 0, 0                                                \
    }
#define OB_BYTES_FRESH(max)                                                                        \
    {                                                                                              \
        OB_ARG_BYTES, 0, 0, (max), NULL, 0, 0, 0, 1                                                \
    }
#define OB_ENUM(names)                                                                             \
    {                                                                                              \
        OB_ARG_ENUM, 0, 0, 0, (names), sizeof(names) / sizeof((names)[0]), 0, 0, 0                 \
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
    void *state;          /* from the target's setup */
    const ob_value *args; /* as decoded; fresh arguments with this run's value */
    /* By argument position, like args: objs[i] is the object of argument i when that
       argument is a handle (borrowed, never NULL), and NULL for every other kind. */
    void *objs[OB_MAX_ARGS];
    void *result;     /* an operation that makes an object stores it here (see ob_op.makes) */
    unsigned thread;  /* logical thread running it */
    void *persistent; /* from the target's persistent_setup, or NULL */
} ob_call;

/* Returns 0, or the target's own error code: errors are expected results, not findings. */
typedef int (*ob_op_fn)(ob_call *call);

/* ob_op.makes: what the operation stores in call->result, which fills the next handle.
   OB_MAKES: a new reference (or a new root object), released by the target's release at
   the end. OB_MAKES_PART_OF(k): an object that belongs to handle argument k's object (a
   child looked up in its parent, a borrowed reference): never released by the kit, and
   gone when that object is freed. */
#define OB_MAKES 1
#define OB_MAKES_PART_OF(arg) (2 + (arg))

typedef struct ob_op {
    const char *name; /* no spaces, e.g. "list.append" */
    ob_op_fn fn;
    uint32_t nargs;
    ob_arg_spec args[OB_MAX_ARGS];
    int makes; /* 0, OB_MAKES or OB_MAKES_PART_OF(k) */
} ob_op;

/* A process-wide counter of the target, readable before setup and after teardown. Two
   kinds, judged by different detectors:
   - BALANCED: what an input must give back. Live objects, open handles, live allocation
     blocks of the target's seam: 0 before the input, 0 after, or the leak detector
     reports `leak` signed with the gauge's name (or with the object types of the cycle,
     when the target enumerates objects). A gauge signs with its name and has no stack, so
     count objects here, not bytes: a leaked byte count says less than LeakSanitizer's
     allocation stack, which the kit's own heap check gives when no gauge is off.
   - BOUNDED: what an input may keep. Cache entries, interned strings, registry size: an
     LRU of 8 entries reads 8 after a full input and stays 8, which is fine; one that
     reads 8, 9, 10 when the same program runs again is `growth`. The report shows the
     gauge's values on the growth detector's first and last rerun.
   Example: {"live_nodes", read_live, OB_GAUGE_BALANCED}, {"interned", read_interned,
   OB_GAUGE_BOUNDED}. */
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
/* A pointer stored so LeakSanitizer does not see it (and ob_unhidden, the pointer again):
   for tables a target keeps only to enumerate its objects. */
uintptr_t ob_hidden(const void *p);
void *ob_unhidden(uintptr_t h);

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
    /* Drops the reference a handle holds; called after the threads finish and before
       teardown for every filled handle that still owns its reference (not moved into
       another object, freed, or made part of one: see ob_own). */
    void (*release)(void *state, void *obj);
    void (*collect)(void *state);      /* optional: e.g. run a cycle collector */
    const char *(*check)(void *state); /* optional: NULL, or what invariant broke */
    const ob_gauge *gauges;            /* optional */
    uint32_t ngauges;
    /* Optional: every live object and reference, for cycle reports. Called with no
       operation in flight, after teardown. A table of live objects kept for it must
       hold ob_hidden pointers (below): a plain pointer there is a reference LeakSanitizer
       sees, which keeps every leaked object reachable and so hides the leak. */
    void (*enumerate)(ob_graph *g);
    /* Optional detector settings for this harness, in OB_DETECT syntax (see below). */
    const char *detect;
    /* 1: the target allocates through ob_hook_* or the ob_alloc_* adapters (below), so a
       program's !fail=N and !failall points fail its allocations. 0 (default): programs
       carry no failure points (decoding drops them; the text form rejects them), since
       they would do nothing. */
    int alloc_hooks;
    /* 1: an object has one owner and no reference count (a tree API): handles that hold
       the same pointer hold the same object, so what an operation does to one (moved,
       freed, made part of another) it does to all, and the end releases each object
       once. 0 (default): each handle holds a reference of its own (refcounted APIs). */
    int one_owner;
    /* Optional: state that lives as long as the process (an embedded interpreter, a
       server's caches), made once before the first input and given to every operation as
       call->persistent; persistent_reset runs after each input's teardown and should bring
       it back to how the first input found it. What it fails to reset makes findings that
       need earlier inputs: the kit keeps the process's last OB_HISTORY_RUNS runs, writes
       them beside such a finding (history-<slug>.txt) and `X_tool repro --history FILE`
       replays them first, then says whether the finding needs them and which. */
    void *(*persistent_setup)(void);
    void (*persistent_reset)(void *persistent);
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
    /* Decoded from a saved input (ob_program_save) whose operation table differs from the
       target's: the same bytes meant another program when they were saved. */
    int stale;
    uint64_t saved_fingerprint; /* stale: the table the input was saved for */
} ob_program;

/* Decodes data into *p (which the caller owns; ob_program_clear releases it). Total:
   returns OB_OK for every input, or OB_ENOMEM. */
ob_status ob_program_decode(const ob_target *t, const uint8_t *data, size_t size, ob_program *p);
/* Releases what decode allocated; *p may be decoded into again. */
void ob_program_clear(ob_program *p);
/* Encodes p as bytes that decode to p. *out is malloc'd (caller frees). */
ob_status ob_program_encode(const ob_program *p, uint8_t **out, size_t *size);
/* A fingerprint of t's operation table: names, argument kinds, ranges and effects, in
   order. Adding, removing or reordering an operation, or changing an argument, changes
   it, and with it what a binary input decodes to. */
uint64_t ob_program_fingerprint(const ob_target *t);
/* Encodes p for keeping on disk: its bytes followed by a trailer with the fingerprint
   (OB_SAVED_TRAILER bytes), so decoding it under another table sets p->stale instead of
   running a different program silently. Decoding drops a trailer it finds at the end.
   Text programs (operation names) survive table changes; prefer them for what you keep. */
ob_status ob_program_save(const ob_program *p, uint8_t **out, size_t *size);
enum { OB_SAVED_TRAILER = 12 };
/* 1 when both programs are the same (byte arguments compared by content). */
int ob_program_equal(const ob_program *a, const ob_program *b);
/* Writes the text form: a header line, `threads N`, `schedule ..`, one line per op. */
int ob_program_print(const ob_program *p, FILE *out);
/* Assembles text into *p. On OB_ESYNTAX, err (if not NULL) gets "line N: why". */
ob_status ob_program_assemble(const ob_target *t, const char *text, ob_program *p, char *err,
                              size_t errlen);

/* ---- allocation-failure injection ----
** Plug these into the target's allocator seam (same shapes as tg_allocator), and set the
** target's alloc_hooks. They pass through to libc except inside an operation whose
** program line carries !fail=N or !failall, per logical thread. */
void *ob_hook_malloc(void *ctx, size_t size);
void *ob_hook_realloc(void *ctx, void *p, size_t size);
void ob_hook_free(void *ctx, void *p);
/* The same allocator in the shapes libraries' seams take, so a seam needs no wrapper:
   context-free malloc/calloc/realloc/free (cJSON_InitHooks, json_set_alloc_funcs),
   sizes as int (sqlite3_mem_methods-style suites: a negative size fails), count and size
   with a context (zlib's zalloc/zfree), and lua_Alloc's one function (nsize 0 frees). */
void *ob_alloc_malloc(size_t size);
void *ob_alloc_calloc(size_t count, size_t size);
void *ob_alloc_realloc(void *p, size_t size);
void ob_alloc_free(void *p);
void *ob_alloc_malloc_int(int size);
void *ob_alloc_realloc_int(void *p, int size);
void *ob_alloc_items(void *ctx, unsigned count, unsigned size);
void *ob_alloc_lua(void *ud, void *p, size_t osize, size_t nsize);
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

/* Runs one input once on the process-wide runner with no detector judging it (a run of a
   persistent-state history, replayed as it ran). Sanitizer findings still end the
   process. Returns OB_OK, or an error as ob_harness_run does. */
ob_status ob_harness_run_once(const uint8_t *data, size_t size);

/* What a finding does to the process once reported: the libFuzzer entry aborts (so
   libFuzzer saves the input); the tool exits with its finding code. Used by detectors
   that fire from another thread (hang) or from a sanitizer callback. */
void ob_harness_on_fatal(void (*die)(void));

#ifdef __cplusplus
}
#endif

#endif
