/*
** calc_ast.h: AST node layout (calc_ast.c). Internal to targets/calc.
**
** A node is one allocation: the header, its child pointers, then its name's bytes. Nodes
** are immutable once returned by calcA_make; only refs changes. size is the node count of
** the tree (shared subtrees counted once per use) and never exceeds CALC_MAX_NODES.
*/
#ifndef CALC_AST_H
#define CALC_AST_H

#if !defined(CALC_INTERNAL)
#error "calc_ast.h is internal to targets/calc; include calc.h"
#endif

#include "targets/calc/calc_int.h"

struct calc_ast {
    atomic_size_t refs;
    calc_kind kind;
    calc_op op;         /* CALC_BINOP */
    uint32_t line, col; /* source position, 0 when built by a constructor */
    size_t size;
    int64_t value;           /* CALC_NUM */
    const char *name;        /* VAR, LET, CALL: NUL-terminated, inside this block */
    struct calc_ast *doomed; /* links nodes being freed (calc_ast_release) */
    size_t nkids;
    struct calc_ast *kids[];
};

/* A node's fields, for calcA_make. name need not be NUL-terminated. */
typedef struct calcA_spec {
    calc_kind kind;
    calc_op op;
    int64_t value;
    const char *name;
    size_t name_len;
    uint32_t line, col;
} calcA_spec;

/* Builds a node from spec and nkids children, consuming the children's references on
   success and failure. *out is NULL on failure; kids must not alias out. Checks kind/arity, name
   validity (CALC_EINVAL) and size (CALC_ETOOBIG). On success *out is a new reference. */
calc_status calcA_make(const calcA_spec *spec, size_t nkids, calc_ast *const *kids, calc_ast **out);

/* 1 when s[0..len) is an identifier and not a keyword. */
int calcA_valid_name(const char *s, size_t len);

#endif
