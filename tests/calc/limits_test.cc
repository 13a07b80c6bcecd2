// Every limit reports its own status, and tail calls run in constant C stack.
#include "tests/calc/calc_fixture.h"
#include "tests/calc/test_util.h"

#include <functional>
#include <string>

using calctest::Exec;
using calctest::Outcome;

namespace
{

class Limits : public calctest::CalcTest
{
};

const char kCountdown[] = "loop(n) = if n == 0 then 7 else let m = n - 1 in loop(m); loop(";

TEST_F(Limits, StepBudget)
{
    calc_limits lim{};
    lim.max_steps = 1000;
    Outcome o = Exec("loop(n) = loop(n); loop(1)", &lim);
    EXPECT_EQ(o.status, CALC_EBUDGET) << o.err.msg;
    EXPECT_NE(strstr(o.err.msg, "budget"), nullptr);
    EXPECT_LE(o.info.steps, 1010u);
    // A call-free expression is checked at the end.
    lim.max_steps = 3;
    EXPECT_EQ(Exec("1 + 2 + 3", &lim).status, CALC_EBUDGET);
    EXPECT_EQ(Exec("1 + 2", &lim).status, CALC_OK);
}

// Work that is not a call still meets the budget: lookups that scan a long let chain,
// and a shared tree that is small in memory but large to walk.
TEST_F(Limits, BudgetBoundsWorkWithoutCalls)
{
    calc_ast *e = nullptr;
    ASSERT_EQ(calc_var("v0", &e), CALC_OK);
    for (int i = 200000; i >= 1; i--) {
        calc_ast *value = nullptr;
        ASSERT_EQ(calc_var("v0", &value), CALC_OK);
        ASSERT_EQ(calc_let(("v" + std::to_string(i)).c_str(), value, e, &e), CALC_OK);
    }
    calc_ast *chain = nullptr;
    calc_ast *one = nullptr;
    ASSERT_EQ(calc_num(1, &one), CALC_OK);
    ASSERT_EQ(calc_let("v0", one, e, &chain), CALC_OK);
    int64_t v = 0;
    calc_eval_info info{};
    EXPECT_EQ(calc_eval(nullptr, chain, nullptr, &v, &info, nullptr), CALC_EBUDGET);
    EXPECT_LT(info.steps, 2u * CALC_DEFAULT_MAX_STEPS);
    calc_ast_release(chain);

    calc_ast *dag = nullptr;
    ASSERT_EQ(calc_num(1, &dag), CALC_OK);
    for (int i = 0; i < 19; i++)
        ASSERT_EQ(calc_binop(CALC_SUB, calc_ast_retain(dag), dag, &dag), CALC_OK);
    EXPECT_EQ(calc_ast_size(dag), (1u << 20) - 1);
    EXPECT_EQ(calc_eval(nullptr, dag, nullptr, &v, &info, nullptr), CALC_EBUDGET);
    EXPECT_LE(info.steps, CALC_DEFAULT_MAX_STEPS + 1u);
    calc_ast_release(dag);
}

TEST_F(Limits, DepthLimitStopsNonTailRecursion)
{
    calc_limits lim{};
    lim.max_depth = 50;
    Outcome o = Exec("f(n) = if n == 0 then 0 else 1 + f(n - 1); f(1000000)", &lim);
    EXPECT_EQ(o.status, CALC_EDEPTH) << o.err.msg;
    EXPECT_EQ(o.info.max_depth, 50u);
    EXPECT_EQ(Exec("f(n) = if n == 0 then 0 else 1 + f(n - 1); f(20)", &lim).value, 20);
}

TEST_F(Limits, DepthLimitStopsDeepExpressions)
{
    std::string chain = "1";
    for (int i = 0; i < 100000; i++)
        chain += "+1";
    Outcome o = Exec(chain);
    EXPECT_EQ(o.status, CALC_EDEPTH) << o.err.msg;
    calc_ast *e = calctest::Parse(chain);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(calc_ast_size(e), 200001u);
    EXPECT_EQ(calctest::Print(e), "<CALC_EDEPTH>");
    calc_ast_release(e);
}

TEST_F(Limits, TailCallsDoNotCountTowardDepth)
{
    calc_limits lim{};
    lim.max_depth = 8;
    lim.max_steps = 10000000;
    Outcome o = Exec(std::string(kCountdown) + "100000)", &lim);
    EXPECT_EQ(o.status, CALC_OK) << o.err.msg;
    EXPECT_EQ(o.value, 7);
    EXPECT_EQ(o.info.tail_calls, 100000u);
    EXPECT_LE(o.info.max_depth, 4u);
}

TEST_F(Limits, ParserNesting)
{
    int n = CALC_PARSE_MAX_NESTING;
    std::string ok = std::string(n - 1, '(') + "1" + std::string(n - 1, ')');
    std::string deep = std::string(n, '(') + "1" + std::string(n, ')');
    EXPECT_EQ(Exec(ok).status, CALC_OK);
    Outcome o = Exec(deep);
    EXPECT_EQ(o.status, CALC_EDEPTH);
    EXPECT_EQ(o.err.line, 1u);
    EXPECT_EQ(o.err.col, static_cast<uint32_t>(n + 1));
    EXPECT_NE(strstr(o.err.msg, "nested too deeply"), nullptr) << o.err.msg;
    EXPECT_EQ(Exec(std::string(100000, '-') + "x").status, CALC_EDEPTH);
    std::string lets;
    for (int i = 0; i < 1000; i++)
        lets += "let a = 1 in ";
    EXPECT_EQ(Exec(lets + "a").status, CALC_EDEPTH);
    EXPECT_EQ(Exec(std::string(100000, '(')).status, CALC_EDEPTH);
}

// NEG(NEG(...(NUM 1))) n levels deep, built without the parser.
calc_ast *NegChain(int n)
{
    calc_ast *e = nullptr;
    EXPECT_EQ(calc_num(1, &e), CALC_OK);
    for (int i = 0; i < n; i++)
        EXPECT_EQ(calc_neg(e, &e), CALC_OK);
    return e;
}

TEST_F(Limits, PrinterDepth)
{
    calc_ast *e = NegChain(99);
    EXPECT_EQ(calctest::Print(e, 100), std::string(99, '-') + "(1)");
    EXPECT_EQ(calctest::Print(e, 99), "<CALC_EDEPTH>");
    calc_ast_release(e);
    e = NegChain(100000);
    EXPECT_EQ(calctest::Print(e), "<CALC_EDEPTH>");
    calc_ast_release(e);
}

TEST_F(Limits, HugeTreesFreeAndCompareInConstantStack)
{
    calc_status rc = CALC_OK;
    size_t used = calctest::RunOnPaintedStack(64 * 1024, [&rc] {
        calc_ast *a = NegChain(300000);
        calc_ast *b = NegChain(300000);
        rc = calc_ast_equal(a, b) ? CALC_OK : CALC_EINVAL;
        calc_ast_release(a);
        calc_ast_release(b);
    });
    EXPECT_GT(used, 0u);
    EXPECT_EQ(rc, CALC_OK);
}

TEST_F(Limits, MillionIterationTailLoopRunsOn64KiBStack)
{
    Outcome o{};
    calc_limits lim{};
    lim.max_steps = 100000000;
    size_t used = calctest::RunOnPaintedStack(
        64 * 1024, [&] { o = Exec(std::string(kCountdown) + "1000000)", &lim); });
    ASSERT_GT(used, 0u) << "thread did not start";
    EXPECT_EQ(o.status, CALC_OK) << o.err.msg;
    EXPECT_EQ(o.value, 7);
    EXPECT_EQ(o.info.tail_calls, 1000000u);
    EXPECT_LT(used, 64u * 1024);
}

// The worst inputs at the default limits, each on a 64 KiB stack (the harness's fiber
// size), must stay within half of it: the clean library has to fit the stack budget.
TEST_F(Limits, DefaultLimitsFitHalfOf64KiB)
{
    std::string nest_ops, nest_calls, nest_lets;
    for (int i = 0; i < 2 * CALC_PARSE_MAX_NESTING; i++) {
        nest_ops += "1 + (";
        nest_calls += "f(";
        nest_lets += "let a = -(";
    }
    calc_ast *neg = NegChain(1000);
    const std::function<void()> work[] = {
        [&] { EXPECT_EQ(Exec(nest_ops).status, CALC_EDEPTH); },
        [&] { EXPECT_EQ(Exec(nest_calls).status, CALC_EDEPTH); },
        [&] { EXPECT_EQ(Exec(nest_lets).status, CALC_EDEPTH); },
        [&] {
            EXPECT_EQ(Exec("f(n) = if n == 0 then 0 else 1 + f(n - 1); f(1000)").status,
                      CALC_EDEPTH);
        },
        [&] {
            EXPECT_EQ(Exec("f(n) = if n == 0 then 0 else n * (1 + f(n - 1)); f(1000)").status,
                      CALC_EDEPTH);
        },
        [&] { EXPECT_EQ(calctest::Print(neg), "<CALC_EDEPTH>"); },
    };
    for (size_t i = 0; i < sizeof work / sizeof work[0]; i++) {
        size_t used = calctest::RunOnPaintedStack(64 * 1024, work[i]);
        EXPECT_GT(used, 0u) << "case " << i;
        EXPECT_LT(used, 32u * 1024) << "case " << i;
    }
    calc_ast_release(neg);
}

int StopAfter(void *ctx, uint64_t calls)
{
    return calls >= *static_cast<uint64_t *>(ctx);
}

TEST_F(Limits, CallCallbackInterrupts)
{
    uint64_t stop = 1000;
    calc_limits lim{};
    lim.on_call = StopAfter;
    lim.ctx = &stop;
    Outcome o = Exec(std::string(kCountdown) + "1000000)", &lim);
    EXPECT_EQ(o.status, CALC_EINTR);
    EXPECT_EQ(o.info.calls, 1000u);
}

} // namespace
