/*
** cjson_harness.c: cJSON 1.7.15 and cJSON_Utils, their public API as operations.
**
** Handles are boxes. A box owns one detached tree (a root item and everything below it)
** and knows the logical thread that made it. cJSON moves ownership: adding an item to an
** array or object hands the item to it, detaching hands it back, and deleting frees a
** whole subtree. The kit has no model of that, so the box carries it:
** - an operation that moves a box's tree into another (array.add, object.add,
**   array.insert, array.replace, object.replace) empties the box on success: its handle
**   stays valid, and later operations on it are refused. A failed call leaves the tree
**   where it was, since cJSON then did not take it;
** - an operation that takes an item out (array.detach, object.detach) makes a new box;
**   items inside a tree never get a handle, so nothing can name an item that a later
**   delete frees. They are reached by index, key or JSON Pointer;
** - a reference (array.add_ref, object.add_ref, array.reference, object.reference) does
**   not own what it points to, and cJSON requires the referenced item to outlive it and
**   to stay as it is. The referenced box is frozen: it is never written, moved or
**   deleted until its handle is released at the end of the input. The box that holds
**   the reference is marked has_refs, and the operations that write deep inside a tree
**   (cJSON_Utils' patches, merge patches and the sorting they do) refuse it, since their
**   paths could reach into the referenced tree. A box whose root is itself a reference
**   is never written at all: that would write the referenced item. A reference may
**   point at its own container: the API allows it, and it is a cycle;
** - cJSON rejects adding an item to itself, but cJSON_InsertItemInArray and the
**   cJSON_Replace... calls accept it and make the item its own child. The harness reports
**   that at once as an invariant, and the box is then poisoned: no later operation, and
**   no walk or free at release, touches the cyclic tree (it leaks, after the report);
** - items are added the way each call is meant for: the array calls to arrays, the
**   object calls to objects (an array call on an object makes a member without a key,
**   which cJSON_Utils then dereferences), and nothing is added to a reference.
** Threads: cJSON is not thread-safe on one tree, so every tree stays on one logical
** thread. A box is used only by the thread that made it (others are refused), so the
** kit's threads run on disjoint trees, concurrently in the pool executor; what they
** share is cJSON's own global state. cJSON_GetErrorPtr is left out on purpose: its README
** names it as the one call that is not thread-safe.
** Allocation: cJSON_InitHooks takes context-free malloc/free, wired to the kit's hooks
** in cjson_seam.c so that !fail reaches cJSON's error paths; the harness's own
** bookkeeping (boxes, text copies) uses libc and is never failed. Under TSan the blocks
** cJSON holds are a balanced gauge (see gauge_blocks).
** Release checks each tree before freeing it (list links, no owned cycle, and a
** print -> parse -> print round trip) and records what broke for the check hook.
*/
#include <ouroboros/ob_kit.h>

#include "cJSON.h"
#include "cJSON_Utils.h"
#include "harness/cjson/cjson_seam.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* What an operation returns besides 0: the kit only counts these. */
enum {
    CJ_EFAIL = 1,    /* cJSON returned NULL or false */
    CJ_EREFUSED = 2, /* the box is empty, another thread's, or frozen for this call */
    CJ_ENOMEM = 3,   /* the harness's own allocation failed */
};

/* Text handed to cJSON_CreateStringReference must outlive the item, which can move to
   any tree: it lives in the per-input state until teardown. One block for the whole
   input, so that a free of such a string by cJSON is an invalid free at once. Sized for
   every operation of a program making the longest one. */
enum { REF_TEXT_MAX = 64, ARENA_SIZE = OB_MAX_INSTS * (REF_TEXT_MAX + 1) };

typedef struct state {
    pthread_mutex_t lock; /* guards arena_used and broken: operations of all threads */
    size_t arena_used;
    const char *broken; /* the first invariant a release found broken */
    char arena[ARENA_SIZE];
} state;

typedef struct box {
    cJSON *root;     /* the tree this handle owns; NULL once moved away or deleted */
    unsigned thread; /* the logical thread that made it, the only one that uses it */
    int frozen;      /* referenced from some tree: never written, moved or deleted */
    int has_refs;    /* may hold references to arrays or objects of other boxes */
    int poisoned;    /* cJSON put the root inside itself: the tree is cyclic, left alone */
} box;

/* ---- allocator seam and gauge ---- */

/* Blocks cJSON holds through its hooks (cjson_seam.c): every tree dies with its input.
   A gauge only under ThreadSanitizer, which has no LeakSanitizer: a gauge's leak report
   has no stack, so every cJSON leak would sign alike ("leak: cjson_blocks:"), while
   LeakSanitizer signs each by the cJSON call that allocated the lost block. */
static int64_t gauge_blocks(void)
{
    return cj_seam_blocks();
}

/* ---- per-input state ---- */

static void *setup(void)
{
    state *s = calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->lock, NULL);
    return s;
}

static void teardown(void *st)
{
    state *s = st;
    if (!s)
        return;
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void note_broken(state *s, const char *what)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    if (!s->broken)
        s->broken = what;
    pthread_mutex_unlock(&s->lock);
}

/* A NUL-terminated copy of len bytes in the state's arena, or NULL when it is full. */
static char *arena_copy(state *s, const uint8_t *bytes, size_t len)
{
    char *out = NULL;
    if (!s)
        return NULL;
    pthread_mutex_lock(&s->lock);
    if (ARENA_SIZE - s->arena_used > len) {
        out = s->arena + s->arena_used;
        s->arena_used += len + 1;
    }
    pthread_mutex_unlock(&s->lock);
    if (out) {
        memcpy(out, bytes, len);
        out[len] = 0;
    }
    return out;
}

/* ---- boxes and what each call may do with them ---- */

/* The box of argument i when this thread may read its tree, else NULL. */
static box *readable(const ob_call *c, int i)
{
    box *b = c->objs[i];
    return b->thread == c->thread && b->root && !b->poisoned ? b : NULL;
}

/* ... may move its tree into another (a frozen tree stays where references see it). */
static box *movable(const ob_call *c, int i)
{
    box *b = readable(c, i);
    return b && !b->frozen ? b : NULL;
}

/* ... may change the root's own value or list of children: not through a reference. */
static box *writable(const ob_call *c, int i)
{
    box *b = movable(c, i);
    return b && !(b->root->type & cJSON_IsReference) ? b : NULL;
}

/* ... writable, and an array (or an object) that an array (object) call may add to. */
static box *array_box(const ob_call *c, int i)
{
    box *b = writable(c, i);
    return b && cJSON_IsArray(b->root) ? b : NULL;
}

static box *object_box(const ob_call *c, int i)
{
    box *b = writable(c, i);
    return b && cJSON_IsObject(b->root) ? b : NULL;
}

/* ... may let cJSON_Utils write anywhere below the root. */
static box *deep_writable(const ob_call *c, int i)
{
    box *b = writable(c, i);
    return b && !b->has_refs ? b : NULL;
}

/* Boxes a new tree (or frees it, if the harness cannot); cJSON's NULL is CJ_EFAIL. */
static int make_box(ob_call *c, cJSON *root, int has_refs)
{
    if (!root)
        return CJ_EFAIL;
    box *b = calloc(1, sizeof *b);
    if (!b) {
        cJSON_Delete(root);
        return CJ_ENOMEM;
    }
    b->root = root;
    b->thread = c->thread;
    b->has_refs = has_refs;
    c->result = b;
    return 0;
}

/* After cJSON took src's tree into dst's: src no longer owns it. When src is dst, cJSON
   made the root its own child: reported, and the box poisoned. */
static int moved(ob_call *c, box *dst, box *src, cJSON_bool ok)
{
    if (!ok)
        return CJ_EFAIL;
    dst->has_refs |= src->has_refs;
    if (src != dst) {
        src->root = NULL;
        return 0;
    }
    dst->poisoned = 1;
    note_broken(c->state, "cJSON accepted an array or object as an item of itself");
    return 0;
}

/* After a reference to target's root (or its children) went into dst's tree. */
static void referenced(box *dst, box *target)
{
    target->frozen = 1;
    if (target->root->type & (cJSON_Array | cJSON_Object))
        dst->has_refs = 1;
}

/* ---- arguments ---- */

static const char *const keys[] = {"a", "A", "b", "x/~y"};
static const char *const cases[] = {"nocase", "case"};
static const char *const formats[] = {"compact", "pretty"};
static const char *const patch_ops[] = {"add", "remove", "replace", "move", "copy", "test"};

typedef struct text {
    char s[OB_MAX_BYTES_ARG + 1];
} text;

/* Argument i as a C string: cJSON takes most text NUL-terminated (an embedded NUL ends
   it, as it would for any caller). */
static text text_arg(const ob_call *c, int i)
{
    text t;
    memcpy(t.s, c->args[i].bytes, c->args[i].len);
    t.s[c->args[i].len] = 0;
    return t;
}

static const char *key_arg(const ob_call *c, int i)
{
    return keys[c->args[i].i];
}

/* m * 10^e: integers, fractions, subnormals, infinities, and NaN for 0 * 10^320. */
static double number_arg(const ob_call *c, int i)
{
    return (double)c->args[i].i * pow(10.0, (double)c->args[i + 1].i);
}

/* Reads what an accessor returned, as a caller would look at an item it found: one type
   predicate holds, and only a string has a string value. */
static int inspect(ob_call *c, const cJSON *item)
{
    if (!item)
        return CJ_EFAIL;
    int kinds = cJSON_IsInvalid(item) + cJSON_IsFalse(item) + cJSON_IsTrue(item) +
                cJSON_IsNull(item) + cJSON_IsNumber(item) + cJSON_IsString(item) +
                cJSON_IsArray(item) + cJSON_IsObject(item) + cJSON_IsRaw(item);
    int boolean = cJSON_IsTrue(item) || cJSON_IsFalse(item);
    int string = cJSON_GetStringValue(item) != NULL;
    (void)cJSON_GetNumberValue(item);
    if (kinds > 1 || (cJSON_IsBool(item) != 0) != boolean || string != (cJSON_IsString(item) != 0))
        note_broken(c->state, "cJSON_Is*: the type predicates disagree");
    return 0;
}

/* ---- make ---- */

static int op_null_new(ob_call *c)
{
    return make_box(c, cJSON_CreateNull(), 0);
}

static int op_true_new(ob_call *c)
{
    return make_box(c, cJSON_CreateTrue(), 0);
}

static int op_false_new(ob_call *c)
{
    return make_box(c, cJSON_CreateFalse(), 0);
}

static int op_bool_new(ob_call *c)
{
    return make_box(c, cJSON_CreateBool((cJSON_bool)c->args[0].i), 0);
}

static int op_number_new(ob_call *c)
{
    return make_box(c, cJSON_CreateNumber(number_arg(c, 0)), 0);
}

static int op_string_new(ob_call *c)
{
    text t = text_arg(c, 0);
    return make_box(c, cJSON_CreateString(t.s), 0);
}

static int op_string_reference(ob_call *c)
{
    char *s = arena_copy(c->state, c->args[0].bytes, c->args[0].len);
    return s ? make_box(c, cJSON_CreateStringReference(s), 0) : CJ_ENOMEM;
}

static int op_raw_new(ob_call *c)
{
    text t = text_arg(c, 0);
    return make_box(c, cJSON_CreateRaw(t.s), 0);
}

static int op_array_new(ob_call *c)
{
    return make_box(c, cJSON_CreateArray(), 0);
}

static int op_object_new(ob_call *c)
{
    return make_box(c, cJSON_CreateObject(), 0);
}

/* Each byte is one signed number. */
static int op_array_of_ints(ob_call *c)
{
    int n[OB_MAX_BYTES_ARG];
    for (size_t i = 0; i < c->args[0].len; i++)
        n[i] = (signed char)c->args[0].bytes[i];
    return make_box(c, cJSON_CreateIntArray(n, (int)c->args[0].len), 0);
}

/* Each byte b is the number b / 8 - 16, so fractions come out too. */
static int op_array_of_doubles(ob_call *c)
{
    double n[OB_MAX_BYTES_ARG];
    for (size_t i = 0; i < c->args[0].len; i++)
        n[i] = c->args[0].bytes[i] / 8.0 - 16.0;
    return make_box(c, cJSON_CreateDoubleArray(n, (int)c->args[0].len), 0);
}

static int op_array_of_floats(ob_call *c)
{
    float n[OB_MAX_BYTES_ARG];
    for (size_t i = 0; i < c->args[0].len; i++)
        n[i] = (float)(c->args[0].bytes[i] / 8.0 - 16.0);
    return make_box(c, cJSON_CreateFloatArray(n, (int)c->args[0].len), 0);
}

/* The text split at commas: "a,b," is three strings. */
static int op_array_of_strings(ob_call *c)
{
    text t = text_arg(c, 0);
    const char *parts[OB_MAX_BYTES_ARG + 1];
    int n = 0;
    parts[n++] = t.s;
    for (char *p = t.s; *p; p++)
        if (*p == ',') {
            *p = 0;
            parts[n++] = p + 1;
        }
    return make_box(c, cJSON_CreateStringArray(parts, n), 0);
}

/* An array that only references the elements of another box's array (an object
   reference, the members of an object), as cJSON's own tests use them. */
static int op_array_reference(ob_call *c)
{
    box *target = readable(c, 0);
    if (!target || !cJSON_IsArray(target->root))
        return CJ_EREFUSED;
    int rc = make_box(c, cJSON_CreateArrayReference(target->root->child), 1);
    if (rc == 0)
        target->frozen = 1;
    return rc;
}

static int op_object_reference(ob_call *c)
{
    box *target = readable(c, 0);
    if (!target || !cJSON_IsObject(target->root))
        return CJ_EREFUSED;
    int rc = make_box(c, cJSON_CreateObjectReference(target->root->child), 1);
    if (rc == 0)
        target->frozen = 1;
    return rc;
}

/* ---- parse ---- */

/* The bytes in a block of their exact size (plus the terminator when nul), so that a
   read past the end is an overflow ASan sees. Never empty: malloc(0) may return NULL. */
static char *exact_copy(const ob_value *v, int nul)
{
    char *copy = malloc(v->len + (nul || !v->len));
    if (!copy)
        return NULL;
    memcpy(copy, v->bytes, v->len);
    if (nul)
        copy[v->len] = 0;
    return copy;
}

static int op_parse(ob_call *c)
{
    const ob_value *v = &c->args[0];
    char *copy = exact_copy(v, 0);
    if (!copy)
        return CJ_ENOMEM;
    cJSON *root = cJSON_ParseWithLength(copy, v->len);
    free(copy);
    return make_box(c, root, 0);
}

/* cJSON_ParseWithOpts on a NUL-terminated copy in a block of its exact size, so that a
   read past the terminator is an overflow; return_parse_end must point into it. */
static int op_parse_cstring(ob_call *c)
{
    const ob_value *v = &c->args[0];
    char *copy = exact_copy(v, 1);
    if (!copy)
        return CJ_ENOMEM;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(copy, &end, (cJSON_bool)c->args[1].i);
    if (end && (end < copy || end > copy + v->len))
        note_broken(c->state, "cJSON_ParseWithOpts: return_parse_end outside the input");
    free(copy);
    return make_box(c, root, 0);
}

/* cJSON_ParseWithLengthOpts on the bytes as they are, in a block of their exact size. */
static int op_parse_opts(ob_call *c)
{
    const ob_value *v = &c->args[0];
    char *copy = exact_copy(v, 0);
    if (!copy)
        return CJ_ENOMEM;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, v->len, &end, (cJSON_bool)c->args[1].i);
    if (end && v->len && (end < copy || end > copy + v->len))
        note_broken(c->state, "cJSON_ParseWithLengthOpts: return_parse_end outside the input");
    free(copy);
    return make_box(c, root, 0);
}

/* cJSON_Minify in place, on a copy in a block of its exact size. */
static int op_minify(ob_call *c)
{
    const ob_value *v = &c->args[0];
    char *copy = exact_copy(v, 1);
    if (!copy)
        return CJ_ENOMEM;
    size_t before = strlen(copy);
    cJSON_Minify(copy);
    if (strlen(copy) > before)
        note_broken(c->state, "cJSON_Minify: the output is longer than the input");
    free(copy);
    return 0;
}

/* ---- link: ownership moves into the container ---- */

static int op_array_add(ob_call *c)
{
    box *dst = array_box(c, 0), *src = movable(c, 1);
    if (!dst || !src)
        return CJ_EREFUSED;
    return moved(c, dst, src, cJSON_AddItemToArray(dst->root, src->root));
}

static int op_object_add(ob_call *c)
{
    box *dst = object_box(c, 0), *src = movable(c, 2);
    if (!dst || !src)
        return CJ_EREFUSED;
    return moved(c, dst, src, cJSON_AddItemToObject(dst->root, key_arg(c, 1), src->root));
}

/* The keys are string literals, as cJSON_AddItemToObjectCS requires. */
static int op_object_add_cs(ob_call *c)
{
    box *dst = object_box(c, 0), *src = movable(c, 2);
    if (!dst || !src)
        return CJ_EREFUSED;
    return moved(c, dst, src, cJSON_AddItemToObjectCS(dst->root, key_arg(c, 1), src->root));
}

static int op_array_insert(ob_call *c)
{
    box *dst = array_box(c, 0), *src = movable(c, 2);
    if (!dst || !src)
        return CJ_EREFUSED;
    return moved(c, dst, src, cJSON_InsertItemInArray(dst->root, (int)c->args[1].i, src->root));
}

/* The replaced item is freed by cJSON; its replacement moves in. */
static int op_array_replace(ob_call *c)
{
    box *dst = array_box(c, 0), *src = movable(c, 2);
    if (!dst || !src)
        return CJ_EREFUSED;
    return moved(c, dst, src, cJSON_ReplaceItemInArray(dst->root, (int)c->args[1].i, src->root));
}

static int op_object_replace(ob_call *c)
{
    box *dst = object_box(c, 0), *src = movable(c, 2);
    if (!dst || !src)
        return CJ_EREFUSED;
    const char *k = key_arg(c, 1);
    cJSON_bool ok = c->args[3].i ? cJSON_ReplaceItemInObjectCaseSensitive(dst->root, k, src->root)
                                 : cJSON_ReplaceItemInObject(dst->root, k, src->root);
    return moved(c, dst, src, ok);
}

static int op_array_add_ref(ob_call *c)
{
    box *dst = array_box(c, 0), *target = readable(c, 1);
    if (!dst || !target)
        return CJ_EREFUSED;
    if (!cJSON_AddItemReferenceToArray(dst->root, target->root))
        return CJ_EFAIL;
    referenced(dst, target);
    return 0;
}

static int op_object_add_ref(ob_call *c)
{
    box *dst = object_box(c, 0), *target = readable(c, 2);
    if (!dst || !target)
        return CJ_EREFUSED;
    if (!cJSON_AddItemReferenceToObject(dst->root, key_arg(c, 1), target->root))
        return CJ_EFAIL;
    referenced(dst, target);
    return 0;
}

/* ---- the cJSON_Add...ToObject helpers: they make the item and add it in one call ---- */

static int added(const cJSON *item)
{
    return item ? 0 : CJ_EFAIL;
}

static int op_object_add_null(ob_call *c)
{
    box *dst = object_box(c, 0);
    return dst ? added(cJSON_AddNullToObject(dst->root, key_arg(c, 1))) : CJ_EREFUSED;
}

static int op_object_add_true(ob_call *c)
{
    box *dst = object_box(c, 0);
    return dst ? added(cJSON_AddTrueToObject(dst->root, key_arg(c, 1))) : CJ_EREFUSED;
}

static int op_object_add_false(ob_call *c)
{
    box *dst = object_box(c, 0);
    return dst ? added(cJSON_AddFalseToObject(dst->root, key_arg(c, 1))) : CJ_EREFUSED;
}

static int op_object_add_bool(ob_call *c)
{
    box *dst = object_box(c, 0);
    cJSON_bool v = (cJSON_bool)c->args[2].i;
    return dst ? added(cJSON_AddBoolToObject(dst->root, key_arg(c, 1), v)) : CJ_EREFUSED;
}

static int op_object_add_number(ob_call *c)
{
    box *dst = object_box(c, 0);
    double v = number_arg(c, 2);
    return dst ? added(cJSON_AddNumberToObject(dst->root, key_arg(c, 1), v)) : CJ_EREFUSED;
}

static int op_object_add_string(ob_call *c)
{
    box *dst = object_box(c, 0);
    text t = text_arg(c, 2);
    return dst ? added(cJSON_AddStringToObject(dst->root, key_arg(c, 1), t.s)) : CJ_EREFUSED;
}

static int op_object_add_raw(ob_call *c)
{
    box *dst = object_box(c, 0);
    text t = text_arg(c, 2);
    return dst ? added(cJSON_AddRawToObject(dst->root, key_arg(c, 1), t.s)) : CJ_EREFUSED;
}

static int op_object_add_object(ob_call *c)
{
    box *dst = object_box(c, 0);
    return dst ? added(cJSON_AddObjectToObject(dst->root, key_arg(c, 1))) : CJ_EREFUSED;
}

static int op_object_add_array(ob_call *c)
{
    box *dst = object_box(c, 0);
    return dst ? added(cJSON_AddArrayToObject(dst->root, key_arg(c, 1))) : CJ_EREFUSED;
}

/* ---- unlink and free ---- */

/* The detached item may be (or hold) a reference: the new box inherits has_refs. */
static int op_array_detach(ob_call *c)
{
    box *src = writable(c, 0);
    if (!src)
        return CJ_EREFUSED;
    return make_box(c, cJSON_DetachItemFromArray(src->root, (int)c->args[1].i), src->has_refs);
}

static int op_object_detach(ob_call *c)
{
    box *src = writable(c, 0);
    if (!src)
        return CJ_EREFUSED;
    const char *k = key_arg(c, 1);
    cJSON *item = c->args[2].i ? cJSON_DetachItemFromObjectCaseSensitive(src->root, k)
                               : cJSON_DetachItemFromObject(src->root, k);
    return make_box(c, item, src->has_refs);
}

static int op_array_delete(ob_call *c)
{
    box *b = writable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    cJSON_DeleteItemFromArray(b->root, (int)c->args[1].i);
    return 0;
}

static int op_object_delete(ob_call *c)
{
    box *b = writable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    if (c->args[2].i)
        cJSON_DeleteItemFromObjectCaseSensitive(b->root, key_arg(c, 1));
    else
        cJSON_DeleteItemFromObject(b->root, key_arg(c, 1));
    return 0;
}

/* cJSON_Delete of the whole tree; the box stays, empty. */
static int op_item_delete(ob_call *c)
{
    box *b = movable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    cJSON_Delete(b->root);
    b->root = NULL;
    return 0;
}

/* ---- copy, compare, values ---- */

/* A duplicate holds no references: cJSON copies what they point to. */
static int op_item_duplicate(ob_call *c)
{
    box *b = readable(c, 0);
    return b ? make_box(c, cJSON_Duplicate(b->root, (cJSON_bool)c->args[1].i), 0) : CJ_EREFUSED;
}

static int op_item_compare(ob_call *c)
{
    box *a = readable(c, 0), *b = readable(c, 1);
    if (!a || !b)
        return CJ_EREFUSED;
    return cJSON_Compare(a->root, b->root, (cJSON_bool)c->args[2].i) ? 0 : CJ_EFAIL;
}

static int op_item_inspect(ob_call *c)
{
    box *b = readable(c, 0);
    return b ? inspect(c, b->root) : CJ_EREFUSED;
}

static int op_array_size(ob_call *c)
{
    box *b = readable(c, 0);
    return b ? (cJSON_GetArraySize(b->root) >= 0 ? 0 : CJ_EFAIL) : CJ_EREFUSED;
}

static int op_array_get(ob_call *c)
{
    box *b = readable(c, 0);
    return b ? inspect(c, cJSON_GetArrayItem(b->root, (int)c->args[1].i)) : CJ_EREFUSED;
}

static int op_object_get(ob_call *c)
{
    box *b = readable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    const char *k = key_arg(c, 1);
    return inspect(c, c->args[2].i ? cJSON_GetObjectItemCaseSensitive(b->root, k)
                                   : cJSON_GetObjectItem(b->root, k));
}

static int op_object_has(ob_call *c)
{
    box *b = readable(c, 0);
    return b ? (cJSON_HasObjectItem(b->root, key_arg(c, 1)) ? 0 : CJ_EFAIL) : CJ_EREFUSED;
}

/* cJSON_SetValuestring refuses a string reference itself: the harness lets it. */
static int op_string_set(ob_call *c)
{
    box *b = movable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    text t = text_arg(c, 1);
    return cJSON_SetValuestring(b->root, t.s) ? 0 : CJ_EFAIL;
}

/* cJSON_SetNumberValue is this call, as a macro. */
static int op_number_set(ob_call *c)
{
    box *b = writable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    cJSON_SetNumberHelper(b->root, number_arg(c, 1));
    return 0;
}

/* ---- print ---- */

/* Every printer must agree with cJSON_Print(Unformatted) on the same tree. */
static void same_text(ob_call *c, const box *b, const char *out, int pretty, const char *what)
{
    char *want = pretty ? cJSON_Print(b->root) : cJSON_PrintUnformatted(b->root);
    if (want && strcmp(want, out) != 0)
        note_broken(c->state, what);
    cJSON_free(want);
}

static int op_item_print(ob_call *c)
{
    box *b = readable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    char *out = c->args[1].i ? cJSON_Print(b->root) : cJSON_PrintUnformatted(b->root);
    cJSON_free(out);
    return out ? 0 : CJ_EFAIL;
}

static int op_item_print_buffered(ob_call *c)
{
    box *b = readable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    int pretty = (int)c->args[2].i;
    char *out = cJSON_PrintBuffered(b->root, (int)c->args[1].i, pretty);
    if (!out)
        return CJ_EFAIL;
    same_text(c, b, out, pretty, "cJSON_PrintBuffered differs from cJSON_Print");
    cJSON_free(out);
    return 0;
}

/* Into a block of exactly the given length (one byte for 0, where malloc(0) may be NULL),
   so a write past it is an overflow. */
static int op_item_print_preallocated(ob_call *c)
{
    box *b = readable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    int len = (int)c->args[1].i, pretty = (int)c->args[2].i;
    char *buf = malloc(len ? (size_t)len : 1);
    if (!buf)
        return CJ_ENOMEM;
    int rc = CJ_EFAIL;
    if (cJSON_PrintPreallocated(b->root, buf, len, pretty)) {
        same_text(c, b, buf, pretty, "cJSON_PrintPreallocated differs from cJSON_Print");
        rc = 0;
    }
    free(buf);
    return rc;
}

/* ---- cJSON_Utils ---- */

static int op_pointer_get(ob_call *c)
{
    box *b = readable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    text t = text_arg(c, 1);
    return inspect(c, c->args[2].i ? cJSONUtils_GetPointerCaseSensitive(b->root, t.s)
                                   : cJSONUtils_GetPointer(b->root, t.s));
}

/* The n-th item of a tree in preorder, not entering references nor going deeper than
   the harness's own recursion should (a broken tree may be cyclic), or NULL. */
enum { NTH_DEPTH = 32 };

static const cJSON *nth_item(const cJSON *item, int64_t *n, int depth)
{
    if ((*n)-- == 0)
        return item;
    if ((item->type & cJSON_IsReference) || depth == NTH_DEPTH)
        return NULL;
    for (const cJSON *child = item->child; child; child = child->next) {
        const cJSON *found = nth_item(child, n, depth + 1);
        if (found || *n < 0)
            return found;
    }
    return NULL;
}

/* The pointer cJSON finds for an item of the tree must lead back to an item. */
static int op_pointer_find(ob_call *c)
{
    box *b = readable(c, 0);
    if (!b)
        return CJ_EREFUSED;
    int64_t n = c->args[1].i;
    const cJSON *target = nth_item(b->root, &n, 0);
    if (!target)
        return CJ_EFAIL;
    char *pointer = cJSONUtils_FindPointerFromObjectTo(b->root, target);
    if (!pointer)
        return CJ_EFAIL;
    if (!cJSONUtils_GetPointerCaseSensitive(b->root, pointer))
        note_broken(c->state, "cJSONUtils_FindPointerFromObjectTo: its pointer leads nowhere");
    cJSON_free(pointer);
    return 0;
}

/* RFC 6902 patches from one tree to another; both are sorted in place by cJSON. */
static int op_patch_generate(ob_call *c)
{
    box *from = deep_writable(c, 0), *to = deep_writable(c, 1);
    if (!from || !to)
        return CJ_EREFUSED;
    cJSON *patches = c->args[2].i ? cJSONUtils_GeneratePatchesCaseSensitive(from->root, to->root)
                                  : cJSONUtils_GeneratePatches(from->root, to->root);
    return make_box(c, patches, 0);
}

/* Appends {"op", "path", "value": a copy of the value} to an array of patches. */
static int op_patch_add(ob_call *c)
{
    box *patches = array_box(c, 0), *value = readable(c, 3);
    if (!patches || !value)
        return CJ_EREFUSED;
    text path = text_arg(c, 2);
    cJSONUtils_AddPatchToArray(patches->root, patch_ops[c->args[1].i], path.s, value->root);
    return 0;
}

/* The patches are read only; the target must not be the patches themselves. */
static int op_patch_apply(ob_call *c)
{
    box *target = deep_writable(c, 0), *patches = readable(c, 1);
    if (!target || !patches || target == patches)
        return CJ_EREFUSED;
    int rc = c->args[2].i ? cJSONUtils_ApplyPatchesCaseSensitive(target->root, patches->root)
                          : cJSONUtils_ApplyPatches(target->root, patches->root);
    return rc ? CJ_EFAIL : 0;
}

/* RFC 7396: the result replaces the target (cJSON may free the old root). */
static int op_merge_apply(ob_call *c)
{
    box *target = deep_writable(c, 0), *patch = readable(c, 1);
    if (!target || !patch || target == patch)
        return CJ_EREFUSED;
    target->root = c->args[2].i ? cJSONUtils_MergePatchCaseSensitive(target->root, patch->root)
                                : cJSONUtils_MergePatch(target->root, patch->root);
    return target->root ? 0 : CJ_EFAIL;
}

static int op_merge_generate(ob_call *c)
{
    box *from = deep_writable(c, 0), *to = deep_writable(c, 1);
    if (!from || !to)
        return CJ_EREFUSED;
    cJSON *patch = c->args[2].i ? cJSONUtils_GenerateMergePatchCaseSensitive(from->root, to->root)
                                : cJSONUtils_GenerateMergePatch(from->root, to->root);
    return make_box(c, patch, 0);
}

/* Sorts the root's own members only. */
static int op_object_sort(ob_call *c)
{
    box *b = object_box(c, 0);
    if (!b)
        return CJ_EREFUSED;
    if (c->args[1].i)
        cJSONUtils_SortObjectCaseSensitive(b->root);
    else
        cJSONUtils_SortObject(b->root);
    return 0;
}

/* ---- release: check the tree, then free it ---- */

/* What a walk over a tree saw. Reference items are counted but not entered: what they
   point to belongs to a box that may already be freed. */
typedef struct survey {
    size_t items, limit;
    size_t depth;
    int references, raw, invalid;
    const char *broken;
} survey;

static int valid_type(const cJSON *item)
{
    switch (item->type & 0xFF) {
    case cJSON_False:
    case cJSON_True:
    case cJSON_NULL:
    case cJSON_Number:
    case cJSON_String:
    case cJSON_Array:
    case cJSON_Object:
    case cJSON_Raw:
        return 1;
    default:
        return 0;
    }
}

static const char owned_cycle[] = "cJSON tree: an item is its own descendant (an owned cycle)";

/* One list of children: prev of the first is the last, every next's prev is its
   predecessor, and no item appears in its own list. */
static const char *check_list(const cJSON *parent, survey *v)
{
    const cJSON *first = parent->child, *last = first;
    if (!first)
        return NULL;
    if (!first->prev)
        return "cJSON list: the first child's prev is not the last child";
    for (const cJSON *it = first; it; it = it->next) {
        if (it == parent || ++v->items > v->limit)
            return owned_cycle;
        if (it->next && it->next->prev != it)
            return "cJSON list: an item's next does not point back to it";
        last = it;
    }
    return last == first->prev ? NULL : "cJSON list: the first child's prev is not the last child";
}

/* Depth-first over owned items, with an explicit stack: the walk runs on a fiber and a
   broken tree may be very deep. */
static void survey_tree(const cJSON *root, survey *v)
{
    size_t cap = 64, n = 0;
    const cJSON **todo = malloc(cap * sizeof *todo);
    size_t *depth = malloc(cap * sizeof *depth);
    if (!todo || !depth) {
        free(todo);
        free(depth);
        v->broken = NULL;
        v->invalid = 1; /* unknown: no round trip */
        return;
    }
    todo[n] = root;
    depth[n++] = 1;
    v->items = 1;
    while (n > 0 && !v->broken) {
        const cJSON *item = todo[--n];
        size_t d = depth[n];
        v->depth = d > v->depth ? d : v->depth;
        v->raw |= (item->type & 0xFF) == cJSON_Raw;
        v->invalid |= !valid_type(item);
        if (item->type & cJSON_IsReference) {
            v->references = 1;
            continue;
        }
        v->broken = check_list(item, v);
        for (const cJSON *child = item->child; child && !v->broken; child = child->next) {
            if (n == cap) {
                cap *= 2;
                const cJSON **t = realloc(todo, cap * sizeof *todo);
                size_t *e = realloc(depth, cap * sizeof *depth);
                todo = t ? t : todo;
                depth = e ? e : depth;
                if (!t || !e) {
                    v->invalid = 1;
                    break;
                }
            }
            todo[n] = child;
            depth[n++] = d + 1;
        }
    }
    free(todo);
    free(depth);
}

/* text -> parse -> text must give the same text, compact and pretty alike. */
static const char *round_trip(const cJSON *root)
{
    const char *broken = NULL;
    char *compact = cJSON_PrintUnformatted(root), *pretty = cJSON_Print(root);
    if (!compact || !pretty)
        broken = "cJSON_Print failed on a valid tree without injected failures";
    for (int i = 0; i < 2 && !broken; i++) {
        cJSON *again = cJSON_Parse(i ? pretty : compact);
        char *text = again ? cJSON_PrintUnformatted(again) : NULL;
        if (!again)
            broken = "cJSON_Parse rejects what cJSON_Print printed";
        else if (text && strcmp(text, compact) != 0)
            broken = "cJSON print -> parse -> print changes the text";
        cJSON_free(text);
        cJSON_Delete(again);
    }
    cJSON_free(compact);
    cJSON_free(pretty);
    return broken;
}

static void release(void *st, void *obj)
{
    box *b = obj;
    if (b->root && !b->poisoned) {
        /* A tree cannot have more items than cJSON holds blocks. */
        survey v = {0, (size_t)gauge_blocks() + 1, 0, 0, 0, 0, NULL};
        survey_tree(b->root, &v);
        if (!v.broken && !v.references && !v.raw && !v.invalid && v.depth < CJSON_NESTING_LIMIT)
            v.broken = round_trip(b->root);
        if (v.broken && st)
            note_broken(st, v.broken);
        /* A cyclic tree is kept (and reported): cJSON_Delete would never end. */
        if (v.broken != owned_cycle)
            cJSON_Delete(b->root);
    }
    free(b);
}

static const char *check(void *st)
{
    state *s = st;
    return s ? s->broken : NULL;
}

/* ---- the operation table ---- */

#define NUMBER OB_INT(-1000000, 1000000), OB_INT(-330, 330)
#define INDEX OB_INT(0, 7)

static const ob_op ops[] = {
    /* make */
    {"null.new", op_null_new, 0, {{0}}, 1},
    {"true.new", op_true_new, 0, {{0}}, 1},
    {"false.new", op_false_new, 0, {{0}}, 1},
    {"bool.new", op_bool_new, 1, {OB_INT(0, 1)}, 1},
    {"number.new", op_number_new, 2, {NUMBER}, 1},
    {"string.new", op_string_new, 1, {OB_BYTES(REF_TEXT_MAX)}, 1},
    {"string.reference", op_string_reference, 1, {OB_BYTES(REF_TEXT_MAX)}, 1},
    {"raw.new", op_raw_new, 1, {OB_BYTES(REF_TEXT_MAX)}, 1},
    {"array.new", op_array_new, 0, {{0}}, 1},
    {"object.new", op_object_new, 0, {{0}}, 1},
    {"array.of_ints", op_array_of_ints, 1, {OB_BYTES(32)}, 1},
    {"array.of_doubles", op_array_of_doubles, 1, {OB_BYTES(32)}, 1},
    {"array.of_floats", op_array_of_floats, 1, {OB_BYTES(32)}, 1},
    {"array.of_strings", op_array_of_strings, 1, {OB_BYTES(REF_TEXT_MAX)}, 1},
    {"array.reference", op_array_reference, 1, {OB_HANDLE}, 1},
    {"object.reference", op_object_reference, 1, {OB_HANDLE}, 1},
    /* parse */
    {"parse", op_parse, 1, {OB_BYTES(64 * 1024)}, 1},
    {"parse.cstring", op_parse_cstring, 2, {OB_BYTES(64 * 1024), OB_INT(0, 1)}, 1},
    {"parse.opts", op_parse_opts, 2, {OB_BYTES(64 * 1024), OB_INT(0, 1)}, 1},
    {"minify", op_minify, 1, {OB_BYTES(OB_MAX_BYTES_ARG)}, 0},
    /* link */
    {"array.add", op_array_add, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"object.add", op_object_add, 3, {OB_HANDLE, OB_ENUM(keys), OB_HANDLE}, 0},
    {"object.add_cs", op_object_add_cs, 3, {OB_HANDLE, OB_ENUM(keys), OB_HANDLE}, 0},
    {"array.insert", op_array_insert, 3, {OB_HANDLE, INDEX, OB_HANDLE}, 0},
    {"array.replace", op_array_replace, 3, {OB_HANDLE, INDEX, OB_HANDLE}, 0},
    {"object.replace",
     op_object_replace,
     4,
     {OB_HANDLE, OB_ENUM(keys), OB_HANDLE, OB_ENUM(cases)},
     0},
    {"array.add_ref", op_array_add_ref, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"object.add_ref", op_object_add_ref, 3, {OB_HANDLE, OB_ENUM(keys), OB_HANDLE}, 0},
    {"object.add_null", op_object_add_null, 2, {OB_HANDLE, OB_ENUM(keys)}, 0},
    {"object.add_true", op_object_add_true, 2, {OB_HANDLE, OB_ENUM(keys)}, 0},
    {"object.add_false", op_object_add_false, 2, {OB_HANDLE, OB_ENUM(keys)}, 0},
    {"object.add_bool", op_object_add_bool, 3, {OB_HANDLE, OB_ENUM(keys), OB_INT(0, 1)}, 0},
    {"object.add_number", op_object_add_number, 4, {OB_HANDLE, OB_ENUM(keys), NUMBER}, 0},
    {"object.add_string",
     op_object_add_string,
     3,
     {OB_HANDLE, OB_ENUM(keys), OB_BYTES(REF_TEXT_MAX)},
     0},
    {"object.add_raw", op_object_add_raw, 3, {OB_HANDLE, OB_ENUM(keys), OB_BYTES(REF_TEXT_MAX)}, 0},
    {"object.add_object", op_object_add_object, 2, {OB_HANDLE, OB_ENUM(keys)}, 0},
    {"object.add_array", op_object_add_array, 2, {OB_HANDLE, OB_ENUM(keys)}, 0},
    /* unlink and free */
    {"array.detach", op_array_detach, 2, {OB_HANDLE, INDEX}, 1},
    {"object.detach", op_object_detach, 3, {OB_HANDLE, OB_ENUM(keys), OB_ENUM(cases)}, 1},
    {"array.delete", op_array_delete, 2, {OB_HANDLE, INDEX}, 0},
    {"object.delete", op_object_delete, 3, {OB_HANDLE, OB_ENUM(keys), OB_ENUM(cases)}, 0},
    {"item.delete", op_item_delete, 1, {OB_HANDLE}, 0},
    /* copy, compare, read, set */
    {"item.duplicate", op_item_duplicate, 2, {OB_HANDLE, OB_INT(0, 1)}, 1},
    {"item.compare", op_item_compare, 3, {OB_HANDLE, OB_HANDLE, OB_ENUM(cases)}, 0},
    {"item.inspect", op_item_inspect, 1, {OB_HANDLE}, 0},
    {"array.size", op_array_size, 1, {OB_HANDLE}, 0},
    {"array.get", op_array_get, 2, {OB_HANDLE, INDEX}, 0},
    {"object.get", op_object_get, 3, {OB_HANDLE, OB_ENUM(keys), OB_ENUM(cases)}, 0},
    {"object.has", op_object_has, 2, {OB_HANDLE, OB_ENUM(keys)}, 0},
    {"string.set", op_string_set, 2, {OB_HANDLE, OB_BYTES(REF_TEXT_MAX)}, 0},
    {"number.set", op_number_set, 3, {OB_HANDLE, NUMBER}, 0},
    /* print */
    {"item.print", op_item_print, 2, {OB_HANDLE, OB_ENUM(formats)}, 0},
    {"item.print_buffered",
     op_item_print_buffered,
     3,
     {OB_HANDLE, OB_INT(0, 300), OB_ENUM(formats)},
     0},
    {"item.print_preallocated",
     op_item_print_preallocated,
     3,
     {OB_HANDLE, OB_INT(0, 300), OB_ENUM(formats)},
     0},
    /* cJSON_Utils */
    {"pointer.get", op_pointer_get, 3, {OB_HANDLE, OB_BYTES(32), OB_ENUM(cases)}, 0},
    {"pointer.find", op_pointer_find, 2, {OB_HANDLE, OB_INT(0, 15)}, 0},
    {"patch.generate", op_patch_generate, 3, {OB_HANDLE, OB_HANDLE, OB_ENUM(cases)}, 1},
    {"patch.add", op_patch_add, 4, {OB_HANDLE, OB_ENUM(patch_ops), OB_BYTES(32), OB_HANDLE}, 0},
    {"patch.apply", op_patch_apply, 3, {OB_HANDLE, OB_HANDLE, OB_ENUM(cases)}, 0},
    {"merge.apply", op_merge_apply, 3, {OB_HANDLE, OB_HANDLE, OB_ENUM(cases)}, 0},
    {"merge.generate", op_merge_generate, 3, {OB_HANDLE, OB_HANDLE, OB_ENUM(cases)}, 1},
    {"object.sort", op_object_sort, 2, {OB_HANDLE, OB_ENUM(cases)}, 0},
};

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CJ_GAUGE_BLOCKS 1
#endif
#endif

#ifdef CJ_GAUGE_BLOCKS
static const ob_gauge gauges[] = {
    {"cjson_blocks", gauge_blocks, OB_GAUGE_BALANCED},
};
#define CJ_GAUGES OB_GAUGES(gauges)
#else
#define CJ_GAUGES .gauges = NULL
#endif

const ob_target ob_harness_target =
    OB_TARGET("cjson", ops, CJ_GAUGES, .init = cj_seam_install, .alloc_hooks = 1, .setup = setup,
              .teardown = teardown, .release = release, .check = check);
