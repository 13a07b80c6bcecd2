/*
** objrt_impl.h: object layouts and the cross-file internals of objrt. Internal names carry
** the ort_<module>_ prefix; everything else in a .c file is static.
**
** Locks, in the only order they may nest:
**   graph lock  (objrt_gc.c)     container contents, gc list and flags, weakref slots
**   intern lock (objrt_intern.c) the intern table (never taken under the graph lock)
**   registry    (objrt_object.c) the list of all live objects and the type counters
** Invariant: no object is freed while the graph lock is held. Code under the graph lock
** drops references with ort_obj_decref_into and frees the delete-later list it built with
** ort_obj_drain after unlocking.
*/
#ifndef OBJRT_IMPL_H
#define OBJRT_IMPL_H

#ifndef OBJRT_BUILDING
#error "objrt_impl.h is internal to objrt; include objrt.h"
#endif

#include <stdatomic.h>
#include <stdbool.h>

#include "targets/objrt/objrt.h"

#define ORT_FUNC __attribute__((visibility("hidden")))

typedef struct ort_weakref ort_weakref;

/* Object flags, fixed before the object is published. */
enum { ORT_F_INTERNED = 1 };

struct objrt_obj {
    _Atomic intptr_t rc;
    objrt_type type;
    unsigned flags;
    uint64_t id;                     /* registry lock */
    objrt_obj *reg_prev, *reg_next;  /* registry lock */
    objrt_obj *dead_next;            /* owned by the thread freeing it */
    _Atomic(ort_weakref *) weakrefs; /* written under the graph lock */
};

/* gc_flags bits (graph lock). */
enum {
    ORT_GC_TRACKED = 1,     /* on the collector's list */
    ORT_GC_UNREACHABLE = 2, /* tentatively unreachable during move_unreachable */
};

typedef struct ort_container {
    objrt_obj ob;
    struct ort_container *gc_prev, *gc_next;
    intptr_t gc_refs; /* collector scratch: references from outside the tracked set */
    unsigned gc_flags;
} ort_container;

typedef struct ort_list {
    ort_container head;
    objrt_obj **items;
    size_t len, cap;
} ort_list;

typedef struct ort_dict_entry {
    objrt_obj *key; /* NULL: deleted */
    objrt_obj *value;
    uint64_t hash;
} ort_dict_entry;

typedef struct ort_dict {
    ort_container head;
    ort_dict_entry *entries;
    size_t nentries, ecap; /* entries used (deleted ones included) and allocated */
    size_t len;            /* live entries */
    size_t *index;         /* nindex slots: 0 empty, ORT_DICT_DUMMY, else entry + 1 */
    size_t nindex;
} ort_dict;

typedef struct ort_int {
    objrt_obj ob;
    int64_t value;
} ort_int;

typedef struct ort_str {
    objrt_obj ob;
    size_t len;
    uint64_t hash;
    char data[]; /* len bytes and a NUL */
} ort_str;

struct ort_weakref {
    objrt_obj ob;
    objrt_obj *referent;            /* graph lock; NULL once cleared */
    ort_weakref *wr_prev, *wr_next; /* the referent's list; graph lock */
    objrt_weakref_cb cb;
    void *ctx;
    ort_weakref *cb_next; /* pending-callback list of whoever cleared it */
};

/* The references a container held, detached under the graph lock, released after it. */
typedef struct ort_detached {
    objrt_obj **items; /* list items or NULL */
    size_t nitems;
    ort_dict_entry *entries; /* dict entries or NULL */
    size_t nentries;
    size_t *index;
} ort_detached;

typedef void (*ort_visit_fn)(objrt_obj *child, void *arg);

/* ---- objrt_mem.c: the allocator seam, hooks and limits ---- */
ORT_FUNC void *ort_mem_alloc(size_t size);
ORT_FUNC void *ort_mem_realloc(void *p, size_t size);
ORT_FUNC void ort_mem_free(void *p);
ORT_FUNC size_t ort_mem_bytes(void);
ORT_FUNC void ort_lock(pthread_mutex_t *m);
ORT_FUNC void ort_unlock(pthread_mutex_t *m);
ORT_FUNC void ort_yield(const char *where);
/* Recursion guard named by its call site: OBJRT_OK (recording the depth reached) or
   OBJRT_ERECURSION (recording where). */
ORT_FUNC int ort_enter(unsigned depth, const char *where);
ORT_FUNC void ort_note_depth(unsigned depth);
ORT_FUNC unsigned ort_depth_high_water(void);
ORT_FUNC const char *ort_recursion_site(void);

/* ---- objrt_object.c: headers, registry, refcounts, freeing ---- */
/* A new object of `size` bytes with refcount 1, registered; NULL when out of memory. */
ORT_FUNC objrt_obj *ort_obj_alloc(objrt_type type, size_t size, unsigned flags);
ORT_FUNC bool ort_obj_incref_if_alive(objrt_obj *o);
/* Drops a reference; an object reaching zero is pushed on *pending instead of freed. */
ORT_FUNC void ort_obj_decref_into(objrt_obj *o, objrt_obj **pending);
/* Frees everything on a delete-later list (without recursion). */
ORT_FUNC void ort_obj_drain(objrt_obj *pending);
ORT_FUNC bool ort_is_container(const objrt_obj *o);
/* Walks the registry under its lock (the caller holds the graph lock). */
ORT_FUNC void ort_registry_lock(void);
ORT_FUNC void ort_registry_unlock(void);
ORT_FUNC objrt_obj *ort_registry_first(void);
ORT_FUNC objrt_obj *ort_registry_next(objrt_obj *o);
ORT_FUNC size_t ort_registry_count(objrt_type type);
ORT_FUNC uint64_t ort_hash_bytes(const char *s, size_t n);
ORT_FUNC uint64_t ort_hash_int(int64_t v);
/* A str holding n bytes of s, unpublished flags given; NULL when out of memory. */
ORT_FUNC ort_str *ort_str_make(const char *s, size_t n, unsigned flags);

/* ---- objrt_gc.c: graph lock, tracking, the collector ---- */
ORT_FUNC void ort_graph_lock(void);
ORT_FUNC void ort_graph_unlock(void);
ORT_FUNC void ort_gc_track(ort_container *c);   /* graph lock held */
ORT_FUNC void ort_gc_untrack(ort_container *c); /* graph lock held; no-op if untracked */
/* Walks the gc list (graph lock held); returns the number of tracked containers. */
ORT_FUNC size_t ort_gc_count_tracked(const char **broken);

/* ---- objrt_list.c / objrt_dict.c: container internals (graph lock held) ---- */
ORT_FUNC ort_list *ort_list_make(void); /* untracked, unpublished */
ORT_FUNC int ort_list_append_locked(ort_list *l, objrt_obj *item);
ORT_FUNC ort_dict *ort_dict_make(void);
ORT_FUNC int ort_dict_set_locked(ort_dict *d, objrt_obj *key, objrt_obj *value,
                                 objrt_obj **pending);
/* Borrowed value for key, or NULL. key must be an int or str. */
ORT_FUNC objrt_obj *ort_dict_lookup_locked(ort_dict *d, objrt_obj *key);
ORT_FUNC bool ort_dict_key_ok(const objrt_obj *key);
ORT_FUNC void ort_container_visit(objrt_obj *c, ort_visit_fn fn, void *arg);
ORT_FUNC void ort_container_detach(objrt_obj *c, ort_detached *out);
/* Drops the detached references into *pending and frees the arrays (no lock needed). */
ORT_FUNC void ort_detached_release(ort_detached *d, objrt_obj **pending);
ORT_FUNC const char *ort_container_check(objrt_obj *c);

/* ---- objrt_weakref.c ---- */
/* Clears every weakref to o (graph lock held); those with callbacks are referenced and
   pushed on *callbacks for ort_weakref_run_callbacks after unlocking. */
ORT_FUNC void ort_weakref_clear_locked(objrt_obj *o, ort_weakref **callbacks);
ORT_FUNC void ort_weakref_run_callbacks(ort_weakref *callbacks);
/* The weakref's own teardown (graph lock not held). */
ORT_FUNC void ort_weakref_dealloc(ort_weakref *w, objrt_obj **pending);
ORT_FUNC objrt_obj *ort_weakref_strong_ref(const ort_weakref *w); /* graph lock held */
ORT_FUNC const char *ort_weakref_check(objrt_obj *o);             /* graph lock held */

/* ---- objrt_intern.c ---- */
ORT_FUNC void ort_intern_forget(ort_str *s);
ORT_FUNC size_t ort_intern_count(void);

#endif
