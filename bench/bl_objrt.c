/*
** bl_objrt.c: the baseline harness for objrt, as a user would write it without
** ouroboros: each input is a sequence of API calls on the fuzzer's own thread, with the
** runtime's default allocator, locks and depth limit, and no check beyond the sanitizers
** and libFuzzer's own (crashes, LeakSanitizer, timeouts, memory limits).
**
** It offers the same operations as the ouroboros harness (harness/objrt/objrt_harness.c),
** so the two differ in what they look for, not in what they can call. Objects live in 16
** slots; an operation that makes one replaces the oldest, and the input ends by dropping
** every slot and running the collector.
*/
#include "bench/bl_input.h"
#include "targets/objrt/objrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS = 16 };

typedef struct session {
    bl_input in;
    objrt_obj *slot[SLOTS];
    unsigned next;
} session;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An object from a slot (borrowed), or NULL when the slot is empty. */
static objrt_obj *pick(session *s)
{
    return s->slot[bl_byte(&s->in) % SLOTS];
}

/* Keeps a new reference in the next slot, dropping what the slot held. */
static void keep(session *s, int rc, objrt_obj *o)
{
    if (rc != OBJRT_OK)
        return;
    objrt_decref(s->slot[s->next]);
    s->slot[s->next] = o;
    s->next = (s->next + 1) % SLOTS;
}

static void make_scalar(session *s, unsigned op)
{
    objrt_obj *o = NULL;
    size_t len = 0;
    if (op == 0) {
        keep(s, objrt_int_new(bl_int(&s->in, -1000, 1000), &o), o);
        return;
    }
    const char *text = (const char *)bl_bytes(&s->in, 24, &len);
    if (op == 1) {
        keep(s, objrt_str_new(text, len, &o), o);
    } else if (op == 2) {
        keep(s, objrt_str_intern(text, len, &o), o);
    } else {
        /* A name never seen before, as from a stream of requests. */
        static unsigned long long fresh;
        char name[64];
        int n = snprintf(name, sizeof name, "%.*s-%llu", (int)len, text, fresh++);
        keep(s, objrt_str_intern(name, (size_t)n, &o), o);
    }
}

static void list_append_new(session *s, objrt_obj *l)
{
    objrt_obj *o = NULL;
    unsigned kind = bl_byte(&s->in) % 3;
    int rc = kind == 0 ? objrt_int_new(7, &o) : kind == 1 ? objrt_list_new(&o) : objrt_dict_new(&o);
    if (rc == OBJRT_OK && l)
        objrt_list_append(l, o);
    objrt_decref(o);
}

static void list_nest(session *s, objrt_obj *inner)
{
    int64_t depth = bl_int(&s->in, 1, 120);
    if (!inner)
        return;
    objrt_incref(inner);
    for (int64_t i = 0; i < depth && inner; i++) {
        objrt_obj *outer = NULL;
        if (objrt_list_new(&outer) == OBJRT_OK && objrt_list_append(outer, inner) != OBJRT_OK) {
            objrt_decref(outer);
            outer = NULL;
        }
        objrt_decref(inner);
        inner = outer;
    }
    keep(s, inner ? OBJRT_OK : OBJRT_ENOMEM, inner);
}

static void parse_nested(session *s)
{
    int dict = bl_byte(&s->in) & 1;
    size_t depth = (size_t)bl_int(&s->in, 1, 100);
    const char *open = dict ? "{\"k\": " : "[";
    char *text = malloc(depth * 7 + 2);
    if (!text)
        return;
    size_t n = 0;
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(text + n, "%s", open);
    text[n++] = '1';
    memset(text + n, dict ? '}' : ']', depth);
    objrt_obj *o = NULL;
    keep(s, objrt_parse(text, n + depth, &o, NULL), o);
    free(text);
}

static void weakref_of_item(session *s, objrt_obj *l)
{
    size_t i = (size_t)bl_int(&s->in, 0, 7);
    objrt_obj *item = NULL, *wr = NULL;
    if (l && objrt_list_get(l, i, &item) == OBJRT_OK)
        keep(s, objrt_weakref_new(item, NULL, NULL, &wr), wr);
    objrt_decref(item);
}

/* Operations on one object, with the result dropped. */
static void inspect(unsigned op, objrt_obj *o)
{
    objrt_obj *r = NULL;
    uint64_t h;
    if (!o)
        return;
    if (op == 0)
        objrt_list_pop(o, &r);
    else if (op == 1)
        objrt_list_clear(o);
    else if (op == 2)
        objrt_dict_clear(o);
    else if (op == 3)
        objrt_weakref_get(o, &r);
    else if (op == 4)
        objrt_repr(o, &r);
    else
        objrt_hash(o, &h);
    objrt_decref(r);
}

/* Operations on two or three objects, with any result dropped. */
static void combine(session *s, unsigned op)
{
    objrt_obj *a = pick(s), *b = pick(s), *r = NULL;
    int equal;
    if (op == 2) {
        size_t i = (size_t)bl_int(&s->in, 0, 7);
        objrt_obj *c = pick(s);
        if (a && c)
            objrt_list_set(a, i, c);
        return;
    }
    if (op == 3) {
        objrt_obj *c = pick(s);
        if (a && b && c)
            objrt_dict_set(a, b, c);
        return;
    }
    if (!a || !b)
        return;
    if (op == 0)
        objrt_list_append(a, b);
    else if (op == 1)
        objrt_dict_get(a, b, &r);
    else if (op == 4)
        objrt_dict_del(a, b);
    else
        objrt_eq(a, b, &equal);
    objrt_decref(r);
}

static void step(session *s)
{
    unsigned op = bl_byte(&s->in) % 16;
    objrt_obj *o = NULL;
    size_t len = 0;
    if (op < 4) {
        make_scalar(s, op);
    } else if (op == 4) {
        keep(s, objrt_list_new(&o), o);
    } else if (op == 5) {
        keep(s, objrt_dict_new(&o), o);
    } else if (op == 6) {
        list_append_new(s, pick(s));
    } else if (op == 7) {
        list_nest(s, pick(s));
    } else if (op == 8) {
        combine(s, bl_byte(&s->in) % 6);
    } else if (op == 9) {
        inspect(bl_byte(&s->in) % 6, pick(s));
    } else if (op == 10) {
        objrt_obj *target = pick(s);
        if (target)
            keep(s, objrt_weakref_new(target, NULL, NULL, &o), o);
    } else if (op == 11) {
        weakref_of_item(s, pick(s));
    } else if (op == 12) {
        objrt_obj *from = pick(s);
        if (from)
            keep(s, objrt_deepcopy(from, &o), o);
    } else if (op == 13) {
        const char *text = (const char *)bl_bytes(&s->in, 128, &len);
        keep(s, objrt_parse(text, len, &o, NULL), o);
    } else if (op == 14) {
        parse_nested(s);
    } else {
        objrt_collect(NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    session s = {{data, size}, {NULL}, 0};
    while (bl_more(&s.in))
        step(&s);
    for (unsigned i = 0; i < SLOTS; i++)
        objrt_decref(s.slot[i]);
    objrt_collect(NULL);
    return 0;
}
