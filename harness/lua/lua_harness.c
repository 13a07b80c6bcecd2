/*
** lua_harness.c: Lua 5.4's C API under concurrent programs: tables, strings, userdata,
** fields and raw indices, metatables, the registry's references, chunks loaded and run,
** calls, coroutines (lua_newthread, lua_resume, lua_resetthread), upvalues, user values,
** dumps, to-be-closed slots and the collector.
**
** One Lua state per input (setup makes it with lua_newstate, teardown closes it), whose
** allocator is the kit's hooks, so `!fail=N` reaches Lua's memory errors. A lua_State is
** not thread-safe, so each logical kit thread runs on its own Lua thread of that state
** (lua_newthread, made by its first operation), and one per-input mutex, taken through
** the kit's lock hook, serializes every operation: what Lua's lua_lock hook would do,
** which the library's default build leaves empty. Interleavings therefore happen between
** operations. Every operation's body runs under lua_pcall, because any API call that
** allocates may raise an error and an error outside a protected call ends in a panic.
**
** Handles hold registry references (luaL_ref) to any Lua value, nil included; release
** drops them (luaL_unref). The program's own luaL_ref/luaL_unref live in eight numbered
** registry slots, so no reference is ever unreferenced twice. Lua code runs under a count
** hook with an instruction budget per operation and per input, so that a loop in a chunk
** ends in an error instead of a hang; memory is capped per state, as an embedder would.
** Only the safe standard libraries are open: base (without dofile, loadfile, and with a
** print that writes nothing and a load that takes text only: Lua does not check binary
** chunks, so loading crafted bytecode crashes by design), coroutine, table, string, math
** and utf8.
*/
#include <ouroboros/ob_kit.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum {
    /* The count hook runs every HOOK_EVERY instructions; each run spends one tick. */
    HOOK_EVERY = 1000,
    /* 200,000 instructions per operation, 2 million per input (a few tenths of a second
       under ASan, far below the hang detector's 5 s), and a budget of their own for the
       finalizers that collect and lua_close run. */
    OP_TICKS = 200,
    INPUT_TICKS = 2000,
    CLOSE_TICKS = 200,
    /* Memory one state may hold: enough for any program of 256 operations that does not
       try to exhaust memory, small enough that string.rep(s, 1e12) fails fast. */
    MEMORY_CAP = 32 << 20,
    REF_SLOTS = 8,
};

/* Error codes of operations, past Lua's own status codes (LUA_ERRRUN ... LUA_ERRERR). */
enum {
    LH_ENOSTATE = 16, /* setup could not make the state */
    LH_ETYPE = 17,    /* the value is of a type the API call does not take */
    LH_ERANGE = 18,   /* an index the object does not have */
    LH_ESTACK = 19,   /* lua_checkstack refused */
};

/* A handle: a registry reference to one value, and the value's type when it was made. */
typedef struct lh_value {
    int ref;
    int type;
    struct lh_value *prev, *next;
} lh_value;

typedef struct lh_state {
    lua_State *L; /* the main thread: setup, release, collect, check, teardown */
    lua_State *workers[OB_PROGRAM_THREADS]; /* each logical thread's own Lua thread */
    int worker_refs[OB_PROGRAM_THREADS];
    pthread_mutex_t lock;
    size_t bytes;         /* held through the allocator, as Lua counts it */
    long op_ticks;        /* count-hook ticks left for the running operation */
    long input_ticks;     /* and for the whole input */
    lh_value values;      /* every live handle, for check */
    int slots[REF_SLOTS]; /* registry.ref's references, or LUA_NOREF */
    int slot_types[REF_SLOTS];
} lh_state;

/* What an operation's body gets inside its protected call. */
typedef struct lh_call {
    ob_call *c; /* NULL outside an operation */
    lh_state *s;
    void *arg; /* what run_main's caller passes */
    int (*body)(lua_State *T, struct lh_call *k);
    int rc;         /* the body's own error code */
    lh_value *made; /* filled by make(): the new handle */
    char *dump;     /* function.dump's buffer, freed after the call */
    size_t dump_len;
} lh_call;

static atomic_llong live_states;
static atomic_llong live_bytes;

/* ---- the allocator seam and the count hook ---- */

static void account(lh_state *s, size_t freed, size_t got)
{
    s->bytes = s->bytes - freed + got;
    atomic_fetch_add(&live_bytes, (long long)got - (long long)freed);
}

/* lua_Alloc on the kit's hooks. When ptr is NULL, osize is a type code, not a size. */
static void *lh_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lh_state *s = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        ob_hook_free(NULL, ptr);
        account(s, old, 0);
        return NULL;
    }
    if (nsize > old && s->bytes - old + nsize > MEMORY_CAP)
        return NULL;
    void *p = ptr ? ob_hook_realloc(NULL, ptr, nsize) : ob_hook_malloc(NULL, nsize);
    if (p)
        account(s, old, nsize);
    return p;
}

static lh_state *state_of(lua_State *L)
{
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return ud;
}

/* Spends a tick every HOOK_EVERY instructions. Once the operation's or the input's ticks
   are spent, the hook runs on every instruction and raises each time: Lua code that
   catches the error (pcall in a loop) meets the next one at its next instruction, so the
   error climbs to the operation's own protected call. A thread that meets the hook with
   ticks to spend (a later operation) goes back to HOOK_EVERY. */
static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lh_state *s = state_of(L);
    int every = lua_gethookcount(L) == HOOK_EVERY;
    if (every) {
        s->op_ticks--;
        s->input_ticks--;
    }
    if (s->op_ticks >= 0 && s->input_ticks >= 0) {
        if (!every)
            lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
        return;
    }
    if (every)
        lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "instruction budget exhausted");
}

/* ---- protected calls ---- */

static int trampoline(lua_State *T)
{
    lh_call *k = lua_touserdata(T, 1);
    lua_settop(T, 0);
    k->rc = k->body(T, k);
    return 0;
}

/* Runs k->body on T under lua_pcall and leaves T's stack empty. Returns the Lua status,
   or the body's own error code. */
static int protected(lua_State *T, lh_call *k)
{
    lua_settop(T, 0);
    lua_pushcfunction(T, trampoline);
    lua_pushlightuserdata(T, k);
    int status = lua_pcall(T, 1, 0, 0);
    lua_settop(T, 0);
    return status != LUA_OK ? status : k->rc;
}

static int run_main(lh_state *s, int (*body)(lua_State *, lh_call *), void *arg)
{
    lh_call k = {.s = s, .body = body, .arg = arg};
    return protected(s->L, &k);
}

/* ---- handles ---- */

static void push(lua_State *T, const lh_value *v)
{
    lua_rawgeti(T, LUA_REGISTRYINDEX, v->ref);
}

static void push_arg(lua_State *T, const lh_call *k, int i)
{
    push(T, k->c->objs[i]);
}

/* Pops the value on top of T into the handle the operation makes. */
static int make(lua_State *T, lh_call *k)
{
    int type = lua_type(T, -1);
    int ref = luaL_ref(T, LUA_REGISTRYINDEX);
    lh_value *v = k->made;
    v->ref = ref;
    v->type = type;
    k->made = NULL; /* the wrapper now hands it to the kit */
    k->c->result = v;
    lh_value *head = &k->s->values;
    v->next = head->next;
    v->prev = head;
    head->next->prev = v;
    head->next = v;
    return 0;
}

static void unlink_value(lh_value *v)
{
    v->prev->next = v->next;
    v->next->prev = v->prev;
}

static int body_unref(lua_State *L, lh_call *k)
{
    luaL_unref(L, LUA_REGISTRYINDEX, ((lh_value *)k->arg)->ref);
    return 0;
}

static void release(void *state, void *obj)
{
    lh_state *s = state;
    lh_value *v = obj;
    ob_hook_lock(NULL, &s->lock);
    unlink_value(v);
    run_main(s, body_unref, v);
    ob_hook_unlock(NULL, &s->lock);
    free(v);
}

/* ---- the operation wrapper ---- */

static int body_new_worker(lua_State *L, lh_call *k)
{
    unsigned t = *(const unsigned *)k->arg;
    k->s->workers[t] = lua_newthread(L);
    k->s->worker_refs[t] = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* The logical thread's own Lua thread, made on its first operation (an allocation that
   !fail may fail like any other). */
static lua_State *worker(lh_state *s, ob_call *c, int *rc)
{
    unsigned t = c->thread;
    if (!s->workers[t]) {
        *rc = run_main(s, body_new_worker, &t);
        if (*rc != LUA_OK)
            s->workers[t] = NULL;
    }
    return s->workers[t];
}

static int run_op(ob_call *c, int (*body)(lua_State *, lh_call *), int makes)
{
    lh_state *s = c->state;
    if (!s)
        return LH_ENOSTATE;
    lh_call k = {.c = c, .s = s, .body = body};
    if (makes && !(k.made = calloc(1, sizeof *k.made)))
        return LUA_ERRMEM;
    ob_hook_lock(NULL, &s->lock);
    s->op_ticks = OP_TICKS;
    int rc = LUA_OK;
    lua_State *T = worker(s, c, &rc);
    if (T)
        rc = protected(T, &k);
    ob_hook_unlock(NULL, &s->lock);
    free(k.made); /* still here when the body failed before make() */
    free(k.dump);
    return rc;
}

/* Each operation keeps its own frame (no inlining, no tail call into run_op): a hang's
   signature is the outermost project frames every sample shares, and without it every
   hang would sign run_op > protected > lua_pcallk, whatever operation hung. */
#define OP(name, makes)                                                                            \
    __attribute__((noinline, disable_tail_calls)) static int op_##name(ob_call *c)                 \
    {                                                                                              \
        return run_op(c, body_##name, makes);                                                      \
    }

/* ---- values ---- */

static int body_table_new(lua_State *T, lh_call *k)
{
    lua_createtable(T, (int)k->c->args[0].i, (int)k->c->args[1].i);
    return make(T, k);
}

static int body_string_new(lua_State *T, lh_call *k)
{
    lua_pushlstring(T, (const char *)k->c->args[0].bytes, k->c->args[0].len);
    return make(T, k);
}

static int body_integer_new(lua_State *T, lh_call *k)
{
    lua_pushinteger(T, k->c->args[0].i);
    return make(T, k);
}

static int body_userdata_new(lua_State *T, lh_call *k)
{
    void *p = lua_newuserdatauv(T, (size_t)k->c->args[0].i, (int)k->c->args[1].i);
    memset(p, 0x5a, (size_t)k->c->args[0].i);
    return make(T, k);
}

/* ---- chunks, calls and dumps ---- */

static int load_text(lua_State *T, const ob_value *src)
{
    return luaL_loadbufferx(T, (const char *)src->bytes, src->len, "=chunk", "t");
}

static int body_chunk_load(lua_State *T, lh_call *k)
{
    int rc = load_text(T, &k->c->args[0]);
    return rc != LUA_OK ? rc : make(T, k);
}

/* Loads and runs the chunk; its first result (nil when none) fills the handle. */
static int body_chunk_run(lua_State *T, lh_call *k)
{
    int rc = load_text(T, &k->c->args[0]);
    if (rc == LUA_OK)
        rc = lua_pcall(T, 0, 1, 0);
    return rc != LUA_OK ? rc : make(T, k);
}

static int body_function_call(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    push_arg(T, k, 1);
    int rc = lua_pcall(T, 1, 1, 0);
    return rc != LUA_OK ? rc : make(T, k);
}

static int dump_writer(lua_State *T, const void *p, size_t n, void *ud)
{
    (void)T;
    lh_call *k = ud;
    char *grown = realloc(k->dump, k->dump_len + n);
    if (!grown)
        return 1;
    memcpy(grown + k->dump_len, p, n);
    k->dump = grown;
    k->dump_len += n;
    return 0;
}

/* lua_dump, then loads that binary chunk back: bytecode Lua itself wrote, the only kind a
   harness may load. */
static int body_function_dump(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    if (lua_type(T, -1) != LUA_TFUNCTION || lua_iscfunction(T, -1))
        return LH_ETYPE;
    if (lua_dump(T, dump_writer, k, (int)k->c->args[1].i) != 0)
        return LUA_ERRMEM;
    int rc = luaL_loadbufferx(T, k->dump, k->dump_len, "=dump", "b");
    return rc != LUA_OK ? rc : make(T, k);
}

/* ---- tables, fields and metatables ---- */

static const char *const keys[] = {
    "a",      "b",     "n",    "__index", "__newindex", "__call", "__gc",       "__close",
    "__mode", "__len", "__eq", "__lt",    "__concat",   "__add",  "__tostring", "__name",
};

static int body_field_set(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    push_arg(T, k, 2);
    lua_setfield(T, 1, keys[k->c->args[1].i]);
    return 0;
}

static int body_field_get(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    lua_getfield(T, 1, keys[k->c->args[1].i]);
    return make(T, k);
}

static int body_table_set(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    push_arg(T, k, 1);
    push_arg(T, k, 2);
    lua_settable(T, 1);
    return 0;
}

static int body_table_get(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    push_arg(T, k, 1);
    lua_gettable(T, 1);
    return make(T, k);
}

/* The raw functions take only tables: unchecked misuse would be the harness's bug. */
static int push_table(lua_State *T, lh_call *k, int i)
{
    push_arg(T, k, i);
    return lua_type(T, -1) == LUA_TTABLE ? 0 : LH_ETYPE;
}

static int body_raw_set(lua_State *T, lh_call *k)
{
    if (push_table(T, k, 0))
        return LH_ETYPE;
    push_arg(T, k, 2);
    lua_rawseti(T, 1, k->c->args[1].i);
    return 0;
}

static int body_raw_get(lua_State *T, lh_call *k)
{
    if (push_table(T, k, 0))
        return LH_ETYPE;
    lua_rawgeti(T, 1, k->c->args[1].i);
    return make(T, k);
}

/* Walks every pair with lua_next, as a printer or serializer would. */
static int body_table_next(lua_State *T, lh_call *k)
{
    if (push_table(T, k, 0))
        return LH_ETYPE;
    lua_pushnil(T);
    while (lua_next(T, 1) != 0)
        lua_pop(T, 1);
    return 0;
}

/* A shallow copy, pair by pair. */
static int body_table_copy(lua_State *T, lh_call *k)
{
    if (push_table(T, k, 0))
        return LH_ETYPE;
    lua_newtable(T);
    lua_pushnil(T);
    while (lua_next(T, 1) != 0) {
        lua_pushvalue(T, -2);
        lua_insert(T, -2);
        lua_rawset(T, 2);
    }
    return make(T, k);
}

static int body_value_len(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    luaL_len(T, 1);
    return 0;
}

static int body_metatable_set(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    push_arg(T, k, 1);
    if (!lua_istable(T, 2) && !lua_isnil(T, 2))
        return LH_ETYPE;
    lua_setmetatable(T, 1);
    return 0;
}

static int body_metatable_get(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    if (!lua_getmetatable(T, 1))
        lua_pushnil(T);
    return make(T, k);
}

static int body_global_set(lua_State *T, lh_call *k)
{
    push_arg(T, k, 1);
    lua_setglobal(T, keys[k->c->args[0].i]);
    return 0;
}

static int body_global_get(lua_State *T, lh_call *k)
{
    lua_getglobal(T, keys[k->c->args[0].i]);
    return make(T, k);
}

/* ---- values as text, comparisons, arithmetic ---- */

static int body_value_tostring(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    luaL_tolstring(T, 1, NULL);
    return 0;
}

static const char *const comparisons[] = {"eq", "lt", "le"};
static const int comparison_codes[] = {LUA_OPEQ, LUA_OPLT, LUA_OPLE};

static int body_value_compare(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    push_arg(T, k, 1);
    lua_compare(T, 1, 2, comparison_codes[k->c->args[2].i]);
    return 0;
}

static const char *const arith_ops[] = {"add",  "sub", "mul",  "mod", "pow", "div", "idiv",
                                        "band", "bor", "bxor", "shl", "shr", "unm", "bnot"};
static const int arith_codes[] = {LUA_OPADD, LUA_OPSUB,  LUA_OPMUL,  LUA_OPMOD, LUA_OPPOW,
                                  LUA_OPDIV, LUA_OPIDIV, LUA_OPBAND, LUA_OPBOR, LUA_OPBXOR,
                                  LUA_OPSHL, LUA_OPSHR,  LUA_OPUNM,  LUA_OPBNOT};

static int body_value_arith(lua_State *T, lh_call *k)
{
    int op = arith_codes[k->c->args[2].i];
    push_arg(T, k, 0);
    if (op != LUA_OPUNM && op != LUA_OPBNOT) /* the unary ones take one operand */
        push_arg(T, k, 1);
    lua_arith(T, op);
    return make(T, k);
}

static int body_value_concat(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    push_arg(T, k, 1);
    lua_concat(T, 2);
    return make(T, k);
}

static const char *const closers[] = {"settop", "closeslot"};

/* Marks the value as a to-be-closed slot, then closes it the way the argument says. */
static int body_value_toclose(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    lua_toclose(T, 1);
    if (k->c->args[1].i == 0)
        lua_settop(T, 0);
    else
        lua_closeslot(T, 1);
    return 0;
}

/* ---- the registry ---- */

static int body_registry_ref(lua_State *T, lh_call *k)
{
    int i = (int)k->c->args[0].i;
    push_arg(T, k, 1);
    int type = lua_type(T, -1);
    int ref = luaL_ref(T, LUA_REGISTRYINDEX);
    luaL_unref(T, LUA_REGISTRYINDEX, k->s->slots[i]); /* a no-op for LUA_NOREF */
    k->s->slots[i] = ref;
    k->s->slot_types[i] = type;
    return 0;
}

static int body_registry_unref(lua_State *T, lh_call *k)
{
    int i = (int)k->c->args[0].i;
    luaL_unref(T, LUA_REGISTRYINDEX, k->s->slots[i]);
    k->s->slots[i] = LUA_NOREF;
    return 0;
}

static int body_registry_get(lua_State *T, lh_call *k)
{
    int ref = k->s->slots[k->c->args[0].i];
    if (ref == LUA_NOREF)
        return LH_ERANGE;
    lua_rawgeti(T, LUA_REGISTRYINDEX, ref);
    return make(T, k);
}

/* ---- coroutines ---- */

/* A coroutine whose body is the handle's value (lua_newthread, then its main function). */
static int body_thread_new(lua_State *T, lh_call *k)
{
    lua_State *co = lua_newthread(T);
    push_arg(T, k, 0);
    lua_xmove(T, co, 1);
    return make(T, k);
}

/* The coroutine a handle names, if it is one this operation may drive: never the thread
   running it, nor the main thread. */
static lua_State *coroutine_arg(lua_State *T, lh_call *k, int i)
{
    push_arg(T, k, i);
    lua_State *co = lua_tothread(T, -1);
    lua_pop(T, 1);
    return co && co != T && co != k->s->L ? co : NULL;
}

/* Resumes with the value as its argument; the first value it yields or returns (nil when
   none) fills the handle. The rest, or an error object, is popped off its stack. */
static int body_thread_resume(lua_State *T, lh_call *k)
{
    lua_State *co = coroutine_arg(T, k, 0);
    if (!co)
        return LH_ETYPE;
    if (!lua_checkstack(co, 2))
        return LH_ESTACK;
    push_arg(T, k, 1);
    lua_xmove(T, co, 1);
    int nres = 0;
    int rc = lua_resume(co, T, 1, &nres);
    if (rc != LUA_OK && rc != LUA_YIELD) {
        lua_pop(co, 1);
        return rc;
    }
    if (nres > 0)
        lua_pushvalue(co, -nres);
    else
        lua_pushnil(co);
    lua_xmove(co, T, 1);
    lua_pop(co, nres);
    return make(T, k);
}

static int body_thread_reset(lua_State *T, lh_call *k)
{
    lua_State *co = coroutine_arg(T, k, 0);
    if (!co)
        return LH_ETYPE;
    int rc = lua_resetthread(co);
    if (rc != LUA_OK)
        lua_pop(co, 1); /* the error object, so the thread is empty again */
    return rc;
}

/* ---- upvalues and user values ---- */

static int body_upvalue_set(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    push_arg(T, k, 2);
    return lua_setupvalue(T, 1, (int)k->c->args[1].i) ? 0 : LH_ERANGE;
}

/* A Lua function on top of T that has upvalue n. */
static int has_upvalue(lua_State *T, int idx, int n)
{
    if (lua_type(T, idx) != LUA_TFUNCTION || lua_iscfunction(T, idx))
        return 0;
    if (!lua_getupvalue(T, idx, n))
        return 0;
    lua_pop(T, 1);
    return 1;
}

static int body_upvalue_join(lua_State *T, lh_call *k)
{
    int n1 = (int)k->c->args[1].i, n2 = (int)k->c->args[3].i;
    push_arg(T, k, 0);
    push_arg(T, k, 2);
    if (!has_upvalue(T, 1, n1) || !has_upvalue(T, 2, n2))
        return LH_ERANGE;
    lua_upvaluejoin(T, 1, n1, 2, n2);
    return 0;
}

static int body_uservalue_set(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    if (lua_type(T, 1) != LUA_TUSERDATA)
        return LH_ETYPE;
    push_arg(T, k, 2);
    return lua_setiuservalue(T, 1, (int)k->c->args[1].i) ? 0 : LH_ERANGE;
}

static int body_uservalue_get(lua_State *T, lh_call *k)
{
    push_arg(T, k, 0);
    if (lua_type(T, 1) != LUA_TUSERDATA)
        return LH_ETYPE;
    return lua_getiuservalue(T, 1, (int)k->c->args[1].i) == LUA_TNONE ? LH_ERANGE : 0;
}

/* ---- the collector ---- */

static const char *const gc_modes[] = {"collect", "step",        "stop",        "restart",
                                       "count",   "incremental", "generational"};

static int body_gc(lua_State *T, lh_call *k)
{
    int rc;
    switch (k->c->args[0].i) {
    case 0:
        rc = lua_gc(T, LUA_GCCOLLECT);
        break;
    case 1:
        rc = lua_gc(T, LUA_GCSTEP, 0);
        break;
    case 2:
        rc = lua_gc(T, LUA_GCSTOP);
        break;
    case 3:
        rc = lua_gc(T, LUA_GCRESTART);
        break;
    case 4:
        rc = lua_gc(T, LUA_GCCOUNT);
        break;
    case 5:
        rc = lua_gc(T, LUA_GCINC, 0, 0, 0);
        break;
    default:
        rc = lua_gc(T, LUA_GCGEN, 0, 0);
        break;
    }
    return rc < 0 ? LH_ERANGE : 0; /* -1: the collector is running a finalizer */
}

OP(table_new, 1)
OP(string_new, 1)
OP(integer_new, 1)
OP(userdata_new, 1)
OP(chunk_load, 1)
OP(chunk_run, 1)
OP(function_call, 1)
OP(function_dump, 1)
OP(field_set, 0)
OP(field_get, 1)
OP(table_set, 0)
OP(table_get, 1)
OP(raw_set, 0)
OP(raw_get, 1)
OP(table_next, 0)
OP(table_copy, 1)
OP(value_len, 0)
OP(metatable_set, 0)
OP(metatable_get, 1)
OP(global_set, 0)
OP(global_get, 1)
OP(value_tostring, 0)
OP(value_compare, 0)
OP(value_arith, 1)
OP(value_concat, 1)
OP(value_toclose, 0)
OP(registry_ref, 0)
OP(registry_unref, 0)
OP(registry_get, 1)
OP(thread_new, 1)
OP(thread_resume, 1)
OP(thread_reset, 0)
OP(upvalue_set, 0)
OP(upvalue_join, 0)
OP(uservalue_set, 0)
OP(uservalue_get, 0)
OP(gc, 0)

/* ---- the state: libraries, setup, collect, check, teardown ---- */

/* print without the output: it still converts every argument as print does. */
static int quiet_print(lua_State *L)
{
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        lua_pop(L, 1);
    }
    return 0;
}

/* load(chunk [, chunkname [, mode [, env]]]) with mode "t" whatever the caller said; an
   absent env stays absent, since load tells it from nil. */
static int text_load(lua_State *L)
{
    if (lua_gettop(L) < 3)
        lua_settop(L, 3);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static const luaL_Reg safe_libs[] = {
    {LUA_GNAME, luaopen_base},       {LUA_COLIBNAME, luaopen_coroutine},
    {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
    {LUA_MATHLIBNAME, luaopen_math}, {LUA_UTF8LIBNAME, luaopen_utf8},
};

static int body_open_libs(lua_State *L, lh_call *k)
{
    (void)k;
    for (size_t i = 0; i < sizeof safe_libs / sizeof safe_libs[0]; i++) {
        luaL_requiref(L, safe_libs[i].name, safe_libs[i].func, 1);
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    lua_setglobal(L, "dofile");
    lua_pushnil(L);
    lua_setglobal(L, "loadfile");
    lua_pushcfunction(L, quiet_print);
    lua_setglobal(L, "print");
    lua_getglobal(L, "load");
    lua_pushcclosure(L, text_load, 1);
    lua_setglobal(L, "load");
    /* math.random's seed comes from the clock: a fixed one keeps replays the same. */
    lua_getglobal(L, "math");
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, 15);
    lua_call(L, 1, 0);
    return 0;
}

/* lua_panic.c: an error outside any protected call, reported as a finding. */
int lh_panic(lua_State *L);

static void *setup(void)
{
    lh_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    s->values.next = s->values.prev = &s->values;
    for (int i = 0; i < REF_SLOTS; i++)
        s->slots[i] = LUA_NOREF;
    s->op_ticks = CLOSE_TICKS;
    s->input_ticks = INPUT_TICKS;
    s->L = lua_newstate(lh_alloc, s);
    if (!s->L) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    atomic_fetch_add(&live_states, 1);
    lua_atpanic(s->L, lh_panic);
    /* Inherited by every thread made from here on, coroutines included. */
    lua_sethook(s->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
    if (run_main(s, body_open_libs, NULL) != LUA_OK) {
        lua_close(s->L);
        atomic_fetch_sub(&live_states, 1);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

static int body_collect(lua_State *L, lh_call *k)
{
    (void)k;
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}

/* A full collection before check: finalizers run here, with a budget of their own. */
static void collect(void *state)
{
    lh_state *s = state;
    if (!s)
        return;
    s->op_ticks = s->input_ticks = CLOSE_TICKS;
    run_main(s, body_collect, NULL);
}

/* Lua's own count of its memory (lua_gc COUNT and COUNTB) must be what the allocator
   handed out, and every reference must still name a value of the type it was made with. */
static const char *check(void *state)
{
    lh_state *s = state;
    if (!s)
        return NULL;
    size_t counted = (size_t)lua_gc(s->L, LUA_GCCOUNT) * 1024 + (size_t)lua_gc(s->L, LUA_GCCOUNTB);
    if (counted != s->bytes)
        return "lua_gc(LUA_GCCOUNT) differs from the bytes the allocator holds";
    for (lh_value *v = s->values.next; v != &s->values; v = v->next) {
        int type = lua_rawgeti(s->L, LUA_REGISTRYINDEX, v->ref);
        lua_pop(s->L, 1);
        if (type != v->type)
            return "a handle's registry reference names a value of another type";
    }
    for (int i = 0; i < REF_SLOTS; i++) {
        if (s->slots[i] == LUA_NOREF)
            continue;
        int type = lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->slots[i]);
        lua_pop(s->L, 1);
        if (type != s->slot_types[i])
            return "a registry.ref reference names a value of another type";
    }
    return NULL;
}

static void teardown(void *state)
{
    lh_state *s = state;
    if (!s)
        return;
    s->op_ticks = s->input_ticks = CLOSE_TICKS; /* the __gc and __close methods it runs */
    lua_close(s->L);
    atomic_fetch_sub(&live_states, 1);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static int64_t gauge_states(void)
{
    return atomic_load(&live_states);
}

static int64_t gauge_bytes(void)
{
    return atomic_load(&live_bytes);
}

static const ob_op ops[] = {
    {"table.new", op_table_new, 2, {OB_INT(0, 16), OB_INT(0, 16)}, 1},
    {"string.new", op_string_new, 1, {OB_BYTES(64)}, 1},
    {"integer.new", op_integer_new, 1, {OB_INT(-1000, 1000)}, 1},
    {"userdata.new", op_userdata_new, 2, {OB_INT(0, 64), OB_INT(0, 3)}, 1},
    {"chunk.load", op_chunk_load, 1, {OB_BYTES(64 * 1024)}, 1},
    {"chunk.run", op_chunk_run, 1, {OB_BYTES(64 * 1024)}, 1},
    {"function.call", op_function_call, 2, {OB_HANDLE, OB_HANDLE}, 1},
    {"function.dump", op_function_dump, 2, {OB_HANDLE, OB_INT(0, 1)}, 1},
    {"field.set", op_field_set, 3, {OB_HANDLE, OB_ENUM(keys), OB_HANDLE}, 0},
    {"field.get", op_field_get, 2, {OB_HANDLE, OB_ENUM(keys)}, 1},
    {"table.set", op_table_set, 3, {OB_HANDLE, OB_HANDLE, OB_HANDLE}, 0},
    {"table.get", op_table_get, 2, {OB_HANDLE, OB_HANDLE}, 1},
    {"raw.set", op_raw_set, 3, {OB_HANDLE, OB_INT(1, 8), OB_HANDLE}, 0},
    {"raw.get", op_raw_get, 2, {OB_HANDLE, OB_INT(1, 8)}, 1},
    {"table.next", op_table_next, 1, {OB_HANDLE}, 0},
    {"table.copy", op_table_copy, 1, {OB_HANDLE}, 1},
    {"value.len", op_value_len, 1, {OB_HANDLE}, 0},
    {"metatable.set", op_metatable_set, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"metatable.get", op_metatable_get, 1, {OB_HANDLE}, 1},
    {"global.set", op_global_set, 2, {OB_ENUM(keys), OB_HANDLE}, 0},
    {"global.get", op_global_get, 1, {OB_ENUM(keys)}, 1},
    {"value.tostring", op_value_tostring, 1, {OB_HANDLE}, 0},
    {"value.compare", op_value_compare, 3, {OB_HANDLE, OB_HANDLE, OB_ENUM(comparisons)}, 0},
    {"value.arith", op_value_arith, 3, {OB_HANDLE, OB_HANDLE, OB_ENUM(arith_ops)}, 1},
    {"value.concat", op_value_concat, 2, {OB_HANDLE, OB_HANDLE}, 1},
    {"value.toclose", op_value_toclose, 2, {OB_HANDLE, OB_ENUM(closers)}, 0},
    {"registry.ref", op_registry_ref, 2, {OB_INT(0, REF_SLOTS - 1), OB_HANDLE}, 0},
    {"registry.unref", op_registry_unref, 1, {OB_INT(0, REF_SLOTS - 1)}, 0},
    {"registry.get", op_registry_get, 1, {OB_INT(0, REF_SLOTS - 1)}, 1},
    {"thread.new", op_thread_new, 1, {OB_HANDLE}, 1},
    {"thread.resume", op_thread_resume, 2, {OB_HANDLE, OB_HANDLE}, 1},
    {"thread.reset", op_thread_reset, 1, {OB_HANDLE}, 0},
    {"upvalue.set", op_upvalue_set, 3, {OB_HANDLE, OB_INT(1, 4), OB_HANDLE}, 0},
    {"upvalue.join", op_upvalue_join, 4, {OB_HANDLE, OB_INT(1, 4), OB_HANDLE, OB_INT(1, 4)}, 0},
    {"uservalue.set", op_uservalue_set, 3, {OB_HANDLE, OB_INT(1, 3), OB_HANDLE}, 0},
    {"uservalue.get", op_uservalue_get, 2, {OB_HANDLE, OB_INT(1, 3)}, 0},
    {"gc", op_gc, 1, {OB_ENUM(gc_modes)}, 0},
};

static const ob_gauge gauges[] = {
    {"lua_states", gauge_states, OB_GAUGE_BALANCED},
    {"lua_bytes", gauge_bytes, OB_GAUGE_BALANCED},
};

const ob_target ob_harness_target =
    OB_TARGET("lua", ops, OB_GAUGES(gauges), .alloc_hooks = 1, .setup = setup, .teardown = teardown,
              .release = release, .collect = collect, .check = check);
