/*
** objrt_compare.c: structural equality and hashing, under the graph lock, bounded by the
** depth limit. Identical objects are equal without descending (so a list equals itself
** even when it contains itself); distinct cyclic structures hit the limit, as in CPython.
*/
#include <string.h>

#include "targets/objrt/objrt_impl.h"

static int eq_rec(objrt_obj *a, objrt_obj *b, unsigned depth, bool *equal);

static int eq_lists(ort_list *a, ort_list *b, unsigned depth, bool *equal)
{
    *equal = a->len == b->len;
    for (size_t i = 0; i < a->len && *equal; i++) {
        int rc = eq_rec(a->items[i], b->items[i], depth + 1, equal);
        if (rc)
            return rc;
    }
    return OBJRT_OK;
}

static int eq_dicts(ort_dict *a, ort_dict *b, unsigned depth, bool *equal)
{
    *equal = a->len == b->len;
    for (size_t i = 0; i < a->nentries && *equal; i++) {
        const ort_dict_entry *e = &a->entries[i];
        if (!e->key)
            continue;
        objrt_obj *other = ort_dict_lookup_locked(b, e->key);
        if (!other) {
            *equal = false;
            break;
        }
        int rc = eq_rec(e->value, other, depth + 1, equal);
        if (rc)
            return rc;
    }
    return OBJRT_OK;
}

static int eq_rec(objrt_obj *a, objrt_obj *b, unsigned depth, bool *equal)
{
    *equal = a == b;
    if (a == b || a->type != b->type)
        return OBJRT_OK;
    switch (a->type) {
    case OBJRT_INT:
        *equal = ((ort_int *)a)->value == ((ort_int *)b)->value;
        return OBJRT_OK;
    case OBJRT_STR: {
        const ort_str *sa = (const ort_str *)a, *sb = (const ort_str *)b;
        *equal = sa->len == sb->len && memcmp(sa->data, sb->data, sa->len) == 0;
        return OBJRT_OK;
    }
    case OBJRT_WEAKREF:
        return OBJRT_OK;
    default:
        break;
    }
    int rc = ort_enter(depth, "objrt.eq");
    if (rc)
        return rc;
    if (a->type == OBJRT_LIST)
        return eq_lists((ort_list *)a, (ort_list *)b, depth, equal);
    return eq_dicts((ort_dict *)a, (ort_dict *)b, depth, equal);
}

int objrt_eq(objrt_obj *a, objrt_obj *b, int *equal)
{
    bool eq = false;
    if (!equal)
        return OBJRT_EINVAL;
    *equal = 0;
    if (!a || !b)
        return OBJRT_EINVAL;
    ort_graph_lock();
    int rc = eq_rec(a, b, 1, &eq);
    ort_graph_unlock();
    *equal = rc == OBJRT_OK && eq;
    return rc;
}

/* ---- hash ---- */

static uint64_t hash_mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
}

static int hash_rec(objrt_obj *o, unsigned depth, uint64_t *h);

static int hash_list(ort_list *l, unsigned depth, uint64_t *h)
{
    *h = hash_mix(0x4c495354u, l->len);
    for (size_t i = 0; i < l->len; i++) {
        uint64_t item;
        int rc = hash_rec(l->items[i], depth + 1, &item);
        if (rc)
            return rc;
        *h = hash_mix(*h, item);
    }
    return OBJRT_OK;
}

/* Order-independent: equal dicts may differ in insertion order. */
static int hash_dict(ort_dict *d, unsigned depth, uint64_t *h)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < d->nentries; i++) {
        const ort_dict_entry *e = &d->entries[i];
        uint64_t value;
        if (!e->key)
            continue;
        int rc = hash_rec(e->value, depth + 1, &value);
        if (rc)
            return rc;
        sum += ort_hash_int((int64_t)hash_mix(e->hash, value));
    }
    *h = hash_mix(hash_mix(0x44494354u, d->len), sum);
    return OBJRT_OK;
}

static int hash_rec(objrt_obj *o, unsigned depth, uint64_t *h)
{
    switch (o->type) {
    case OBJRT_INT:
        *h = ort_hash_int(((ort_int *)o)->value);
        return OBJRT_OK;
    case OBJRT_STR:
        *h = ((ort_str *)o)->hash;
        return OBJRT_OK;
    case OBJRT_WEAKREF:
        *h = ort_hash_int((int64_t)o->id);
        return OBJRT_OK;
    default:
        break;
    }
    int rc = ort_enter(depth, "objrt.hash");
    if (rc)
        return rc;
    if (o->type == OBJRT_LIST)
        return hash_list((ort_list *)o, depth, h);
    return hash_dict((ort_dict *)o, depth, h);
}

int objrt_hash(objrt_obj *o, uint64_t *hash)
{
    if (!o || !hash)
        return OBJRT_EINVAL;
    *hash = 0;
    ort_graph_lock();
    int rc = hash_rec(o, 1, hash);
    ort_graph_unlock();
    if (rc)
        *hash = 0;
    return rc;
}
