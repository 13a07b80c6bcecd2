/*
** calc_fn.h: function objects and programs (calc_fn.c). Internal to targets/calc.
**
** A function is one allocation: header, parameter pointers, then the name and parameter
** bytes. It is immutable once made and holds one reference to its body. Parameter names
** are valid identifiers and pairwise distinct.
*/
#ifndef CALC_FN_H
#define CALC_FN_H

#if !defined(CALC_INTERNAL)
#error "calc_fn.h is internal to targets/calc; include calc.h"
#endif

#include "targets/calc/calc_int.h"

struct calc_fn {
    atomic_size_t refs;
    calc_ast *body;
    const char *name;
    size_t nparams;
    const char *params[];
};

struct calc_program {
    size_t nfns;
    calc_fn **fns; /* each an owned reference */
    calc_ast *expr;
};

/* A name that need not be NUL-terminated. */
typedef struct calcF_name {
    const char *s;
    size_t len;
} calcF_name;

/* Makes name(params) = body, taking a new reference to body (the caller keeps its own).
   CALC_EINVAL for an invalid or repeated name; CALC_ENOMEM. On success *out is new. */
calc_status calcF_make(calcF_name name, size_t nparams, const calcF_name *params,
                       const calc_ast *body, calc_fn **out);

#endif
