/*
** objrt_dict.c: insertion-ordered dicts with int or str keys (CPython's compact layout:
** an entries array in insertion order plus an open-addressing index of entry numbers).
**
** Invariants (graph lock): len live entries among entries[0..nentries); nentries <= ecap;
** nindex is 0 or a power of two greater than ecap, so a probe always meets an empty slot;
** every live entry has exactly one index slot naming it; deleted entries have key NULL and
** their slot holds ORT_DICT_DUMMY.
*/
#include <string.h>

#include "targets/objrt/objrt_impl.h"

#define ORT_DICT_DUMMY SIZE_MAX
#define DICT_ABSENT SIZE_MAX

static int dict_arg(objrt_obj *o, ort_dict **out)
{
    if (!o)
        return OBJRT_EINVAL;
    if (o->type != OBJRT_DICT)
        return OBJRT_ETYPE;
    *out = (ort_dict *)o;
    return OBJRT_OK;
}

bool ort_dict_key_ok(const objrt_obj *key)
{
    return key && (key->type == OBJRT_INT || key->type == OBJRT_STR);
}

static uint64_t key_hash(const objrt_obj *key)
{
    if (key->type == OBJRT_INT)
        return ort_hash_int(((const ort_int *)key)->value);
    return ((const ort_str *)key)->hash;
}

static bool key_equal(const objrt_obj *a, const objrt_obj *b)
{
    if (a == b)
        return true;
    if (a->type != b->type)
        return false;
    if (a->type == OBJRT_INT)
        return ((const ort_int *)a)->value == ((const ort_int *)b)->value;
    const ort_str *sa = (const ort_str *)a, *sb = (const ort_str *)b;
    return sa->len == sb->len && memcmp(sa->data, sb->data, sa->len) == 0;
}

/* Entry number of key, or DICT_ABSENT; *slot = the key's index slot, or the first free
   one on its probe path (for insertion). */
static size_t dict_probe(const ort_dict *d, const objrt_obj *key, uint64_t hash, size_t *slot)
{
    size_t free_slot = SIZE_MAX;
    *slot = SIZE_MAX;
    if (d->nindex == 0)
        return DICT_ABSENT;
    size_t mask = d->nindex - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        size_t v = d->index[i];
        if (v == 0) {
            *slot = free_slot != SIZE_MAX ? free_slot : i;
            return DICT_ABSENT;
        }
        if (v == ORT_DICT_DUMMY) {
            if (free_slot == SIZE_MAX)
                free_slot = i;
            continue;
        }
        const ort_dict_entry *e = &d->entries[v - 1];
        if (e->hash == hash && key_equal(e->key, key)) {
            *slot = i;
            return v - 1;
        }
    }
}

static size_t dict_index_size(size_t ecap)
{
    size_t n = 8;
    while (n <= ecap + ecap / 2)
        n *= 2;
    return n;
}

/* Rebuilds both arrays with room for len + 1 entries; unchanged on OBJRT_ENOMEM. */
static int dict_resize(ort_dict *d)
{
    size_t ecap = d->len < 4 ? 8 : d->len * 2;
    size_t nindex = dict_index_size(ecap);
    if (ecap > SIZE_MAX / sizeof(ort_dict_entry) / 2)
        return OBJRT_ENOMEM;
    ort_dict_entry *entries = ort_mem_alloc(ecap * sizeof *entries);
    size_t *index = entries ? ort_mem_alloc(nindex * sizeof *index) : NULL;
    if (!index) {
        ort_mem_free(entries);
        return OBJRT_ENOMEM;
    }
    memset(index, 0, nindex * sizeof *index);
    size_t n = 0;
    for (size_t i = 0; i < d->nentries; i++) {
        if (!d->entries[i].key)
            continue;
        entries[n] = d->entries[i];
        size_t slot = entries[n].hash & (nindex - 1);
        while (index[slot])
            slot = (slot + 1) & (nindex - 1);
        index[slot] = ++n;
    }
    ort_mem_free(d->entries);
    ort_mem_free(d->index);
    d->entries = entries;
    d->index = index;
    d->ecap = ecap;
    d->nindex = nindex;
    d->nentries = n;
    return OBJRT_OK;
}

static int dict_insert_new(ort_dict *d, objrt_obj *key, objrt_obj *value, uint64_t hash)
{
    size_t slot;
    if (d->nentries == d->ecap) {
        int rc = dict_resize(d);
        if (rc)
            return rc;
        ort_yield("objrt.dict.resized");
    }
    dict_probe(d, key, hash, &slot);
    objrt_incref(key);
    objrt_incref(value);
    d->entries[d->nentries] = (ort_dict_entry){key, value, hash};
    d->index[slot] = ++d->nentries;
    d->len++;
    return OBJRT_OK;
}

int ort_dict_set_locked(ort_dict *d, objrt_obj *key, objrt_obj *value, objrt_obj **pending)
{
    size_t slot;
    uint64_t hash = key_hash(key);
    size_t at = dict_probe(d, key, hash, &slot);
    if (at == DICT_ABSENT)
        return dict_insert_new(d, key, value, hash);
    objrt_obj *old = d->entries[at].value;
    objrt_incref(value);
    d->entries[at].value = value;
    ort_yield("objrt.dict.replaced");
    ort_obj_decref_into(old, pending);
    return OBJRT_OK;
}

objrt_obj *ort_dict_lookup_locked(ort_dict *d, objrt_obj *key)
{
    size_t slot;
    size_t at = dict_probe(d, key, key_hash(key), &slot);
    return at == DICT_ABSENT ? NULL : d->entries[at].value;
}

ort_dict *ort_dict_make(void)
{
    return (ort_dict *)ort_obj_alloc(OBJRT_DICT, sizeof(ort_dict), 0);
}

int objrt_dict_new(objrt_obj **out)
{
    if (!out)
        return OBJRT_EINVAL;
    ort_dict *d = ort_dict_make();
    *out = (objrt_obj *)d;
    if (!d)
        return OBJRT_ENOMEM;
    ort_graph_lock();
    ort_gc_track(&d->head);
    ort_graph_unlock();
    return OBJRT_OK;
}

int objrt_dict_set(objrt_obj *dobj, objrt_obj *key, objrt_obj *value)
{
    ort_dict *d;
    objrt_obj *pending = NULL;
    int rc = value ? dict_arg(dobj, &d) : OBJRT_EINVAL;
    if (rc)
        return rc;
    if (!ort_dict_key_ok(key))
        return key ? OBJRT_ETYPE : OBJRT_EINVAL;
    ort_graph_lock();
    rc = ort_dict_set_locked(d, key, value, &pending);
    ort_graph_unlock();
    ort_obj_drain(pending);
    return rc;
}

int objrt_dict_get(objrt_obj *dobj, objrt_obj *key, objrt_obj **out)
{
    ort_dict *d;
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    int rc = dict_arg(dobj, &d);
    if (rc)
        return rc;
    if (!ort_dict_key_ok(key))
        return key ? OBJRT_ETYPE : OBJRT_EINVAL;
    ort_graph_lock();
    *out = ort_dict_lookup_locked(d, key);
    objrt_incref(*out);
    ort_graph_unlock();
    return *out ? OBJRT_OK : OBJRT_EKEY;
}

int objrt_dict_del(objrt_obj *dobj, objrt_obj *key)
{
    ort_dict *d;
    size_t slot;
    objrt_obj *pending = NULL;
    int rc = dict_arg(dobj, &d);
    if (rc)
        return rc;
    if (!ort_dict_key_ok(key))
        return key ? OBJRT_ETYPE : OBJRT_EINVAL;
    ort_graph_lock();
    size_t at = dict_probe(d, key, key_hash(key), &slot);
    if (at != DICT_ABSENT) {
        ort_dict_entry *e = &d->entries[at];
        ort_obj_decref_into(e->key, &pending);
        ort_obj_decref_into(e->value, &pending);
        e->key = e->value = NULL;
        d->index[slot] = ORT_DICT_DUMMY;
        d->len--;
    }
    ort_graph_unlock();
    ort_obj_drain(pending);
    return at == DICT_ABSENT ? OBJRT_EKEY : OBJRT_OK;
}

int objrt_dict_len(objrt_obj *dobj, size_t *len)
{
    ort_dict *d;
    int rc = len ? dict_arg(dobj, &d) : OBJRT_EINVAL;
    if (rc)
        return rc;
    ort_graph_lock();
    *len = d->len;
    ort_graph_unlock();
    return OBJRT_OK;
}

int objrt_dict_item(objrt_obj *dobj, size_t i, objrt_obj **key, objrt_obj **value)
{
    ort_dict *d;
    if (!key || !value)
        return OBJRT_EINVAL;
    *key = *value = NULL;
    int rc = dict_arg(dobj, &d);
    if (rc)
        return rc;
    ort_graph_lock();
    for (size_t e = 0; e < d->nentries && !*key; e++) {
        if (d->entries[e].key && i-- == 0) {
            *key = d->entries[e].key;
            *value = d->entries[e].value;
            objrt_incref(*key);
            objrt_incref(*value);
        }
    }
    ort_graph_unlock();
    return *key ? OBJRT_OK : OBJRT_EINDEX;
}

int objrt_dict_clear(objrt_obj *dobj)
{
    ort_dict *d;
    ort_detached det = {0};
    objrt_obj *pending = NULL;
    int rc = dict_arg(dobj, &d);
    if (rc)
        return rc;
    ort_graph_lock();
    ort_container_detach(dobj, &det);
    ort_graph_unlock();
    ort_detached_release(&det, &pending);
    ort_obj_drain(pending);
    return OBJRT_OK;
}

/* ---- container-wide internals ---- */

void ort_container_visit(objrt_obj *c, ort_visit_fn fn, void *arg)
{
    if (c->type == OBJRT_LIST) {
        ort_list *l = (ort_list *)c;
        for (size_t i = 0; i < l->len; i++)
            fn(l->items[i], arg);
        return;
    }
    ort_dict *d = (ort_dict *)c;
    for (size_t i = 0; i < d->nentries; i++) {
        if (!d->entries[i].key)
            continue;
        fn(d->entries[i].key, arg);
        fn(d->entries[i].value, arg);
    }
}

void ort_container_detach(objrt_obj *c, ort_detached *out)
{
    if (c->type == OBJRT_LIST) {
        ort_list *l = (ort_list *)c;
        out->items = l->items;
        out->nitems = l->len;
        l->items = NULL;
        l->len = l->cap = 0;
        return;
    }
    ort_dict *d = (ort_dict *)c;
    out->entries = d->entries;
    out->nentries = d->nentries;
    out->index = d->index;
    d->entries = NULL;
    d->index = NULL;
    d->nentries = d->ecap = d->len = d->nindex = 0;
}

void ort_detached_release(ort_detached *d, objrt_obj **pending)
{
    for (size_t i = 0; i < d->nitems; i++)
        ort_obj_decref_into(d->items[i], pending);
    for (size_t i = 0; i < d->nentries; i++) {
        if (!d->entries[i].key)
            continue;
        ort_obj_decref_into(d->entries[i].key, pending);
        ort_obj_decref_into(d->entries[i].value, pending);
    }
    ort_mem_free(d->items);
    ort_mem_free(d->entries);
    ort_mem_free(d->index);
    *d = (ort_detached){0};
}

static const char *dict_check(const ort_dict *d)
{
    size_t live = 0, slots = 0;
    if (d->nentries > d->ecap || (d->ecap && d->nindex <= d->ecap))
        return "dict entry counts exceed their arrays";
    for (size_t i = 0; i < d->nentries; i++) {
        const ort_dict_entry *e = &d->entries[i];
        if (e->key && (!ort_dict_key_ok(e->key) || !e->value || e->hash != key_hash(e->key)))
            return "dict entry has a bad key, value or hash";
        live += e->key != NULL;
    }
    for (size_t i = 0; i < d->nindex; i++)
        slots += d->index[i] != 0 && d->index[i] != ORT_DICT_DUMMY;
    if (live != d->len || slots != d->len)
        return "dict length disagrees with its entries or index";
    return NULL;
}

const char *ort_container_check(objrt_obj *c)
{
    if (c->type == OBJRT_DICT)
        return dict_check((const ort_dict *)c);
    const ort_list *l = (const ort_list *)c;
    if (l->len > l->cap || (l->cap && !l->items))
        return "list length exceeds its capacity";
    for (size_t i = 0; i < l->len; i++)
        if (!l->items[i])
            return "list holds a NULL item";
    return NULL;
}
