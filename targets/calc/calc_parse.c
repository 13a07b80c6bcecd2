/*
** calc_parse.c: recursive-descent parser, source text to AST and programs.
**
** Each parse_expr and each unary minus counts one level of nesting; beyond
** CALC_PARSE_MAX_NESTING the parse stops with CALC_EDEPTH, so C stack use is bounded by
** the limit, not by the input. Binary operators are parsed by precedence climbing: a loop
** per operand chain (left-associative), so long operator chains do not nest. Helpers with
** bulky locals are CALC_NOINLINE so the frames of the nesting cycle (parse_expr ->
** parse_binary -> parse_unary -> parse_paren -> parse_expr) stay small. Every partial tree
** is released on the way out of an error: constructors consume their children, and each
** function owns what it holds until it hands it on.
*/
#define CALC_INTERNAL
#include "targets/calc/calc_ast.h"
#include "targets/calc/calc_fn.h"
#include "targets/calc/calc_lex.h"

#include <string.h>

typedef struct parser {
    calcX_lexer lx;
    calc_error *err;
    unsigned depth;
} parser;

static calc_status parse_expr(parser *p, calc_ast **out);
static calc_status parse_binary(parser *p, int min, calc_ast **out);
static calc_status parse_unary(parser *p, calc_ast **out);

static const calcX_token *tok(const parser *p)
{
    return &p->lx.tok;
}

static calc_status next(parser *p)
{
    return calcX_next(&p->lx, p->err);
}

CALC_NOINLINE static calc_status unexpected(parser *p, const char *wanted)
{
    const calcX_token *t = tok(p);
    return calcM_fail(p->err, CALC_ESYNTAX, t->line, t->col, "expected %s, found %s", wanted,
                      calcX_describe(t->kind));
}

/* Consumes a token of kind k, or reports what was found instead. */
static calc_status expect(parser *p, calcX_kind k)
{
    if (tok(p)->kind != k)
        return unexpected(p, calcX_describe(k));
    return next(p);
}

static calc_status enter(parser *p)
{
    if (p->depth >= CALC_PARSE_MAX_NESTING)
        return calcM_fail(p->err, CALC_EDEPTH, tok(p)->line, tok(p)->col,
                          "expression nested too deeply (limit %d)", CALC_PARSE_MAX_NESTING);
    p->depth++;
    return CALC_OK;
}

/* Builds a node of kind at (line, col), named name[0..name_len) when name is not NULL,
   and reports a failure there. Consumes the children. */
CALC_NOINLINE static calc_status make(parser *p, calc_kind kind, calc_op op, uint32_t line,
                                      uint32_t col, const char *name, size_t name_len, size_t nkids,
                                      calc_ast *const *kids, calc_ast **out)
{
    calcA_spec s = {kind, op, 0, name, name_len, line, col};
    calc_status rc = calcA_make(&s, nkids, kids, out);
    if (rc == CALC_ENOMEM)
        return calcM_fail(p->err, rc, line, col, "out of memory");
    if (rc == CALC_ETOOBIG)
        return calcM_fail(p->err, rc, line, col, "more than %d nodes", CALC_MAX_NODES);
    return rc;
}

/* A binary operation node; consumes left and right. */
CALC_NOINLINE static calc_status make2(parser *p, calc_op op, uint32_t line, uint32_t col,
                                       calc_ast *left, calc_ast *right, calc_ast **out)
{
    calc_ast *kids[2] = {left, right};
    return make(p, CALC_BINOP, op, line, col, NULL, 0, 2, kids, out);
}

/* ---- operands ---- */

CALC_NOINLINE static calc_status parse_number(parser *p, int negative, calc_ast **out)
{
    calcX_token t = *tok(p);
    if (t.value > (uint64_t)INT64_MAX + (negative ? 1 : 0))
        return calcM_fail(p->err, CALC_ESYNTAX, t.line, t.col, "integer literal too large");
    calc_status rc = next(p);
    if (rc != CALC_OK)
        return rc;
    calcA_spec s = {CALC_NUM, CALC_ADD, 0, NULL, 0, t.line, t.col};
    /* -(2^63) does not fit before negation; write it directly. */
    s.value = !negative ? (int64_t)t.value
                        : (t.value > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)t.value);
    rc = calcA_make(&s, 0, NULL, out);
    return rc == CALC_OK ? rc : calcM_fail(p->err, rc, t.line, t.col, "out of memory");
}

/* Growable array of argument trees, owned until handed to calcA_make. */
typedef struct arg_list {
    calc_ast **v;
    size_t n, cap;
} arg_list;

static void args_free(arg_list *a)
{
    for (size_t i = 0; i < a->n; i++)
        calc_ast_release(a->v[i]);
    calcM_free(a->v);
}

CALC_NOINLINE static calc_status args_push(parser *p, arg_list *a, calc_ast *e)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        calc_ast **v = cap <= SIZE_MAX / sizeof *v ? calcM_realloc(a->v, cap * sizeof *v) : NULL;
        if (!v) {
            calc_ast_release(e);
            return calcM_fail(p->err, CALC_ENOMEM, tok(p)->line, tok(p)->col, "out of memory");
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = e;
    return CALC_OK;
}

/* Arguments after '(' up to and including ')'. */
static calc_status parse_args(parser *p, arg_list *a)
{
    if (tok(p)->kind == CALCX_T_RPAREN)
        return next(p);
    for (;;) {
        calc_ast *e = NULL;
        calc_status rc = parse_expr(p, &e);
        if (rc == CALC_OK)
            rc = args_push(p, a, e);
        if (rc != CALC_OK)
            return rc;
        if (tok(p)->kind != CALCX_T_COMMA)
            return expect(p, CALCX_T_RPAREN);
        if ((rc = next(p)) != CALC_OK)
            return rc;
    }
}

/* A variable, or a call when '(' follows the name. The name is kept in scalars, not a
   token copy, so this frame (on the path of nested calls) stays small. */
CALC_NOINLINE static calc_status parse_name(parser *p, calc_ast **out)
{
    const char *name = tok(p)->start;
    size_t len = tok(p)->len;
    uint32_t line = tok(p)->line, col = tok(p)->col;
    calc_status rc = next(p);
    if (rc != CALC_OK)
        return rc;
    if (tok(p)->kind != CALCX_T_LPAREN)
        return make(p, CALC_VAR, CALC_ADD, line, col, name, len, 0, NULL, out);
    arg_list a = {NULL, 0, 0};
    rc = next(p);
    if (rc == CALC_OK)
        rc = parse_args(p, &a);
    if (rc != CALC_OK) {
        args_free(&a);
        return rc;
    }
    rc = make(p, CALC_CALL, CALC_ADD, line, col, name, len, a.n, a.v, out);
    calcM_free(a.v);
    return rc;
}

static calc_status parse_paren(parser *p, calc_ast **out)
{
    calc_status rc = next(p);
    if (rc == CALC_OK)
        rc = parse_expr(p, out);
    if (rc == CALC_OK && (rc = expect(p, CALCX_T_RPAREN)) != CALC_OK) {
        calc_ast_release(*out);
        *out = NULL;
    }
    return rc;
}

/* After a unary '-': a folded negative literal, or a negation (one nesting level). */
CALC_NOINLINE static calc_status parse_negation(parser *p, calc_ast **out)
{
    uint32_t line = tok(p)->line, col = tok(p)->col;
    calc_status rc = enter(p);
    if (rc != CALC_OK)
        return rc;
    rc = next(p);
    if (rc == CALC_OK && tok(p)->kind == CALCX_T_NUM) {
        rc = parse_number(p, 1, out);
    } else if (rc == CALC_OK && (rc = parse_unary(p, out)) == CALC_OK) {
        calc_ast *operand = *out;
        rc = make(p, CALC_NEG, CALC_ADD, line, col, NULL, 0, 1, &operand, out);
    }
    p->depth--;
    return rc;
}

static calc_status parse_unary(parser *p, calc_ast **out)
{
    *out = NULL;
    switch (tok(p)->kind) {
    case CALCX_T_NUM:
        return parse_number(p, 0, out);
    case CALCX_T_NAME:
        return parse_name(p, out);
    case CALCX_T_LPAREN:
        return parse_paren(p, out);
    case CALCX_T_OP:
        if (tok(p)->op == CALC_SUB)
            return parse_negation(p, out);
        break;
    default:
        break;
    }
    return unexpected(p, "an expression");
}

/* ---- binary operators: precedence climbing ---- */

static int precedence(calc_op op)
{
    static const int prec[] = {
#define CALC_OP_PREC(name, spelling, level) level,
        CALC_OP_LIST(CALC_OP_PREC)
#undef CALC_OP_PREC
    };
    return prec[op];
}

static int operator_at_least(const parser *p, int min)
{
    return tok(p)->kind == CALCX_T_OP && precedence(tok(p)->op) >= min;
}

/* Continues after left with operators of precedence >= min; each right operand takes
   only tighter operators, which makes every level left-associative. */
CALC_NOINLINE static calc_status parse_operators(parser *p, int min, calc_ast *left, calc_ast **out)
{
    calc_status rc = CALC_OK;
    while (rc == CALC_OK && operator_at_least(p, min)) {
        calc_op op = tok(p)->op;
        uint32_t line = tok(p)->line, col = tok(p)->col;
        /* The right operand goes through *out, so no local here needs an address. */
        if ((rc = next(p)) == CALC_OK)
            rc = parse_binary(p, precedence(op) + 1, out);
        if (rc != CALC_OK) {
            calc_ast_release(left);
            left = NULL;
            break;
        }
        rc = make2(p, op, line, col, left, *out, out);
        left = *out;
    }
    *out = left;
    return rc;
}

static calc_status parse_binary(parser *p, int min, calc_ast **out)
{
    calc_status rc = parse_unary(p, out);
    if (rc != CALC_OK || !operator_at_least(p, min))
        return rc;
    return parse_operators(p, min, *out, out);
}

/* ---- let, if, expressions ---- */

/* Parses `kw expr` (kw current) into *out. */
static calc_status keyword_expr(parser *p, calcX_kind kw, calc_ast **out)
{
    calc_status rc = expect(p, kw);
    return rc == CALC_OK ? parse_expr(p, out) : rc;
}

CALC_NOINLINE static calc_status parse_let(parser *p, calc_ast **out)
{
    uint32_t line = tok(p)->line, col = tok(p)->col;
    calc_status rc = next(p);
    if (rc != CALC_OK)
        return rc;
    calcX_token name = *tok(p);
    if ((rc = expect(p, CALCX_T_NAME)) != CALC_OK)
        return rc;
    calc_ast *kids[2] = {NULL, NULL};
    rc = keyword_expr(p, CALCX_T_ASSIGN, &kids[0]);
    if (rc == CALC_OK)
        rc = keyword_expr(p, CALCX_T_IN, &kids[1]);
    if (rc != CALC_OK) {
        calc_ast_release(kids[0]);
        return rc;
    }
    return make(p, CALC_LET, CALC_ADD, line, col, name.start, name.len, 2, kids, out);
}

CALC_NOINLINE static calc_status parse_if(parser *p, calc_ast **out)
{
    uint32_t line = tok(p)->line, col = tok(p)->col;
    calc_ast *kids[3] = {NULL, NULL, NULL};
    calc_status rc = keyword_expr(p, CALCX_T_IF, &kids[0]);
    if (rc == CALC_OK)
        rc = keyword_expr(p, CALCX_T_THEN, &kids[1]);
    if (rc == CALC_OK)
        rc = keyword_expr(p, CALCX_T_ELSE, &kids[2]);
    if (rc != CALC_OK) {
        calc_ast_release(kids[0]);
        calc_ast_release(kids[1]);
        return rc;
    }
    return make(p, CALC_IF, CALC_ADD, line, col, NULL, 0, 3, kids, out);
}

static calc_status parse_expr(parser *p, calc_ast **out)
{
    *out = NULL;
    calc_status rc = enter(p);
    if (rc != CALC_OK)
        return rc;
    if (tok(p)->kind == CALCX_T_LET)
        rc = parse_let(p, out);
    else if (tok(p)->kind == CALCX_T_IF)
        rc = parse_if(p, out);
    else
        rc = parse_binary(p, 1, out);
    p->depth--;
    return rc;
}

static calc_status start(parser *p, const char *src, size_t len, calc_error *err)
{
    calcM_ok(err);
    p->err = err;
    p->depth = 0;
    return calcX_init(&p->lx, src, len, err);
}

calc_status calc_parse_expr(const char *src, size_t len, calc_ast **out, calc_error *err)
{
    if (!out || (!src && len > 0))
        return calcM_fail(err, CALC_EINVAL, 0, 0, "NULL source or output");
    *out = NULL;
    parser p;
    calc_ast *e = NULL;
    calc_status rc = start(&p, src ? src : "", len, err);
    if (rc == CALC_OK)
        rc = parse_expr(&p, &e);
    if (rc == CALC_OK && tok(&p)->kind != CALCX_T_EOF)
        rc = unexpected(&p, "an operator or end of input");
    if (rc != CALC_OK) {
        calc_ast_release(e);
        return rc;
    }
    *out = e;
    return CALC_OK;
}

/* ---- programs ---- */

/* Whether the tokens ahead read NAME '(' [NAME (',' NAME)*] ')' '=': a definition. */
static int definition_ahead(const parser *p)
{
    calcX_lexer lx = p->lx;
    if (lx.tok.kind != CALCX_T_NAME || calcX_next(&lx, NULL) != CALC_OK ||
        lx.tok.kind != CALCX_T_LPAREN || calcX_next(&lx, NULL) != CALC_OK)
        return 0;
    while (lx.tok.kind == CALCX_T_NAME || lx.tok.kind == CALCX_T_COMMA) {
        if (calcX_next(&lx, NULL) != CALC_OK)
            return 0;
    }
    return lx.tok.kind == CALCX_T_RPAREN && calcX_next(&lx, NULL) == CALC_OK &&
           lx.tok.kind == CALCX_T_ASSIGN;
}

typedef struct param_list {
    calcF_name *v;
    size_t n, cap;
} param_list;

static calc_status params_push(parser *p, param_list *l, const calcX_token *t)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].len == t->len && memcmp(l->v[i].s, t->start, t->len) == 0)
            return calcM_fail(p->err, CALC_ESYNTAX, t->line, t->col, "duplicate parameter '%.*s'",
                              (int)(t->len > 64 ? 64 : t->len), t->start);
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        calcF_name *v = cap <= SIZE_MAX / sizeof *v ? calcM_realloc(l->v, cap * sizeof *v) : NULL;
        if (!v)
            return calcM_fail(p->err, CALC_ENOMEM, t->line, t->col, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].s = t->start;
    l->v[l->n].len = t->len;
    l->n++;
    return CALC_OK;
}

/* Parameters after '(' up to and including ')': [NAME (',' NAME)*]. */
static calc_status parse_params(parser *p, param_list *l)
{
    if (tok(p)->kind == CALCX_T_RPAREN)
        return next(p);
    for (;;) {
        calcX_token t = *tok(p);
        calc_status rc = t.kind == CALCX_T_NAME ? params_push(p, l, &t) : unexpected(p, "a name");
        if (rc == CALC_OK)
            rc = next(p);
        if (rc != CALC_OK)
            return rc;
        if (tok(p)->kind != CALCX_T_COMMA)
            return expect(p, CALCX_T_RPAREN);
        if ((rc = next(p)) != CALC_OK)
            return rc;
    }
}

static calc_status parse_def(parser *p, calc_fn **out)
{
    calcX_token name = *tok(p);
    param_list params = {NULL, 0, 0};
    calc_ast *body = NULL;
    calc_status rc = next(p);
    if (rc == CALC_OK)
        rc = expect(p, CALCX_T_LPAREN);
    if (rc == CALC_OK)
        rc = parse_params(p, &params);
    if (rc == CALC_OK)
        rc = keyword_expr(p, CALCX_T_ASSIGN, &body);
    if (rc == CALC_OK) {
        calcF_name fname = {name.start, name.len};
        rc = calcF_make(fname, params.n, params.v, body, out);
        if (rc == CALC_ENOMEM)
            calcM_fail(p->err, rc, name.line, name.col, "out of memory");
    }
    calc_ast_release(body);
    calcM_free(params.v);
    return rc;
}

static calc_status program_add(parser *p, calc_program *prog, size_t *cap, calc_fn *fn)
{
    if (prog->nfns == *cap) {
        size_t n = *cap ? *cap * 2 : 4;
        calc_fn **v = n <= SIZE_MAX / sizeof *v ? calcM_realloc(prog->fns, n * sizeof *v) : NULL;
        if (!v) {
            calc_fn_release(fn);
            return calcM_fail(p->err, CALC_ENOMEM, tok(p)->line, tok(p)->col, "out of memory");
        }
        prog->fns = v;
        *cap = n;
    }
    prog->fns[prog->nfns++] = fn;
    return CALC_OK;
}

static calc_status parse_items(parser *p, calc_program *prog)
{
    size_t cap = 0;
    calc_status rc = CALC_OK;
    while (rc == CALC_OK && definition_ahead(p)) {
        calc_fn *fn = NULL;
        rc = parse_def(p, &fn);
        if (rc == CALC_OK)
            rc = program_add(p, prog, &cap, fn);
        if (rc == CALC_OK)
            rc = expect(p, CALCX_T_SEMI);
    }
    if (rc == CALC_OK)
        rc = parse_expr(p, &prog->expr);
    if (rc == CALC_OK && tok(p)->kind != CALCX_T_EOF)
        rc = unexpected(p, "an operator or end of input");
    return rc;
}

calc_status calc_parse_program(const char *src, size_t len, calc_program **out, calc_error *err)
{
    if (!out || (!src && len > 0))
        return calcM_fail(err, CALC_EINVAL, 0, 0, "NULL source or output");
    *out = NULL;
    calc_program *prog = calcM_alloc(sizeof *prog);
    if (!prog)
        return calcM_fail(err, CALC_ENOMEM, 0, 0, "out of memory");
    prog->nfns = 0;
    prog->fns = NULL;
    prog->expr = NULL;
    parser p;
    calc_status rc = start(&p, src ? src : "", len, err);
    if (rc == CALC_OK)
        rc = parse_items(&p, prog);
    if (rc != CALC_OK) {
        calc_program_free(prog);
        return rc;
    }
    *out = prog;
    return CALC_OK;
}
