/*
** calc_eval.c: the evaluator.
**
** Variables live on one binding stack. A function's frame is the slice from vm.frame up;
** lookups never look below it, so a body sees only its parameters and its own lets.
**
** Each eval() is an activation: one level of nesting, charged against max_depth. It runs
** a loop (run) that follows tail positions without recursing: the branch of an if, the
** body of a let and, once the activation runs a function, every call in tail position,
** which replaces the frame in place (a trampoline). So only non-tail subexpressions and
** non-tail calls use C stack, and both are bounded by max_depth.
**
** Steps: every node visited is one step, and a variable lookup costs one more step per
** binding it passes over (lookups scan the frame). The budget is checked on entry to
** every nested evaluation, at every call and tail call, and at the end. Between two
** checks the evaluator does at most one leaf's work: a tail call whose arguments are all
** leaves (evaluated in place, without an activation) passes no other check.
*/
#define CALC_INTERNAL
#include "targets/calc/calc_ast.h"
#include "targets/calc/calc_fn.h"

#include <string.h>

typedef struct binding {
    /* Borrowed from a node or function an activation keeps alive; NULL while the binding
       is an argument still being collected. */
    const char *name;
    int64_t value;
} binding;

typedef struct vm {
    calc_env *env;
    calc_limits lim;
    binding *stack;
    size_t len, cap;
    size_t frame;         /* first binding visible to the running body */
    calc_fn *fn;          /* owned: the function the innermost activation runs, or NULL */
    const calc_ast *next; /* where the running activation continues (if, let, call) */
    unsigned depth;
    calc_eval_info info;
    calc_error *err;
} vm;

static calc_status eval(vm *m, const calc_ast *e, int64_t *out);

#define FAIL_AT(m, e, status, ...) calcM_fail((m)->err, (status), (e)->line, (e)->col, __VA_ARGS__)

/* ---- bindings ---- */

CALC_NOINLINE static calc_status push(vm *m, const calc_ast *at, const char *name, int64_t value)
{
    if (m->len == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        binding *s = cap <= SIZE_MAX / sizeof *s ? calcM_realloc(m->stack, cap * sizeof *s) : NULL;
        if (!s)
            return FAIL_AT(m, at, CALC_ENOMEM, "out of memory");
        m->stack = s;
        m->cap = cap;
    }
    m->stack[m->len].name = name;
    m->stack[m->len].value = value;
    m->len++;
    return CALC_OK;
}

CALC_NOINLINE static calc_status lookup(vm *m, const calc_ast *e, int64_t *out)
{
    for (size_t i = m->len; i > m->frame; i--) {
        const char *name = m->stack[i - 1].name;
        if (name && strcmp(name, e->name) == 0) {
            *out = m->stack[i - 1].value;
            m->info.steps += m->len - i;
            return CALC_OK;
        }
    }
    m->info.steps += m->len - m->frame;
    return FAIL_AT(m, e, CALC_EUNDEF, "undefined variable '%.64s'", e->name);
}

/* ---- arithmetic ---- */

static calc_status divide(vm *m, const calc_ast *e, int64_t a, int64_t b, int64_t *r)
{
    if (b == 0)
        return FAIL_AT(m, e, CALC_EDIVZERO, "division by zero");
    if (b == -1) {
        /* INT64_MIN / -1 does not fit and INT64_MIN % -1 is undefined in C; x % -1 is 0. */
        if (e->op == CALC_MOD)
            *r = 0;
        else if (__builtin_sub_overflow((int64_t)0, a, r))
            return FAIL_AT(m, e, CALC_EOVERFLOW, "integer overflow in '/'");
        return CALC_OK;
    }
    *r = e->op == CALC_DIV ? a / b : a % b;
    return CALC_OK;
}

CALC_NOINLINE static calc_status arith(vm *m, const calc_ast *e, int64_t a, int64_t b, int64_t *r)
{
    int over = 0;
    switch (e->op) {
    case CALC_ADD:
        over = __builtin_add_overflow(a, b, r);
        break;
    case CALC_SUB:
        over = __builtin_sub_overflow(a, b, r);
        break;
    case CALC_MUL:
        over = __builtin_mul_overflow(a, b, r);
        break;
    case CALC_DIV:
    case CALC_MOD:
        return divide(m, e, a, b, r);
    case CALC_LT:
        *r = a < b;
        break;
    case CALC_LE:
        *r = a <= b;
        break;
    case CALC_GT:
        *r = a > b;
        break;
    case CALC_GE:
        *r = a >= b;
        break;
    case CALC_EQ:
        *r = a == b;
        break;
    case CALC_NE:
        *r = a != b;
        break;
    case CALC_OP_COUNT:
        return FAIL_AT(m, e, CALC_EINVAL, "bad operator");
    }
    if (over)
        return FAIL_AT(m, e, CALC_EOVERFLOW, "integer overflow");
    return CALC_OK;
}

CALC_NOINLINE static calc_status eval_binop(vm *m, const calc_ast *e, int64_t *out)
{
    int64_t b = 0;
    calc_status rc = eval(m, e->kids[0], out);
    if (rc == CALC_OK)
        rc = eval(m, e->kids[1], &b);
    return rc == CALC_OK ? arith(m, e, *out, b, out) : rc;
}

CALC_NOINLINE static calc_status eval_neg(vm *m, const calc_ast *e, int64_t *out)
{
    int64_t a = 0;
    calc_status rc = eval(m, e->kids[0], &a);
    if (rc == CALC_OK && __builtin_sub_overflow((int64_t)0, a, out))
        return FAIL_AT(m, e, CALC_EOVERFLOW, "integer overflow in negation");
    return rc;
}

/* ---- tail positions: if, let ---- */

/* Each sets m->next, after its nested evaluation, to the node the activation continues with. */

CALC_NOINLINE static calc_status choose_branch(vm *m, const calc_ast *e)
{
    int64_t c = 0;
    calc_status rc = eval(m, e->kids[0], &c);
    m->next = c ? e->kids[1] : e->kids[2];
    return rc;
}

CALC_NOINLINE static calc_status bind_let(vm *m, const calc_ast *e)
{
    int64_t v = 0;
    calc_status rc = eval(m, e->kids[0], &v);
    if (rc == CALC_OK)
        rc = push(m, e, e->name, v);
    m->next = e->kids[1];
    return rc;
}

/* ---- calls ---- */

CALC_NOINLINE static calc_status count_call(vm *m, const calc_ast *e, int tail)
{
    m->info.calls++;
    m->info.tail_calls += tail ? 1 : 0;
    if (m->lim.on_call && m->lim.on_call(m->lim.ctx, m->info.calls))
        return FAIL_AT(m, e, CALC_EINTR, "interrupted in call to '%.64s'", e->name);
    return CALC_OK;
}

/* The budget check; at is the node about to be evaluated or called. */
CALC_NOINLINE static calc_status charge(vm *m, const calc_ast *at)
{
    if (m->info.steps > m->lim.max_steps)
        return FAIL_AT(m, at, CALC_EBUDGET, "step budget of %llu exhausted",
                       (unsigned long long)m->lim.max_steps);
    return CALC_OK;
}

/* The function e calls, with its arity checked; *fn is a new reference on success. */
CALC_NOINLINE static calc_status resolve(vm *m, const calc_ast *e, calc_fn **fn)
{
    if (!m->env || calc_env_lookup(m->env, e->name, fn) != CALC_OK)
        return FAIL_AT(m, e, CALC_EUNDEF, "undefined function '%.64s'", e->name);
    if ((*fn)->nparams == e->nkids)
        return CALC_OK;
    calc_status rc = FAIL_AT(m, e, CALC_EARITY, "'%.64s' takes %zu arguments, given %zu", e->name,
                             (*fn)->nparams, e->nkids);
    calc_fn_release(*fn);
    *fn = NULL;
    return rc;
}

/* A leaf argument in place (no activation, so no nesting level), anything else by eval. */
static calc_status eval_arg(vm *m, const calc_ast *e, int64_t *out)
{
    if (e->kind == CALC_NUM) {
        m->info.steps++;
        *out = e->value;
        return CALC_OK;
    }
    if (e->kind == CALC_VAR) {
        m->info.steps++;
        return lookup(m, e, out);
    }
    return eval(m, e, out);
}

/* Evaluates e's arguments in the caller's scope and pushes them bound to fn's parameters.
   Pushed arguments stay nameless until all are evaluated, so a later argument cannot see
   an earlier one under a parameter's name. */
CALC_NOINLINE static calc_status push_args(vm *m, const calc_ast *e, const calc_fn *fn)
{
    size_t base = m->len;
    for (size_t i = 0; i < e->nkids; i++) {
        int64_t v = 0;
        calc_status rc = eval_arg(m, e->kids[i], &v);
        if (rc == CALC_OK)
            rc = push(m, e, NULL, v);
        if (rc != CALC_OK)
            return rc;
    }
    for (size_t i = 0; i < e->nkids; i++)
        m->stack[base + i].name = fn->params[i];
    return CALC_OK;
}

/* A call in a plain subexpression: the running activation now runs fn, its frame at base. */
static calc_status enter_call(vm *m, const calc_ast *e, calc_fn *fn, size_t base)
{
    calc_status rc = charge(m, e);
    if (rc != CALC_OK) {
        calc_fn_release(fn);
        return rc;
    }
    m->fn = fn;
    m->frame = base;
    m->next = fn->body;
    return CALC_OK;
}

static calc_status activate(vm *m, calc_fn *fn, size_t frame, const calc_ast *e, int64_t *out);

/* A call in tail position: the arguments at base replace the running frame, and fn
   replaces the running function. */
static calc_status tail_call(vm *m, const calc_ast *e, calc_fn *fn, size_t base, int64_t *out)
{
    calc_status rc = CALC_OK;
#ifndef CALC_DEFECT_LOOP_UNCHARGED
    rc = charge(m, e);
#endif
    if (rc != CALC_OK) {
        calc_fn_release(fn);
        return rc;
    }
#ifdef CALC_DEFECT_NO_TAIL_CALLS
    m->next = NULL;
    return activate(m, fn, base, fn->body, out);
#else
    (void)out;
    if (e->nkids > 0)
        memmove(m->stack + m->frame, m->stack + base, e->nkids * sizeof(binding));
    m->len = m->frame + e->nkids;
    calc_fn_release(m->fn);
    m->fn = fn;
    m->next = fn->body;
    return CALC_OK;
#endif
}

/* Runs call e: sets m->next to the body to continue with, or to NULL when *out holds
   the result. */
CALC_NOINLINE static calc_status call(vm *m, const calc_ast *e, int64_t *out)
{
    int tail = m->fn != NULL;
    calc_fn *fn = NULL;
    size_t base = m->len;
    m->next = NULL;
    calc_status rc = count_call(m, e, tail);
    if (rc == CALC_OK)
        rc = resolve(m, e, &fn);
    if (rc == CALC_OK && (rc = push_args(m, e, fn)) != CALC_OK) {
        m->len = base;
        calc_fn_release(fn);
    }
    if (rc != CALC_OK)
        return rc;
    return tail ? tail_call(m, e, fn, base, out) : enter_call(m, e, fn, base);
}

/* ---- the loop ---- */

/* Evaluates e in the running activation, following tail positions in place. */
static calc_status run(vm *m, const calc_ast *e, int64_t *out)
{
    calc_status rc = CALC_OK;
    while (rc == CALC_OK && e) {
        const calc_ast *cur = e;
        e = NULL;
        m->info.steps++;
        switch (cur->kind) {
        case CALC_NUM:
            *out = cur->value;
            break;
        case CALC_VAR:
            rc = lookup(m, cur, out);
            break;
        case CALC_NEG:
            rc = eval_neg(m, cur, out);
            break;
        case CALC_BINOP:
            rc = eval_binop(m, cur, out);
            break;
        case CALC_IF:
            rc = choose_branch(m, cur);
            e = m->next;
            break;
        case CALC_LET:
            rc = bind_let(m, cur);
            e = m->next;
            break;
        case CALC_CALL:
            rc = call(m, cur, out);
            e = m->next;
            break;
        }
    }
    return rc;
}

/* Runs e as a new activation that runs fn (NULL: a plain subexpression) with its frame
   at frame, then restores the caller's activation and drops what this one bound. */
static calc_status activate(vm *m, calc_fn *fn, size_t frame, const calc_ast *e, int64_t *out)
{
    size_t mark = m->len, caller_frame = m->frame;
    calc_fn *caller = m->fn;
    m->fn = fn;
    m->frame = frame;
    calc_status rc = run(m, e, out);
    calc_fn_release(m->fn);
    m->fn = caller;
    m->frame = caller_frame;
    m->len = mark;
    return rc;
}

/* One level of nesting: a new activation for e, charged against the depth limit. */
static calc_status eval(vm *m, const calc_ast *e, int64_t *out)
{
    if (m->depth >= m->lim.max_depth)
        return FAIL_AT(m, e, CALC_EDEPTH, "evaluation nested deeper than %u", m->lim.max_depth);
    if (m->info.steps > m->lim.max_steps)
        return charge(m, e);
    m->depth++;
    if (m->depth > m->info.max_depth)
        m->info.max_depth = m->depth;
    calc_status rc = activate(m, NULL, m->frame, e, out);
    m->depth--;
    return rc;
}

static void vm_init(vm *m, calc_env *env, const calc_limits *limits, calc_error *err)
{
    memset(m, 0, sizeof *m);
    m->env = env;
    m->err = err;
    if (limits)
        m->lim = *limits;
    if (m->lim.max_steps == 0)
        m->lim.max_steps = CALC_DEFAULT_MAX_STEPS;
    if (m->lim.max_depth == 0)
        m->lim.max_depth = CALC_DEFAULT_MAX_DEPTH;
}

calc_status calc_eval(calc_env *env, const calc_ast *expr, const calc_limits *limits,
                      int64_t *result, calc_eval_info *info, calc_error *err)
{
    calcM_ok(err);
    if (!expr || !result)
        return calcM_fail(err, CALC_EINVAL, 0, 0, "NULL expression or result");
    vm m;
    vm_init(&m, env, limits, err);
    int64_t v = 0;
    calc_status rc = eval(&m, expr, &v);
    if (rc == CALC_OK && m.info.steps > m.lim.max_steps)
        rc = calcM_fail(err, CALC_EBUDGET, 0, 0, "step budget of %llu exhausted",
                        (unsigned long long)m.lim.max_steps);
    calcM_free(m.stack);
    if (info)
        *info = m.info;
    if (rc == CALC_OK)
        *result = v;
    return rc;
}

calc_status calc_exec(calc_env *env, const char *src, size_t len, const calc_limits *limits,
                      int64_t *result, calc_eval_info *info, calc_error *err)
{
    if (info)
        memset(info, 0, sizeof *info);
    calc_program *p = NULL;
    calc_status rc = calc_parse_program(src, len, &p, err);
    if (rc != CALC_OK)
        return rc;
    rc = calc_env_load(env, p);
    if (rc != CALC_OK)
        calcM_fail(err, rc, 0, 0, "%s", rc == CALC_ENOMEM ? "out of memory" : "no environment");
    else
        rc = calc_eval(env, p->expr, limits, result, info, err);
    calc_program_free(p);
    return rc;
}
