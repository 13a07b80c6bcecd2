/*
** tagset_harness.c: the tag registry under concurrent programs, one public function per
** operation.
**
** Each input gets its own set (setup/teardown). Handles hold tag references: tag.get and
** tag.ref make them, release drops them with tag_unref, which is why tag_unref is not an
** operation (a handle it ended would dangle). Tags added with tag.add are held by the set
** alone. Names come from a four-word enum rather than byte strings, so that operations
** keep meeting on the same few tags.
*/
#include <ouroboros/ob_kit.h>

#include "lib/tagset.h"

#include <string.h>

static const char *const names[] = {"bug", "docs", "urgent", "wontfix"};

static const tagset_allocator allocator = {ob_hook_malloc, ob_hook_realloc, ob_hook_free, NULL};
static const tagset_sync sync_hooks = {ob_hook_lock, ob_hook_unlock, ob_hook_yield, NULL};

static void install(void)
{
    tagset_set_allocator(&allocator);
    tagset_set_sync(&sync_hooks);
}

static void *setup(void)
{
    tagset *ts = NULL;
    return tagset_new(&ts) == TAGSET_OK ? ts : NULL;
}

static void teardown(void *state)
{
    if (state)
        tagset_free(state);
}

static void release(void *state, void *obj)
{
    (void)state;
    tag_unref(obj);
}

static const char *name_arg(const ob_call *c)
{
    return names[c->args[0].i];
}

static int op_add(ob_call *c)
{
    const char *n = name_arg(c);
    return c->state ? tagset_add(c->state, n, strlen(n)) : TAGSET_ENOMEM;
}

static int op_get(ob_call *c)
{
    const char *n = name_arg(c);
    tag *t = NULL;
    int rc = c->state ? tagset_get(c->state, n, strlen(n), &t) : TAGSET_ENOMEM;
    c->result = t; /* NULL on an error: the handle stays empty, its users are skipped */
    return rc;
}

static int op_has(ob_call *c)
{
    const char *n = name_arg(c);
    return c->state && tagset_has(c->state, n, strlen(n)) ? 0 : TAGSET_ENOENT;
}

static int op_remove(ob_call *c)
{
    const char *n = name_arg(c);
    return c->state ? tagset_remove(c->state, n, strlen(n)) : TAGSET_ENOMEM;
}

static int op_count(ob_call *c)
{
    if (!c->state)
        return TAGSET_ENOMEM;
    tagset_count(c->state);
    return 0;
}

static int op_ref(ob_call *c)
{
    c->result = tag_ref(c->objs[0]);
    return 0;
}

static int op_name(ob_call *c)
{
    size_t len = 0;
    const char *n = tag_name(c->objs[0], &len);
    return strlen(n) == len ? 0 : TAGSET_EINVAL;
}

static int op_describe(ob_call *c)
{
    return tag_describe(c->objs[0], c->args[1].bytes, c->args[1].len);
}

static int op_description(ob_call *c)
{
    uint8_t buf[16];
    tag_copy_description(c->objs[0], buf, sizeof buf);
    return 0;
}

static const ob_gauge gauges[] = {
    {"live_tags", tagset_live_tags, OB_GAUGE_BALANCED},
    {"description_bytes", tagset_description_bytes, OB_GAUGE_BALANCED},
};

static const ob_op ops[] = {
    {"tag.add", op_add, 1, {OB_ENUM(names)}, 0},
    {"tag.get", op_get, 1, {OB_ENUM(names)}, 1},
    {"tag.has", op_has, 1, {OB_ENUM(names)}, 0},
    {"tag.remove", op_remove, 1, {OB_ENUM(names)}, 0},
    {"tagset.count", op_count, 0, {{0}}, 0},
    {"tag.ref", op_ref, 1, {OB_HANDLE}, 1},
    {"tag.name", op_name, 1, {OB_HANDLE}, 0},
    {"tag.describe", op_describe, 2, {OB_HANDLE, OB_BYTES(24)}, 0},
    {"tag.description", op_description, 1, {OB_HANDLE}, 0},
};

const ob_target ob_harness_target =
    OB_TARGET("tagset", ops, OB_GAUGES(gauges), .init = install, .alloc_hooks = 1, .setup = setup,
              .teardown = teardown, .release = release);
