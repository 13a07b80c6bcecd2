/*
** calc_env.c: the function environment shared by threads.
**
** Invariants (checked by calc_check): fns[0..count) are distinct live functions with
** distinct valid names, each held by one reference; count <= cap. Every access to fns,
** count and cap holds lock. A function is released outside the lock, so a thread that
** looked it up earlier keeps its own reference and finishes with the old body.
*/
#define CALC_INTERNAL
#include "targets/calc/calc_ast.h"
#include "targets/calc/calc_fn.h"

#include <string.h>

struct calc_env {
    pthread_mutex_t lock;
    calc_fn **fns;
    size_t count, cap;
};

calc_status calc_env_new(calc_env **out)
{
    if (!out)
        return CALC_EINVAL;
    *out = NULL;
    calc_env *env = calcM_alloc(sizeof *env);
    if (!env)
        return CALC_ENOMEM;
    if (pthread_mutex_init(&env->lock, NULL) != 0) {
        calcM_free(env);
        return CALC_ENOMEM;
    }
    env->fns = NULL;
    env->count = 0;
    env->cap = 0;
    atomic_fetch_add(&calcM_live_envs, 1);
    *out = env;
    return CALC_OK;
}

void calc_env_free(calc_env *env)
{
    if (!env)
        return;
    for (size_t i = 0; i < env->count; i++)
        calc_fn_release(env->fns[i]);
    calcM_free(env->fns);
    pthread_mutex_destroy(&env->lock);
    atomic_fetch_sub(&calcM_live_envs, 1);
    calcM_free(env);
}

/* Index of name in env, or env->count. Caller holds the lock. */
static size_t find(const calc_env *env, const char *name)
{
    size_t i = 0;
    while (i < env->count && strcmp(env->fns[i]->name, name) != 0)
        i++;
    return i;
}

/* Room for one more entry. Caller holds the lock. */
static calc_status reserve(calc_env *env)
{
    if (env->count < env->cap)
        return CALC_OK;
    size_t cap = env->cap ? env->cap * 2 : 8;
    if (cap > SIZE_MAX / sizeof(calc_fn *))
        return CALC_ENOMEM;
    calc_fn **fns = calcM_realloc(env->fns, cap * sizeof(calc_fn *));
    if (!fns)
        return CALC_ENOMEM;
    env->fns = fns;
    env->cap = cap;
    return CALC_OK;
}

/* Puts fn under its name, consuming the reference (also on failure). */
static calc_status put(calc_env *env, calc_fn *fn)
{
    const tg_sync *sync = calcM_sync();
    calc_fn *old = NULL;
    calc_status rc = CALC_OK;
    tg_yield(sync, "calc_env_define");
    tg_lock(sync, &env->lock);
    size_t i = find(env, fn->name);
    if (i < env->count) {
        old = env->fns[i];
        env->fns[i] = fn;
    } else if ((rc = reserve(env)) == CALC_OK) {
        env->fns[env->count++] = fn;
    } else {
        old = fn;
    }
    tg_unlock(sync, &env->lock);
    calc_fn_release(old);
    return rc;
}

calc_status calc_env_define(calc_env *env, const char *name, size_t nparams,
                            const char *const *params, const calc_ast *body)
{
    if (!env || !name || (nparams > 0 && !params))
        return CALC_EINVAL;
    enum { FEW = 8 };
    calcF_name few[FEW];
    if (nparams > SIZE_MAX / sizeof(calcF_name))
        return CALC_EINVAL;
    calcF_name *names = nparams <= FEW ? few : calcM_alloc(nparams * sizeof(calcF_name));
    if (!names)
        return CALC_ENOMEM;
    for (size_t i = 0; i < nparams; i++) {
        names[i].s = params[i];
        names[i].len = params[i] ? strlen(params[i]) : 0;
    }
    calc_fn *fn = NULL;
    calcF_name fname = {name, strlen(name)};
    calc_status rc = calcF_make(fname, nparams, names, body, &fn);
    if (names != few)
        calcM_free(names);
    return rc == CALC_OK ? put(env, fn) : rc;
}

calc_status calc_env_load(calc_env *env, const calc_program *p)
{
    if (!p || (!env && p->nfns > 0))
        return CALC_EINVAL;
    for (size_t i = 0; i < p->nfns; i++) {
        calc_status rc = put(env, calc_fn_retain(p->fns[i]));
        if (rc != CALC_OK)
            return rc;
    }
    return CALC_OK;
}

calc_status calc_env_remove(calc_env *env, const char *name)
{
    if (!env || !name)
        return CALC_EINVAL;
    const tg_sync *sync = calcM_sync();
    calc_fn *old = NULL;
    tg_yield(sync, "calc_env_remove");
    tg_lock(sync, &env->lock);
    size_t i = find(env, name);
    if (i < env->count) {
        old = env->fns[i];
        env->fns[i] = env->fns[--env->count];
    }
    tg_unlock(sync, &env->lock);
    calc_fn_release(old);
    return old ? CALC_OK : CALC_EUNDEF;
}

calc_status calc_env_lookup(calc_env *env, const char *name, calc_fn **out)
{
    if (!out)
        return CALC_EINVAL;
    *out = NULL;
    if (!env || !name)
        return CALC_EINVAL;
    const tg_sync *sync = calcM_sync();
    tg_yield(sync, "calc_env_lookup");
    tg_lock(sync, &env->lock);
    size_t i = find(env, name);
    if (i < env->count)
        *out = calc_fn_retain(env->fns[i]);
    tg_unlock(sync, &env->lock);
    return *out ? CALC_OK : CALC_EUNDEF;
}

size_t calc_env_count(calc_env *env)
{
    if (!env)
        return 0;
    const tg_sync *sync = calcM_sync();
    tg_lock(sync, &env->lock);
    size_t n = env->count;
    tg_unlock(sync, &env->lock);
    return n;
}

/* The first broken invariant of one entry, or NULL. Caller holds the lock. */
static const char *check_entry(const calc_env *env, size_t i)
{
    const calc_fn *fn = env->fns[i];
    if (!fn)
        return "calc_env: NULL function entry";
    if (atomic_load(&fn->refs) == 0)
        return "calc_env: entry holds a function with no references";
    if (!fn->body || atomic_load(&fn->body->refs) == 0)
        return "calc_env: function without a live body";
    if (!calcA_valid_name(fn->name, strlen(fn->name)))
        return "calc_env: function name is not an identifier";
    for (size_t j = 0; j < i; j++) {
        if (strcmp(env->fns[j]->name, fn->name) == 0)
            return "calc_env: two entries share a name";
    }
    return NULL;
}

static const char *check_env(calc_env *env)
{
    const tg_sync *sync = calcM_sync();
    const char *bad = NULL;
    tg_lock(sync, &env->lock);
    if (env->count > env->cap || (env->cap > 0 && !env->fns))
        bad = "calc_env: count exceeds capacity";
    for (size_t i = 0; !bad && i < env->count; i++)
        bad = check_entry(env, i);
    if (!bad && env->count > atomic_load(&calcM_live_fns))
        bad = "calc_env: more entries than live functions";
    tg_unlock(sync, &env->lock);
    return bad;
}

const char *calc_check(calc_env *env)
{
    calc_gauges g;
    calc_gauges_read(&g);
    if ((g.live_nodes || g.live_fns || g.live_envs) && g.allocations == 0)
        return "calc: live objects but no allocations";
    if (env && g.live_envs == 0)
        return "calc: an environment exists but the gauge says none";
    return env ? check_env(env) : NULL;
}
