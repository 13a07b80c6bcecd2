/*
** objrt_weakref.c: weak references.
**
** A weakref's referent slot and its place on the referent's list change only under the
** graph lock. The referent clears them all before its memory is freed (obj_dealloc, or
** the collector's finalize phase), so a weakref never points at freed memory; a referent
** whose count already reached zero counts as dead. A weakref is detached from its
** referent exactly once, and only the detaching thread runs its callback: that is what
** makes callbacks run once. A weakref holds no reference, so it is never part of a cycle
** and the collector does not track it.
*/
#include "targets/objrt/objrt_impl.h"

static void wr_link(ort_weakref *w, objrt_obj *referent)
{
    ort_weakref *first = atomic_load_explicit(&referent->weakrefs, memory_order_relaxed);
    w->referent = referent;
    w->wr_prev = NULL;
    w->wr_next = first;
    if (first)
        first->wr_prev = w;
    atomic_store_explicit(&referent->weakrefs, w, memory_order_release);
}

static void wr_unlink(ort_weakref *w)
{
    objrt_obj *referent = w->referent;
    if (w->wr_prev)
        w->wr_prev->wr_next = w->wr_next;
    else
        atomic_store_explicit(&referent->weakrefs, w->wr_next, memory_order_release);
    if (w->wr_next)
        w->wr_next->wr_prev = w->wr_prev;
    w->referent = NULL;
    w->wr_prev = w->wr_next = NULL;
}

int objrt_weakref_new(objrt_obj *referent, objrt_weakref_cb cb, void *ctx, objrt_obj **out)
{
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    if (!referent)
        return OBJRT_EINVAL;
    ort_weakref *w = (ort_weakref *)ort_obj_alloc(OBJRT_WEAKREF, sizeof(ort_weakref), 0);
    if (!w)
        return OBJRT_ENOMEM;
    w->cb = cb;
    w->ctx = ctx;
#ifdef OBJRT_DEFECT_WEAKREF_STRONG
    objrt_incref(referent);
#endif
    ort_graph_lock();
    wr_link(w, referent);
    ort_graph_unlock();
    *out = &w->ob;
    return OBJRT_OK;
}

int objrt_weakref_get(objrt_obj *wo, objrt_obj **out)
{
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    if (!wo)
        return OBJRT_EINVAL;
    if (wo->type != OBJRT_WEAKREF)
        return OBJRT_ETYPE;
    ort_weakref *w = (ort_weakref *)wo;
    ort_graph_lock();
    if (w->referent && ort_obj_incref_if_alive(w->referent))
        *out = w->referent;
    ort_graph_unlock();
    return OBJRT_OK;
}

void ort_weakref_clear_locked(objrt_obj *o, ort_weakref **callbacks)
{
    ort_weakref *w;
    while ((w = atomic_load_explicit(&o->weakrefs, memory_order_relaxed)) != NULL) {
        wr_unlink(w);
        /* A weakref that is dying itself gets no callback, as in CPython. */
        if (w->cb && ort_obj_incref_if_alive(&w->ob)) {
            w->cb_next = *callbacks;
            *callbacks = w;
        }
    }
}

void ort_weakref_run_callbacks(ort_weakref *callbacks)
{
    while (callbacks) {
        ort_weakref *w = callbacks;
        callbacks = w->cb_next;
        ort_yield("objrt.weakref.callback");
        w->cb(&w->ob, w->ctx);
        objrt_decref(&w->ob);
    }
}

void ort_weakref_dealloc(ort_weakref *w, objrt_obj **pending)
{
    objrt_obj *held = NULL;
    ort_graph_lock();
    if (w->referent) {
        held = ort_weakref_strong_ref(w);
        wr_unlink(w);
    }
    ort_graph_unlock();
    if (held)
        ort_obj_decref_into(held, pending);
}

objrt_obj *ort_weakref_strong_ref(const ort_weakref *w)
{
#ifdef OBJRT_DEFECT_WEAKREF_STRONG
    return w->referent;
#else
    (void)w;
    return NULL;
#endif
}

const char *ort_weakref_check(objrt_obj *o)
{
    const ort_weakref *prev = NULL;
    for (const ort_weakref *w = atomic_load_explicit(&o->weakrefs, memory_order_relaxed); w;
         w = w->wr_next) {
        if (w->referent != o || w->wr_prev != prev || w->ob.type != OBJRT_WEAKREF)
            return "weakref list of an object is inconsistent";
        prev = w;
    }
    if (o->type == OBJRT_WEAKREF) {
        const ort_weakref *w = (const ort_weakref *)o;
        if (!w->referent && (w->wr_prev || w->wr_next))
            return "cleared weakref is still linked";
    }
    return NULL;
}
