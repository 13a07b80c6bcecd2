/*
** objrt_harness.c: the object runtime under concurrent programs: objects, containers,
** weak references, the collector, repr/eq/hash/deepcopy and the literal parser.
**
** Handles hold references, so an object a handle names lives to the end of the input;
** objects that die mid-input are made without one (list.append_new) and reached through
** their container (weakref.of_item). Leak accounting: everything must be freed except
** what the intern table owns, which may stay but must not grow when the same program
** runs again. list.nest wraps an object in up to 120 lists at once, so a deep structure
** costs the fuzzer a few bytes; 120 levels of a recursive free (about 46 KiB under ASan)
** pass the 50% stack budget of a 64 KiB fiber without overflowing it.
*/
#include <ouroboros/ob_kit.h>
#include "harness/tg_glue.h"
#include "targets/objrt/objrt.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_llong callbacks;

/* Sized, as an embedder would, to its stacks: 64 KiB fibers with a 50% budget; every
   recursive operation at the default limit of 64 needs about 34 KiB under ASan, at 48
   about 25 KiB. */
enum { DEPTH_LIMIT = 48 };

static void install(void)
{
    objrt_set_hooks(ob_tg_allocator(), ob_tg_sync());
    objrt_set_depth_limit(DEPTH_LIMIT);
}

static void release(void *state, void *obj)
{
    (void)state;
    objrt_decref(obj);
}

static void collect(void *state)
{
    (void)state;
    objrt_collect(NULL);
}

/* Drops a result the program has no handle for. */
static int dropped(int rc, objrt_obj *o)
{
    objrt_decref(o);
    return rc;
}

static int made(ob_call *c, int rc, objrt_obj *o)
{
    c->result = rc == OBJRT_OK ? o : NULL;
    return rc;
}

static int op_int_new(ob_call *c)
{
    objrt_obj *o = NULL;
    return made(c, objrt_int_new(c->args[0].i, &o), o);
}

static int op_str_new(ob_call *c)
{
    objrt_obj *o = NULL;
    return made(c, objrt_str_new((const char *)c->args[0].bytes, c->args[0].len, &o), o);
}

static int op_str_intern(ob_call *c)
{
    objrt_obj *o = NULL;
    return made(c, objrt_str_intern((const char *)c->args[0].bytes, c->args[0].len, &o), o);
}

/* Interns a name never seen before (an identifier from a stream of requests): a table
   that never forgets grows by one entry each time. */
static int op_str_intern_fresh(ob_call *c)
{
    static atomic_ullong next;
    char name[64];
    int n =
        snprintf(name, sizeof name, "%.*s-%llu", (int)c->args[0].len,
                 (const char *)c->args[0].bytes, (unsigned long long)atomic_fetch_add(&next, 1));
    objrt_obj *o = NULL;
    return made(c, objrt_str_intern(name, (size_t)n, &o), o);
}

static int op_list_new(ob_call *c)
{
    objrt_obj *o = NULL;
    return made(c, objrt_list_new(&o), o);
}

static int op_dict_new(ob_call *c)
{
    objrt_obj *o = NULL;
    return made(c, objrt_dict_new(&o), o);
}

static int op_list_append(ob_call *c)
{
    return objrt_list_append(c->objs[0], c->objs[1]);
}

/* Appends a new object only the list holds: an int, or an empty list or dict. */
static int op_list_append_new(ob_call *c)
{
    objrt_obj *o = NULL;
    int rc = c->args[1].i == 0   ? objrt_int_new(7, &o)
             : c->args[1].i == 1 ? objrt_list_new(&o)
                                 : objrt_dict_new(&o);
    if (rc == OBJRT_OK)
        rc = objrt_list_append(c->objs[0], o);
    return dropped(rc, o);
}

static int op_list_set(ob_call *c)
{
    return objrt_list_set(c->objs[0], (size_t)c->args[1].i, c->objs[2]);
}

static int op_list_pop(ob_call *c)
{
    objrt_obj *o = NULL;
    return dropped(objrt_list_pop(c->objs[0], &o), o);
}

static int op_list_clear(ob_call *c)
{
    return objrt_list_clear(c->objs[0]);
}

/* Wraps the object in `depth` lists: [[[...[o]...]]]. */
static int op_list_nest(ob_call *c)
{
    objrt_obj *inner = c->objs[0];
    objrt_incref(inner);
    for (int64_t i = 0; i < c->args[1].i; i++) {
        objrt_obj *outer = NULL;
        int rc = objrt_list_new(&outer);
        if (rc == OBJRT_OK)
            rc = objrt_list_append(outer, inner);
        objrt_decref(inner);
        if (rc != OBJRT_OK)
            return dropped(rc, outer);
        inner = outer;
    }
    c->result = inner;
    return OBJRT_OK;
}

static int op_dict_set(ob_call *c)
{
    return objrt_dict_set(c->objs[0], c->objs[1], c->objs[2]);
}

static int op_dict_get(ob_call *c)
{
    objrt_obj *o = NULL;
    int rc = objrt_dict_get(c->objs[0], c->objs[1], &o);
    return dropped(rc == OBJRT_EKEY ? OBJRT_OK : rc, o);
}

static int op_dict_del(ob_call *c)
{
    int rc = objrt_dict_del(c->objs[0], c->objs[1]);
    return rc == OBJRT_EKEY ? OBJRT_OK : rc;
}

static int op_dict_clear(ob_call *c)
{
    return objrt_dict_clear(c->objs[0]);
}

static void on_dead(objrt_obj *wr, void *ctx)
{
    (void)wr;
    (void)ctx;
    atomic_fetch_add(&callbacks, 1);
}

static int op_weakref_new(ob_call *c)
{
    objrt_obj *o = NULL;
    return made(c, objrt_weakref_new(c->objs[0], on_dead, NULL, &o), o);
}

/* A weak reference to item i of a list, which may hold the item's only reference. */
static int op_weakref_of_item(ob_call *c)
{
    objrt_obj *item = NULL, *wr = NULL;
    int rc = objrt_list_get(c->objs[0], (size_t)c->args[1].i, &item);
    if (rc == OBJRT_OK)
        rc = objrt_weakref_new(item, on_dead, NULL, &wr);
    objrt_decref(item);
    return made(c, rc, wr);
}

static int op_weakref_get(ob_call *c)
{
    objrt_obj *o = NULL;
    return dropped(objrt_weakref_get(c->objs[0], &o), o);
}

static int op_repr(ob_call *c)
{
    objrt_obj *o = NULL;
    return dropped(objrt_repr(c->objs[0], &o), o);
}

static int op_eq(ob_call *c)
{
    int equal = 0;
    return objrt_eq(c->objs[0], c->objs[1], &equal);
}

static int op_hash(ob_call *c)
{
    uint64_t h = 0;
    return objrt_hash(c->objs[0], &h);
}

static int op_deepcopy(ob_call *c)
{
    objrt_obj *o = NULL;
    return made(c, objrt_deepcopy(c->objs[0], &o), o);
}

static int op_parse(ob_call *c)
{
    objrt_obj *o = NULL;
    size_t at = 0;
    return made(c, objrt_parse((const char *)c->args[0].bytes, c->args[0].len, &o, &at), o);
}

/* Parses [[...[1]...]] or {"k": {"k": ...1...}} nested `depth` times: the literal a
   fuzzer would need a hundred exact bytes to write. At most 100 levels, about 40 KiB of
   parser stack under ASan: past the 50% budget of a 64 KiB fiber, short of overflowing. */
static int op_parse_nested(ob_call *c)
{
    static const char *const open[] = {"[", "{\"k\": "};
    static const char *const close[] = {"]", "}"};
    size_t depth = (size_t)c->args[1].i, kind = (size_t)c->args[0].i;
    size_t cap = depth * (strlen(open[kind]) + 1) + 2, n = 0;
    char *text = malloc(cap);
    if (!text)
        return OBJRT_ENOMEM;
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(text + n, "%s", open[kind]);
    text[n++] = '1';
    for (size_t i = 0; i < depth; i++)
        text[n++] = close[kind][0];
    objrt_obj *o = NULL;
    size_t at = 0;
    int rc = objrt_parse(text, n, &o, &at);
    free(text);
    return made(c, rc, o);
}

static int op_collect(ob_call *c)
{
    (void)c;
    return objrt_collect(NULL);
}

static const char *check(void *state)
{
    (void)state;
    return objrt_check();
}

static objrt_gauges gauges_now(void)
{
    objrt_gauges g;
    objrt_get_gauges(&g);
    return g;
}

/* Live objects the intern table does not own: all of them must die with the input. */
static int64_t gauge_unowned(void)
{
    objrt_gauges g = gauges_now();
    return (int64_t)g.live_objects - (int64_t)g.intern_entries;
}

static int64_t gauge_containers(void)
{
    return (int64_t)gauges_now().live_containers;
}

static int64_t gauge_interned(void)
{
    return (int64_t)gauges_now().intern_entries;
}

static void enumerate(ob_graph *g)
{
    objrt_snapshot *s = NULL;
    if (objrt_snapshot_take(&s) != OBJRT_OK)
        return;
    for (size_t i = 0; i < s->count; i++) {
        const objrt_live *o = &s->objects[i];
        ob_graph_node(g, o->id, objrt_type_name(o->type));
        for (size_t k = 0; k < o->nrefs; k++)
            ob_graph_edge(g, o->id, o->refs[k]);
    }
    objrt_snapshot_free(s);
}

static const char *const kinds[] = {"int", "list", "dict"};
static const char *const nestings[] = {"list", "dict"};

static const ob_gauge gauges[] = {
    {"unowned_objects", gauge_unowned, OB_GAUGE_BALANCED},
    {"live_containers", gauge_containers, OB_GAUGE_BALANCED},
    {"intern_entries", gauge_interned, OB_GAUGE_BOUNDED},
};

static const ob_op ops[] = {
    {"int.new", op_int_new, 1, {OB_INT(-1000, 1000)}, 1},
    {"str.new", op_str_new, 1, {OB_BYTES(24)}, 1},
    {"str.intern", op_str_intern, 1, {OB_BYTES(24)}, 1},
    {"str.intern_fresh", op_str_intern_fresh, 1, {OB_BYTES(24)}, 1},
    {"list.new", op_list_new, 0, {{0}}, 1},
    {"dict.new", op_dict_new, 0, {{0}}, 1},
    {"list.append", op_list_append, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"list.append_new", op_list_append_new, 2, {OB_HANDLE, OB_ENUM(kinds)}, 0},
    {"list.set", op_list_set, 3, {OB_HANDLE, OB_INT(0, 7), OB_HANDLE}, 0},
    {"list.pop", op_list_pop, 1, {OB_HANDLE}, 0},
    {"list.clear", op_list_clear, 1, {OB_HANDLE}, 0},
    {"list.nest", op_list_nest, 2, {OB_HANDLE, OB_INT(1, 120)}, 1},
    {"dict.set", op_dict_set, 3, {OB_HANDLE, OB_HANDLE, OB_HANDLE}, 0},
    {"dict.get", op_dict_get, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"dict.del", op_dict_del, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"dict.clear", op_dict_clear, 1, {OB_HANDLE}, 0},
    {"weakref.new", op_weakref_new, 1, {OB_HANDLE}, 1},
    {"weakref.of_item", op_weakref_of_item, 2, {OB_HANDLE, OB_INT(0, 7)}, 1},
    {"weakref.get", op_weakref_get, 1, {OB_HANDLE}, 0},
    {"repr", op_repr, 1, {OB_HANDLE}, 0},
    {"eq", op_eq, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"hash", op_hash, 1, {OB_HANDLE}, 0},
    {"deepcopy", op_deepcopy, 1, {OB_HANDLE}, 1},
    {"parse", op_parse, 1, {OB_BYTES(128)}, 1},
    {"parse.nested", op_parse_nested, 2, {OB_ENUM(nestings), OB_INT(1, 100)}, 1},
    {"collect", op_collect, 0, {{0}}, 0},
};

const ob_target ob_harness_target =
    OB_TARGET("objrt", ops, OB_GAUGES(gauges), .init = install, .alloc_hooks = 1,
              .release = release, .collect = collect, .check = check, .enumerate = enumerate);
