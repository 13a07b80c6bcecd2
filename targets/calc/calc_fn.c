/*
** calc_fn.c: function objects (name, parameters, body) and parsed programs.
*/
#define CALC_INTERNAL
#include "targets/calc/calc_fn.h"
#include "targets/calc/calc_ast.h"

#include <string.h>

static int names_ok(calcF_name name, size_t nparams, const calcF_name *params)
{
    if (!name.s || !calcA_valid_name(name.s, name.len))
        return 0;
    for (size_t i = 0; i < nparams; i++) {
        if (!params[i].s || !calcA_valid_name(params[i].s, params[i].len))
            return 0;
        for (size_t j = 0; j < i; j++) {
            if (params[j].len == params[i].len &&
                memcmp(params[j].s, params[i].s, params[i].len) == 0)
                return 0;
        }
    }
    return 1;
}

/* Bytes for the header, the pointer array and every string, or 0 on overflow. */
static size_t fn_bytes(calcF_name name, size_t nparams, const calcF_name *params)
{
    if (nparams > (SIZE_MAX / 2 - sizeof(calc_fn)) / sizeof(char *))
        return 0;
    size_t total = sizeof(calc_fn) + nparams * sizeof(char *) + name.len + 1;
    for (size_t i = 0; i < nparams; i++) {
        if (params[i].len > SIZE_MAX / 2 - total)
            return 0;
        total += params[i].len + 1;
    }
    return total;
}

/* Copies s into *cursor as a C string and moves the cursor past it. */
static const char *put_name(char **cursor, calcF_name s)
{
    char *p = *cursor;
    memcpy(p, s.s, s.len);
    p[s.len] = '\0';
    *cursor = p + s.len + 1;
    return p;
}

calc_status calcF_make(calcF_name name, size_t nparams, const calcF_name *params,
                       const calc_ast *body, calc_fn **out)
{
    if (!body || (nparams > 0 && !params) || !names_ok(name, nparams, params))
        return CALC_EINVAL;
    size_t bytes = fn_bytes(name, nparams, params);
    calc_fn *fn = bytes ? calcM_alloc(bytes) : NULL;
    if (!fn)
        return CALC_ENOMEM;
    atomic_init(&fn->refs, 1);
    fn->body = calc_ast_retain((calc_ast *)body);
    fn->nparams = nparams;
    char *cursor = (char *)(fn->params + nparams);
    fn->name = put_name(&cursor, name);
    for (size_t i = 0; i < nparams; i++)
        fn->params[i] = put_name(&cursor, params[i]);
    atomic_fetch_add(&calcM_live_fns, 1);
    *out = fn;
    return CALC_OK;
}

calc_fn *calc_fn_retain(calc_fn *fn)
{
    if (fn)
        atomic_fetch_add_explicit(&fn->refs, 1, memory_order_relaxed);
    return fn;
}

void calc_fn_release(calc_fn *fn)
{
    if (!fn || atomic_fetch_sub_explicit(&fn->refs, 1, memory_order_acq_rel) != 1)
        return;
    calc_ast_release(fn->body);
    atomic_fetch_sub(&calcM_live_fns, 1);
    calcM_free(fn);
}

const char *calc_fn_name(const calc_fn *fn)
{
    return fn->name;
}

size_t calc_fn_nparams(const calc_fn *fn)
{
    return fn->nparams;
}

const char *calc_fn_param(const calc_fn *fn, size_t i)
{
    return i < fn->nparams ? fn->params[i] : NULL;
}

const calc_ast *calc_fn_body(const calc_fn *fn)
{
    return fn->body;
}

void calc_program_free(calc_program *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nfns; i++)
        calc_fn_release(p->fns[i]);
    calcM_free(p->fns);
    calc_ast_release(p->expr);
    calcM_free(p);
}

size_t calc_program_nfns(const calc_program *p)
{
    return p->nfns;
}

const calc_fn *calc_program_fn(const calc_program *p, size_t i)
{
    return i < p->nfns ? p->fns[i] : NULL;
}

const calc_ast *calc_program_expr(const calc_program *p)
{
    return p->expr;
}
