/*
** objrt_object.c: object headers, the registry of live objects, reference counts, and
** freeing.
**
** Registry: every live object is on one doubly linked list (registry lock), in id order
** because ids are handed out under the same lock. Ids count from 1 again whenever the
** registry empties. It is what enumeration, the type
** counters and objrt_check walk.
**
** Freeing (CPython's trashcan, always on): an object whose count reaches zero is freed by
** obj_dealloc, which detaches its children and drops their references onto a delete-later
** list instead of freeing them recursively. ort_obj_drain frees that list in a loop, so
** the C stack stays flat however deep the structure. A dying object first leaves the
** collector's list and has its weakrefs cleared under the graph lock; callbacks then run
** unlocked, before the memory goes back to the allocator.
*/
#include <string.h>

#include "targets/objrt/objrt_impl.h"

static pthread_mutex_t g_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static objrt_obj g_reg = {.reg_prev = &g_reg, .reg_next = &g_reg};
static uint64_t g_next_id;
static size_t g_live;
static size_t g_count[OBJRT_TYPE_COUNT];

static const bool obj_container[] = {
#define OBJ_CONTAINER(name, text, container) container,
    OBJRT_TYPE_LIST(OBJ_CONTAINER)
#undef OBJ_CONTAINER
};
_Static_assert(sizeof obj_container / sizeof obj_container[0] == OBJRT_TYPE_COUNT, "type table");

/* ---- refcounts ---- */

static void rc_inc(objrt_obj *o)
{
    ort_yield("objrt.incref");
    atomic_fetch_add_explicit(&o->rc, 1, memory_order_relaxed);
}

/* Returns the count after the decrement. Acquire-release, so the thread that frees sees
   every write made through other references. */
static intptr_t rc_dec(objrt_obj *o)
{
#ifdef OBJRT_DEFECT_REFCOUNT_NONATOMIC
    intptr_t *plain = (intptr_t *)&o->rc;
    intptr_t n = *plain - 1;
    ort_yield("objrt.decref");
    *plain = n;
    return n;
#else
    ort_yield("objrt.decref");
    return atomic_fetch_sub_explicit(&o->rc, 1, memory_order_acq_rel) - 1;
#endif
}

bool ort_obj_incref_if_alive(objrt_obj *o)
{
    intptr_t n = atomic_load_explicit(&o->rc, memory_order_relaxed);
    while (n > 0) {
        if (atomic_compare_exchange_weak_explicit(&o->rc, &n, n + 1, memory_order_relaxed,
                                                  memory_order_relaxed))
            return true;
    }
    return false;
}

bool ort_is_container(const objrt_obj *o)
{
    return obj_container[o->type];
}

/* ---- registry ---- */

static void registry_add(objrt_obj *o)
{
    ort_lock(&g_reg_lock);
    o->id = ++g_next_id;
    o->reg_prev = g_reg.reg_prev;
    o->reg_next = &g_reg;
    g_reg.reg_prev->reg_next = o;
    g_reg.reg_prev = o;
    g_count[o->type]++;
    g_live++;
    ort_unlock(&g_reg_lock);
}

static void registry_remove(objrt_obj *o)
{
    ort_lock(&g_reg_lock);
    o->reg_prev->reg_next = o->reg_next;
    o->reg_next->reg_prev = o->reg_prev;
    g_count[o->type]--;
    /* Ids restart once nothing is alive, so the same input run from idle gets the same ids. */
    if (--g_live == 0)
        g_next_id = 0;
    ort_unlock(&g_reg_lock);
}

void ort_registry_lock(void)
{
    ort_lock(&g_reg_lock);
}

void ort_registry_unlock(void)
{
    ort_unlock(&g_reg_lock);
}

objrt_obj *ort_registry_first(void)
{
    return ort_registry_next(&g_reg);
}

objrt_obj *ort_registry_next(objrt_obj *o)
{
    return o->reg_next == &g_reg ? NULL : o->reg_next;
}

size_t ort_registry_count(objrt_type type)
{
    return g_count[type];
}

objrt_obj *ort_obj_alloc(objrt_type type, size_t size, unsigned flags)
{
    objrt_obj *o = ort_mem_alloc(size);
    if (!o)
        return NULL;
    memset(o, 0, size);
    atomic_init(&o->rc, 1);
    o->type = type;
    o->flags = flags;
    atomic_init(&o->weakrefs, NULL);
    registry_add(o);
    return o;
}

/* ---- freeing ---- */

static void obj_dealloc(objrt_obj *o, objrt_obj **pending, unsigned depth);

static void obj_release_children(ort_detached *d, objrt_obj **pending, unsigned depth)
{
#ifdef OBJRT_DEFECT_DEALLOC_RECURSES
    objrt_obj *now = NULL;
    ort_detached_release(d, &now);
    while (now) {
        objrt_obj *child = now;
        now = child->dead_next;
        obj_dealloc(child, pending, depth + 1);
    }
#else
    (void)depth;
    ort_detached_release(d, pending);
#endif
}

/* Leaves the gc list, clears weakrefs and takes the children out, all under the graph
   lock, so neither the collector nor a weakref_get can see the object half gone. */
static void obj_unpublish(objrt_obj *o, ort_detached *d, ort_weakref **callbacks)
{
    bool container = ort_is_container(o);
    if (!container && atomic_load_explicit(&o->weakrefs, memory_order_acquire) == NULL)
        return;
    ort_graph_lock();
    if (container) {
        ort_gc_untrack((ort_container *)o);
        ort_container_detach(o, d);
    }
#ifdef OBJRT_DEFECT_WEAKREF_NOT_CLEARED
    (void)callbacks;
#else
    ort_weakref_clear_locked(o, callbacks);
#endif
    ort_graph_unlock();
}

static void obj_dealloc(objrt_obj *o, objrt_obj **pending, unsigned depth)
{
    ort_detached d = {0};
    ort_weakref *callbacks = NULL;
    ort_note_depth(depth);
    obj_unpublish(o, &d, &callbacks);
    ort_yield("objrt.dealloc");
    ort_weakref_run_callbacks(callbacks);
    if (o->type == OBJRT_STR && (o->flags & ORT_F_INTERNED))
        ort_intern_forget((ort_str *)o);
    else if (o->type == OBJRT_WEAKREF)
        ort_weakref_dealloc((ort_weakref *)o, pending);
    obj_release_children(&d, pending, depth);
    registry_remove(o);
    ort_mem_free(o);
}

void ort_obj_decref_into(objrt_obj *o, objrt_obj **pending)
{
    if (rc_dec(o) != 0)
        return;
    o->dead_next = *pending;
    *pending = o;
}

void ort_obj_drain(objrt_obj *pending)
{
    while (pending) {
        objrt_obj *o = pending;
        pending = o->dead_next;
        obj_dealloc(o, &pending, 1);
    }
}

/* ---- public: every object ---- */

void objrt_incref(objrt_obj *o)
{
    if (o)
        rc_inc(o);
}

void objrt_decref(objrt_obj *o)
{
    if (!o || rc_dec(o) != 0)
        return;
    o->dead_next = NULL;
    ort_obj_drain(o);
}

objrt_type objrt_typeof(const objrt_obj *o)
{
    return o ? o->type : OBJRT_TYPE_COUNT;
}

uint64_t objrt_id(const objrt_obj *o)
{
    return o ? o->id : 0;
}

intptr_t objrt_refcount(const objrt_obj *o)
{
    return o ? atomic_load_explicit(&((objrt_obj *)o)->rc, memory_order_relaxed) : 0;
}

/* ---- int and str ---- */

uint64_t ort_hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

uint64_t ort_hash_int(int64_t v)
{
    uint64_t z = (uint64_t)v + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int objrt_int_new(int64_t value, objrt_obj **out)
{
    if (!out)
        return OBJRT_EINVAL;
    ort_int *i = (ort_int *)ort_obj_alloc(OBJRT_INT, sizeof(ort_int), 0);
    *out = (objrt_obj *)i;
    if (!i)
        return OBJRT_ENOMEM;
    i->value = value;
    return OBJRT_OK;
}

int objrt_int_value(const objrt_obj *o, int64_t *value)
{
    if (!o || !value)
        return OBJRT_EINVAL;
    if (o->type != OBJRT_INT)
        return OBJRT_ETYPE;
    *value = ((const ort_int *)o)->value;
    return OBJRT_OK;
}

ort_str *ort_str_make(const char *s, size_t n, unsigned flags)
{
    if (n > SIZE_MAX - sizeof(ort_str) - 1)
        return NULL;
    ort_str *str = (ort_str *)ort_obj_alloc(OBJRT_STR, sizeof(ort_str) + n + 1, flags);
    if (!str)
        return NULL;
    if (n)
        memcpy(str->data, s, n);
    str->data[n] = '\0';
    str->len = n;
    str->hash = ort_hash_bytes(str->data, n);
    return str;
}

int objrt_str_new(const char *s, size_t n, objrt_obj **out)
{
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    if (!s && n)
        return OBJRT_EINVAL;
    *out = (objrt_obj *)ort_str_make(s, n, 0);
    return *out ? OBJRT_OK : OBJRT_ENOMEM;
}

const char *objrt_str_data(const objrt_obj *o, size_t *len)
{
    if (!o || o->type != OBJRT_STR)
        return NULL;
    if (len)
        *len = ((const ort_str *)o)->len;
    return ((const ort_str *)o)->data;
}
