// Eight threads share one environment: two redefine and remove functions while six
// evaluate recursion through them. Redefinitions keep the meaning, so every result is
// checkable; the sanitizers (ASan or TSan, per config) check the memory and the races.
#include "tests/calc/calc_fixture.h"

#include <atomic>
#include <thread>
#include <vector>

namespace
{

class Concurrency : public calctest::CalcTest
{
};

const char *const kSum = "if n == 0 then acc else sum(n - 1, acc + f(n))";
const char *const kDoubles[] = {"n * 2", "n + n", "2 * n", "n - -n"};

void Define(calc_env *env, const char *name, size_t nparams, const char *const *params,
            const char *body_src, std::atomic<int> *failures)
{
    calc_ast *body = calctest::Parse(body_src);
    if (!body || calc_env_define(env, name, nparams, params, body) != CALC_OK)
        failures->fetch_add(1);
    calc_ast_release(body);
}

void Definer(calc_env *env, int seed, std::atomic<int> *failures)
{
    const char *n[] = {"n"};
    const char *sum_params[] = {"n", "acc"};
    for (int i = 0; i < 300; i++) {
        Define(env, "f", 1, n, kDoubles[(i + seed) % 4], failures);
        Define(env, "sum", 2, sum_params, kSum, failures);
        Define(env, "g", 1, n, "n", failures);
        calc_env_remove(env, "g"); // may race with the other definer: CALC_EUNDEF is fine
    }
}

void Evaluator(calc_env *env, std::atomic<int> *failures)
{
    calc_ast *sum = calctest::Parse("sum(50, 0)");
    calc_ast *g = calctest::Parse("g(5)");
    for (int i = 0; i < 300; i++) {
        int64_t v = 0;
        calc_error err;
        if (calc_eval(env, sum, nullptr, &v, nullptr, &err) != CALC_OK || v != 2550)
            failures->fetch_add(1);
        calc_status rc = calc_eval(env, g, nullptr, &v, nullptr, &err);
        if (!(rc == CALC_OK && v == 5) && rc != CALC_EUNDEF)
            failures->fetch_add(1);
    }
    calc_ast_release(sum);
    calc_ast_release(g);
}

TEST_F(Concurrency, DefineAndEvalFromEightThreads)
{
    calc_env *env = nullptr;
    ASSERT_EQ(calc_env_new(&env), CALC_OK);
    std::atomic<int> failures{0};
    const char *n[] = {"n"};
    const char *sum_params[] = {"n", "acc"};
    Define(env, "f", 1, n, kDoubles[0], &failures);
    Define(env, "sum", 2, sum_params, kSum, &failures);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; t++) {
        if (t < 2)
            threads.emplace_back(Definer, env, t, &failures);
        else
            threads.emplace_back(Evaluator, env, &failures);
    }
    for (std::thread &t : threads)
        t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(calc_check(env), nullptr);
    EXPECT_EQ(calc_env_count(env), 2u);
    EXPECT_EQ(calctest::Gauges().live_fns, 2u);
    calc_env_free(env);
}

struct SyncCounts {
    std::atomic<int> locks{0}, unlocks{0}, yields{0};
};

void CountLock(void *ctx, pthread_mutex_t *m)
{
    static_cast<SyncCounts *>(ctx)->locks++;
    pthread_mutex_lock(m);
}

void CountUnlock(void *ctx, pthread_mutex_t *m)
{
    static_cast<SyncCounts *>(ctx)->unlocks++;
    pthread_mutex_unlock(m);
}

void CountYield(void *ctx, const char *)
{
    static_cast<SyncCounts *>(ctx)->yields++;
}

TEST_F(Concurrency, LocksAndYieldsGoThroughTheHooks)
{
    SyncCounts counts;
    tg_sync sync = {CountLock, CountUnlock, CountYield, &counts};
    ASSERT_EQ(calc_set_hooks(nullptr, &sync), CALC_OK);
    calc_env *env = nullptr;
    ASSERT_EQ(calc_env_new(&env), CALC_OK);
    EXPECT_EQ(calc_set_hooks(nullptr, nullptr), CALC_EBUSY);
    calctest::Outcome o{};
    const char src[] = "f(x) = x + 1; f(f(1))";
    EXPECT_EQ(calc_exec(env, src, sizeof src - 1, nullptr, &o.value, nullptr, nullptr), CALC_OK);
    EXPECT_EQ(o.value, 3);
    calc_env_free(env);
    EXPECT_EQ(calc_set_hooks(nullptr, nullptr), CALC_OK);
    EXPECT_GE(counts.yields.load(), 3); // one define, two lookups
    EXPECT_GE(counts.locks.load(), 3);
    EXPECT_EQ(counts.locks.load(), counts.unlocks.load());
}

} // namespace
