/*
** objrt_repr.c: Python-like text for any object.
**
** The whole walk runs under the graph lock, so it prints one consistent state. Each
** container level is a repr_frame on the C stack linking to its parent; a container that
** is already on that chain prints as [...] or {...} (CPython's Py_ReprEnter, without
** thread-local state), and nesting beyond the depth limit fails with OBJRT_ERECURSION.
*/
#include <inttypes.h>
#include <stdio.h>

#include "targets/objrt/objrt_impl.h"

typedef struct repr_buf {
    char *p;
    size_t len, cap;
} repr_buf;

typedef struct repr_frame {
    const objrt_obj *o;
    const struct repr_frame *up;
} repr_frame;

static int buf_put(repr_buf *b, const char *s, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 64;
        while (n > cap - b->len) {
            if (cap > SIZE_MAX / 2)
                return OBJRT_ENOMEM;
            cap *= 2;
        }
        char *p = ort_mem_realloc(b->p, cap);
        if (!p)
            return OBJRT_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        b->p[b->len + i] = s[i];
    b->len += n;
    return OBJRT_OK;
}

static int buf_text(repr_buf *b, const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return buf_put(b, s, n);
}

static int repr_str(repr_buf *b, const ort_str *s)
{
    int rc = buf_put(b, "\"", 1);
    for (size_t i = 0; i < s->len && rc == OBJRT_OK; i++) {
        unsigned char c = (unsigned char)s->data[i];
        char esc[5];
        if (c == '"' || c == '\\')
            rc = buf_put(b, (const char[]){'\\', (char)c}, 2);
        else if (c == '\n')
            rc = buf_put(b, "\\n", 2);
        else if (c == '\t')
            rc = buf_put(b, "\\t", 2);
        else if (c == '\r')
            rc = buf_put(b, "\\r", 2);
        else if (c < 0x20 || c > 0x7e)
            rc = buf_put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\x%02x", c));
        else
            rc = buf_put(b, (const char *)&c, 1);
    }
    return rc ? rc : buf_put(b, "\"", 1);
}

static int repr_weakref(repr_buf *b, const ort_weakref *w)
{
    char text[64];
    if (!w->referent || objrt_refcount(w->referent) <= 0)
        return buf_text(b, "<weakref dead>");
    snprintf(text, sizeof text, "<weakref to %s#%" PRIu64 ">", objrt_type_name(w->referent->type),
             w->referent->id);
    return buf_text(b, text);
}

static int repr_obj(repr_buf *b, objrt_obj *o, const repr_frame *up, unsigned depth);

static int repr_list(repr_buf *b, ort_list *l, const repr_frame *frame, unsigned depth)
{
    int rc = buf_put(b, "[", 1);
    for (size_t i = 0; i < l->len && rc == OBJRT_OK; i++) {
        if (i)
            rc = buf_put(b, ", ", 2);
        if (rc == OBJRT_OK)
            rc = repr_obj(b, l->items[i], frame, depth + 1);
    }
    return rc ? rc : buf_put(b, "]", 1);
}

static int repr_dict(repr_buf *b, ort_dict *d, const repr_frame *frame, unsigned depth)
{
    int rc = buf_put(b, "{", 1);
    bool first = true;
    for (size_t i = 0; i < d->nentries && rc == OBJRT_OK; i++) {
        const ort_dict_entry *e = &d->entries[i];
        if (!e->key)
            continue;
        rc = first ? OBJRT_OK : buf_put(b, ", ", 2);
        first = false;
        if (rc == OBJRT_OK)
            rc = repr_obj(b, e->key, frame, depth + 1);
        if (rc == OBJRT_OK)
            rc = buf_put(b, ": ", 2);
        if (rc == OBJRT_OK)
            rc = repr_obj(b, e->value, frame, depth + 1);
    }
    return rc ? rc : buf_put(b, "}", 1);
}

static int repr_container(repr_buf *b, objrt_obj *o, const repr_frame *up, unsigned depth)
{
    bool list = o->type == OBJRT_LIST;
#ifndef OBJRT_DEFECT_REPR_NO_GUARD
    for (const repr_frame *f = up; f; f = f->up)
        if (f->o == o)
            return buf_text(b, list ? "[...]" : "{...}");
    int rc = ort_enter(depth, "objrt.repr");
    if (rc)
        return rc;
#endif
    repr_frame frame = {o, up};
    return list ? repr_list(b, (ort_list *)o, &frame, depth)
                : repr_dict(b, (ort_dict *)o, &frame, depth);
}

static int repr_obj(repr_buf *b, objrt_obj *o, const repr_frame *up, unsigned depth)
{
    char text[32];
    switch (o->type) {
    case OBJRT_INT:
        snprintf(text, sizeof text, "%" PRId64, ((const ort_int *)o)->value);
        return buf_text(b, text);
    case OBJRT_STR:
        return repr_str(b, (const ort_str *)o);
    case OBJRT_WEAKREF:
        return repr_weakref(b, (const ort_weakref *)o);
    default:
        return repr_container(b, o, up, depth);
    }
}

int objrt_repr(objrt_obj *o, objrt_obj **out)
{
    repr_buf b = {0};
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    if (!o)
        return OBJRT_EINVAL;
    ort_graph_lock();
    int rc = repr_obj(&b, o, NULL, 1);
    ort_graph_unlock();
    if (rc == OBJRT_OK)
        rc = objrt_str_new(b.p ? b.p : "", b.len, out);
    ort_mem_free(b.p);
    return rc;
}
