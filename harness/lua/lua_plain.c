/*
** lua_plain.c: the plain libFuzzer harness a Lua embedder would write without ouroboros,
** the benchmark's baseline. Each input is one chunk of Lua source: a fresh state with the
** standard libraries less io and os, the chunk loaded and run under a count hook that
** ends runaway loops, then the state closed, all on one thread. Binary chunks are refused
** (mode "t"), since Lua documents that crafted bytecode can crash it.
*/
#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#include <stddef.h>
#include <stdint.h>

/* As in the ouroboros harness: 1,000 instructions a tick, 2,000 ticks a chunk. */
enum { HOOK_EVERY = 1000, TICKS = 2000 };

static long ticks;

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    if (--ticks < 0)
        luaL_error(L, "instruction budget exhausted");
}

static const luaL_Reg libs[] = {
    {LUA_GNAME, luaopen_base},          {LUA_LOADLIBNAME, luaopen_package},
    {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
    {LUA_STRLIBNAME, luaopen_string},   {LUA_MATHLIBNAME, luaopen_math},
    {LUA_UTF8LIBNAME, luaopen_utf8},    {LUA_DBLIBNAME, luaopen_debug},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer's entry: runs one chunk; always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return 0;
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].func, 1);
        lua_pop(L, 1);
    }
    ticks = TICKS;
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
    if (luaL_loadbufferx(L, (const char *)data, size, "=input", "t") == LUA_OK)
        lua_pcall(L, 0, 0, 0);
    lua_close(L);
    return 0;
}
