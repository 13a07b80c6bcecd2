/*
** objrt.h: a small Python-like object runtime (int, str, list, dict, weakref) with atomic
** reference counts, a trial-deletion cycle collector, weak references with callbacks, a
** global string intern table, and live-object accounting for leak hunting.
**
** Ownership. Every function that yields an object through an out pointer gives the caller
** a NEW reference (release it with objrt_decref). Objects passed in are BORROWED: a
** container that stores one takes its own reference. On any error status, out pointers
** are set to NULL and nothing the call allocated remains alive.
**
** Threads. Every function except objrt_set_hooks is thread-safe. Reference counts are C11 atomics
*and lock-free
** until a count reaches zero. One runtime-wide mutex, the graph lock, guards every
** container's contents, the collector's list, and weakref slots; the collector holds it
** while it decides what is garbage, so nobody can create or read a reference to a
** container meanwhile (see objrt_gc.c for why that is enough). Frees and weakref callbacks
** run outside the lock. Locks are taken through the tg_sync hooks and tg_yield is called
** at named points inside mutations and refcount operations, so a fiber scheduler can
** switch threads in the middle of an operation.
**
** Limits. Recursive operations (repr, eq, hash, deepcopy, parse) fail with
** OBJRT_ERECURSION beyond objrt_depth_limit() nesting levels; repr prints a container
** already being printed as [...] or {...}. Freeing never recurses on the C stack, however
** deep the structure (freed objects go on a delete-later list). The collector runs only
** when objrt_collect is called.
**
** Accounting. objrt_get_gauges counts live objects, containers, intern entries and bytes;
** objrt_snapshot_take lists every live object with a stable id and the ids it references;
** objrt_check verifies the runtime's invariants. Live objects stay reachable from the
** runtime's registry, so LeakSanitizer never reports them: a harness finds leaks by
** comparing gauges with a baseline.
*/
#ifndef OBJRT_H
#define OBJRT_H

#include <stddef.h>
#include <stdint.h>

#include "targets/hooks/tg_hooks.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, description): every status code a call may return. */
#define OBJRT_STATUS_LIST(X)                                                                       \
    X(OBJRT_OK, 0, "ok")                                                                           \
    X(OBJRT_ENOMEM, 1, "out of memory")                                                            \
    X(OBJRT_ERECURSION, 2, "nesting deeper than the depth limit")                                  \
    X(OBJRT_ESYNTAX, 3, "syntax error in literal")                                                 \
    X(OBJRT_ETYPE, 4, "wrong object type")                                                         \
    X(OBJRT_EINDEX, 5, "index out of range")                                                       \
    X(OBJRT_EKEY, 6, "key not found")                                                              \
    X(OBJRT_EINVAL, 7, "invalid argument")                                                         \
    X(OBJRT_EBUSY, 8, "objects are alive")

enum {
#define OBJRT_STATUS_ENUM(name, value, text) name = value,
    OBJRT_STATUS_LIST(OBJRT_STATUS_ENUM)
#undef OBJRT_STATUS_ENUM
        OBJRT_STATUS_COUNT
};

/* X(enum name, short name, is a container): the object types. */
#define OBJRT_TYPE_LIST(X)                                                                         \
    X(OBJRT_INT, "int", 0)                                                                         \
    X(OBJRT_STR, "str", 0)                                                                         \
    X(OBJRT_LIST, "list", 1)                                                                       \
    X(OBJRT_DICT, "dict", 1)                                                                       \
    X(OBJRT_WEAKREF, "weakref", 0)

typedef enum objrt_type {
#define OBJRT_TYPE_ENUM(name, text, container) name,
    OBJRT_TYPE_LIST(OBJRT_TYPE_ENUM)
#undef OBJRT_TYPE_ENUM
        OBJRT_TYPE_COUNT
} objrt_type;

typedef struct objrt_obj objrt_obj;

/* Static description of a status code ("ok", "out of memory", ...); "unknown status" for
   values outside the table. */
const char *objrt_strerror(int status);
/* Static short name of a type ("list"); "?" when out of range. */
const char *objrt_type_name(objrt_type type);

/* ---- configuration ---- */

/* Installs the allocator and sync hooks (NULL: the tg defaults). Every allocation the
   runtime makes goes through the allocator; every lock and yield through sync. The tables
   must outlive their use. Returns OBJRT_OK, or OBJRT_EBUSY (nothing changed) when any
   object or runtime allocation is alive. */
int objrt_set_hooks(const tg_allocator *alloc, const tg_sync *sync);

enum { OBJRT_DEFAULT_DEPTH_LIMIT = 64 };
/* The nesting limit of recursive operations. At the default each of them runs in 48 KiB
   of stack in sanitizer builds (tests/objrt/limits_test.cc), so it fits a 64 KiB fiber
   stack with room for the caller. limit 0 restores the default. */
void objrt_set_depth_limit(unsigned limit);
unsigned objrt_depth_limit(void);

/* ---- every object ---- */

/* Adds a reference. o must be a live object the caller holds a reference to. */
void objrt_incref(objrt_obj *o);
/* Drops a reference (NULL is ignored); the last one frees the object, clears weakrefs to
   it and runs their callbacks on the calling thread. */
void objrt_decref(objrt_obj *o);
/* The type of o (OBJRT_TYPE_COUNT for NULL). */
objrt_type objrt_typeof(const objrt_obj *o);
/* The object's id: unique among live objects, increasing in creation order, and counted
   from 1 again whenever no object is alive, so a harness that runs each input from an idle
   runtime sees the same ids (and cycle texts) for the same input. */
uint64_t objrt_id(const objrt_obj *o);
/* The current reference count (racy by nature; for tests and diagnostics). */
intptr_t objrt_refcount(const objrt_obj *o);

/* ---- int and str (immutable) ---- */

int objrt_int_new(int64_t value, objrt_obj **out);
/* OBJRT_ETYPE if o is not an int. */
int objrt_int_value(const objrt_obj *o, int64_t *value);
/* A str of the n bytes at s (any bytes, NUL included). */
int objrt_str_new(const char *s, size_t n, objrt_obj **out);
/* The canonical str with these bytes: the same object while any reference to it is alive.
   The intern table holds no reference; an entry goes away with its str. */
int objrt_str_intern(const char *s, size_t n, objrt_obj **out);
/* Borrowed bytes of a str (NUL-terminated, valid while o is alive) and their count; NULL
   if o is not a str. */
const char *objrt_str_data(const objrt_obj *o, size_t *len);

/* ---- list ---- */

int objrt_list_new(objrt_obj **out);
/* Appends item (the list takes a reference). OBJRT_ETYPE if l is not a list. */
int objrt_list_append(objrt_obj *l, objrt_obj *item);
/* New reference to item i, or OBJRT_EINDEX. */
int objrt_list_get(objrt_obj *l, size_t i, objrt_obj **out);
/* Replaces item i (the old item is released), or OBJRT_EINDEX. */
int objrt_list_set(objrt_obj *l, size_t i, objrt_obj *item);
/* Removes the last item and gives the caller its reference; OBJRT_EINDEX when empty. */
int objrt_list_pop(objrt_obj *l, objrt_obj **out);
int objrt_list_len(objrt_obj *l, size_t *len);
/* Removes every item. */
int objrt_list_clear(objrt_obj *l);

/* ---- dict (keys are ints or strs, in insertion order) ---- */

int objrt_dict_new(objrt_obj **out);
/* Maps key to value (both referenced by the dict). OBJRT_ETYPE for a key that is not an
   int or str. */
int objrt_dict_set(objrt_obj *d, objrt_obj *key, objrt_obj *value);
/* New reference to the value, or OBJRT_EKEY. */
int objrt_dict_get(objrt_obj *d, objrt_obj *key, objrt_obj **out);
/* Removes key, or OBJRT_EKEY. */
int objrt_dict_del(objrt_obj *d, objrt_obj *key);
int objrt_dict_len(objrt_obj *d, size_t *len);
/* New references to the i-th (insertion order) key and value, or OBJRT_EINDEX. */
int objrt_dict_item(objrt_obj *d, size_t i, objrt_obj **key, objrt_obj **value);
int objrt_dict_clear(objrt_obj *d);

/* ---- weak references ---- */

/* Called once, on the thread that dropped the referent (or ran the collector), after the
   weakref was cleared and before the referent's memory is freed. wr is borrowed. The
   callback may call into the runtime. */
typedef void (*objrt_weakref_cb)(objrt_obj *wr, void *ctx);
/* A weakref to referent (any object). cb may be NULL. */
int objrt_weakref_new(objrt_obj *referent, objrt_weakref_cb cb, void *ctx, objrt_obj **out);
/* *out = new reference to the referent, or NULL once it died. OBJRT_ETYPE if wr is not a
   weakref. */
int objrt_weakref_get(objrt_obj *wr, objrt_obj **out);

/* ---- recursive operations (each fails with OBJRT_ERECURSION past the depth limit) ---- */

/* A new str with Python-like text: 1, "a\n", [1, "a"], {"k": 2}, <weakref to list#3>.
   Containers being printed further up print as [...] / {...}. */
int objrt_repr(objrt_obj *o, objrt_obj **out);
/* *equal = structural equality (ints/strs by value, lists in order, dicts as mappings,
   weakrefs by identity). */
int objrt_eq(objrt_obj *a, objrt_obj *b, int *equal);
/* A structural hash consistent with objrt_eq (lists and dicts hash by contents). */
int objrt_hash(objrt_obj *o, uint64_t *hash);
/* A structural copy: new lists and dicts, shared ints, strs and weakrefs. Shared
   substructure is copied once per path; a cycle exceeds the depth limit. */
int objrt_deepcopy(objrt_obj *o, objrt_obj **out);
/* Parses one literal: ints (-12), strs ("a\"\n\x41", escapes \" \\ \n \t \r \xHH), lists
   [..] and dicts {key: value} with int or str keys, whitespace, trailing commas. Dict keys
   are interned. On OBJRT_ESYNTAX / OBJRT_ETYPE / OBJRT_ERECURSION, *err_offset (may be
   NULL) is the byte offset where parsing stopped. */
int objrt_parse(const char *text, size_t len, objrt_obj **out, size_t *err_offset);

/* ---- cycle collector ---- */

/* Frees every container unreachable from outside the containers (clearing weakrefs and
   running their callbacks first). *freed (may be NULL) = containers found garbage. Safe
   while other threads mutate. Returns OBJRT_OK. */
int objrt_collect(size_t *freed);

/* ---- accounting and checks ---- */

typedef struct objrt_gauges {
    size_t live_objects;
    size_t live_containers;
    size_t per_type[OBJRT_TYPE_COUNT];
    size_t intern_entries;
    size_t bytes_allocated;    /* outstanding bytes the runtime obtained from the allocator */
    unsigned depth_high_water; /* deepest nesting any recursive operation reached */
    /* Call site of the latest OBJRT_ERECURSION ("objrt.repr", "objrt.eq", "objrt.hash",
       "objrt.deepcopy", "objrt.parse.list", "objrt.parse.dict"), or NULL. */
    const char *recursion_site;
} objrt_gauges;

void objrt_get_gauges(objrt_gauges *out);
/* Resets depth_high_water to 0 and recursion_site to NULL. */
void objrt_reset_depth_high_water(void);

/* NULL when every invariant holds, else a static message naming the first broken one
   (negative refcount, gc list inconsistent with the tracked flags, type counters, list or
   dict bookkeeping, weakref links). */
const char *objrt_check(void);

typedef struct objrt_live {
    uint64_t id;
    objrt_type type;
    intptr_t refcount;
    size_t nrefs;
    const uint64_t *refs; /* ids of the objects it holds strong references to */
} objrt_live;

typedef struct objrt_snapshot {
    size_t count;
    objrt_live *objects; /* sorted by id */
} objrt_snapshot;

/* Every live object at one instant (objects being freed concurrently may appear). The
   snapshot is allocated through the runtime's allocator and counted in bytes_allocated.
   Returns OBJRT_OK and *out (free with objrt_snapshot_free), or OBJRT_ENOMEM. */
int objrt_snapshot_take(objrt_snapshot **out);
void objrt_snapshot_free(objrt_snapshot *s);
/* Looks for a reference cycle; when one exists, *found = 1 and buf receives e.g.
   "list#3 -> dict#5 -> list#3" (truncated to cap, always NUL-terminated if cap > 0).
   Returns OBJRT_OK or OBJRT_ENOMEM. */
int objrt_snapshot_find_cycle(const objrt_snapshot *s, char *buf, size_t cap, int *found);

#ifdef __cplusplus
}
#endif

#endif
