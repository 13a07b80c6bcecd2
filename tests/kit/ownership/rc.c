/*
** rc.c: the fixture refcounted values (rc.h).
*/
#include "tests/kit/ownership/rc.h"

#include <stdatomic.h>
#include <stdlib.h>

struct rc_value {
    atomic_int refs;
    int is_list;
    int value;
    rc_value *items[RC_MAX_ITEMS];
    int nitems;
};

static atomic_llong live;

static rc_value *make(int is_list, int value)
{
    rc_value *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    atomic_init(&v->refs, 1);
    v->is_list = is_list;
    v->value = value;
    atomic_fetch_add(&live, 1);
    return v;
}

rc_value *rc_string(int value)
{
    return make(0, value);
}

rc_value *rc_list(void)
{
    return make(1, 0);
}

int rc_is_list(const rc_value *v)
{
    return v->is_list;
}

void rc_incref(rc_value *v)
{
    atomic_fetch_add(&v->refs, 1);
}

void rc_decref(rc_value *v)
{
    if (atomic_fetch_sub(&v->refs, 1) != 1)
        return;
    for (int i = 0; i < v->nitems; i++)
        rc_decref(v->items[i]);
    atomic_fetch_sub(&live, 1);
    free(v);
}

int rc_append_new(rc_value *list, rc_value *s)
{
    if (!list->is_list || s->is_list || list->nitems == RC_MAX_ITEMS) {
        rc_decref(s);
        return -1;
    }
    list->items[list->nitems++] = s;
    return 0;
}

int rc_append(rc_value *list, rc_value *s)
{
    if (!list->is_list || s->is_list || list->nitems == RC_MAX_ITEMS)
        return -1;
    rc_incref(s);
    return rc_append_new(list, s);
}

rc_value *rc_borrow(rc_value *list, int i)
{
    return list->is_list && i < list->nitems ? list->items[i] : NULL;
}

rc_value *rc_get(rc_value *list, int i)
{
    rc_value *v = rc_borrow(list, i);
    if (v)
        rc_incref(v);
    return v;
}

int64_t rc_live(void)
{
    return atomic_load(&live);
}
