/*
** tagset.h: a thread-safe registry of named tags (labels such as "bug" or "urgent").
**
** Ownership:
** - A tagset owns one reference to every tag it holds. tagset_free drops those
**   references; tags a caller still holds outlive the set.
** - Functions that hand out a tag (tagset_get, tag_ref) give the caller a new reference,
**   which the caller drops with tag_unref. A tag lives until its last reference goes.
** - Names and descriptions are copied in; nothing the caller passes is kept.
**
** Threads: every function may be called from any thread at once, on the same set or
** tag, except tagset_free (no other call on that set in flight) and the two hook setters
** (before any set or tag exists). Sets lock a mutex; tag refcounts are atomic; a tag's
** description has its own mutex.
**
** Hooks: all memory goes through one allocator and all locking through one sync table,
** process-wide, so a test can fail allocations and schedule threads. Defaults: libc
** malloc/realloc/free and pthread mutexes.
*/
#ifndef TAGSET_H
#define TAGSET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tagset tagset;
typedef struct tag tag;

enum {
    TAGSET_OK = 0,
    TAGSET_ENOMEM = 1, /* an allocation failed; nothing changed, nothing leaked */
    TAGSET_EEXIST = 2, /* a tag of that name is already in the set */
    TAGSET_ENOENT = 3, /* no tag of that name in the set */
    TAGSET_EINVAL = 4  /* a name of 0 or more than TAGSET_NAME_MAX bytes */
};

enum { TAGSET_NAME_MAX = 32 };

typedef struct tagset_allocator {
    void *(*malloc_fn)(void *ctx, size_t size); /* NULL on failure */
    void *(*realloc_fn)(void *ctx, void *p, size_t size);
    void (*free_fn)(void *ctx, void *p);
    void *ctx;
} tagset_allocator;

typedef struct tagset_sync {
    void (*lock)(void *ctx, pthread_mutex_t *m);
    void (*unlock)(void *ctx, pthread_mutex_t *m);
    /* A point where another thread may run; `where` names the call site. */
    void (*yield)(void *ctx, const char *where);
    void *ctx;
} tagset_sync;

/* Copy the table in; NULL, or a NULL member, means the default. Call before any set or
   tag exists. */
void tagset_set_allocator(const tagset_allocator *a);
void tagset_set_sync(const tagset_sync *s);

/* A new empty set in *out (owned by the caller: tagset_free). TAGSET_OK or _ENOMEM. */
int tagset_new(tagset **out);
/* Drops the set's reference to each of its tags, then frees the set. */
void tagset_free(tagset *ts);

/* Adds a new tag named name[0..len) that only the set holds. TAGSET_OK, _EEXIST,
   _EINVAL or _ENOMEM. */
int tagset_add(tagset *ts, const char *name, size_t len);
/* The tag of that name: on TAGSET_OK *out is a new reference (tag_unref it); on
   TAGSET_ENOENT or _EINVAL *out is NULL. */
int tagset_get(tagset *ts, const char *name, size_t len, tag **out);
/* 1 when the set holds a tag of that name, else 0. */
int tagset_has(tagset *ts, const char *name, size_t len);
/* Takes the tag of that name out of the set and drops the set's reference; callers'
   references stay valid. TAGSET_OK, _ENOENT or _EINVAL. */
int tagset_remove(tagset *ts, const char *name, size_t len);
/* How many tags the set holds. */
size_t tagset_count(tagset *ts);

/* Adds a reference to t; returns t (the caller owns the new reference). */
tag *tag_ref(tag *t);
/* Drops a reference; the last one frees the tag. */
void tag_unref(tag *t);
/* The tag's name, NUL-terminated, its length in *len (may be NULL). Borrowed: valid
   while the caller holds a reference. */
const char *tag_name(const tag *t, size_t *len);
/* Replaces the description with a copy of text[0..len). TAGSET_OK or _ENOMEM (the old
   description stays). */
int tag_describe(tag *t, const uint8_t *text, size_t len);
/* Copies up to cap bytes of the description into buf; returns its full length. */
size_t tag_copy_description(tag *t, uint8_t *buf, size_t cap);

/* Process-wide gauges: tags alive (in any set or held), bytes of descriptions held. */
int64_t tagset_live_tags(void);
int64_t tagset_description_bytes(void);

#endif
