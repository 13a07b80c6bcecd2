/*
** objrt_list.c: lists. Contents are read and written only under the graph lock; a
** reference the list drops is pushed on a delete-later list and freed after unlocking.
** Invariant: len <= cap, items[0..len) are live references owned by the list.
*/
#include "targets/objrt/objrt_impl.h"

static int list_arg(objrt_obj *o, ort_list **out)
{
    if (!o)
        return OBJRT_EINVAL;
    if (o->type != OBJRT_LIST)
        return OBJRT_ETYPE;
    *out = (ort_list *)o;
    return OBJRT_OK;
}

ort_list *ort_list_make(void)
{
    return (ort_list *)ort_obj_alloc(OBJRT_LIST, sizeof(ort_list), 0);
}

static int list_grow(ort_list *l)
{
    size_t cap = l->cap ? l->cap * 2 : 4;
    if (cap > SIZE_MAX / sizeof(objrt_obj *))
        return OBJRT_ENOMEM;
    objrt_obj **items = ort_mem_realloc(l->items, cap * sizeof(objrt_obj *));
    if (!items)
        return OBJRT_ENOMEM;
    l->items = items;
    l->cap = cap;
    return OBJRT_OK;
}

int ort_list_append_locked(ort_list *l, objrt_obj *item)
{
    if (l->len == l->cap) {
        int rc = list_grow(l);
        if (rc)
            return rc;
        ort_yield("objrt.list.append.grown");
    }
    objrt_incref(item);
    l->items[l->len++] = item;
    return OBJRT_OK;
}

int objrt_list_new(objrt_obj **out)
{
    if (!out)
        return OBJRT_EINVAL;
    ort_list *l = ort_list_make();
    *out = (objrt_obj *)l;
    if (!l)
        return OBJRT_ENOMEM;
    ort_graph_lock();
    ort_gc_track(&l->head);
    ort_graph_unlock();
    return OBJRT_OK;
}

int objrt_list_append(objrt_obj *lo, objrt_obj *item)
{
    ort_list *l;
    int rc = item ? list_arg(lo, &l) : OBJRT_EINVAL;
    if (rc)
        return rc;
    ort_graph_lock();
    rc = ort_list_append_locked(l, item);
    ort_graph_unlock();
    return rc;
}

int objrt_list_get(objrt_obj *lo, size_t i, objrt_obj **out)
{
    ort_list *l;
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    int rc = list_arg(lo, &l);
    if (rc)
        return rc;
    ort_graph_lock();
    if (i < l->len) {
        *out = l->items[i];
        objrt_incref(*out);
    } else {
        rc = OBJRT_EINDEX;
    }
    ort_graph_unlock();
    return rc;
}

int objrt_list_set(objrt_obj *lo, size_t i, objrt_obj *item)
{
    ort_list *l;
    objrt_obj *pending = NULL;
    int rc = item ? list_arg(lo, &l) : OBJRT_EINVAL;
    if (rc)
        return rc;
    ort_graph_lock();
    if (i < l->len) {
        objrt_obj *old = l->items[i];
        objrt_incref(item);
        l->items[i] = item;
        ort_yield("objrt.list.set");
        ort_obj_decref_into(old, &pending);
    } else {
        rc = OBJRT_EINDEX;
    }
    ort_graph_unlock();
    ort_obj_drain(pending);
    return rc;
}

int objrt_list_pop(objrt_obj *lo, objrt_obj **out)
{
    ort_list *l;
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    int rc = list_arg(lo, &l);
    if (rc)
        return rc;
    ort_graph_lock();
    if (l->len > 0)
        *out = l->items[--l->len];
    else
        rc = OBJRT_EINDEX;
    ort_graph_unlock();
    return rc;
}

int objrt_list_len(objrt_obj *lo, size_t *len)
{
    ort_list *l;
    int rc = len ? list_arg(lo, &l) : OBJRT_EINVAL;
    if (rc)
        return rc;
    ort_graph_lock();
    *len = l->len;
    ort_graph_unlock();
    return OBJRT_OK;
}

int objrt_list_clear(objrt_obj *lo)
{
    ort_list *l;
    ort_detached d = {0};
    objrt_obj *pending = NULL;
    int rc = list_arg(lo, &l);
    if (rc)
        return rc;
    ort_graph_lock();
    ort_container_detach(lo, &d);
    ort_graph_unlock();
    ort_detached_release(&d, &pending);
    ort_obj_drain(pending);
    return OBJRT_OK;
}
