// Allocation-failure injection: fail allocation N for N = 1, 2, ... until an operation
// completes without reaching N. Each result must be CALC_OK or CALC_ENOMEM, and the gauges
// must return to where they were: nothing leaked, invariants intact.
#include "tests/calc/calc_fixture.h"
#include "tests/calc/test_util.h"

#include <functional>

namespace
{

const char kProgram[] = "fact(n) = if n <= 1 then 1 else n * fact(n - 1);"
                        "tri(n, a, b, c) = let s = a + b + c in if n == 0 then s"
                        " else tri(n - 1, b, c, let t = s % 97 in t + 1);"
                        "loop(n) = if n == 0 then 0 else loop(n - 1);"
                        "tri(10, 1, 2, 3) + fact(12) + loop(50) + (let a = 1 in let b = 2 in"
                        " let c = 3 in let d = 4 in let e = 5 in let f = 6 in let g = 7 in"
                        " let h = 8 in let i = 9 in let j = 10 in let k = 11 in let l = 12 in"
                        " let m = 13 in let o = 14 in let p = 15 in let q = 16 in let r = 17 in"
                        " a + r)";

class Oom : public calctest::CalcTest
{
  protected:
    void SetUp() override
    {
        CalcTest::SetUp();
        ASSERT_EQ(calc_set_hooks(&fault_.table, nullptr), CALC_OK);
    }
    void TearDown() override
    {
        EXPECT_EQ(calc_set_hooks(nullptr, nullptr), CALC_OK);
        CalcTest::TearDown();
    }

    // Runs op with allocation N failing, N = 1.., until op no longer reaches N.
    // op returns its status; the gauges must match their values before each run.
    void Sweep(const std::function<calc_status()> &op)
    {
        int failures = 0;
        for (uint64_t n = 1;; n++) {
            calc_gauges before = calctest::Gauges();
            fault_.Arm(n);
            calc_status rc = op();
            fault_.Disarm();
            ASSERT_TRUE(rc == CALC_OK || rc == CALC_ENOMEM)
                << "allocation " << n << ": " << calc_status_name(rc);
            calc_gauges after = calctest::Gauges();
            ASSERT_EQ(after.bytes, before.bytes) << "allocation " << n;
            ASSERT_EQ(after.allocations, before.allocations) << "allocation " << n;
            ASSERT_EQ(after.live_nodes, before.live_nodes) << "allocation " << n;
            ASSERT_EQ(after.live_fns, before.live_fns) << "allocation " << n;
            failures += rc == CALC_ENOMEM;
            if (!fault_.fired) {
                EXPECT_EQ(rc, CALC_OK);
                break;
            }
        }
        EXPECT_GT(failures, 0) << "the operation never allocated";
    }

    calctest::FaultAllocator fault_;
};

TEST_F(Oom, Parse)
{
    Sweep([] {
        calc_program *p = nullptr;
        calc_error err;
        calc_status rc = calc_parse_program(kProgram, sizeof kProgram - 1, &p, &err);
        EXPECT_EQ(rc, err.status);
        calc_program_free(p);
        return rc;
    });
}

TEST_F(Oom, Eval)
{
    calc_env *env = nullptr;
    calc_program *p = nullptr;
    ASSERT_EQ(calc_env_new(&env), CALC_OK);
    ASSERT_EQ(calc_parse_program(kProgram, sizeof kProgram - 1, &p, nullptr), CALC_OK);
    ASSERT_EQ(calc_env_load(env, p), CALC_OK);
    int64_t expected = 0;
    ASSERT_EQ(calc_eval(env, calc_program_expr(p), nullptr, &expected, nullptr, nullptr), CALC_OK);
    Sweep([&] {
        int64_t v = 0;
        calc_status rc = calc_eval(env, calc_program_expr(p), nullptr, &v, nullptr, nullptr);
        if (rc == CALC_OK)
            EXPECT_EQ(v, expected);
        EXPECT_EQ(calc_check(env), nullptr);
        return rc;
    });
    calc_program_free(p);
    calc_env_free(env);
}

TEST_F(Oom, Print)
{
    calc_program *p = nullptr;
    ASSERT_EQ(calc_parse_program(kProgram, sizeof kProgram - 1, &p, nullptr), CALC_OK);
    Sweep([&] {
        char *s = nullptr;
        calc_status rc = calc_print(calc_program_expr(p), 0, &s, nullptr);
        calc_string_free(s);
        if (rc == CALC_OK)
            rc = calc_print_fn(calc_program_fn(p, 1), 0, &s, nullptr);
        calc_string_free(s);
        return rc;
    });
    calc_program_free(p);
}

TEST_F(Oom, Define)
{
    calc_ast *body = calctest::Parse("a + b * c");
    ASSERT_NE(body, nullptr);
    Sweep([&] {
        calc_env *env = nullptr;
        calc_status rc = calc_env_new(&env);
        const char *params[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
        for (int i = 0; rc == CALC_OK && i < 20; i++) {
            std::string name = "fn" + std::to_string(i);
            rc = calc_env_define(env, name.c_str(), 3 + i % 8, params, body);
        }
        if (rc == CALC_OK)
            rc = calc_env_define(env, "fn3", 10, params, body);
        EXPECT_EQ(calc_check(env), nullptr);
        calc_env_free(env);
        return rc;
    });
    calc_ast_release(body);
}

TEST_F(Oom, Exec)
{
    Sweep([] {
        calctest::Outcome o = calctest::Exec(kProgram);
        EXPECT_EQ(o.status, o.err.status);
        return o.status;
    });
}

} // namespace
