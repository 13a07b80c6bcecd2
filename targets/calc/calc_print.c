/*
** calc_print.c: AST to canonical text with minimal parentheses.
**
** Each node has a level: 0 for let/if, the operator's precedence for a binary operation,
** UNARY for a negation or a negative literal, ATOM for the rest. A child is wrapped in
** parentheses exactly when its level is below what its position requires: a binary
** operator's left operand needs its own precedence, the right operand one more (all
** operators are left-associative), a negation's operand UNARY, and a literal under a
** negation always gets parentheses (else "-5" would read back as a negative literal).
** Every other position (let/if parts, arguments, inside parentheses) takes level 0.
** The printer recurses once per nesting level and stops at its depth limit.
*/
#define CALC_INTERNAL
#include "targets/calc/calc_ast.h"
#include "targets/calc/calc_fn.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { UNARY = 4, ATOM = 5, ALWAYS_WRAP = 6 };

typedef struct printer {
    char *s;
    size_t len, cap;
    unsigned max_depth;
} printer;

CALC_NOINLINE static calc_status put(printer *pr, const char *s, size_t n)
{
    if (n > SIZE_MAX / 2 - pr->len)
        return CALC_ENOMEM;
    if (pr->len + n + 1 > pr->cap) {
        size_t cap = pr->cap ? pr->cap : 64;
        while (cap < pr->len + n + 1)
            cap *= 2;
        char *s2 = calcM_realloc(pr->s, cap);
        if (!s2)
            return CALC_ENOMEM;
        pr->s = s2;
        pr->cap = cap;
    }
    memcpy(pr->s + pr->len, s, n);
    pr->len += n;
    pr->s[pr->len] = '\0';
    return CALC_OK;
}

static calc_status puts_(printer *pr, const char *s)
{
    return put(pr, s, strlen(s));
}

static const char *spelling(calc_op op)
{
    static const char *const text[] = {
#define CALC_OP_TEXT(name, sp, prec) " " sp " ",
        CALC_OP_LIST(CALC_OP_TEXT)
#undef CALC_OP_TEXT
    };
    return text[op];
}

static int precedence(calc_op op)
{
    static const int prec[] = {
#define CALC_OP_PREC(name, sp, level) level,
        CALC_OP_LIST(CALC_OP_PREC)
#undef CALC_OP_PREC
    };
    return prec[op];
}

static int level_of(const calc_ast *e)
{
    switch (e->kind) {
    case CALC_NUM:
        return e->value < 0 ? UNARY : ATOM;
    case CALC_NEG:
        return UNARY;
    case CALC_BINOP:
        return precedence(e->op);
    case CALC_IF:
    case CALC_LET:
        return 0;
    case CALC_VAR:
    case CALC_CALL:
        break;
    }
    return ATOM;
}

static calc_status print_node(printer *pr, const calc_ast *e, int need, unsigned depth);

/* Children of e, from first, at level 0, each preceded by the matching separator. */
static calc_status print_parts(printer *pr, const calc_ast *e, const char *const *seps,
                               unsigned depth)
{
    calc_status rc = CALC_OK;
    for (size_t i = 0; rc == CALC_OK && i < e->nkids; i++) {
        rc = puts_(pr, seps[i]);
        if (rc == CALC_OK)
            rc = print_node(pr, e->kids[i], 0, depth);
    }
    return rc;
}

static calc_status print_call(printer *pr, const calc_ast *e, unsigned depth)
{
    calc_status rc = puts_(pr, e->name);
    if (rc == CALC_OK)
        rc = puts_(pr, "(");
    for (size_t i = 0; rc == CALC_OK && i < e->nkids; i++) {
        if (i > 0)
            rc = puts_(pr, ", ");
        if (rc == CALC_OK)
            rc = print_node(pr, e->kids[i], 0, depth);
    }
    return rc == CALC_OK ? puts_(pr, ")") : rc;
}

static calc_status print_binop(printer *pr, const calc_ast *e, unsigned depth)
{
    int prec = precedence(e->op);
    calc_status rc = print_node(pr, e->kids[0], prec, depth);
    if (rc == CALC_OK)
        rc = puts_(pr, spelling(e->op));
    return rc == CALC_OK ? print_node(pr, e->kids[1], prec + 1, depth) : rc;
}

CALC_NOINLINE static calc_status print_num(printer *pr, int64_t value)
{
    char num[24];
    snprintf(num, sizeof num, "%" PRId64, value);
    return puts_(pr, num);
}

static calc_status print_body(printer *pr, const calc_ast *e, unsigned depth)
{
    static const char *const if_seps[] = {"if ", " then ", " else "};
    static const char *const let_seps[] = {" = ", " in "};
    switch (e->kind) {
    case CALC_NUM:
        return print_num(pr, e->value);
    case CALC_VAR:
        return puts_(pr, e->name);
    case CALC_NEG: {
        calc_status rc = puts_(pr, "-");
        int need = e->kids[0]->kind == CALC_NUM ? ALWAYS_WRAP : UNARY;
        return rc == CALC_OK ? print_node(pr, e->kids[0], need, depth) : rc;
    }
    case CALC_BINOP:
        return print_binop(pr, e, depth);
    case CALC_IF:
        return print_parts(pr, e, if_seps, depth);
    case CALC_LET: {
        calc_status rc = puts_(pr, "let ");
        if (rc == CALC_OK)
            rc = puts_(pr, e->name);
        return rc == CALC_OK ? print_parts(pr, e, let_seps, depth) : rc;
    }
    case CALC_CALL:
        return print_call(pr, e, depth);
    }
    return CALC_EINVAL;
}

static calc_status print_node(printer *pr, const calc_ast *e, int need, unsigned depth)
{
#ifndef CALC_DEFECT_PRINTER_NO_LIMIT
    if (depth >= pr->max_depth)
        return CALC_EDEPTH;
#endif
    int wrap = level_of(e) < need;
    calc_status rc = wrap ? puts_(pr, "(") : CALC_OK;
    if (rc == CALC_OK)
        rc = print_body(pr, e, depth + 1);
    if (rc == CALC_OK && wrap)
        rc = puts_(pr, ")");
    return rc;
}

static calc_status print_fn_header(printer *pr, const calc_fn *fn)
{
    calc_status rc = puts_(pr, fn->name);
    if (rc == CALC_OK)
        rc = puts_(pr, "(");
    for (size_t i = 0; rc == CALC_OK && i < fn->nparams; i++) {
        if (i > 0)
            rc = puts_(pr, ", ");
        if (rc == CALC_OK)
            rc = puts_(pr, fn->params[i]);
    }
    return rc == CALC_OK ? puts_(pr, ") = ") : rc;
}

/* Hands the text to the caller, or frees it on failure. */
static calc_status finish(printer *pr, calc_status rc, char **out, size_t *len)
{
    if (rc != CALC_OK) {
        calcM_free(pr->s);
        return rc;
    }
    *out = pr->s;
    if (len)
        *len = pr->len;
    return CALC_OK;
}

static void printer_init(printer *pr, unsigned max_depth)
{
    pr->s = NULL;
    pr->len = 0;
    pr->cap = 0;
    pr->max_depth = max_depth ? max_depth : CALC_PRINT_DEFAULT_DEPTH;
}

calc_status calc_print(const calc_ast *e, unsigned max_depth, char **out, size_t *len)
{
    if (!e || !out)
        return CALC_EINVAL;
    *out = NULL;
    printer pr;
    printer_init(&pr, max_depth);
    return finish(&pr, print_node(&pr, e, 0, 0), out, len);
}

calc_status calc_print_fn(const calc_fn *fn, unsigned max_depth, char **out, size_t *len)
{
    if (!fn || !out)
        return CALC_EINVAL;
    *out = NULL;
    printer pr;
    printer_init(&pr, max_depth);
    calc_status rc = print_fn_header(&pr, fn);
    if (rc == CALC_OK)
        rc = print_node(&pr, fn->body, 0, 0);
    return finish(&pr, rc, out, len);
}

void calc_string_free(char *s)
{
    calcM_free(s);
}
