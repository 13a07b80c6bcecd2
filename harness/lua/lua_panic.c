/*
** lua_panic.c: an error outside any protected call, as a finding.
**
** Every call the harness makes that may raise an error runs under lua_pcall, so Lua's
** panic function runs only when an error escapes protection inside the library. Lua would
** then call abort(), which the kit leaves to libFuzzer with no finding block. Here the
** panic hands the error to the sanitizers' summary hook (which the kit defines) as a
** report of class "lua-panic" with the stack at the panic, then aborts. Tagged ob_foreign
** (BUILD), so this frame never signs a finding: the library's frames below it do.
*/
#include "lua.h"

#include <stdio.h>
#include <stdlib.h>

/* The sanitizers' report hook, defined by the kit (and by the sanitizer runtimes). */
void __sanitizer_report_error_summary(const char *summary);

/* lua_atpanic's function for every state the harness makes: never returns. */
int lh_panic(lua_State *L);

int lh_panic(lua_State *L)
{
    static char summary[512];
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(not a string)";
    fprintf(stderr, "PANIC: unprotected error in call to Lua API (%s)\n", msg);
    /* The class is the summary's words up to a parenthesis, as in sanitizers' reports. */
    snprintf(summary, sizeof summary, "lua-panic (%.400s)", msg);
    __sanitizer_report_error_summary(summary);
    abort();
}
