/*
** objrt_inspect.c: gauges, the invariant checker, live-object snapshots and the cycle
** finder a harness uses to report a leak as "list#3 -> dict#5 -> list#3".
**
** Snapshots and checks hold the graph lock and then the registry lock, so they see every
** object and every container's contents at one instant.
*/
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "targets/objrt/objrt_impl.h"

void objrt_get_gauges(objrt_gauges *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    ort_registry_lock();
    for (int t = 0; t < OBJRT_TYPE_COUNT; t++) {
        out->per_type[t] = ort_registry_count((objrt_type)t);
        out->live_objects += out->per_type[t];
    }
    ort_registry_unlock();
    out->live_containers = out->per_type[OBJRT_LIST] + out->per_type[OBJRT_DICT];
    out->intern_entries = ort_intern_count();
    out->bytes_allocated = ort_mem_bytes();
    out->depth_high_water = ort_depth_high_water();
    out->recursion_site = ort_recursion_site();
}

/* ---- check ---- */

static const char *check_object(objrt_obj *o, size_t *tracked)
{
    if ((unsigned)o->type >= OBJRT_TYPE_COUNT)
        return "object has an invalid type";
    if (atomic_load_explicit(&o->rc, memory_order_relaxed) < 0)
        return "negative reference count";
    const char *broken = ort_weakref_check(o);
    if (broken || !ort_is_container(o))
        return broken;
    ort_container *c = (ort_container *)o;
    *tracked += (c->gc_flags & ORT_GC_TRACKED) != 0;
    return ort_container_check(o);
}

static const char *check_locked(void)
{
    size_t count[OBJRT_TYPE_COUNT] = {0}, tracked = 0;
    const char *broken = NULL;
    for (objrt_obj *o = ort_registry_first(); o && !broken; o = ort_registry_next(o)) {
        broken = check_object(o, &tracked);
        if (!broken)
            count[o->type]++;
    }
    for (int t = 0; t < OBJRT_TYPE_COUNT && !broken; t++)
        if (count[t] != ort_registry_count((objrt_type)t))
            broken = "per-type counter disagrees with the registry";
    if (!broken && ort_gc_count_tracked(&broken) != tracked && !broken)
        broken = "gc list length disagrees with the tracked flags";
    return broken;
}

const char *objrt_check(void)
{
    ort_graph_lock();
    ort_registry_lock();
    const char *broken = check_locked();
    ort_registry_unlock();
    ort_graph_unlock();
    return broken;
}

/* ---- snapshot ---- */

typedef struct fill_ctx {
    uint64_t *refs;
    size_t n;
} fill_ctx;

static void count_ref(objrt_obj *child, void *arg)
{
    (void)child;
    ((fill_ctx *)arg)->n++;
}

static void store_ref(objrt_obj *child, void *arg)
{
    fill_ctx *f = arg;
    f->refs[f->n++] = child->id;
}

static void visit_refs(objrt_obj *o, ort_visit_fn fn, fill_ctx *f)
{
    if (ort_is_container(o))
        ort_container_visit(o, fn, f);
    else if (o->type == OBJRT_WEAKREF && ort_weakref_strong_ref((ort_weakref *)o))
        fn(ort_weakref_strong_ref((ort_weakref *)o), f);
}

/* Registry and graph locks held. */
static int snapshot_fill(objrt_snapshot *s)
{
    fill_ctx f = {NULL, 0};
    size_t n = 0;
    for (objrt_obj *o = ort_registry_first(); o; o = ort_registry_next(o), n++)
        visit_refs(o, count_ref, &f);
    /* One block: the objects, then every object's refs (uint64_t needs no more alignment
       than objrt_live has). */
    s->objects = ort_mem_alloc(n * sizeof *s->objects + f.n * sizeof *f.refs);
    if (!s->objects)
        return OBJRT_ENOMEM;
    f.refs = (uint64_t *)(s->objects + n);
    f.n = 0;
    for (objrt_obj *o = ort_registry_first(); o; o = ort_registry_next(o)) {
        objrt_live *e = &s->objects[s->count++];
        e->id = o->id;
        e->type = o->type;
        e->refcount = atomic_load_explicit(&o->rc, memory_order_relaxed);
        e->refs = f.refs + f.n;
        visit_refs(o, store_ref, &f);
        e->nrefs = (size_t)(f.refs + f.n - e->refs);
    }
    return OBJRT_OK;
}

int objrt_snapshot_take(objrt_snapshot **out)
{
    if (!out)
        return OBJRT_EINVAL;
    objrt_snapshot *s = *out = ort_mem_alloc(sizeof *s);
    if (!s)
        return OBJRT_ENOMEM;
    memset(s, 0, sizeof *s);
    ort_graph_lock();
    ort_registry_lock();
    int rc = snapshot_fill(s);
    ort_registry_unlock();
    ort_graph_unlock();
    if (rc) {
        objrt_snapshot_free(s);
        *out = NULL;
    }
    return rc;
}

void objrt_snapshot_free(objrt_snapshot *s)
{
    if (!s)
        return;
    ort_mem_free(s->objects);
    ort_mem_free(s);
}

/* ---- cycle finder ---- */

static size_t snapshot_index(const objrt_snapshot *s, uint64_t id)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->objects[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->count && s->objects[lo].id == id ? lo : SIZE_MAX;
}

static void cycle_text(const objrt_snapshot *s, const size_t *path, size_t from, size_t to,
                       char *buf, size_t cap)
{
    size_t used = 0;
    for (size_t i = from; i <= to + 1 && cap; i++) {
        const objrt_live *e = &s->objects[path[i <= to ? i : from]];
        int n = snprintf(buf + used, cap - used, "%s%s#%" PRIu64, i > from ? " -> " : "",
                         objrt_type_name(e->type), e->id);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
}

enum { WHITE = 0, GREY = 1, BLACK = 2 };

typedef struct dfs {
    const objrt_snapshot *s;
    unsigned char *color;
    size_t *path; /* object indexes on the current path */
    size_t *next; /* per path entry: the next reference to follow */
} dfs;

/* Iterative depth-first search from root; true when it meets a grey node (a cycle), with
 *from..*top the cycle's span of the path. */
static bool dfs_from(dfs *d, size_t root, size_t *from, size_t *top)
{
    size_t sp = 0;
    d->path[0] = root;
    d->next[0] = 0;
    d->color[root] = GREY;
    for (;;) {
        const objrt_live *e = &d->s->objects[d->path[sp]];
        if (d->next[sp] == e->nrefs) {
            d->color[d->path[sp]] = BLACK;
            if (sp-- == 0)
                return false;
            continue;
        }
        size_t child = snapshot_index(d->s, e->refs[d->next[sp]++]);
        if (child == SIZE_MAX || d->color[child] == BLACK)
            continue;
        if (d->color[child] == GREY) {
            for (*from = 0; d->path[*from] != child; (*from)++)
                ;
            *top = sp;
            return true;
        }
        d->color[child] = GREY;
        d->path[++sp] = child;
        d->next[sp] = 0;
    }
}

int objrt_snapshot_find_cycle(const objrt_snapshot *s, char *buf, size_t cap, int *found)
{
    if (!s || !found || (!buf && cap))
        return OBJRT_EINVAL;
    *found = 0;
    if (cap)
        buf[0] = '\0';
    size_t n = s->count ? s->count : 1;
    dfs d = {s, ort_mem_alloc(n), ort_mem_alloc(n * sizeof(size_t)),
             ort_mem_alloc(n * sizeof(size_t))};
    int rc = d.color && d.path && d.next ? OBJRT_OK : OBJRT_ENOMEM;
    if (rc == OBJRT_OK)
        memset(d.color, WHITE, n);
    for (size_t i = 0; rc == OBJRT_OK && i < s->count && !*found; i++) {
        size_t from, top;
        if (d.color[i] == WHITE && dfs_from(&d, i, &from, &top)) {
            *found = 1;
            cycle_text(s, d.path, from, top, buf, cap);
        }
    }
    ort_mem_free(d.color);
    ort_mem_free(d.path);
    ort_mem_free(d.next);
    return rc;
}
