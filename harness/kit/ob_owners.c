/*
** ob_owners.c: handle ownership (ob_owners.h). Effects apply when the operation has
** returned, under one lock taken only by operations that have effects; resolving reads
** atomics only. So operations that own nothing neither wait for each other here nor gain
** a happens-before edge that would hide their races from ThreadSanitizer.
*/
#include "ob_owners.h"

#include <string.h>

void ob_owners_init(ob_owners *o, int one_owner)
{
    for (int s = 0; s < OB_MAX_SLOTS; s++) {
        atomic_init(&o->obj[s], NULL);
        atomic_init(&o->gone[s], false);
        atomic_init(&o->owner[s], OB_OWNER_ROOT);
    }
    o->one_owner = one_owner;
    pthread_mutex_init(&o->lock, NULL);
}

void ob_owners_destroy(ob_owners *o)
{
    pthread_mutex_destroy(&o->lock);
}

static void *obj_of(ob_owners *o, int s)
{
    return atomic_load_explicit(&o->obj[s], memory_order_acquire);
}

static int live(ob_owners *o, int s)
{
    return obj_of(o, s) && !atomic_load_explicit(&o->gone[s], memory_order_acquire);
}

void *ob_owners_get(ob_owners *o, int s)
{
    return live(o, s) ? obj_of(o, s) : NULL;
}

/* 1 when slot k is s itself or, with one_owner, holds the same object. */
static int same_object(ob_owners *o, int s, int k)
{
    return k == s || (o->one_owner && live(o, k) && obj_of(o, k) == obj_of(o, s));
}

static void set_owner(ob_owners *o, int s, int owner)
{
    for (int k = 0; k < OB_MAX_SLOTS; k++)
        if (same_object(o, s, k))
            atomic_store(&o->owner[k], owner);
}

/* s and its aliases are gone, then whatever they owned, transitively. */
static void kill(ob_owners *o, int s)
{
    for (int k = 0; k < OB_MAX_SLOTS; k++)
        if (k != s && same_object(o, s, k))
            atomic_store_explicit(&o->gone[k], true, memory_order_release);
    atomic_store_explicit(&o->gone[s], true, memory_order_release);
    for (int changed = 1; changed;) {
        changed = 0;
        for (int k = 0; k < OB_MAX_SLOTS; k++) {
            int up = atomic_load(&o->owner[k]);
            if (up != OB_OWNER_ROOT && live(o, k) && atomic_load(&o->gone[up])) {
                atomic_store_explicit(&o->gone[k], true, memory_order_release);
                changed = 1;
            }
        }
    }
}

/* The slot of handle argument i of in, or -1 when argument i is not a handle. */
static int slot_of(const ob_op *op, const ob_inst *in, uint32_t i)
{
    return i < op->nargs && op->args[i].kind == OB_ARG_HANDLE ? (int)in->args[i].i : -1;
}

void ob_owners_fill(ob_owners *o, int s, void *obj, const ob_op *op, const ob_inst *in)
{
    int owner = op->makes >= OB_MAKES_PART_OF(0) ? slot_of(op, in, (uint32_t)op->makes - 2) : -1;
    /* A plain new reference takes no lock: the lock orders the threads that take it, and so
       would hide from ThreadSanitizer the races between operations that own nothing. */
    if (owner < 0 && !o->one_owner) {
        atomic_store_explicit(&o->obj[s], obj, memory_order_release);
        return;
    }
    pthread_mutex_lock(&o->lock);
    atomic_store_explicit(&o->obj[s], obj, memory_order_release);
    /* One owner: the newest handle says who owns the object now (a detach makes a root). */
    set_owner(o, s, owner < 0 ? OB_OWNER_ROOT : owner);
    pthread_mutex_unlock(&o->lock);
}

/* 1 when some handle argument of op moves or frees its object. */
static int has_effects(const ob_op *op)
{
    for (uint32_t i = 0; i < op->nargs; i++)
        if (op->args[i].kind == OB_ARG_HANDLE && op->args[i].own)
            return 1;
    return 0;
}

void ob_owners_after(ob_owners *o, const ob_op *op, const ob_inst *in, int rc)
{
    if (!has_effects(op))
        return;
    pthread_mutex_lock(&o->lock);
    for (uint32_t i = 0; i < op->nargs; i++) {
        const ob_arg_spec *a = &op->args[i];
        int s = slot_of(op, in, i), effect = a->own & ~OB_OWN_ALWAYS;
        if (s < 0 || !effect || (rc && !(a->own & OB_OWN_ALWAYS)) || !live(o, s))
            continue;
        int owner = slot_of(op, in, a->owner);
        if (effect == OB_OWN_MOVED && rc) /* stolen, and dropped on failure */
            kill(o, s);
        else if (effect == OB_OWN_MOVED && owner >= 0)
            set_owner(o, s, owner);
        else if (effect == OB_OWN_FREED)
            kill(o, s);
    }
    pthread_mutex_unlock(&o->lock);
}

int ob_owners_releases(ob_owners *o, int s)
{
    if (!live(o, s) || atomic_load(&o->owner[s]) != OB_OWNER_ROOT)
        return 0;
    for (int k = 0; o->one_owner && k < s; k++)
        if (live(o, k) && atomic_load(&o->owner[k]) == OB_OWNER_ROOT &&
            obj_of(o, k) == obj_of(o, s))
            return 0;
    return 1;
}

int ob_owners_may_give(ob_owners *o, const ob_op *op, const ob_inst *in)
{
    for (uint32_t i = 0; !o->one_owner && i < op->nargs; i++) {
        int s = slot_of(op, in, i);
        if (s >= 0 && op->args[i].own && atomic_load(&o->owner[s]) != OB_OWNER_ROOT)
            return 0;
    }
    return 1;
}
