/*
** calc_lex.c: bytes to tokens. Whitespace is space, tab, CR and LF; '#' starts a comment
** that runs to the end of the line. Numbers are decimal digit runs.
*/
#define CALC_INTERNAL
#include "targets/calc/calc_lex.h"

#include <string.h>

static const char *const token_text[] = {
#define CALCX_TOKEN_TEXT(tok, text) text,
    CALCX_TOKEN_LIST(CALCX_TOKEN_TEXT)
#undef CALCX_TOKEN_TEXT
};

const char *calcX_describe(calcX_kind k)
{
    return token_text[k];
}

calcX_kind calcX_keyword(const char *s, size_t len)
{
    static const struct {
        const char *word;
        calcX_kind kind;
    } words[] = {{"let", CALCX_T_LET},
                 {"in", CALCX_T_IN},
                 {"if", CALCX_T_IF},
                 {"then", CALCX_T_THEN},
                 {"else", CALCX_T_ELSE}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i].word) == len && memcmp(words[i].word, s, len) == 0)
            return words[i].kind;
    }
    return CALCX_T_NAME;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
    return is_name_start(c) || is_digit(c);
}

/* Moves one byte on, keeping line and col (saturating: positions are for messages). */
static void advance(calcX_lexer *lx)
{
    if (lx->src[lx->pos] == '\n') {
        if (lx->line < UINT32_MAX)
            lx->line++;
        lx->col = 1;
    } else if (lx->col < UINT32_MAX) {
        lx->col++;
    }
    lx->pos++;
}

static void skip_space(calcX_lexer *lx)
{
    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (c == '#') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
                advance(lx);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            advance(lx);
        } else {
            return;
        }
    }
}

static calc_status lex_number(calcX_lexer *lx, calc_error *err)
{
    const uint64_t limit = (uint64_t)INT64_MAX + 1;
    uint64_t v = 0;
    while (lx->pos < lx->len && is_digit(lx->src[lx->pos])) {
        uint64_t d = (uint64_t)(lx->src[lx->pos] - '0');
        if (v > (limit - d) / 10)
            return calcM_fail(err, CALC_ESYNTAX, lx->tok.line, lx->tok.col,
                              "integer literal too large");
        v = v * 10 + d;
        advance(lx);
    }
    lx->tok.kind = CALCX_T_NUM;
    lx->tok.value = v;
    return CALC_OK;
}

static void lex_name(calcX_lexer *lx)
{
    while (lx->pos < lx->len && is_name_char(lx->src[lx->pos]))
        advance(lx);
    lx->tok.kind = calcX_keyword(lx->tok.start, (size_t)(lx->src + lx->pos - lx->tok.start));
}

/* Sets tok to an operator, consuming two bytes when the second is '='. */
static void lex_op(calcX_lexer *lx, calc_op op, calc_op op_eq)
{
    advance(lx);
    lx->tok.kind = CALCX_T_OP;
    lx->tok.op = op;
    if (lx->pos < lx->len && lx->src[lx->pos] == '=') {
        advance(lx);
        lx->tok.op = op_eq;
    }
}

static void lex_single(calcX_lexer *lx, calcX_kind kind, calc_op op)
{
    advance(lx);
    lx->tok.kind = kind;
    lx->tok.op = op;
}

static calc_status lex_equals_or_bang(calcX_lexer *lx, calc_error *err)
{
    char c = lx->src[lx->pos];
    int doubled = lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == '=';
    if (c == '=' && !doubled) {
        lex_single(lx, CALCX_T_ASSIGN, CALC_ADD);
        return CALC_OK;
    }
    if (!doubled)
        return calcM_fail(err, CALC_ESYNTAX, lx->tok.line, lx->tok.col, "'!' must be '!='");
    advance(lx);
    lex_single(lx, CALCX_T_OP, c == '=' ? CALC_EQ : CALC_NE);
    return CALC_OK;
}

static calc_status lex_punct(calcX_lexer *lx, calc_error *err)
{
    char c = lx->src[lx->pos];
    switch (c) {
    case '+':
        lex_single(lx, CALCX_T_OP, CALC_ADD);
        return CALC_OK;
    case '-':
        lex_single(lx, CALCX_T_OP, CALC_SUB);
        return CALC_OK;
    case '*':
        lex_single(lx, CALCX_T_OP, CALC_MUL);
        return CALC_OK;
    case '/':
        lex_single(lx, CALCX_T_OP, CALC_DIV);
        return CALC_OK;
    case '%':
        lex_single(lx, CALCX_T_OP, CALC_MOD);
        return CALC_OK;
    case '(':
        lex_single(lx, CALCX_T_LPAREN, CALC_ADD);
        return CALC_OK;
    case ')':
        lex_single(lx, CALCX_T_RPAREN, CALC_ADD);
        return CALC_OK;
    case ',':
        lex_single(lx, CALCX_T_COMMA, CALC_ADD);
        return CALC_OK;
    case ';':
        lex_single(lx, CALCX_T_SEMI, CALC_ADD);
        return CALC_OK;
    case '<':
        lex_op(lx, CALC_LT, CALC_LE);
        return CALC_OK;
    case '>':
        lex_op(lx, CALC_GT, CALC_GE);
        return CALC_OK;
    case '=':
    case '!':
        return lex_equals_or_bang(lx, err);
    default:
        break;
    }
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        return calcM_fail(err, CALC_ESYNTAX, lx->tok.line, lx->tok.col, "unexpected character '%c'",
                          c);
    return calcM_fail(err, CALC_ESYNTAX, lx->tok.line, lx->tok.col, "unexpected byte 0x%02x", u);
}

calc_status calcX_next(calcX_lexer *lx, calc_error *err)
{
    skip_space(lx);
    lx->tok.start = lx->src + lx->pos;
    lx->tok.line = lx->line;
    lx->tok.col = lx->col;
    lx->tok.value = 0;
    lx->tok.op = CALC_ADD;
    calc_status rc = CALC_OK;
    if (lx->pos >= lx->len)
        lx->tok.kind = CALCX_T_EOF;
    else if (is_digit(lx->src[lx->pos]))
        rc = lex_number(lx, err);
    else if (is_name_start(lx->src[lx->pos]))
        lex_name(lx);
    else
        rc = lex_punct(lx, err);
    lx->tok.len = (size_t)(lx->src + lx->pos - lx->tok.start);
    return rc;
}

calc_status calcX_init(calcX_lexer *lx, const char *src, size_t len, calc_error *err)
{
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
    lx->line = 1;
    lx->col = 1;
    return calcX_next(lx, err);
}
