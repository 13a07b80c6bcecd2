/*
** tagset.c: the tag registry (contract in tagset.h).
**
** A set is an unordered array of tag pointers under the set's mutex, plus a one-entry
** lookup cache: `recent` is the last tag a lookup found or tagset_add added, tried before
** the scan (callers tend to ask for the same tag several times in a row). The cache is a
** borrowed pointer: it holds no reference, so it must only ever point at a tag the set
** holds.
**
** seeded bug: tagset_remove() unlinks the tag and drops the set's reference, but does not
** clear `recent` when it points at that tag. If the set held the tag's last reference,
** the tag is freed and the next lookup of any name (tagset_add, tagset_get, tagset_has)
** reads it through the cache: a heap-use-after-free in same_name() < cache_hit() <
** find_locked(). The shortest trigger is three calls: add "bug", remove "bug", has "docs".
** Tests that hold a reference to the tags they remove never see it: the tag survives, and
** only a lookup of its own name answers wrongly. The fix is one line in tagset_remove:
** `if (ts->recent == t) ts->recent = NULL;`.
*/
#include "tagset.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct tag {
    atomic_int refs;
    size_t len;
    char *name;         /* NUL-terminated copy, immutable */
    pthread_mutex_t mu; /* guards desc and desc_len */
    uint8_t *desc;
    size_t desc_len;
};

struct tagset {
    pthread_mutex_t mu; /* guards tags, n, cap and recent */
    tag **tags;
    size_t n, cap;
    tag *recent; /* borrowed; NULL or one of tags[0..n) */
};

static atomic_llong live_tags;
static atomic_llong description_bytes;

/* {== Hooks ==} */

static tagset_allocator A; /* a NULL member means libc */
static tagset_sync S;      /* a NULL member means pthread mutexes, no yield points */

void tagset_set_allocator(const tagset_allocator *a)
{
    A = a ? *a : (tagset_allocator){0};
}

void tagset_set_sync(const tagset_sync *s)
{
    S = s ? *s : (tagset_sync){0};
}

static void *mem_alloc(size_t size)
{
    return A.malloc_fn ? A.malloc_fn(A.ctx, size) : malloc(size);
}

static void *mem_realloc(void *p, size_t size)
{
    return A.realloc_fn ? A.realloc_fn(A.ctx, p, size) : realloc(p, size);
}

static void mem_free(void *p)
{
    if (A.free_fn)
        A.free_fn(A.ctx, p);
    else
        free(p);
}

static void lock(pthread_mutex_t *m)
{
    if (S.lock)
        S.lock(S.ctx, m);
    else
        pthread_mutex_lock(m);
}

static void unlock(pthread_mutex_t *m)
{
    if (S.unlock)
        S.unlock(S.ctx, m);
    else
        pthread_mutex_unlock(m);
}

/* {== Tags ==} */

static int tag_new(const char *name, size_t len, tag **out)
{
    tag *t = mem_alloc(sizeof *t);
    if (!t)
        return TAGSET_ENOMEM;
    memset(t, 0, sizeof *t);
    t->name = mem_alloc(len + 1);
    if (!t->name) {
        mem_free(t);
        return TAGSET_ENOMEM;
    }
    memcpy(t->name, name, len);
    t->name[len] = 0;
    t->len = len;
    atomic_init(&t->refs, 1);
    pthread_mutex_init(&t->mu, NULL);
    atomic_fetch_add(&live_tags, 1);
    *out = t;
    return TAGSET_OK;
}

tag *tag_ref(tag *t)
{
    atomic_fetch_add(&t->refs, 1);
    return t;
}

void tag_unref(tag *t)
{
    if (atomic_fetch_sub(&t->refs, 1) != 1)
        return;
    atomic_fetch_sub(&description_bytes, (long long)t->desc_len);
    atomic_fetch_sub(&live_tags, 1);
    pthread_mutex_destroy(&t->mu);
    mem_free(t->desc);
    mem_free(t->name);
    mem_free(t);
}

const char *tag_name(const tag *t, size_t *len)
{
    if (len)
        *len = t->len;
    return t->name;
}

int tag_describe(tag *t, const uint8_t *text, size_t len)
{
    uint8_t *copy = mem_alloc(len ? len : 1);
    if (!copy)
        return TAGSET_ENOMEM;
    if (len)
        memcpy(copy, text, len);
    lock(&t->mu);
    uint8_t *old = t->desc;
    size_t old_len = t->desc_len;
    t->desc = copy;
    t->desc_len = len;
    unlock(&t->mu);
    mem_free(old);
    atomic_fetch_add(&description_bytes, (long long)len - (long long)old_len);
    return TAGSET_OK;
}

size_t tag_copy_description(tag *t, uint8_t *buf, size_t cap)
{
    lock(&t->mu);
    size_t len = t->desc_len;
    if (len)
        memcpy(buf, t->desc, len < cap ? len : cap);
    unlock(&t->mu);
    return len;
}

/* {== Sets ==} */

int tagset_new(tagset **out)
{
    tagset *ts = mem_alloc(sizeof *ts);
    if (!ts)
        return TAGSET_ENOMEM;
    memset(ts, 0, sizeof *ts);
    pthread_mutex_init(&ts->mu, NULL);
    *out = ts;
    return TAGSET_OK;
}

void tagset_free(tagset *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        tag_unref(ts->tags[i]);
    mem_free(ts->tags);
    pthread_mutex_destroy(&ts->mu);
    mem_free(ts);
}

static int valid_name(const char *name, size_t len)
{
    return name && len > 0 && len <= TAGSET_NAME_MAX;
}

static int same_name(const tag *t, const char *name, size_t len)
{
    return t->len == len && memcmp(t->name, name, len) == 0;
}

static int cache_hit(const tagset *ts, const char *name, size_t len)
{
    return ts->recent && same_name(ts->recent, name, len);
}

/* Index of the tag of that name in ts->tags, or ts->n. Caller holds ts->mu. */
static size_t scan_locked(const tagset *ts, const char *name, size_t len)
{
    size_t i = 0;
    while (i < ts->n && !same_name(ts->tags[i], name, len))
        i++;
    return i;
}

/* The tag of that name (borrowed), or NULL; a hit becomes `recent`. Caller holds ts->mu. */
static tag *find_locked(tagset *ts, const char *name, size_t len)
{
    if (cache_hit(ts, name, len))
        return ts->recent;
    size_t i = scan_locked(ts, name, len);
    if (i == ts->n)
        return NULL;
    ts->recent = ts->tags[i];
    return ts->recent;
}

/* Appends t, taking over its reference. Caller holds ts->mu. */
static int push_locked(tagset *ts, tag *t)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 2;
        tag **grown = mem_realloc(ts->tags, cap * sizeof *grown);
        if (!grown)
            return TAGSET_ENOMEM;
        ts->tags = grown;
        ts->cap = cap;
    }
    ts->tags[ts->n++] = t;
    ts->recent = t;
    return TAGSET_OK;
}

int tagset_add(tagset *ts, const char *name, size_t len)
{
    if (!valid_name(name, len))
        return TAGSET_EINVAL;
    if (tagset_has(ts, name, len))
        return TAGSET_EEXIST;
    /* Allocate outside the lock, then check again: another thread may have added it. */
    tag *t = NULL;
    int rc = tag_new(name, len, &t);
    if (rc != TAGSET_OK)
        return rc;
    if (S.yield)
        S.yield(S.ctx, "tagset.add.allocated");
    lock(&ts->mu);
    rc = find_locked(ts, name, len) ? TAGSET_EEXIST : push_locked(ts, t);
    unlock(&ts->mu);
    if (rc != TAGSET_OK)
        tag_unref(t);
    return rc;
}

int tagset_get(tagset *ts, const char *name, size_t len, tag **out)
{
    *out = NULL;
    if (!valid_name(name, len))
        return TAGSET_EINVAL;
    lock(&ts->mu);
    tag *t = find_locked(ts, name, len);
    if (t)
        *out = tag_ref(t);
    unlock(&ts->mu);
    return t ? TAGSET_OK : TAGSET_ENOENT;
}

int tagset_has(tagset *ts, const char *name, size_t len)
{
    if (!valid_name(name, len))
        return 0;
    lock(&ts->mu);
    int found = find_locked(ts, name, len) != NULL;
    unlock(&ts->mu);
    return found;
}

int tagset_remove(tagset *ts, const char *name, size_t len)
{
    if (!valid_name(name, len))
        return TAGSET_EINVAL;
    lock(&ts->mu);
    size_t i = scan_locked(ts, name, len);
    tag *t = i < ts->n ? ts->tags[i] : NULL;
    if (t)
        ts->tags[i] = ts->tags[--ts->n];
    unlock(&ts->mu);
    if (!t)
        return TAGSET_ENOENT;
    tag_unref(t); /* the set's reference */
    return TAGSET_OK;
}

size_t tagset_count(tagset *ts)
{
    lock(&ts->mu);
    size_t n = ts->n;
    unlock(&ts->mu);
    return n;
}

int64_t tagset_live_tags(void)
{
    return atomic_load(&live_tags);
}

int64_t tagset_description_bytes(void)
{
    return atomic_load(&description_bytes);
}
