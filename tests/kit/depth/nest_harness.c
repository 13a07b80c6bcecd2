/*
** nest_harness.c: a fixture for depth-guided fuzzing. One operation parses a byte string
** as bracketed lists, recursing once per '[' with a frame about the size a real parser's
** is, and nothing in it is shaped for depth: coverage alone sees the same edges at every
** level. minimize_test shrinks a deep input's repeated brackets; the deepest nesting any
** input reached, printed at exit, is what depth-guidance runs compare.
*/
#include <ouroboros/ob_kit.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int deepest;

typedef struct cursor {
    const uint8_t *p, *end;
    int limit; /* deepest list it accepts; 0: none */
} cursor;

static int parse_value(cursor *c, int depth);

static int parse_list(cursor *c, int depth)
{
    /* A frame like a parser's: a token buffer and a little state. */
    volatile char token[96];
    token[0] = (char)depth;
    int prev = atomic_load(&deepest);
    while (depth > prev && !atomic_compare_exchange_weak(&deepest, &prev, depth))
        ;
    for (;;) {
        if (c->p == c->end)
            return -1;
        if (*c->p == ']') {
            c->p++;
            return token[0] == (char)depth ? 0 : -1;
        }
        if (parse_value(c, depth) != 0)
            return -1;
        if (c->p < c->end && *c->p == ',')
            c->p++;
    }
}

static int parse_value(cursor *c, int depth)
{
    if (c->p == c->end)
        return -1;
    uint8_t ch = *c->p++;
    if (ch == '[')
        return c->limit && depth >= c->limit ? -1 : parse_list(c, depth + 1);
    return ch >= '0' && ch <= '9' ? 0 : -1;
}

static int op_parse(ob_call *c)
{
    cursor cur = {c->args[0].bytes, c->args[0].bytes + c->args[0].len, 0};
    return parse_value(&cur, 0) == 0 ? 0 : 1;
}

/* The fixed twin: a nesting limit of 1000, as a real parser's, deeper than a 64 KiB fiber. */
static int op_parse_limited(ob_call *c)
{
    cursor cur = {c->args[0].bytes, c->args[0].bytes + c->args[0].len, 1000};
    return parse_value(&cur, 0) == 0 ? 0 : 1;
}

static void report(void)
{
    fprintf(stderr, "nest: deepest nesting %d\n", atomic_load(&deepest));
}

static void install(void)
{
    atexit(report);
}

static void release(void *state, void *obj)
{
    (void)state;
    (void)obj;
}

static const ob_op ops[] = {
    {"parse", op_parse, 1, {OB_BYTES(64 * 1024)}, 0},
    {"parse.limited", op_parse_limited, 1, {OB_BYTES(64 * 1024)}, 0},
};

const ob_target ob_harness_target = OB_TARGET("nest", ops, .init = install, .release = release);
