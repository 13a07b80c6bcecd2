/*
** calc_ast.c: AST nodes: construction, reference counting, accessors, equality.
**
** Freeing is iterative (a node whose count drops to zero is queued on a doomed list
** linked through the nodes themselves), so releasing a tree of any depth uses constant
** C stack. Equality recurses only into children other than the largest one and loops on
** the largest, so its recursion depth is at most log2 of the tree size.
*/
#define CALC_INTERNAL
#include "targets/calc/calc_ast.h"
#include "targets/calc/calc_lex.h"

#include <string.h>

int calcA_valid_name(const char *s, size_t len)
{
    if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return calcX_keyword(s, len) == CALCX_T_NAME;
}

static void release_all(size_t n, calc_ast *const *kids)
{
    for (size_t i = 0; i < n; i++)
        calc_ast_release(kids[i]);
}

/* Whether kind takes nkids children and a name. */
static int shape_ok(const calcA_spec *spec, size_t nkids)
{
    switch (spec->kind) {
    case CALC_NUM:
        return nkids == 0 && !spec->name;
    case CALC_VAR:
        return nkids == 0 && spec->name;
    case CALC_NEG:
        return nkids == 1 && !spec->name;
    case CALC_BINOP:
        return nkids == 2 && !spec->name && (unsigned)spec->op < CALC_OP_COUNT;
    case CALC_IF:
        return nkids == 3 && !spec->name;
    case CALC_LET:
        return nkids == 2 && spec->name;
    case CALC_CALL:
        return spec->name != NULL;
    }
    return 0;
}

static calc_status check_inputs(const calcA_spec *spec, size_t nkids, calc_ast *const *kids,
                                size_t *size)
{
    if (!shape_ok(spec, nkids) || (nkids > 0 && !kids))
        return CALC_EINVAL;
    if (spec->name && !calcA_valid_name(spec->name, spec->name_len))
        return CALC_EINVAL;
    size_t total = 1;
    for (size_t i = 0; i < nkids; i++) {
        if (!kids[i])
            return CALC_EINVAL;
        if (kids[i]->size > CALC_MAX_NODES - total)
            return CALC_ETOOBIG;
        total += kids[i]->size;
    }
    *size = total;
    return CALC_OK;
}

static calc_ast *alloc_node(size_t nkids, size_t name_len)
{
    if (nkids > (SIZE_MAX - sizeof(calc_ast) - name_len - 1) / sizeof(calc_ast *))
        return NULL;
    return calcM_alloc(sizeof(calc_ast) + nkids * sizeof(calc_ast *) + name_len + 1);
}

calc_status calcA_make(const calcA_spec *spec, size_t nkids, calc_ast *const *kids, calc_ast **out)
{
    *out = NULL;
    size_t size = 0;
    calc_status rc = check_inputs(spec, nkids, kids, &size);
    calc_ast *e = rc == CALC_OK ? alloc_node(nkids, spec->name_len) : NULL;
    if (!e) {
        if (kids)
            release_all(nkids, kids);
        return rc == CALC_OK ? CALC_ENOMEM : rc;
    }
    atomic_init(&e->refs, 1);
    e->kind = spec->kind;
    e->op = spec->kind == CALC_BINOP ? spec->op : CALC_ADD;
    e->line = spec->line;
    e->col = spec->col;
    e->size = size;
    e->value = spec->kind == CALC_NUM ? spec->value : 0;
    e->doomed = NULL;
    e->nkids = nkids;
    for (size_t i = 0; i < nkids; i++)
        e->kids[i] = kids[i];
    char *name = (char *)(e->kids + nkids);
    if (spec->name)
        memcpy(name, spec->name, spec->name_len);
    name[spec->name_len] = '\0';
    e->name = spec->name ? name : NULL;
    atomic_fetch_add(&calcM_live_nodes, 1);
    *out = e;
    return CALC_OK;
}

/* ---- public constructors ---- */

static calc_status make_public(const calcA_spec *spec, size_t nkids, calc_ast *const *kids,
                               calc_ast **out)
{
    if (!out) {
        for (size_t i = 0; kids && i < nkids; i++)
            calc_ast_release(kids[i]);
        return CALC_EINVAL;
    }
    *out = NULL;
    return calcA_make(spec, nkids, kids, out);
}

calc_status calc_num(int64_t value, calc_ast **out)
{
    calcA_spec s = {CALC_NUM, CALC_ADD, value, NULL, 0, 0, 0};
    return make_public(&s, 0, NULL, out);
}

/* A named node's spec; a NULL name fails shape_ok, so it is CALC_EINVAL. */
static calcA_spec named(calc_kind kind, const char *name)
{
    calcA_spec s = {kind, CALC_ADD, 0, name, name ? strlen(name) : 0, 0, 0};
    return s;
}

calc_status calc_var(const char *name, calc_ast **out)
{
    calcA_spec s = named(CALC_VAR, name);
    return make_public(&s, 0, NULL, out);
}

calc_status calc_neg(calc_ast *operand, calc_ast **out)
{
    calcA_spec s = {CALC_NEG, CALC_ADD, 0, NULL, 0, 0, 0};
    return make_public(&s, 1, &operand, out);
}

calc_status calc_binop(calc_op op, calc_ast *left, calc_ast *right, calc_ast **out)
{
    calcA_spec s = {CALC_BINOP, op, 0, NULL, 0, 0, 0};
    calc_ast *kids[2] = {left, right};
    return make_public(&s, 2, kids, out);
}

calc_status calc_if(calc_ast *cond, calc_ast *then_e, calc_ast *else_e, calc_ast **out)
{
    calcA_spec s = {CALC_IF, CALC_ADD, 0, NULL, 0, 0, 0};
    calc_ast *kids[3] = {cond, then_e, else_e};
    return make_public(&s, 3, kids, out);
}

calc_status calc_let(const char *name, calc_ast *value, calc_ast *body, calc_ast **out)
{
    calcA_spec s = named(CALC_LET, name);
    calc_ast *kids[2] = {value, body};
    return make_public(&s, 2, kids, out);
}

calc_status calc_call(const char *name, size_t nargs, calc_ast *const *args, calc_ast **out)
{
    calcA_spec s = named(CALC_CALL, name);
    return make_public(&s, nargs, args, out);
}

/* ---- references ---- */

calc_ast *calc_ast_retain(calc_ast *e)
{
    if (e)
        atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
    return e;
}

/* Drops one reference; when it was the last, queues e on *doomed. */
static void unref(calc_ast *e, calc_ast **doomed)
{
    if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) != 1)
        return;
    e->doomed = *doomed;
    *doomed = e;
}

void calc_ast_release(calc_ast *e)
{
    calc_ast *doomed = NULL;
    if (e)
        unref(e, &doomed);
    while (doomed) {
        calc_ast *d = doomed;
        doomed = d->doomed;
        for (size_t i = 0; i < d->nkids; i++)
            unref(d->kids[i], &doomed);
        atomic_fetch_sub(&calcM_live_nodes, 1);
        calcM_free(d);
    }
}

/* ---- accessors ---- */

calc_kind calc_ast_kind(const calc_ast *e)
{
    return e->kind;
}

calc_op calc_ast_op(const calc_ast *e)
{
    return e->op;
}

int64_t calc_ast_value(const calc_ast *e)
{
    return e->value;
}

const char *calc_ast_name(const calc_ast *e)
{
    return e->name;
}

size_t calc_ast_nkids(const calc_ast *e)
{
    return e->nkids;
}

const calc_ast *calc_ast_kid(const calc_ast *e, size_t i)
{
    return i < e->nkids ? e->kids[i] : NULL;
}

size_t calc_ast_size(const calc_ast *e)
{
    return e->size;
}

/* Equal apart from the children. */
static int same_node(const calc_ast *a, const calc_ast *b)
{
    if (a->kind != b->kind || a->nkids != b->nkids || a->size != b->size)
        return 0;
    if (a->kind == CALC_NUM && a->value != b->value)
        return 0;
    if (a->kind == CALC_BINOP && a->op != b->op)
        return 0;
    return !a->name || strcmp(a->name, b->name) == 0;
}

static size_t largest_kid(const calc_ast *e)
{
    size_t big = 0;
    for (size_t i = 1; i < e->nkids; i++) {
        if (e->kids[i]->size > e->kids[big]->size)
            big = i;
    }
    return big;
}

int calc_ast_equal(const calc_ast *a, const calc_ast *b)
{
    for (;;) {
        if (a == b)
            return 1;
        if (!a || !b || !same_node(a, b))
            return 0;
        if (a->nkids == 0)
            return 1;
        size_t big = largest_kid(a);
        for (size_t i = 0; i < a->nkids; i++) {
            if (i != big && !calc_ast_equal(a->kids[i], b->kids[i]))
                return 0;
        }
        a = a->kids[big];
        b = b->kids[big];
    }
}
