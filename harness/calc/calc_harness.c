/*
** calc_harness.c: the calc language under concurrent programs, built two ways: as ASTs
** made operation by operation through handles (structure-aware), and as source text
** (parse, exec). Threads share one function environment per input, redefining and
** evaluating at once. parse.chain writes a long operator chain from a small input, so a
** deep tree costs the fuzzer a few bytes, not thousands; at most 400 operators, about
** 44 KiB of printer stack under ASan, so a printer without its depth limit passes the
** stack budget (50% of a 64 KiB fiber) before it overflows.
*/
#include <ouroboros/ob_kit.h>
#include "harness/tg_glue.h"
#include "targets/calc/calc.h"

#include <stdlib.h>
#include <string.h>

/* Low enough that an endless loop ends fast, high enough for real programs. */
static const calc_limits limits = {20000, 0, NULL, NULL};

static const char *const vars[] = {"n", "x", "y"};
static const char *const fns[] = {"f", "g", "loop"};
static const char *const binops[] = {"+", "-", "*", "/", "%", "<", "<=", "==", "!="};
static const calc_op binop_codes[] = {CALC_ADD, CALC_SUB, CALC_MUL, CALC_DIV, CALC_MOD,
                                      CALC_LT,  CALC_LE,  CALC_EQ,  CALC_NE};
_Static_assert(sizeof binops / sizeof binops[0] == sizeof binop_codes / sizeof binop_codes[0],
               "every operator name needs its code");

static void install(void)
{
    calc_set_hooks(ob_tg_allocator(), ob_tg_sync());
}

static void *setup(void)
{
    calc_env *env = NULL;
    return calc_env_new(&env) == CALC_OK ? env : NULL;
}

static void teardown(void *state)
{
    calc_env_free(state);
}

static void release(void *state, void *obj)
{
    (void)state;
    calc_ast_release(obj);
}

/* Constructors consume the references they are given: hand them new ones. */
static calc_ast *ref(ob_call *c, unsigned i)
{
    return calc_ast_retain(c->objs[i]);
}

static int made(ob_call *c, calc_status st, calc_ast *e)
{
    c->result = st == CALC_OK ? e : NULL;
    return st;
}

static int op_num(ob_call *c)
{
    calc_ast *e = NULL;
    return made(c, calc_num(c->args[0].i, &e), e);
}

static int op_var(ob_call *c)
{
    calc_ast *e = NULL;
    return made(c, calc_var(vars[c->args[0].i], &e), e);
}

static int op_neg(ob_call *c)
{
    calc_ast *e = NULL;
    return made(c, calc_neg(ref(c, 0), &e), e);
}

static int op_binop(ob_call *c)
{
    calc_ast *e = NULL;
    return made(c, calc_binop(binop_codes[c->args[0].i], ref(c, 1), ref(c, 2), &e), e);
}

static int op_if(ob_call *c)
{
    calc_ast *e = NULL;
    return made(c, calc_if(ref(c, 0), ref(c, 1), ref(c, 2), &e), e);
}

static int op_let(ob_call *c)
{
    calc_ast *e = NULL;
    return made(c, calc_let(vars[c->args[0].i], ref(c, 1), ref(c, 2), &e), e);
}

static int op_call(ob_call *c)
{
    calc_ast *e = NULL, *arg = ref(c, 1);
    return made(c, calc_call(fns[c->args[0].i], 1, &arg, &e), e);
}

static int op_define(ob_call *c)
{
    const char *param = vars[c->args[1].i];
    return c->state ? calc_env_define(c->state, fns[c->args[0].i], 1, &param, c->objs[2])
                    : CALC_ENOMEM;
}

static int op_remove(ob_call *c)
{
    int rc = c->state ? calc_env_remove(c->state, fns[c->args[0].i]) : CALC_ENOMEM;
    return rc == CALC_EUNDEF ? 0 : rc;
}

static int op_eval(ob_call *c)
{
    int64_t v;
    return calc_eval(c->state, c->objs[0], &limits, &v, NULL, NULL);
}

static int op_print(ob_call *c)
{
    char *s = NULL;
    size_t len = 0;
    calc_status st = calc_print(c->objs[0], 0, &s, &len);
    calc_string_free(s);
    return st;
}

static int op_parse(ob_call *c)
{
    calc_ast *e = NULL;
    calc_status st = calc_parse_expr((const char *)c->args[0].bytes, c->args[0].len, &e, NULL);
    return made(c, st, e);
}

/* "1 op 1 op 1 ... " with count operators: one deep left-leaning tree. */
static int op_parse_chain(ob_call *c)
{
    const char *op = binops[c->args[0].i];
    size_t count = (size_t)c->args[1].i, step = strlen(op) + 3;
    char *src = malloc(count * step + 2);
    if (!src)
        return CALC_ENOMEM;
    size_t n = 0;
    src[n++] = '1';
    for (size_t i = 0; i < count; i++)
        n += (size_t)sprintf(src + n, " %s 1", op);
    calc_ast *e = NULL;
    calc_status st = calc_parse_expr(src, n, &e, NULL);
    free(src);
    return made(c, st, e);
}

static int op_exec(ob_call *c)
{
    int64_t v;
    return calc_exec(c->state, (const char *)c->args[0].bytes, c->args[0].len, &limits, &v, NULL,
                     NULL);
}

static const char *check(void *state)
{
    return calc_check(state);
}

static calc_gauges gauges_now(void)
{
    calc_gauges g;
    calc_gauges_read(&g);
    return g;
}

static int64_t gauge_nodes(void)
{
    return (int64_t)gauges_now().live_nodes;
}

static int64_t gauge_fns(void)
{
    return (int64_t)gauges_now().live_fns;
}

static int64_t gauge_envs(void)
{
    return (int64_t)gauges_now().live_envs;
}

static int64_t gauge_bytes(void)
{
    return (int64_t)gauges_now().bytes;
}

static const ob_gauge gauges[] = {
    {"live_nodes", gauge_nodes, OB_GAUGE_BALANCED},
    {"live_fns", gauge_fns, OB_GAUGE_BALANCED},
    {"live_envs", gauge_envs, OB_GAUGE_BALANCED},
    {"bytes", gauge_bytes, OB_GAUGE_BALANCED},
};

static const ob_op ops[] = {
    {"num", op_num, 1, {OB_INT(-100, 100)}, 1},
    {"var", op_var, 1, {OB_ENUM(vars)}, 1},
    {"neg", op_neg, 1, {OB_HANDLE}, 1},
    {"binop", op_binop, 3, {OB_ENUM(binops), OB_HANDLE, OB_HANDLE}, 1},
    {"if", op_if, 3, {OB_HANDLE, OB_HANDLE, OB_HANDLE}, 1},
    {"let", op_let, 3, {OB_ENUM(vars), OB_HANDLE, OB_HANDLE}, 1},
    {"call", op_call, 2, {OB_ENUM(fns), OB_HANDLE}, 1},
    {"parse", op_parse, 1, {OB_BYTES(128)}, 1},
    {"parse.chain", op_parse_chain, 2, {OB_ENUM(binops), OB_INT(1, 400)}, 1},
    {"fn.define", op_define, 3, {OB_ENUM(fns), OB_ENUM(vars), OB_HANDLE}, 0},
    {"fn.remove", op_remove, 1, {OB_ENUM(fns)}, 0},
    {"eval", op_eval, 1, {OB_HANDLE}, 0},
    {"print", op_print, 1, {OB_HANDLE}, 0},
    {"exec", op_exec, 1, {OB_BYTES(200)}, 0},
};

const ob_target ob_harness_target =
    OB_TARGET("calc", ops, OB_GAUGES(gauges), .init = install, .alloc_hooks = 1, .setup = setup,
              .teardown = teardown, .release = release, .check = check);
