/*
** calc.h: a small expression language over 64-bit integers. The one public header.
**
** Language
**   program := (def ';')* expr
**   def     := NAME '(' [NAME (',' NAME)*] ')' '=' expr
**   expr    := 'let' NAME '=' expr 'in' expr | 'if' expr 'then' expr 'else' expr | cmp
**   cmp     := add (('<' | '<=' | '>' | '>=' | '==' | '!=') add)*
**   add     := mul (('+' | '-') mul)*
**   mul     := unary (('*' | '/' | '%') unary)*
**   unary   := '-' unary | NUMBER | NAME | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'
** Binary operators are left-associative. Keywords: let in if then else. `-` directly before
** a number folds into a negative literal (so INT64_MIN is writable); `-(5)` is a negation.
** `let` and `if` extend as far right as possible and need parentheses as operands.
**
** Semantics
**   Values are int64_t. + - * and negation report CALC_EOVERFLOW on overflow (never wrap);
**   / and % truncate toward zero, a zero divisor is CALC_EDIVZERO, INT64_MIN / -1 is
**   CALC_EOVERFLOW and INT64_MIN % -1 is 0. Comparisons yield 1 or 0; `if` takes any
**   nonzero value as true. A function body sees only its parameters and its own lets.
**   Functions are looked up by name in the environment at each call, so redefinition
**   takes effect at the next call, including for running recursion.
**
** Limits (each reports its own status, never a crash)
**   - Evaluation: a step budget (every node visited counts one step, calls and tail calls
**     included, and a variable lookup one more per binding it passes over; the budget is
**     checked on entering every nested evaluation, at every call and tail call, and at the
**     end) -> CALC_EBUDGET; a depth limit on nested evaluation, which every non-tail
**     call and every non-tail subexpression enters -> CALC_EDEPTH. Tail calls (a call in
**     tail position of a body, also through if/let) reuse their frame: constant C stack.
**   - Parsing: nesting beyond CALC_PARSE_MAX_NESTING -> CALC_EDEPTH with line:col.
**   - Printing: AST nesting beyond the caller's max_depth -> CALC_EDEPTH.
**   An operator chain (`1 + 1 + ... + 1`) parses without nesting but is a deep tree, so
**   evaluating or printing it may still report CALC_EDEPTH.
**   - AST size: a tree of more than CALC_MAX_NODES nodes (counting shared subtrees once
**     per use) is refused with CALC_ETOOBIG, so every walk is bounded.
**
** Ownership
**   ASTs are immutable and reference-counted (atomically: share them across threads).
**   Constructors consume the references passed as children, on success and on failure
**   alike, and return a new reference. Accessors return borrowed pointers. Strings and
**   arrays passed in are copied. Functions (calc_fn) are reference-counted the same way.
**
** Threads
**   A calc_env may be used from any number of threads at once (define, remove, lookup,
**   eval). Everything else is safe to share once built because it is immutable.
**
** Memory
**   Every allocation goes through the tg_allocator set by calc_set_hooks(); an allocation
**   failure returns CALC_ENOMEM with nothing leaked and every invariant intact.
*/
#ifndef CALC_H
#define CALC_H

#include <stddef.h>
#include <stdint.h>

#include "targets/hooks/tg_hooks.h"

/* X(name, description): the status codes, in value order (CALC_OK is 0). */
#define CALC_STATUS_LIST(X)                                                                        \
    X(CALC_OK, "ok")                                                                               \
    X(CALC_ESYNTAX, "syntax error")                                                                \
    X(CALC_EDEPTH, "nesting or depth limit exceeded")                                              \
    X(CALC_EBUDGET, "step budget exhausted")                                                       \
    X(CALC_ENOMEM, "out of memory")                                                                \
    X(CALC_EDIVZERO, "division by zero")                                                           \
    X(CALC_EOVERFLOW, "integer overflow")                                                          \
    X(CALC_EUNDEF, "undefined variable or function")                                               \
    X(CALC_EARITY, "wrong number of arguments")                                                    \
    X(CALC_EINTR, "interrupted by the caller's callback")                                          \
    X(CALC_EINVAL, "invalid argument")                                                             \
    X(CALC_EBUSY, "objects are alive")                                                             \
    X(CALC_ETOOBIG, "tree too large")

typedef enum calc_status {
#define CALC_STATUS_ENUM(name, text) name,
    CALC_STATUS_LIST(CALC_STATUS_ENUM)
#undef CALC_STATUS_ENUM
        CALC_STATUS_COUNT
} calc_status;

/* The enum name of s ("CALC_EDEPTH"), or "CALC_?" for a value outside the enum. Static. */
const char *calc_status_name(calc_status s);
/* A short description of s ("division by zero"), or "unknown status". Static. */
const char *calc_status_text(calc_status s);

/* Limits. The defaults keep the clean library inside half of a 64 KiB stack under ASan,
   the harness's fiber size. Measured C stack per level (clang-19 -O1, ASan / TSan):
   parser 180-550 / 90-290 bytes (parentheses cheapest, nested calls dearest), evaluator
   about 480 / 210, printer about 110 / 95. Callers that raise max_depth size their
   stacks to match. */
enum {
    CALC_PARSE_MAX_NESTING = 32,      /* parentheses, unary minus, let/if parts, arguments */
    CALC_MAX_NODES = 1 << 20,         /* nodes per tree */
    CALC_DEFAULT_MAX_DEPTH = 32,      /* evaluation nesting when limits are NULL */
    CALC_DEFAULT_MAX_STEPS = 1000000, /* evaluation steps when limits are NULL */
    CALC_PRINT_DEFAULT_DEPTH = 128,   /* printer nesting when max_depth is 0 */
};

/* A failure's description. line and col are 1-based; both 0 when there is no position
   (a node built by a constructor, or no source). msg is NUL-terminated. */
typedef struct calc_error {
    calc_status status;
    uint32_t line, col;
    char msg[160];
} calc_error;

/* ---- hooks and gauges ---- */

/* Sets the allocator and sync hooks (NULL = the tg defaults). The tables are copied.
   Returns CALC_EBUSY, changing nothing, while any calc object or allocation is alive.
   No other calc call may run concurrently with this one. */
calc_status calc_set_hooks(const tg_allocator *alloc, const tg_sync *sync);

/* Process-wide counters, exact at any quiescent point. */
typedef struct calc_gauges {
    size_t live_nodes; /* AST nodes not yet freed */
    size_t live_fns;   /* function objects not yet freed (in environments or held) */
    size_t live_envs;
    size_t bytes;       /* bytes currently allocated through the hooks, headers included */
    size_t allocations; /* blocks currently allocated */
} calc_gauges;
void calc_gauges_read(calc_gauges *out);

/* ---- AST ---- */

typedef struct calc_ast calc_ast;

typedef enum calc_kind {
    CALC_NUM,
    CALC_VAR,
    CALC_NEG,
    CALC_BINOP,
    CALC_IF,
    CALC_LET,
    CALC_CALL
} calc_kind;

/* X(name, spelling, precedence): binary operators. Higher precedence binds tighter. */
#define CALC_OP_LIST(X)                                                                            \
    X(CALC_LT, "<", 1)                                                                             \
    X(CALC_LE, "<=", 1)                                                                            \
    X(CALC_GT, ">", 1)                                                                             \
    X(CALC_GE, ">=", 1)                                                                            \
    X(CALC_EQ, "==", 1)                                                                            \
    X(CALC_NE, "!=", 1)                                                                            \
    X(CALC_ADD, "+", 2)                                                                            \
    X(CALC_SUB, "-", 2)                                                                            \
    X(CALC_MUL, "*", 3)                                                                            \
    X(CALC_DIV, "/", 3)                                                                            \
    X(CALC_MOD, "%", 3)

typedef enum calc_op {
#define CALC_OP_ENUM(name, spelling, prec) name,
    CALC_OP_LIST(CALC_OP_ENUM)
#undef CALC_OP_ENUM
        CALC_OP_COUNT
} calc_op;

/* Constructors. Each consumes the child references it is given (also on failure) and on
   success stores a new reference in *out. Names must be identifiers that are not keywords
   (else CALC_EINVAL); they are copied. A NULL child or out is CALC_EINVAL. Other results:
   CALC_ENOMEM, CALC_ETOOBIG. */
calc_status calc_num(int64_t value, calc_ast **out);
calc_status calc_var(const char *name, calc_ast **out);
calc_status calc_neg(calc_ast *operand, calc_ast **out);
calc_status calc_binop(calc_op op, calc_ast *left, calc_ast *right, calc_ast **out);
calc_status calc_if(calc_ast *cond, calc_ast *then_e, calc_ast *else_e, calc_ast **out);
/* let name = value in body */
calc_status calc_let(const char *name, calc_ast *value, calc_ast *body, calc_ast **out);
/* name(args[0], ..., args[nargs-1]); consumes every element of args. */
calc_status calc_call(const char *name, size_t nargs, calc_ast *const *args, calc_ast **out);

/* New reference to e (e may be NULL; returns e). */
calc_ast *calc_ast_retain(calc_ast *e);
/* Drops a reference (NULL is a no-op). Freeing is iterative: any depth is safe. */
void calc_ast_release(calc_ast *e);

/* Accessors; e must not be NULL. Pointers returned are borrowed from e. */
calc_kind calc_ast_kind(const calc_ast *e);
calc_op calc_ast_op(const calc_ast *e);       /* CALC_BINOP only */
int64_t calc_ast_value(const calc_ast *e);    /* CALC_NUM only */
const char *calc_ast_name(const calc_ast *e); /* VAR, LET, CALL; NULL otherwise */
size_t calc_ast_nkids(const calc_ast *e);     /* NEG 1, BINOP 2, IF 3, LET 2, CALL nargs */
const calc_ast *calc_ast_kid(const calc_ast *e, size_t i); /* NULL when i is out of range */
size_t calc_ast_size(const calc_ast *e);                   /* nodes in the tree */
/* 1 when a and b have the same structure (positions ignored), else 0. Recursion is
   logarithmic in tree size, so any tree is safe. */
int calc_ast_equal(const calc_ast *a, const calc_ast *b);

/* ---- functions and programs ---- */

typedef struct calc_fn calc_fn;

calc_fn *calc_fn_retain(calc_fn *fn);
void calc_fn_release(calc_fn *fn);
const char *calc_fn_name(const calc_fn *fn); /* borrowed */
size_t calc_fn_nparams(const calc_fn *fn);
const char *calc_fn_param(const calc_fn *fn, size_t i); /* borrowed; NULL out of range */
const calc_ast *calc_fn_body(const calc_fn *fn);        /* borrowed */

/* A parsed program: its definitions in source order and the final expression. */
typedef struct calc_program calc_program;
void calc_program_free(calc_program *p);
size_t calc_program_nfns(const calc_program *p);
const calc_fn *calc_program_fn(const calc_program *p, size_t i); /* borrowed */
const calc_ast *calc_program_expr(const calc_program *p);        /* borrowed */

/* ---- parsing ---- */

/* Parses src[0..len) (need not be NUL-terminated) as one expression / a whole program.
   On success *out is new (a reference / owned program). On failure *out is NULL and err
   (may be NULL) says why and where. Results: CALC_OK, CALC_ESYNTAX, CALC_EDEPTH,
   CALC_ENOMEM, CALC_ETOOBIG, CALC_EINVAL (NULL src with len > 0, NULL out). */
calc_status calc_parse_expr(const char *src, size_t len, calc_ast **out, calc_error *err);
calc_status calc_parse_program(const char *src, size_t len, calc_program **out, calc_error *err);

/* ---- printing ---- */

/* Canonical text of e with minimal parentheses: calc_parse_expr(print(e)) is equal to e.
   max_depth bounds the printer's recursion (0 = CALC_PRINT_DEFAULT_DEPTH); a deeper tree
   is CALC_EDEPTH. On success *out is a NUL-terminated string the caller frees with
   calc_string_free, and *len (may be NULL) its length. Results: CALC_OK, CALC_EDEPTH,
   CALC_ENOMEM, CALC_EINVAL. */
calc_status calc_print(const calc_ast *e, unsigned max_depth, char **out, size_t *len);
/* The definition "name(p, q) = body", same contract. */
calc_status calc_print_fn(const calc_fn *fn, unsigned max_depth, char **out, size_t *len);
void calc_string_free(char *s);

/* ---- the function environment ---- */

typedef struct calc_env calc_env;

/* Results: CALC_OK (*out is new), CALC_ENOMEM, CALC_EINVAL. */
calc_status calc_env_new(calc_env **out);
/* Frees env and drops its functions. No other thread may be using env. NULL is a no-op. */
void calc_env_free(calc_env *env);
/* Defines or redefines name(params...) = body. Copies name and params, takes its own
   reference to body (the caller keeps its own). A thread evaluating the old definition
   keeps it alive until it is done. Results: CALC_OK, CALC_ENOMEM, CALC_EINVAL (bad or
   duplicate names, NULL body). */
calc_status calc_env_define(calc_env *env, const char *name, size_t nparams,
                            const char *const *params, const calc_ast *body);
/* Defines every function of p in order (a later definition of a name wins). On
   CALC_ENOMEM the definitions before the failing one stay defined. */
calc_status calc_env_load(calc_env *env, const calc_program *p);
/* CALC_OK, or CALC_EUNDEF when name is not defined. */
calc_status calc_env_remove(calc_env *env, const char *name);
/* CALC_OK with a new reference in *out, or CALC_EUNDEF (*out NULL). */
calc_status calc_env_lookup(calc_env *env, const char *name, calc_fn **out);
/* Functions currently defined. */
size_t calc_env_count(calc_env *env);
/* NULL when env's invariants hold (env may be NULL: only the global ones), else a static
   message naming the broken invariant. */
const char *calc_check(calc_env *env);

/* ---- evaluation ---- */

typedef struct calc_limits {
    uint64_t max_steps; /* 0 = CALC_DEFAULT_MAX_STEPS */
    unsigned max_depth; /* 0 = CALC_DEFAULT_MAX_DEPTH; the caller sizes its stack for it */
    /* Called at every call and tail call with the number of calls so far; a nonzero
       return stops the evaluation with CALC_EINTR. May be NULL. */
    int (*on_call)(void *ctx, uint64_t calls);
    void *ctx;
} calc_limits;

/* What one evaluation did. */
typedef struct calc_eval_info {
    uint64_t steps;      /* charged steps */
    uint64_t calls;      /* calls, tail calls included */
    uint64_t tail_calls; /* calls that reused their caller's frame */
    unsigned max_depth;  /* deepest nesting reached */
} calc_eval_info;

/* Evaluates expr with functions from env (NULL: no functions). limits, info and err may
   be NULL. On CALC_OK *result holds the value. Results: CALC_OK, CALC_EBUDGET,
   CALC_EDEPTH, CALC_ENOMEM, CALC_EDIVZERO, CALC_EOVERFLOW, CALC_EUNDEF, CALC_EARITY,
   CALC_EINTR, CALC_EINVAL. */
calc_status calc_eval(calc_env *env, const calc_ast *expr, const calc_limits *limits,
                      int64_t *result, calc_eval_info *info, calc_error *err);
/* Parses a program, loads its definitions into env (env may be NULL only if there are
   none), then evaluates its final expression. */
calc_status calc_exec(calc_env *env, const char *src, size_t len, const calc_limits *limits,
                      int64_t *result, calc_eval_info *info, calc_error *err);

#endif
