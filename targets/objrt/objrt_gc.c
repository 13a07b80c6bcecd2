/*
** objrt_gc.c: the graph lock and the cycle collector (CPython gc.c's trial deletion,
** one generation).
**
** Read objrt_collect first: it runs the phases in order.
**   update_refs      gc_refs = refcount of every tracked container
**   subtract_refs    minus the references held by tracked containers; what remains
**                    counts references from outside (threads, untracked objects)
**   move_unreachable gc_refs > 0 is a root; everything a root reaches is reachable; the
**                    rest moves to the unreachable list
**   finalize         unreachable containers leave the gc list, gain a reference that
**                    keeps them alive while they are torn down, and lose their weakrefs
**   delete           (unlocked) weakref callbacks run, then each garbage container is
**                    cleared, which breaks the cycles, and its reference dropped
**
** Why this is correct while other threads run. The first four phases hold the graph lock,
** which every read or write of container contents, every weakref_get and every
** track/untrack also takes. A thread can therefore only change a refcount through a
** reference it already holds, and such a reference is an outside reference: the
** container it points to keeps gc_refs > 0 whether the change lands before or after
** update_refs (a decrement after the snapshot only makes the result conservative). An
** object whose count already reached zero is being freed by another thread, which waits
** for the lock to untrack it: it is treated as a root so that nothing it still holds is
** freed under it. (The intern table can hand out new references without the graph lock,
** but only to strs, which hold nothing and are never tracked.)
**
** gc_flags: ORT_GC_TRACKED while on the gc list; ORT_GC_UNREACHABLE only inside
** move_unreachable. Under -DOBJRT_DEBUG, validate_list checks the lists between phases.
*/
#include "targets/objrt/objrt_impl.h"

static pthread_mutex_t g_graph_lock = PTHREAD_MUTEX_INITIALIZER;
static ort_container g_tracked = {.gc_prev = &g_tracked, .gc_next = &g_tracked};

void ort_graph_lock(void)
{
    ort_lock(&g_graph_lock);
}

void ort_graph_unlock(void)
{
    ort_unlock(&g_graph_lock);
}

/* ---- lists ---- */

static void gc_list_init(ort_container *head)
{
    head->gc_prev = head->gc_next = head;
}

static bool gc_list_empty(const ort_container *head)
{
    return head->gc_next == head;
}

static void gc_list_remove(ort_container *c)
{
    c->gc_prev->gc_next = c->gc_next;
    c->gc_next->gc_prev = c->gc_prev;
    c->gc_prev = c->gc_next = NULL;
}

static void gc_list_append(ort_container *c, ort_container *head)
{
    c->gc_prev = head->gc_prev;
    c->gc_next = head;
    head->gc_prev->gc_next = c;
    head->gc_prev = c;
}

static void gc_list_move(ort_container *c, ort_container *head)
{
    gc_list_remove(c);
    gc_list_append(c, head);
}

void ort_gc_track(ort_container *c)
{
#ifdef OBJRT_DEFECT_GC_SKIPS_DICT
    if (c->ob.type == OBJRT_DICT)
        return;
#endif
    gc_list_append(c, &g_tracked);
    c->gc_flags = ORT_GC_TRACKED;
}

void ort_gc_untrack(ort_container *c)
{
    if (!(c->gc_flags & ORT_GC_TRACKED))
        return;
    gc_list_remove(c);
    c->gc_flags = 0;
}

size_t ort_gc_count_tracked(const char **broken)
{
    size_t n = 0;
    for (ort_container *c = g_tracked.gc_next; c != &g_tracked; c = c->gc_next) {
        if (c->gc_next->gc_prev != c)
            *broken = "gc list links are inconsistent";
        else if (!ort_is_container(&c->ob) || !(c->gc_flags & ORT_GC_TRACKED))
            *broken = "gc list holds an object not flagged as a tracked container";
        if (*broken)
            return n;
        n++;
    }
    return n;
}

#ifdef OBJRT_DEBUG
#include <stdio.h>
#include <stdlib.h>

/* Debug builds only: every member is a tracked container with the expected flags and a
   non-negative gc_refs; aborts with the phase name otherwise. */
static void validate_list(const ort_container *head, unsigned flags, const char *phase)
{
    for (const ort_container *c = head->gc_next; c != head; c = c->gc_next) {
        if (c->gc_next->gc_prev != c || c->gc_flags != flags || c->gc_refs < 0 ||
            !ort_is_container(&c->ob)) {
            fprintf(stderr, "objrt gc: invalid list after %s at %s#%llu\n", phase,
                    objrt_type_name(c->ob.type), (unsigned long long)c->ob.id);
            abort();
        }
    }
}
#else
#define validate_list(head, flags, phase) ((void)0)
#endif

/* ---- phases ---- */

static void update_refs(ort_container *young)
{
    for (ort_container *c = young->gc_next; c != young; c = c->gc_next) {
        intptr_t rc = atomic_load_explicit(&c->ob.rc, memory_order_acquire);
        c->gc_refs = rc > 0 ? rc : 1;
    }
}

static void visit_decref(objrt_obj *child, void *arg)
{
    (void)arg;
    if (!ort_is_container(child))
        return;
    ort_container *c = (ort_container *)child;
    if ((c->gc_flags & ORT_GC_TRACKED) && c->gc_refs > 0)
        c->gc_refs--;
}

static void subtract_refs(ort_container *young)
{
    for (ort_container *c = young->gc_next; c != young; c = c->gc_next)
        ort_container_visit(&c->ob, visit_decref, NULL);
}

static void visit_reachable(objrt_obj *child, void *arg)
{
    if (!ort_is_container(child))
        return;
    ort_container *c = (ort_container *)child;
    if (!(c->gc_flags & ORT_GC_TRACKED))
        return;
    if (c->gc_flags & ORT_GC_UNREACHABLE) {
        /* Moved away too early: back on the young list, which the scan will reach. */
        gc_list_move(c, (ort_container *)arg);
        c->gc_flags &= ~(unsigned)ORT_GC_UNREACHABLE;
        c->gc_refs = 1;
    } else if (c->gc_refs == 0) {
        c->gc_refs = 1;
    }
}

/* Contract: on return young holds exactly the containers reachable from a root and
   unreachable the rest, each flagged ORT_GC_UNREACHABLE. */
static void move_unreachable(ort_container *young, ort_container *unreachable)
{
    ort_container *c = young->gc_next;
    while (c != young) {
        ort_container *next;
        if (c->gc_refs > 0) {
            ort_container_visit(&c->ob, visit_reachable, young);
            next = c->gc_next;
        } else {
            next = c->gc_next;
            gc_list_move(c, unreachable);
            c->gc_flags |= ORT_GC_UNREACHABLE;
        }
        c = next;
    }
}

/* Garbage leaves the gc list with a reference of ours and no weakrefs. Returns the count. */
static size_t finalize_garbage(ort_container *unreachable, ort_weakref **callbacks)
{
    size_t n = 0;
    for (ort_container *c = unreachable->gc_next; c != unreachable; c = c->gc_next) {
        c->gc_flags = 0;
        atomic_fetch_add_explicit(&c->ob.rc, 1, memory_order_relaxed);
        ort_weakref_clear_locked(&c->ob, callbacks);
        n++;
    }
    return n;
}

/* Graph lock not held. Clearing one container may drop others' counts, but our own
   reference keeps every garbage container alive until its turn. */
static void delete_garbage(ort_container *unreachable)
{
    while (!gc_list_empty(unreachable)) {
        ort_container *c = unreachable->gc_next;
        ort_detached d = {0};
        objrt_obj *pending = NULL;
        ort_graph_lock();
        gc_list_remove(c);
        ort_container_detach(&c->ob, &d);
        ort_graph_unlock();
        ort_yield("objrt.gc.delete");
        ort_detached_release(&d, &pending);
        ort_obj_decref_into(&c->ob, &pending);
        ort_obj_drain(pending);
    }
}

int objrt_collect(size_t *freed)
{
    ort_container unreachable;
    ort_weakref *callbacks = NULL;
    gc_list_init(&unreachable);
    ort_graph_lock();
    update_refs(&g_tracked);
    validate_list(&g_tracked, ORT_GC_TRACKED, "update_refs");
    ort_yield("objrt.gc.update_refs");
    subtract_refs(&g_tracked);
    validate_list(&g_tracked, ORT_GC_TRACKED, "subtract_refs");
    move_unreachable(&g_tracked, &unreachable);
    validate_list(&g_tracked, ORT_GC_TRACKED, "move_unreachable");
    validate_list(&unreachable, ORT_GC_TRACKED | ORT_GC_UNREACHABLE, "move_unreachable");
    size_t n = finalize_garbage(&unreachable, &callbacks);
    validate_list(&unreachable, 0, "finalize_garbage");
    ort_graph_unlock();
    ort_weakref_run_callbacks(callbacks);
    delete_garbage(&unreachable);
    if (freed)
        *freed = n;
    return OBJRT_OK;
}
