/*
** bl_calc.c: the baseline harness for calc, as a user would write it without ouroboros:
** each input builds and runs expressions on the fuzzer's own thread through calc's API,
** with the default allocator and locks, and no check beyond the sanitizers and
** libFuzzer's own. Same operations and the same step budget as
** harness/calc/calc_harness.c; trees live in 16 slots, functions in one environment per
** input.
*/
#include "bench/bl_input.h"
#include "targets/calc/calc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS = 16 };

typedef struct session {
    bl_input in;
    calc_env *env;
    calc_ast *slot[SLOTS];
    unsigned next;
} session;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const calc_limits limits = {20000, 0, NULL, NULL};
static const char *const vars[] = {"n", "x", "y"};
static const char *const fns[] = {"f", "g", "loop"};
static const char *const spellings[] = {"+", "-", "*", "/", "%", "<", "<=", "==", "!="};
static const calc_op ops[] = {CALC_ADD, CALC_SUB, CALC_MUL, CALC_DIV, CALC_MOD,
                              CALC_LT,  CALC_LE,  CALC_EQ,  CALC_NE};

/* A new reference to a slot's tree, or NULL when the slot is empty. */
static calc_ast *take(session *s)
{
    return calc_ast_retain(s->slot[bl_byte(&s->in) % SLOTS]);
}

static void keep(session *s, calc_status st, calc_ast *e)
{
    if (st != CALC_OK)
        return;
    calc_ast_release(s->slot[s->next]);
    s->slot[s->next] = e;
    s->next = (s->next + 1) % SLOTS;
}

/* Constructors consume their children even on failure; a missing child is refused. */
static void construct(session *s, unsigned op)
{
    calc_ast *e = NULL;
    const char *var = vars[bl_byte(&s->in) % 3], *fn = fns[bl_byte(&s->in) % 3];
    unsigned code = bl_byte(&s->in) % 9;
    calc_ast *a = take(s), *b = take(s), *c = take(s);
    if (op == 0)
        keep(s, calc_neg(a, &e), e);
    else if (op == 1)
        keep(s, calc_binop(ops[code], a, b, &e), e);
    else if (op == 2)
        keep(s, calc_if(a, b, c, &e), e);
    else if (op == 3)
        keep(s, calc_let(var, a, b, &e), e);
    else
        keep(s, calc_call(fn, 1, &a, &e), e);
    /* Children the constructor did not take. */
    if (op != 2)
        calc_ast_release(c);
    if (op == 0 || op == 4)
        calc_ast_release(b);
}

static void parse_chain(session *s)
{
    const char *op = spellings[bl_byte(&s->in) % 9];
    size_t count = (size_t)bl_int(&s->in, 1, 400), n = 0;
    char *src = malloc(count * (strlen(op) + 3) + 2);
    if (!src)
        return;
    src[n++] = '1';
    for (size_t i = 0; i < count; i++)
        n += (size_t)sprintf(src + n, " %s 1", op);
    calc_ast *e = NULL;
    keep(s, calc_parse_expr(src, n, &e, NULL), e);
    free(src);
}

static void run(session *s, unsigned op)
{
    const calc_ast *e = s->slot[bl_byte(&s->in) % SLOTS];
    int64_t v;
    char *text = NULL;
    if (!e)
        return;
    if (op == 0)
        calc_eval(s->env, e, &limits, &v, NULL, NULL);
    else
        calc_print(e, 0, &text, NULL);
    calc_string_free(text);
}

static void step(session *s)
{
    unsigned op = bl_byte(&s->in) % 14;
    calc_ast *e = NULL;
    size_t len = 0;
    const char *src;
    if (op == 0) {
        keep(s, calc_num(bl_int(&s->in, -100, 100), &e), e);
    } else if (op == 1) {
        keep(s, calc_var(vars[bl_byte(&s->in) % 3], &e), e);
    } else if (op < 7) {
        construct(s, op - 2);
    } else if (op == 7) {
        src = (const char *)bl_bytes(&s->in, 128, &len);
        keep(s, calc_parse_expr(src, len, &e, NULL), e);
    } else if (op == 8) {
        parse_chain(s);
    } else if (op == 9) {
        const char *fn = fns[bl_byte(&s->in) % 3], *param = vars[bl_byte(&s->in) % 3];
        const calc_ast *body = s->slot[bl_byte(&s->in) % SLOTS];
        if (body)
            calc_env_define(s->env, fn, 1, &param, body);
    } else if (op == 10) {
        calc_env_remove(s->env, fns[bl_byte(&s->in) % 3]);
    } else if (op < 13) {
        run(s, op - 11);
    } else {
        int64_t v;
        src = (const char *)bl_bytes(&s->in, 200, &len);
        calc_exec(s->env, src, len, &limits, &v, NULL, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    session s = {{data, size}, NULL, {NULL}, 0};
    if (calc_env_new(&s.env) != CALC_OK)
        return 0;
    while (bl_more(&s.in))
        step(&s);
    for (unsigned i = 0; i < SLOTS; i++)
        calc_ast_release(s.slot[i]);
    calc_env_free(s.env);
    return 0;
}
