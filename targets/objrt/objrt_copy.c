/*
** objrt_copy.c: deepcopy. The source is read under the graph lock, and new containers are
** built and tracked under it too, so the copy is of one consistent state. References
** dropped meanwhile (the partial copy after a failure) go on a delete-later list that is
** freed after unlocking, so nothing is freed under the lock and nothing leaks.
*/
#include "targets/objrt/objrt_impl.h"

static int copy_rec(objrt_obj *o, unsigned depth, objrt_obj **out, objrt_obj **pending);

static int copy_list(ort_list *src, ort_list *dst, unsigned depth, objrt_obj **pending)
{
    for (size_t i = 0; i < src->len; i++) {
        objrt_obj *item;
        int rc = copy_rec(src->items[i], depth + 1, &item, pending);
        if (rc)
            return rc;
        rc = ort_list_append_locked(dst, item);
        ort_obj_decref_into(item, pending);
        if (rc)
            return rc;
    }
    return OBJRT_OK;
}

static int copy_dict(ort_dict *src, ort_dict *dst, unsigned depth, objrt_obj **pending)
{
    for (size_t i = 0; i < src->nentries; i++) {
        const ort_dict_entry *e = &src->entries[i];
        objrt_obj *value;
        if (!e->key)
            continue;
        int rc = copy_rec(e->value, depth + 1, &value, pending);
        if (rc)
            return rc;
        rc = ort_dict_set_locked(dst, e->key, value, pending);
        ort_obj_decref_into(value, pending);
        if (rc)
            return rc;
    }
    return OBJRT_OK;
}

/* Graph lock held. On error *out is NULL and everything made is on *pending. */
static int copy_rec(objrt_obj *o, unsigned depth, objrt_obj **out, objrt_obj **pending)
{
    *out = NULL;
    if (!ort_is_container(o)) {
        objrt_incref(o);
        *out = o;
        return OBJRT_OK;
    }
    int rc = ort_enter(depth, "objrt.deepcopy");
    if (rc)
        return rc;
    bool list = o->type == OBJRT_LIST;
    ort_container *c = list ? (ort_container *)ort_list_make() : (ort_container *)ort_dict_make();
    if (!c)
        return OBJRT_ENOMEM;
    ort_gc_track(c);
    ort_yield("objrt.deepcopy");
    rc = list ? copy_list((ort_list *)o, (ort_list *)c, depth, pending)
              : copy_dict((ort_dict *)o, (ort_dict *)c, depth, pending);
    if (rc) {
        ort_obj_decref_into(&c->ob, pending);
        return rc;
    }
    *out = &c->ob;
    return OBJRT_OK;
}

int objrt_deepcopy(objrt_obj *o, objrt_obj **out)
{
    objrt_obj *pending = NULL;
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    if (!o)
        return OBJRT_EINVAL;
    ort_graph_lock();
    int rc = copy_rec(o, 1, out, &pending);
    ort_graph_unlock();
    ort_obj_drain(pending);
    return rc;
}
