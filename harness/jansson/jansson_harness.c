/*
** jansson_harness.c: jansson 2.14's public API under concurrent programs: constructors,
** pack/unpack, the decoders, containers, copies, equality and the encoders.
**
** Ownership. Every handle holds its own reference (made by the operation that filled it)
** and release drops it, so a value a handle names lives to the end of the input whatever
** its containers do. Values that only a container holds are made by *.append_new and
** object.set_new, and reached through their container by array.get and object.get.
**
** Threads, within what doc/threadsafety.rst allows. Read-only access to shared values and
** reference counting are thread-safe; mutating a shared value is not, and "a multithreaded
** program must perform its own locking". So the program's mutations take a write lock and
** its reads a read lock (one per input, as a user's program would have around the values
** its threads share), and reference counting (value.ref, the O and o formats of pack, and
** the references containers take) runs with no lock at all. Constructors and decoders
** touch no shared value and run unlocked too. A race TSan finds under these rules is the
** library's; one outside them would be ours.
**
** Cycles. doc/apiref.rst ("Circular References"): the library refuses to put a container
** into itself, and leaves the indirect case (a in b, b in a) to the user, since checking
** costs it a walk. So the program refuses insertions that would close an indirect cycle
** (JX_ECYCLE), as a careful user's would, and lets the direct case reach the library.
**
** Bounds. Shared members make a value's tree exponentially larger than its graph, and an
** array may extend itself, so a few operations can ask the library for 2^n work, which it
** does as told. The program refuses (JX_ETOOBIG) recursive calls on trees of more than
** MAX_TREE values and extends past MAX_ARRAY members: its own limits, not the library's.
**
** Allocation. json_set_alloc_funcs routes all of jansson's memory through the kit's hooks,
** so !fail=N reaches its error paths; the same seam counts live blocks and bytes, the
** balanced gauges (jansson exposes no counters of its own), and forgets freed values in
** the registry that enumerate walks for cycle reports.
*/
#define _GNU_SOURCE /* fmemopen, malloc_usable_size */

#include <ouroboros/ob_kit.h>

#include <jansson.h>

#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Operation results besides 0: expected outcomes the kit counts, never findings. */
enum {
    JX_ERR = 1,      /* jansson returned its error value (NULL or -1) */
    JX_ENOENT = 2,   /* no such key or index */
    JX_EFULL = 3,    /* the thread's text buffer is full */
    JX_ENOSTATE = 4, /* setup could not allocate the input's state */
    JX_ECYCLE = 5,   /* refused: the insertion would close an indirect cycle */
    JX_ETOOBIG = 6,  /* refused: the value is past the program's size bounds */
};

/* ---- the allocator seam: counts, and the registry of values enumerate may visit ---- */

static atomic_llong live_blocks, live_bytes;

/* Values that handles have named, so that enumerate can find what survived an input.
   Slots hold a value's address, 0 (never used since the reset) or TOMB (freed). Relaxed
   atomics on purpose: a mutex here would order every pair of threads that allocate, and
   hide from TSan the races it is there to find. */
enum { REG_SLOTS = 4096, REG_TOMB = 1 };
static _Atomic uintptr_t registry[REG_SLOTS];

/* Spreads an address over all the bits of a table index of any size: the low bits of the
   product are a bijection of the address's (16-byte aligned) low bits, the fold brings in
   the high ones. */
static size_t addr_hash(const void *v)
{
    uint64_t h = ((uint64_t)(uintptr_t)v >> 4) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 32));
}

static size_t reg_hash(uintptr_t p)
{
    return addr_hash((const void *)p) & (REG_SLOTS - 1);
}

static void reg_add(const json_t *v)
{
    uintptr_t p = (uintptr_t)v;
    for (size_t i = 0, k = reg_hash(p); i < REG_SLOTS; i++, k = (k + 1) & (REG_SLOTS - 1)) {
        uintptr_t cur = atomic_load_explicit(&registry[k], memory_order_relaxed);
        if (cur > REG_TOMB)
            continue;
        if (atomic_compare_exchange_strong_explicit(&registry[k], &cur, p, memory_order_relaxed,
                                                    memory_order_relaxed))
            return;
    }
    /* Full: the value goes unlisted, which only makes a cycle report less complete. */
}

/* Every entry of p lies before the first never-used slot of its probe sequence, since
   slots only return to 0 at the reset; duplicates (a value made twice) all go. */
static void reg_forget(const void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;
    for (size_t i = 0, k = reg_hash(p); i < REG_SLOTS; i++, k = (k + 1) & (REG_SLOTS - 1)) {
        uintptr_t cur = atomic_load_explicit(&registry[k], memory_order_relaxed);
        if (cur == 0)
            return;
        if (cur == p)
            atomic_compare_exchange_strong_explicit(&registry[k], &cur, REG_TOMB,
                                                    memory_order_relaxed, memory_order_relaxed);
    }
}

static void reg_reset(void)
{
    for (size_t k = 0; k < REG_SLOTS; k++)
        atomic_store_explicit(&registry[k], 0, memory_order_relaxed);
}

static void *jx_malloc(size_t size)
{
    void *p = ob_hook_malloc(NULL, size);
    if (p) {
        atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&live_bytes, (long long)malloc_usable_size(p),
                                  memory_order_relaxed);
    }
    return p;
}

static void jx_free(void *p)
{
    if (!p)
        return;
    reg_forget(p);
    atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&live_bytes, (long long)malloc_usable_size(p), memory_order_relaxed);
    ob_hook_free(NULL, p);
}

static int64_t gauge_blocks(void)
{
    return atomic_load_explicit(&live_blocks, memory_order_relaxed);
}

static int64_t gauge_bytes(void)
{
    return atomic_load_explicit(&live_bytes, memory_order_relaxed);
}

/* The documentation's startup order: allocator functions set once, before any value
   exists, and the hash seed set before threads start. A fixed seed, because a finding
   must replay with the same hashtable layout in another process. */
static void install(void)
{
    json_set_alloc_funcs(jx_malloc, jx_free);
    json_object_seed(0x6a616e73);
}

/* ---- per-input state ---- */

/* text.add gathers a document larger than one byte argument (OB_MAX_BYTES_ARG); each
   logical thread has its own buffer, so it needs no lock. */
enum { TEXT_CAP = 8192 };

typedef struct jx_text {
    size_t len;
    char bytes[TEXT_CAP];
} jx_text;

typedef struct jx_state {
    pthread_rwlock_t lock; /* the program's own lock around shared values */
    const char *_Atomic broken;
    jx_text text[OB_PROGRAM_THREADS];
} jx_state;

static void *setup(void)
{
    reg_reset();
    jx_state *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    if (pthread_rwlock_init(&s->lock, NULL) != 0) {
        free(s);
        return NULL;
    }
    atomic_init(&s->broken, NULL);
    for (unsigned t = 0; t < OB_PROGRAM_THREADS; t++)
        s->text[t].len = 0;
    return s;
}

static void teardown(void *state)
{
    jx_state *s = state;
    if (!s)
        return;
    pthread_rwlock_destroy(&s->lock);
    free(s);
}

/* Records the first broken invariant; check reports it. what has static storage. */
static void broke(jx_state *s, const char *what)
{
    const char *none = NULL;
    atomic_compare_exchange_strong(&s->broken, &none, what);
}

static const char *check(void *state)
{
    jx_state *s = state;
    return s ? atomic_load(&s->broken) : NULL;
}

/* The program's lock: readers share it, writers hold it alone. Never held across a kit
   scheduling point (jansson calls none), so fibers never wait on it. */
static jx_state *read_locked(ob_call *c)
{
    jx_state *s = c->state;
    if (s)
        pthread_rwlock_rdlock(&s->lock);
    return s;
}

static jx_state *write_locked(ob_call *c)
{
    jx_state *s = c->state;
    if (s)
        pthread_rwlock_wrlock(&s->lock);
    return s;
}

static void unlock(jx_state *s)
{
    pthread_rwlock_unlock(&s->lock);
}

/* ---- argument domains ---- */

/* Keys are identities, so a few of them: operations keep meeting on the same ones. "nul"
   has an embedded U+0000 (2.14's fixed-length keys); "long" is past any inline storage. */
static const char *const key_names[] = {"a", "b", "c", "nul", "long"};
static const struct {
    const char *bytes;
    size_t len;
} keys[] = {
    {"a", 1}, {"b", 1}, {"c", 1}, {"k\0y", 3}, {"a_key_long_enough_to_be_stored_out_of_line", 42},
};

static const char *const real_names[] = {"zero", "neg_zero",  "half", "pi",
                                         "huge", "subnormal", "nan",  "inf"};
static const double reals[] = {0.0, -0.0, 0.5, 3.141592653589793, 1e300, 5e-324, NAN, INFINITY};

static const char *const constant_names[] = {"true", "false", "null"};

/* What *.append_new and object.set_new make for their container alone. */
static const char *const kind_names[] = {"integer", "real", "string", "array", "object", "null"};

static const char *const load_flag_names[] = {"plain", "any", "nodup", "noeof", "real", "nul"};
static const size_t load_flags[] = {
    0,
    JSON_DECODE_ANY,
    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
    JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK,
    JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL,
    JSON_DECODE_ANY | JSON_ALLOW_NUL,
};

/* json_loadb, json_loads, json_load_callback (5-byte chunks, to split tokens and UTF-8
   sequences) and json_loadf on a memory stream. */
static const char *const source_names[] = {"buffer", "string", "callback", "stream"};

static const char *const dump_flag_names[] = {"plain", "compact",   "indent",
                                              "ascii", "precision", "embed"};
static const size_t dump_flags[] = {
    0,
    JSON_ENCODE_ANY | JSON_COMPACT,
    JSON_ENCODE_ANY | JSON_INDENT(3) | JSON_SORT_KEYS,
    JSON_ENCODE_ANY | JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH,
    JSON_ENCODE_ANY | JSON_REAL_PRECISION(4) | JSON_PRESERVE_ORDER,
    JSON_ENCODE_ANY | JSON_EMBED | JSON_COMPACT,
};

/* json_dumps, json_dump_callback (stops after DUMP_LIMIT bytes), json_dumpf on a
   fixed-size memory stream, and json_dumpb sized by its own size query. */
static const char *const sink_names[] = {"string", "callback", "stream", "buffer"};
enum { DUMP_LIMIT = 4096, DUMP_STREAM = 512, DUMP_BUFFER = 256 };

static const char *const copy_names[] = {"shallow", "deep"};

static const char *const update_names[] = {"all", "existing", "missing", "recursive"};

static const char *const pack_names[] = {"array",  "array_steal", "object",  "object_steal",
                                         "nested", "optional",    "scalars", "unterminated"};
static const char *const unpack_names[] = {"object_o", "object_O", "optional",
                                           "strict",   "array",    "array_strict",
                                           "scalars",  "nested",   "validate"};

/* ---- results ---- */

/* Fills the operation's handle with v, a new reference, and lists v for enumerate. */
static int made(ob_call *c, json_t *v, int error)
{
    if (!v)
        return error;
    if (!json_is_true(v) && !json_is_false(v) && !json_is_null(v))
        reg_add(v);
    c->result = v;
    return 0;
}

static int status(int rc)
{
    return rc ? JX_ERR : 0;
}

/* ---- constructors: new values, no lock ---- */

static int op_object_new(ob_call *c)
{
    return made(c, json_object(), JX_ERR);
}

static int op_array_new(ob_call *c)
{
    return made(c, json_array(), JX_ERR);
}

static int op_string_new(ob_call *c)
{
    return made(c, json_stringn((const char *)c->args[0].bytes, c->args[0].len), JX_ERR);
}

static int op_string_sprintf(ob_call *c)
{
    json_t *v = json_sprintf("%.*s#%d", (int)c->args[0].len, (const char *)c->args[0].bytes,
                             (int)c->args[1].i);
    return made(c, v, JX_ERR);
}

static int op_integer_new(ob_call *c)
{
    return made(c, json_integer((json_int_t)c->args[0].i), JX_ERR);
}

static int op_real_new(ob_call *c)
{
    return made(c, json_real(reals[c->args[0].i]), JX_ERR);
}

static int op_constant_new(ob_call *c)
{
    json_t *v = c->args[0].i == 0 ? json_true() : c->args[0].i == 1 ? json_false() : json_null();
    return made(c, v, JX_ERR);
}

/* A fresh value of the given kind, for a container to own. */
static json_t *fresh(int64_t kind)
{
    switch (kind) {
    case 0:
        return json_integer(7);
    case 1:
        return json_real(0.25);
    case 2:
        return json_string("fresh");
    case 3:
        return json_array();
    case 4:
        return json_object();
    default:
        return json_null();
    }
}

/* json_pack_ex over two handles and a key. The o formats steal a reference, so each gets
   one of its own; pack consumes every o argument of these formats, even on an error. */
static json_t *pack(int64_t fmt, json_t *a, json_t *b, const char *key, json_error_t *err)
{
    switch (fmt) {
    case 0:
        return json_pack_ex(err, 0, "[OO]", a, b);
    case 1:
        return json_pack_ex(err, 0, "[oo]", json_incref(a), json_incref(b));
    case 2:
        return json_pack_ex(err, 0, "{sOsO}", key, a, "b", b);
    case 3:
        return json_pack_ex(err, 0, "{s:o, s:o}", key, json_incref(a), "b", json_incref(b));
    case 4:
        return json_pack_ex(err, 0, "{s:[O, {s:O}]}", key, a, "c", b);
    case 5:
        return json_pack_ex(err, 0, "{s:O?, s:O*, s:s*}", key, a, "b", b, "c", NULL);
    case 6:
        return json_pack_ex(err, 0, "[s#, s++, i, f, b, n, I]", key, 1, key, "-", key, 7, 0.5, 1,
                            (json_int_t)-9);
    default:
        return json_pack_ex(err, 0, "[oo", json_incref(a), json_incref(b));
    }
}

static int op_pack(ob_call *c)
{
    json_error_t err;
    json_t *v = pack(c->args[0].i, c->objs[1], c->objs[2], keys[c->args[3].i].bytes, &err);
    return made(c, v, JX_ERR);
}

/* ---- decoders: new values, no lock ---- */

typedef struct feed {
    const char *at;
    size_t left;
} feed;

static size_t feed_chunk(void *buffer, size_t buflen, void *data)
{
    feed *f = data;
    size_t n = f->left < 5 ? f->left : 5;
    n = n < buflen ? n : buflen;
    memcpy(buffer, f->at, n);
    f->at += n;
    f->left -= n;
    return n;
}

static json_t *load_string(const char *text, size_t len, size_t flags, json_error_t *err)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, text, len);
    copy[len] = '\0';
    json_t *v = json_loads(copy, flags, err);
    free(copy);
    return v;
}

static json_t *load_stream(const char *text, size_t len, size_t flags, json_error_t *err)
{
    if (len == 0)
        return json_loadb(text, 0, flags, err); /* fmemopen refuses an empty buffer */
    FILE *in = fmemopen((void *)text, len, "r");
    if (!in)
        return NULL;
    json_t *v = json_loadf(in, flags, err);
    fclose(in);
    return v;
}

static json_t *load(int64_t source, const char *text, size_t len, size_t flags)
{
    json_error_t err;
    feed f = {text, len};
    switch (source) {
    case 0:
        return json_loadb(text, len, flags, &err);
    case 1:
        return load_string(text, len, flags, &err);
    case 2:
        return json_load_callback(feed_chunk, &f, flags, &err);
    default:
        return load_stream(text, len, flags, &err);
    }
}

static int op_load(ob_call *c)
{
    const ob_value *text = &c->args[2];
    json_t *v = load(c->args[0].i, (const char *)text->bytes, text->len, load_flags[c->args[1].i]);
    return made(c, v, JX_ERR);
}

static int op_text_add(ob_call *c)
{
    jx_state *s = c->state;
    if (!s)
        return JX_ENOSTATE;
    jx_text *t = &s->text[c->thread];
    if (t->len + c->args[0].len > TEXT_CAP)
        return JX_EFULL;
    memcpy(t->bytes + t->len, c->args[0].bytes, c->args[0].len);
    t->len += c->args[0].len;
    return 0;
}

/* Decodes the thread's gathered text, which starts over afterwards. */
static int op_text_load(ob_call *c)
{
    jx_state *s = c->state;
    if (!s)
        return JX_ENOSTATE;
    jx_text *t = &s->text[c->thread];
    json_t *v = load(c->args[0].i, t->bytes, t->len, load_flags[c->args[1].i]);
    t->len = 0;
    return made(c, v, JX_ERR);
}

/* ---- sizes: bounds on what one call may be asked to do ----
**
** Values may share members, so a value's tree can be exponentially larger than its graph:
** a = [b, b], b = [c, c], ... costs the program three operations a level, and the
** encoder, json_equal and json_deep_copy walk the tree. array.extend h0 h0 doubles an
** array per operation. Both ask the library for 2^n work in n operations, which it does
** as told, so the program keeps within bounds instead: an array of at most MAX_ARRAY
** members after extend, and no recursive call on a tree of more than MAX_TREE values.
*/
enum { MAX_ARRAY = 4096, MAX_TREE = 16384 };

static int is_container(const json_t *v)
{
    return json_is_array(v) || json_is_object(v);
}

/* The tree sizes of the containers already measured: open addressing on the address. */
typedef struct jx_sizes {
    const json_t **keys;
    size_t *vals;
    size_t cap, n;
} jx_sizes;

static size_t *sizes_slot(jx_sizes *m, const json_t *v)
{
    size_t k = addr_hash(v) & (m->cap - 1);
    while (m->keys[k] && m->keys[k] != v)
        k = (k + 1) & (m->cap - 1);
    return &m->vals[k];
}

/* Records v's size; 0 when out of memory. */
static int sizes_put(jx_sizes *m, const json_t *v, size_t size)
{
    if (2 * (m->n + 1) > m->cap) {
        jx_sizes g = {calloc(2 * m->cap, sizeof *g.keys), calloc(2 * m->cap, sizeof *g.vals),
                      2 * m->cap, 0};
        if (!g.keys || !g.vals) {
            free(g.keys);
            free(g.vals);
            return 0;
        }
        for (size_t k = 0; k < m->cap; k++)
            if (m->keys[k])
                sizes_put(&g, m->keys[k], m->vals[k]);
        free(m->keys);
        free(m->vals);
        *m = g;
    }
    size_t *slot = sizes_slot(m, v);
    m->keys[slot - m->vals] = v;
    *slot = size;
    m->n++;
    return 1;
}

/* 0 for a container not measured yet (every size is at least 1). */
static size_t sizes_get(jx_sizes *m, const json_t *v)
{
    return *sizes_slot(m, v);
}

/* One container of the walk below, and how far through its members it is. */
typedef struct jx_frame {
    json_t *v;
    size_t next; /* arrays: the next index */
    void *iter;  /* objects: the next member */
    size_t acc;  /* the tree sizes of the members so far */
} jx_frame;

static json_t *frame_next(jx_frame *f)
{
    if (json_is_array(f->v))
        return json_array_get(f->v, f->next++);
    if (!f->iter)
        return NULL;
    json_t *member = json_object_iter_value(f->iter);
    f->iter = json_object_iter_next(f->v, f->iter);
    return member;
}

static jx_frame frame_of(json_t *v)
{
    return (jx_frame){v, 0, json_is_object(v) ? json_object_iter(v) : NULL, 0};
}

/* The number of values in v's tree, counting each shared member as often as it occurs,
   or more than limit (then it stops early). Depth-first with a stack of its own and every
   container measured once. A member still being measured (a cycle, which only a library
   bug can make here) counts as one value: the library's own loop checks take it from
   there. Out of memory counts as too big. */
static size_t tree_size(json_t *v, size_t limit)
{
    if (!is_container(v))
        return 1;
    jx_sizes m = {calloc(64, sizeof *m.keys), calloc(64, sizeof *m.vals), 64, 0};
    size_t cap = 64, depth = 0, result = limit + 1;
    jx_frame *stack = malloc(cap * sizeof *stack);
    if (!m.keys || !m.vals || !stack || !sizes_put(&m, v, SIZE_MAX))
        goto out;
    stack[depth++] = frame_of(v);
    while (depth) {
        jx_frame *f = &stack[depth - 1];
        json_t *member = frame_next(f);
        if (!member) {
            size_t size = f->acc + 1;
            if (size > limit || !sizes_put(&m, f->v, size))
                goto out;
            if (--depth == 0)
                result = size;
            else
                stack[depth - 1].acc += size;
            continue;
        }
        size_t known = is_container(member) ? sizes_get(&m, member) : 1;
        if (known) {
            f->acc += known == SIZE_MAX ? 1 : known;
            continue;
        }
        if (depth == cap) {
            jx_frame *bigger = realloc(stack, 2 * cap * sizeof *stack);
            if (!bigger)
                goto out;
            stack = bigger;
            cap *= 2;
        }
        if (!sizes_put(&m, member, SIZE_MAX))
            goto out;
        stack[depth++] = frame_of(member);
    }
out:
    free(stack);
    free(m.keys);
    free(m.vals);
    return result;
}

static int too_big(const json_t *v)
{
    return tree_size((json_t *)v, MAX_TREE) > MAX_TREE;
}

/* ---- reference counting: no lock (the documentation's promise) ---- */

static int op_value_ref(ob_call *c)
{
    return made(c, json_incref(c->objs[0]), JX_ERR);
}

/* ---- reads of shared values: the read lock ---- */

static int op_copy(ob_call *c)
{
    jx_state *s = read_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int deep = c->args[1].i == 1;
    if (deep && too_big(c->objs[0])) {
        unlock(s);
        return JX_ETOOBIG;
    }
    json_t *v = deep ? json_deep_copy(c->objs[0]) : json_copy(c->objs[0]);
    unlock(s);
    return made(c, v, JX_ERR);
}

static int op_object_get(ob_call *c)
{
    jx_state *s = read_locked(c);
    if (!s)
        return JX_ENOSTATE;
    json_t *v =
        json_incref(json_object_getn(c->objs[0], keys[c->args[1].i].bytes, keys[c->args[1].i].len));
    unlock(s);
    return made(c, v, JX_ENOENT);
}

static int op_array_get(ob_call *c)
{
    jx_state *s = read_locked(c);
    if (!s)
        return JX_ENOSTATE;
    json_t *v = json_incref(json_array_get(c->objs[0], (size_t)c->args[1].i));
    unlock(s);
    return made(c, v, JX_ENOENT);
}

/* Every accessor of a value's contents; they must agree with one another. */
static void read_value(jx_state *s, const json_t *v)
{
    const char *text = json_string_value(v);
    if (text && strnlen(text, json_string_length(v) + 1) > json_string_length(v))
        broke(s, "json_string_value is longer than json_string_length");
    if (json_is_integer(v) && json_number_value(v) != (double)json_integer_value(v))
        broke(s, "json_number_value disagrees with json_integer_value");
    if (json_is_real(v) && json_number_value(v) != json_real_value(v))
        broke(s, "json_number_value disagrees with json_real_value");
    if (!json_is_object(v) && json_object_size(v) != 0)
        broke(s, "json_object_size of a non-object is not 0");
    if (!json_is_array(v) && json_array_size(v) != 0)
        broke(s, "json_array_size of a non-array is not 0");
}

static int op_value_read(ob_call *c)
{
    jx_state *s = read_locked(c);
    if (!s)
        return JX_ENOSTATE;
    read_value(s, c->objs[0]);
    unlock(s);
    return 0;
}

/* Walks the object by iterator and by key, which must agree with json_object_size. */
static void iterate(jx_state *s, json_t *obj)
{
    const char *key;
    size_t key_len, n = 0;
    json_t *value;
    json_object_keylen_foreach(obj, key, key_len, value)
    {
        n++;
        if (json_object_getn(obj, key, key_len) != value)
            broke(s, "an iterated key does not look up its own value");
    }
    if (n != json_object_size(obj))
        broke(s, "iteration and json_object_size disagree");
}

static int op_object_iter(ob_call *c)
{
    jx_state *s = read_locked(c);
    if (!s)
        return JX_ENOSTATE;
    iterate(s, c->objs[0]);
    unlock(s);
    return json_is_object((json_t *)c->objs[0]) ? 0 : JX_ERR;
}

static int unpack(int64_t fmt, json_t *v, const char *key)
{
    json_error_t err;
    json_t *o = NULL, *owned = NULL;
    const char *str = NULL;
    size_t len = 0;
    int i = 0, b = 0;
    double d = 0;
    json_int_t big = 0;
    int rc;
    switch (fmt) {
    case 0:
        rc = json_unpack_ex(v, &err, 0, "{s:o}", key, &o);
        break;
    case 1:
        rc = json_unpack_ex(v, &err, 0, "{s:O}", key, &owned);
        break;
    case 2:
        rc = json_unpack_ex(v, &err, 0, "{s?i, s?s%}", key, &i, "b", &str, &len);
        break;
    case 3:
        rc = json_unpack_ex(v, &err, 0, "{s:o, s?o !}", key, &o, "b", &o);
        break;
    case 4:
        rc = json_unpack_ex(v, &err, 0, "[o, *]", &o);
        break;
    case 5:
        rc = json_unpack_ex(v, &err, 0, "[O!]", &owned);
        break;
    case 6:
        rc = json_unpack_ex(v, &err, 0, "[s, s%, i, F, b, n, I]", &str, &str, &len, &i, &d, &b,
                            &big);
        break;
    case 7:
        rc = json_unpack_ex(v, &err, JSON_STRICT, "{s:[o, {s:O}]}", key, &o, "c", &owned);
        break;
    default:
        rc = json_unpack_ex(v, &err, JSON_VALIDATE_ONLY, "{s:[o*]}", key);
        break;
    }
    /* O takes a reference as soon as it matches, even when a later item fails. */
    json_decref(owned);
    return status(rc);
}

static int op_unpack(ob_call *c)
{
    jx_state *s = read_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = unpack(c->args[1].i, c->objs[0], keys[c->args[2].i].bytes);
    unlock(s);
    return rc;
}

static int op_equal(ob_call *c)
{
    jx_state *s = read_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (too_big(c->objs[0]) || too_big(c->objs[1])) {
        unlock(s);
        return JX_ETOOBIG;
    }
    int equal = json_equal(c->objs[0], c->objs[1]);
    if (json_equal(c->objs[1], c->objs[0]) != equal)
        broke(s, "json_equal is not symmetric");
    unlock(s);
    return 0;
}

/* ---- encoders: reads, under the read lock ---- */

static int count_bytes(const char *buffer, size_t size, void *data)
{
    (void)buffer;
    size_t *total = data;
    *total += size;
    return *total > DUMP_LIMIT ? -1 : 0;
}

static int dump_stream(const json_t *v, size_t flags)
{
    char *buf = malloc(DUMP_STREAM);
    FILE *out = buf ? fmemopen(buf, DUMP_STREAM, "w") : NULL;
    int rc = out ? json_dumpf(v, out, flags) : -1;
    if (out && fclose(out) != 0)
        rc = -1;
    free(buf);
    return rc;
}

/* json_dumpb's size query and its write must agree on the length. Either may fail (0,
   "on error"): each encodes afresh and allocates, so an injected failure can hit one. */
static int dump_buffer(jx_state *s, const json_t *v, size_t flags)
{
    size_t need = json_dumpb(v, NULL, 0, flags);
    if (need == 0 || need > DUMP_BUFFER)
        return -1;
    char buf[DUMP_BUFFER];
    size_t wrote = json_dumpb(v, buf, need, flags);
    if (wrote != 0 && wrote != need)
        broke(s, "json_dumpb wrote another length than its size query said");
    return wrote == need ? 0 : -1;
}

static int dump(jx_state *s, const json_t *v, size_t flags, int64_t sink)
{
    size_t total = 0;
    switch (sink) {
    case 0: {
        char *text = json_dumps(v, flags);
        jx_free(text); /* the documentation: the custom free function frees it */
        return text ? 0 : -1;
    }
    case 1:
        return json_dump_callback(v, count_bytes, &total, flags);
    case 2:
        return dump_stream(v, flags);
    default:
        return dump_buffer(s, v, flags);
    }
}

static int op_dump(ob_call *c)
{
    jx_state *s = read_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (too_big(c->objs[0])) {
        unlock(s);
        return JX_ETOOBIG;
    }
    int rc = dump(s, c->objs[0], dump_flags[c->args[1].i], c->args[2].i);
    unlock(s);
    return status(rc);
}

/* ---- walks over values: the cycle guard and enumerate ---- */

/* A breadth-first walk: every value marked once (open addressing, cap a power of two),
   in the order marked. Plain malloc: it is the harness's bookkeeping, not jansson's, so
   no injected failure reaches it. */
typedef struct jx_walk {
    const json_t **seen;
    size_t cap;
    const json_t **queue; /* cap / 2 entries: the set stays at most half full */
    size_t head, tail;
    int oom;
} jx_walk;

static void walk_init(jx_walk *w)
{
    *w = (jx_walk){calloc(64, sizeof *w->seen), 64, malloc(32 * sizeof *w->queue), 0, 0, 0};
    w->oom = !w->seen || !w->queue;
}

static void walk_free(jx_walk *w)
{
    free(w->seen);
    free(w->queue);
}

static void walk_insert(const json_t **seen, size_t cap, const json_t *v)
{
    size_t k = addr_hash(v) & (cap - 1);
    while (seen[k])
        k = (k + 1) & (cap - 1);
    seen[k] = v;
}

/* Doubles the set and the queue; the queue holds every marked value, to rehash from. */
static int walk_grow(jx_walk *w)
{
    size_t cap = w->cap * 2;
    const json_t **seen = calloc(cap, sizeof *seen);
    const json_t **queue = realloc(w->queue, cap / 2 * sizeof *queue);
    if (!seen || !queue) {
        free(seen);
        if (queue)
            w->queue = queue;
        return 0;
    }
    for (size_t i = 0; i < w->tail; i++)
        walk_insert(seen, cap, queue[i]);
    free(w->seen);
    *w = (jx_walk){seen, cap, queue, w->head, w->tail, 0};
    return 1;
}

static int walk_seen(const jx_walk *w, const json_t *v)
{
    size_t k = addr_hash(v) & (w->cap - 1);
    for (; w->seen[k]; k = (k + 1) & (w->cap - 1))
        if (w->seen[k] == v)
            return 1;
    return 0;
}

/* Marks v unless it was marked before; on running out of memory sets oom. */
static void walk_mark(jx_walk *w, const json_t *v)
{
    if (w->oom || walk_seen(w, v))
        return;
    if (w->tail == w->cap / 2 && !walk_grow(w)) {
        w->oom = 1;
        return;
    }
    walk_insert(w->seen, w->cap, v);
    w->queue[w->tail++] = v;
}

/* Marks v's members but skip; g (optional) hears of each reference. Without g only the
   containers matter, since only they can be on a cycle. */
static void walk_members(jx_walk *w, const json_t *v, ob_graph *g, const json_t *skip)
{
    const char *key;
    json_t *member;
    size_t i;
    json_t *c = (json_t *)v; /* the iteration API takes no const */
    if (json_is_array(c)) {
        json_array_foreach(c, i, member)
        {
            if (g)
                ob_graph_edge(g, (uintptr_t)v, (uintptr_t)member);
            if (member != skip && (is_container(member) || g))
                walk_mark(w, member);
        }
    } else if (json_is_object(c)) {
        json_object_foreach(c, key, member)
        {
            if (g)
                ob_graph_edge(g, (uintptr_t)v, (uintptr_t)member);
            if (member != skip && (is_container(member) || g))
                walk_mark(w, member);
        }
    }
}

/* The containers reachable from root (itself included). */
static void walk_containers(jx_walk *w, const json_t *root)
{
    if (is_container(root))
        walk_mark(w, root);
    while (!w->oom && w->head < w->tail)
        walk_members(w, w->queue[w->head++], NULL, NULL);
}

/* Whether an insertion closes an indirect cycle, the one case doc/apiref.rst ("Circular
   References") leaves to the user: the container reachable from what goes in. The direct
   case, a container put into itself, is the library's to refuse ("all the other such
   functions for objects and arrays"), so it is let through. Out of memory counts as a
   cycle, since refusing is safe. */
static int reaches(jx_walk *w, const json_t *container)
{
    while (!w->oom && w->head < w->tail)
        walk_members(w, w->queue[w->head++], NULL, NULL);
    int found = w->oom || walk_seen(w, container);
    walk_free(w);
    return found;
}

/* object.set, iter_set, array.append, insert and set put value itself in. */
static int closes_cycle(const json_t *container, const json_t *value)
{
    if (value == container || !is_container(value))
        return 0;
    jx_walk w;
    walk_init(&w);
    walk_mark(&w, value);
    return reaches(&w, container);
}

/* array.extend and object.update put value's members in: a member that is the container
   itself is the direct case; the container below any other member is not. */
static int members_close_cycle(const json_t *container, const json_t *value)
{
    if (!is_container(value))
        return 0;
    jx_walk w;
    walk_init(&w);
    walk_members(&w, value, NULL, container);
    return reaches(&w, container);
}

/* json_object_update_recursive puts members of other's objects into obj's objects at any
   depth: safe when the two share no container (a merge into itself adds nothing). */
static int merge_closes_cycle(const json_t *obj, const json_t *other)
{
    if (obj == other)
        return 0;
    jx_walk a, b;
    walk_init(&a);
    walk_init(&b);
    walk_containers(&a, obj);
    walk_containers(&b, other);
    int found = a.oom || b.oom;
    for (size_t i = 0; !found && i < b.tail; i++)
        found = walk_seen(&a, b.queue[i]);
    walk_free(&a);
    walk_free(&b);
    return found;
}

/* ---- mutations of shared values: the write lock ---- */

static int op_object_set(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (closes_cycle(c->objs[0], c->objs[2])) {
        unlock(s);
        return JX_ECYCLE;
    }
    int rc =
        json_object_setn(c->objs[0], keys[c->args[1].i].bytes, keys[c->args[1].i].len, c->objs[2]);
    unlock(s);
    return status(rc);
}

static int op_object_set_new(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    /* set_new steals the fresh value even when it fails. */
    int rc = json_object_setn_new(c->objs[0], keys[c->args[1].i].bytes, keys[c->args[1].i].len,
                                  fresh(c->args[2].i));
    unlock(s);
    return status(rc);
}

static int op_object_del(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = json_object_deln(c->objs[0], keys[c->args[1].i].bytes, keys[c->args[1].i].len);
    unlock(s);
    return rc ? JX_ENOENT : 0;
}

static int op_object_clear(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = json_object_clear(c->objs[0]);
    unlock(s);
    return status(rc);
}

static int update(int64_t mode, json_t *obj, json_t *other)
{
    switch (mode) {
    case 0:
        return json_object_update(obj, other);
    case 1:
        return json_object_update_existing(obj, other);
    case 2:
        return json_object_update_missing(obj, other);
    default:
        return json_object_update_recursive(obj, other);
    }
}

static int op_object_update(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (c->args[2].i == 3 ? merge_closes_cycle(c->objs[0], c->objs[1])
                          : members_close_cycle(c->objs[0], c->objs[1])) {
        unlock(s);
        return JX_ECYCLE;
    }
    if (c->args[2].i == 3 && too_big(c->objs[1])) {
        unlock(s);
        return JX_ETOOBIG;
    }
    int rc = update(c->args[2].i, c->objs[0], c->objs[1]);
    unlock(s);
    return status(rc);
}

/* json_object_iter_at takes a C string, so "nul" looks up "k". */
static int op_object_iter_set(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (closes_cycle(c->objs[0], c->objs[2])) {
        unlock(s);
        return JX_ECYCLE;
    }
    void *iter = json_object_iter_at(c->objs[0], keys[c->args[1].i].bytes);
    int rc = iter ? status(json_object_iter_set(c->objs[0], iter, c->objs[2])) : JX_ENOENT;
    unlock(s);
    return rc;
}

static int op_array_append(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (closes_cycle(c->objs[0], c->objs[1])) {
        unlock(s);
        return JX_ECYCLE;
    }
    int rc = json_array_append(c->objs[0], c->objs[1]);
    unlock(s);
    return status(rc);
}

static int op_array_append_new(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = json_array_append_new(c->objs[0], fresh(c->args[1].i));
    unlock(s);
    return status(rc);
}

static int op_array_insert(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (closes_cycle(c->objs[0], c->objs[2])) {
        unlock(s);
        return JX_ECYCLE;
    }
    int rc = json_array_insert(c->objs[0], (size_t)c->args[1].i, c->objs[2]);
    unlock(s);
    return status(rc);
}

static int op_array_set(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (closes_cycle(c->objs[0], c->objs[2])) {
        unlock(s);
        return JX_ECYCLE;
    }
    int rc = json_array_set(c->objs[0], (size_t)c->args[1].i, c->objs[2]);
    unlock(s);
    return status(rc);
}

static int op_array_remove(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = json_array_remove(c->objs[0], (size_t)c->args[1].i);
    unlock(s);
    return rc ? JX_ENOENT : 0;
}

static int op_array_clear(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = json_array_clear(c->objs[0]);
    unlock(s);
    return status(rc);
}

static int op_array_extend(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    if (members_close_cycle(c->objs[0], c->objs[1])) {
        unlock(s);
        return JX_ECYCLE;
    }
    if (json_array_size(c->objs[0]) + json_array_size(c->objs[1]) > MAX_ARRAY) {
        unlock(s);
        return JX_ETOOBIG;
    }
    int rc = json_array_extend(c->objs[0], c->objs[1]);
    unlock(s);
    return status(rc);
}

static int op_string_set(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = json_string_setn(c->objs[0], (const char *)c->args[1].bytes, c->args[1].len);
    unlock(s);
    return status(rc);
}

static int op_integer_set(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = json_integer_set(c->objs[0], (json_int_t)c->args[1].i);
    unlock(s);
    return status(rc);
}

static int op_real_set(ob_call *c)
{
    jx_state *s = write_locked(c);
    if (!s)
        return JX_ENOSTATE;
    int rc = json_real_set(c->objs[0], reals[c->args[1].i]);
    unlock(s);
    return status(rc);
}

/* ---- release: the last look at a value, then its handle's reference ---- */

/* The encoder's round trip: what json_dumps writes, json_loads reads back as an equal
   value, and a deep copy is equal too. A value the encoder refuses (a cycle) is skipped;
   the decoder may refuse keys with U+0000 and nesting past JSON_PARSER_MAX_DEPTH, as
   documented. Runs here rather than in check because release is the last moment the
   handles' values are alive, and it runs on a logical thread whose stack is measured. */
static void verify(jx_state *s, const json_t *v)
{
    if (too_big(v))
        return;
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text)
        return;
    json_error_t err;
    json_t *back = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    jx_free(text);
    if (!back && json_error_code(&err) != json_error_null_byte_in_key &&
        json_error_code(&err) != json_error_stack_overflow)
        broke(s, "json_loads refuses what json_dumps wrote");
    if (back && !json_equal(v, back))
        broke(s, "json_loads of json_dumps is not equal to the value");
    json_decref(back);
    json_t *copy = json_deep_copy(v);
    if (copy && !json_equal(v, copy))
        broke(s, "json_deep_copy is not equal to the value");
    json_decref(copy);
}

/* Mostly called after every thread finished; when the handles are all taken the kit
   releases a result at once, while other threads run, hence the read lock. */
static void release(void *state, void *obj)
{
    jx_state *s = state;
    if (s) {
        pthread_rwlock_rdlock(&s->lock);
        verify(s, obj);
        pthread_rwlock_unlock(&s->lock);
    }
    json_decref(obj);
}

/* ---- enumerate: what survived the input, for the leak report's cycle ---- */

static const char *type_name(const json_t *v)
{
    static const char *const names[] = {"object", "array", "string", "integer",
                                        "real",   "true",  "false",  "null"};
    return names[json_typeof(v)];
}

/* Every value a handle named that is still alive, and all they hold: none are in flight,
   and a live container's members are alive. */
static void enumerate(ob_graph *g)
{
    jx_walk w;
    walk_init(&w);
    for (size_t k = 0; k < REG_SLOTS; k++) {
        uintptr_t p = atomic_load_explicit(&registry[k], memory_order_relaxed);
        if (p > REG_TOMB)
            walk_mark(&w, (const json_t *)p);
    }
    while (!w.oom && w.head < w.tail) {
        const json_t *v = w.queue[w.head++];
        ob_graph_node(g, (uintptr_t)v, type_name(v));
        walk_members(&w, v, g, NULL);
    }
    walk_free(&w);
}

/* ---- the target ---- */

static const ob_op ops[] = {
    /* constructors and decoders */
    {"object.new", op_object_new, 0, {{0}}, 1},
    {"array.new", op_array_new, 0, {{0}}, 1},
    {"string.new", op_string_new, 1, {OB_BYTES(32)}, 1},
    {"string.sprintf", op_string_sprintf, 2, {OB_BYTES(16), OB_INT(-1000, 1000)}, 1},
    {"integer.new", op_integer_new, 1, {OB_INT(-1000000000, 1000000000)}, 1},
    {"real.new", op_real_new, 1, {OB_ENUM(real_names)}, 1},
    {"constant.new", op_constant_new, 1, {OB_ENUM(constant_names)}, 1},
    {"pack", op_pack, 4, {OB_ENUM(pack_names), OB_HANDLE, OB_HANDLE, OB_ENUM(key_names)}, 1},
    {"load", op_load, 3, {OB_ENUM(source_names), OB_ENUM(load_flag_names), OB_BYTES(64 * 1024)}, 1},
    {"text.add", op_text_add, 1, {OB_BYTES(OB_MAX_BYTES_ARG)}, 0},
    {"text.load", op_text_load, 2, {OB_ENUM(source_names), OB_ENUM(load_flag_names)}, 1},
    /* references */
    {"value.ref", op_value_ref, 1, {OB_HANDLE}, 1},
    /* reads */
    {"copy", op_copy, 2, {OB_HANDLE, OB_ENUM(copy_names)}, 1},
    {"object.get", op_object_get, 2, {OB_HANDLE, OB_ENUM(key_names)}, 1},
    {"array.get", op_array_get, 2, {OB_HANDLE, OB_INT(0, 7)}, 1},
    {"value.read", op_value_read, 1, {OB_HANDLE}, 0},
    {"object.iter", op_object_iter, 1, {OB_HANDLE}, 0},
    {"unpack", op_unpack, 3, {OB_HANDLE, OB_ENUM(unpack_names), OB_ENUM(key_names)}, 0},
    {"equal", op_equal, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"dump", op_dump, 3, {OB_HANDLE, OB_ENUM(dump_flag_names), OB_ENUM(sink_names)}, 0},
    /* mutations */
    {"object.set", op_object_set, 3, {OB_HANDLE, OB_ENUM(key_names), OB_HANDLE}, 0},
    {"object.set_new",
     op_object_set_new,
     3,
     {OB_HANDLE, OB_ENUM(key_names), OB_ENUM(kind_names)},
     0},
    {"object.del", op_object_del, 2, {OB_HANDLE, OB_ENUM(key_names)}, 0},
    {"object.clear", op_object_clear, 1, {OB_HANDLE}, 0},
    {"object.update", op_object_update, 3, {OB_HANDLE, OB_HANDLE, OB_ENUM(update_names)}, 0},
    {"object.iter_set", op_object_iter_set, 3, {OB_HANDLE, OB_ENUM(key_names), OB_HANDLE}, 0},
    {"array.append", op_array_append, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"array.append_new", op_array_append_new, 2, {OB_HANDLE, OB_ENUM(kind_names)}, 0},
    {"array.insert", op_array_insert, 3, {OB_HANDLE, OB_INT(0, 8), OB_HANDLE}, 0},
    {"array.set", op_array_set, 3, {OB_HANDLE, OB_INT(0, 7), OB_HANDLE}, 0},
    {"array.remove", op_array_remove, 2, {OB_HANDLE, OB_INT(0, 7)}, 0},
    {"array.clear", op_array_clear, 1, {OB_HANDLE}, 0},
    {"array.extend", op_array_extend, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"string.set", op_string_set, 2, {OB_HANDLE, OB_BYTES(32)}, 0},
    {"integer.set", op_integer_set, 2, {OB_HANDLE, OB_INT(-1000000000, 1000000000)}, 0},
    {"real.set", op_real_set, 2, {OB_HANDLE, OB_ENUM(real_names)}, 0},
};

static const ob_gauge gauges[] = {
    {"jansson_blocks", gauge_blocks, OB_GAUGE_BALANCED},
    {"jansson_bytes", gauge_bytes, OB_GAUGE_BALANCED},
};

const ob_target ob_harness_target =
    OB_TARGET("jansson", ops, OB_GAUGES(gauges), .init = install, .alloc_hooks = 1, .setup = setup,
              .teardown = teardown, .release = release, .check = check, .enumerate = enumerate);
