/*
** calc_lex.h: the lexer (calc_lex.c). Internal to targets/calc.
**
** The lexer is a value: copying it saves a position the parser can return to. It never
** reads past src + len and never allocates.
*/
#ifndef CALC_LEX_H
#define CALC_LEX_H

#if !defined(CALC_INTERNAL)
#error "calc_lex.h is internal to targets/calc; include calc.h"
#endif

#include "targets/calc/calc_int.h"

/* X(token, spelling for messages) */
#define CALCX_TOKEN_LIST(X)                                                                        \
    X(T_EOF, "end of input")                                                                       \
    X(T_NUM, "number")                                                                             \
    X(T_NAME, "name")                                                                              \
    X(T_LET, "'let'")                                                                              \
    X(T_IN, "'in'")                                                                                \
    X(T_IF, "'if'")                                                                                \
    X(T_THEN, "'then'")                                                                            \
    X(T_ELSE, "'else'")                                                                            \
    X(T_LPAREN, "'('")                                                                             \
    X(T_RPAREN, "')'")                                                                             \
    X(T_COMMA, "','")                                                                              \
    X(T_SEMI, "';'")                                                                               \
    X(T_ASSIGN, "'='")                                                                             \
    X(T_OP, "operator")

typedef enum calcX_kind {
#define CALCX_TOKEN_ENUM(tok, text) CALCX_##tok,
    CALCX_TOKEN_LIST(CALCX_TOKEN_ENUM)
#undef CALCX_TOKEN_ENUM
} calcX_kind;

typedef struct calcX_token {
    calcX_kind kind;
    calc_op op;        /* CALCX_T_OP */
    uint64_t value;    /* CALCX_T_NUM: up to 2^63, which only a preceding '-' makes valid */
    const char *start; /* into the source */
    size_t len;
    uint32_t line, col; /* 1-based */
} calcX_token;

typedef struct calcX_lexer {
    const char *src;
    size_t len, pos;
    uint32_t line, col;
    calcX_token tok; /* the current token */
} calcX_lexer;

/* Starts at src and reads the first token. */
calc_status calcX_init(calcX_lexer *lx, const char *src, size_t len, calc_error *err);
/* Advances to the next token. CALC_ESYNTAX (with position) on a bad character or a number
   above 2^63. */
calc_status calcX_next(calcX_lexer *lx, calc_error *err);
/* "'let'", "number", ... for messages. Static. */
const char *calcX_describe(calcX_kind k);
/* The keyword token for s[0..len), or CALCX_T_NAME. */
calcX_kind calcX_keyword(const char *s, size_t len);

#endif
