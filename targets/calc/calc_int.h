/*
** calc_int.h: what every file of the calc library shares: the memory seam, gauges and
** error reporting (calc_mem.c). Internal prefixes, one per concern: calcM_ memory,
** calcX_ lexer, calcA_ AST, calcF_ functions and environments. Everything else is static.
*/
#ifndef CALC_INT_H
#define CALC_INT_H

#if !defined(CALC_INTERNAL)
#error "calc_int.h is internal to targets/calc; include calc.h"
#endif

#include <stdatomic.h>

#include "targets/calc/calc.h"

/* Allocation through the hooks. Each block carries its size in a header so the byte
   gauge stays exact. calcM_alloc returns NULL on failure; calcM_free(NULL) is a no-op. */
void *calcM_alloc(size_t size);
void calcM_free(void *p);
/* Like realloc: on failure returns NULL and p is untouched. */
void *calcM_realloc(void *p, size_t size);
/* The sync hooks in force. */
const tg_sync *calcM_sync(void);

/* Object gauges, maintained by their owners (calc_ast.c, calc_fn.c, calc_env.c). */
extern atomic_size_t calcM_live_nodes;
extern atomic_size_t calcM_live_fns;
extern atomic_size_t calcM_live_envs;

/* Fills err (may be NULL) with s, a position (0, 0 = none) and a printf-style message,
   prefixed "line:col: " when there is a position. Returns s. */
calc_status calcM_fail(calc_error *err, calc_status s, uint32_t line, uint32_t col, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));
/* On a helper called from a recursive cycle (parser, evaluator, printer): keeps its locals
   out of the cycle's frames, so the C stack per nesting level stays small (see calc.h). */
#define CALC_NOINLINE __attribute__((noinline))

/* Sets err (may be NULL) to CALC_OK with an empty message. */
void calcM_ok(calc_error *err);

#endif
