// calc_fixture.h: a fixture that checks every test leaves no calc object behind, plus
// small wrappers that turn calc's status-and-pointer calls into values for assertions.
#ifndef CALC_FIXTURE_H
#define CALC_FIXTURE_H

#include <gtest/gtest.h>

#include <string>

extern "C" {
#include "targets/calc/calc.h"
}

namespace calctest
{

inline calc_gauges Gauges()
{
    calc_gauges g;
    calc_gauges_read(&g);
    return g;
}

// Every test starts and ends with nothing alive: gauges at zero and invariants intact.
class CalcTest : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        calc_gauges g = Gauges();
        ASSERT_EQ(g.allocations, 0u) << "a previous test leaked";
    }
    void TearDown() override
    {
        calc_gauges g = Gauges();
        EXPECT_EQ(g.live_nodes, 0u);
        EXPECT_EQ(g.live_fns, 0u);
        EXPECT_EQ(g.live_envs, 0u);
        EXPECT_EQ(g.bytes, 0u);
        EXPECT_EQ(g.allocations, 0u);
        EXPECT_EQ(calc_check(nullptr), nullptr);
    }
};

struct Outcome {
    calc_status status;
    int64_t value;
    calc_error err;
    calc_eval_info info;
};

// Runs a whole program in a fresh environment.
inline Outcome Exec(const std::string &src, const calc_limits *limits = nullptr)
{
    Outcome o{};
    calc_env *env = nullptr;
    o.status = calc_env_new(&env);
    o.err.status = o.status;
    if (o.status != CALC_OK)
        return o;
    o.status = calc_exec(env, src.data(), src.size(), limits, &o.value, &o.info, &o.err);
    calc_env_free(env);
    return o;
}

// Parses an expression (nullptr on failure; err says why).
inline calc_ast *Parse(const std::string &src, calc_error *err = nullptr)
{
    calc_ast *e = nullptr;
    calc_parse_expr(src.data(), src.size(), &e, err);
    return e;
}

// Prints e, or returns "<STATUS>" when printing fails.
inline std::string Print(const calc_ast *e, unsigned max_depth = 0)
{
    char *s = nullptr;
    size_t n = 0;
    calc_status rc = calc_print(e, max_depth, &s, &n);
    if (rc != CALC_OK)
        return std::string("<") + calc_status_name(rc) + ">";
    std::string out(s, n);
    calc_string_free(s);
    return out;
}

// Canonical text of src, or "<STATUS>" when it does not parse.
inline std::string Canon(const std::string &src)
{
    calc_error err;
    calc_ast *e = Parse(src, &err);
    if (!e)
        return std::string("<") + calc_status_name(err.status) + ">";
    std::string out = Print(e);
    calc_ast_release(e);
    return out;
}

} // namespace calctest

#endif
