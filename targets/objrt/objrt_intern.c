/*
** objrt_intern.c: the global intern table.
**
** An open-addressing table of BORROWED str pointers under the intern lock. A str carries
** ORT_F_INTERNED from birth and removes its own entry when it is freed (ort_intern_forget,
** matching by pointer). A lookup only returns a str it could reference while its count
** was above zero, so a str on its way out is never revived: a lookup that meets one skips
** it and inserts a fresh str, and the dying one later removes only its own slot. The table
** array is freed when the last entry goes, so an idle runtime holds no memory.
*/
#include <string.h>

#include "targets/objrt/objrt_impl.h"

#define INTERN_TOMB ((ort_str *)&g_tomb)

static pthread_mutex_t g_intern_lock = PTHREAD_MUTEX_INITIALIZER;
static const char g_tomb;
static ort_str **g_slots;             /* cap entries: NULL empty, INTERN_TOMB deleted, else a str */
static size_t g_cap, g_used, g_count; /* used: live + tombstones */

static bool intern_matches(const ort_str *s, const char *p, size_t n, uint64_t hash)
{
    return s->hash == hash && s->len == n && memcmp(s->data, p, n) == 0;
}

/* A live str with these bytes (new reference), or NULL. */
static ort_str *intern_find(const char *p, size_t n, uint64_t hash)
{
    if (!g_cap)
        return NULL;
    for (size_t i = hash & (g_cap - 1); g_slots[i]; i = (i + 1) & (g_cap - 1)) {
        ort_str *s = g_slots[i];
        if (s != INTERN_TOMB && intern_matches(s, p, n, hash) && ort_obj_incref_if_alive(&s->ob))
            return s;
    }
    return NULL;
}

static void intern_place(ort_str **slots, size_t cap, ort_str *s)
{
    size_t i = s->hash & (cap - 1);
    while (slots[i] && slots[i] != INTERN_TOMB)
        i = (i + 1) & (cap - 1);
    slots[i] = s;
}

/* Makes room for one more entry (dropping tombstones); OBJRT_ENOMEM leaves it unchanged. */
static int intern_reserve(void)
{
    if ((g_used + 1) * 4 < g_cap * 3)
        return OBJRT_OK;
    size_t cap = 16;
    while (cap * 3 <= (g_count + 1) * 4 * 2)
        cap *= 2;
    ort_str **slots = ort_mem_alloc(cap * sizeof *slots);
    if (!slots)
        return OBJRT_ENOMEM;
    memset(slots, 0, cap * sizeof *slots);
    for (size_t i = 0; i < g_cap; i++)
        if (g_slots[i] && g_slots[i] != INTERN_TOMB)
            intern_place(slots, cap, g_slots[i]);
    ort_mem_free(g_slots);
    g_slots = slots;
    g_cap = cap;
    g_used = g_count;
    return OBJRT_OK;
}

/* Intern lock held. */
static void intern_free_if_empty(void)
{
    if (g_count != 0)
        return;
    ort_mem_free(g_slots);
    g_slots = NULL;
    g_cap = g_used = 0;
}

static int intern_add(const char *p, size_t n, ort_str **out)
{
    int rc = intern_reserve();
    if (rc)
        return rc;
    ort_yield("objrt.intern.reserved");
    ort_str *s = ort_str_make(p, n, ORT_F_INTERNED);
    if (!s) {
        intern_free_if_empty();
        return OBJRT_ENOMEM;
    }
    size_t i = s->hash & (g_cap - 1);
    while (g_slots[i] && g_slots[i] != INTERN_TOMB)
        i = (i + 1) & (g_cap - 1);
    g_used += g_slots[i] == NULL;
    g_slots[i] = s;
    g_count++;
#ifdef OBJRT_DEFECT_INTERN_FOREVER
    objrt_incref(&s->ob);
#endif
    *out = s;
    return OBJRT_OK;
}

int objrt_str_intern(const char *p, size_t n, objrt_obj **out)
{
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    if (!p && n)
        return OBJRT_EINVAL;
    if (!p)
        p = "";
    uint64_t hash = ort_hash_bytes(p, n);
    ort_str *s;
    int rc = OBJRT_OK;
    ort_lock(&g_intern_lock);
    s = intern_find(p, n, hash);
    if (!s)
        rc = intern_add(p, n, &s);
    ort_unlock(&g_intern_lock);
    if (rc == OBJRT_OK)
        *out = &s->ob;
    return rc;
}

void ort_intern_forget(ort_str *s)
{
    ort_lock(&g_intern_lock);
    for (size_t i = g_cap ? s->hash & (g_cap - 1) : 0; g_cap && g_slots[i];
         i = (i + 1) & (g_cap - 1)) {
        if (g_slots[i] == s) {
            g_slots[i] = INTERN_TOMB;
            g_count--;
            break;
        }
    }
    intern_free_if_empty();
    ort_unlock(&g_intern_lock);
}

size_t ort_intern_count(void)
{
    ort_lock(&g_intern_lock);
    size_t n = g_count;
    ort_unlock(&g_intern_lock);
    return n;
}
