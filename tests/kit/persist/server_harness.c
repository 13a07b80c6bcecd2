/*
** server_harness.c: a fixture server that keeps its sessions for the whole process, as
** an embedding server keeps one interpreter, with a seeded bug in its reset: sessions
** survive it. A third session open at once breaks the check, so the finding of an input
** that opens one session needs the two earlier inputs that opened the others.
*/
#include <ouroboros/ob_kit.h>

#include <stdlib.h>
#include <string.h>

enum { SESSIONS = 8, NAME = 15, ALLOWED = 2 };

typedef struct server {
    char names[SESSIONS][NAME + 1];
    int open;
    long requests;
} server;

static server *the_server; /* the persistent state, for the check */

static void *persistent_setup(void)
{
    the_server = calloc(1, sizeof *the_server);
    return the_server;
}

/* The seeded bug: the request count is reset, the sessions are not. */
static void persistent_reset(void *persistent)
{
    server *s = persistent;
    s->requests = 0;
}

static int find(const server *s, const ob_value *name)
{
    for (int i = 0; i < s->open; i++)
        if (strlen(s->names[i]) == name->len && memcmp(s->names[i], name->bytes, name->len) == 0)
            return i;
    return -1;
}

static int op_open(ob_call *c)
{
    server *s = c->persistent;
    s->requests++;
    if (find(s, &c->args[0]) >= 0)
        return 0;
    if (s->open == SESSIONS)
        return 1;
    memcpy(s->names[s->open], c->args[0].bytes, c->args[0].len);
    s->names[s->open++][c->args[0].len] = 0;
    return 0;
}

static int op_close(ob_call *c)
{
    server *s = c->persistent;
    s->requests++;
    int i = find(s, &c->args[0]);
    if (i < 0)
        return 1;
    memmove(s->names[i], s->names[i + 1], (size_t)(s->open - i - 1) * sizeof s->names[0]);
    s->open--;
    return 0;
}

static int op_ping(ob_call *c)
{
    server *s = c->persistent;
    s->requests++;
    return 0;
}

static const char *check(void *state)
{
    (void)state;
    return the_server && the_server->open > ALLOWED ? "more sessions open than the server allows"
                                                    : NULL;
}

static const ob_op ops[] = {
    {"srv.open", op_open, 1, {OB_BYTES(NAME)}, 0},
    {"srv.close", op_close, 1, {OB_BYTES(NAME)}, 0},
    {"srv.ping", op_ping, 0, {{0}}, 0},
};

const ob_target ob_harness_target =
    OB_TARGET("server", ops, .check = check, .persistent_setup = persistent_setup,
              .persistent_reset = persistent_reset);
