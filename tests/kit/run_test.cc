#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/kit/bank_target.h"

namespace
{

struct Runner {
    ob_runner *r = nullptr;
    explicit Runner(ob_executor_kind kind)
    {
        ob_options opt = {};
        opt.executor = kind;
        EXPECT_EQ(ob_runner_new(&opt, &r), OB_OK);
    }
    ~Runner()
    {
        ob_runner_free(r);
    }
};

struct Program {
    ob_program p = {};
    ~Program()
    {
        ob_program_clear(&p);
    }
};

void assemble(const char *src, Program &p)
{
    char err[256] = "";
    ASSERT_EQ(ob_program_assemble(&banktest::kTarget, src, &p.p, err, sizeof err), OB_OK) << err;
}

class RunTest : public ::testing::TestWithParam<ob_executor_kind>
{
  protected:
    static void SetUpTestSuite()
    {
        banktest::install();
    }
};

TEST_P(RunTest, RunsEveryOperationOfEveryThread)
{
    Runner r(GetParam());
    Program p;
    assemble("threads 3\n"
             "t0 h0 = account.open 100\n"
             "t0 h1 = account.open 100\n"
             "t1 account.deposit h0 1\n"
             "t2 account.deposit h1 2\n"
             "t1 account.transfer h0 h1 50\n"
             "t2 account.transfer h1 h0 50\n",
             p);
    ob_outcome o;
    for (int i = 0; i < 200; i++) {
        ASSERT_EQ(ob_run(r.r, &p.p, &o), OB_OK);
        EXPECT_EQ(o.executed + o.skipped, 6u);
        EXPECT_EQ(o.check, nullptr) << o.check;
    }
}

TEST_P(RunTest, RandomProgramsKeepTheBankBalanced)
{
    Runner r(GetParam());
    std::mt19937 rng(7);
    for (int i = 0; i < 3000; i++) {
        std::vector<uint8_t> bytes(rng() % 300);
        for (auto &b : bytes)
            b = (uint8_t)rng();
        Program p;
        ASSERT_EQ(ob_program_decode(&banktest::kTarget, bytes.data(), bytes.size(), &p.p), OB_OK);
        ob_outcome o;
        ASSERT_EQ(ob_run(r.r, &p.p, &o), OB_OK);
        ASSERT_EQ(o.check, nullptr);
        ASSERT_EQ(o.executed + o.skipped, p.p.ninsts);
    }
}

TEST_P(RunTest, InjectedFailuresFailTheOperationAndItsDependentsAreSkipped)
{
    Runner r(GetParam());
    Program p;
    assemble("threads 1\n"
             "t0 h0 = account.open 5 !failall\n"
             "t0 account.deposit h0 1\n"
             "t0 h1 = account.open 5\n"
             "t0 account.note h1 \"abc\" !fail=1\n"
             "t0 account.note h1 \"abc\" !fail=2\n",
             p);
    uint64_t before = ob_injected_failures();
    ob_outcome o;
    ASSERT_EQ(ob_run(r.r, &p.p, &o), OB_OK);
    EXPECT_EQ(o.skipped, 1u); // the deposit into h0, which was never made
    EXPECT_EQ(o.executed, 4u);
    EXPECT_EQ(o.failed, 2u); // the open and the first note; note makes one allocation
    EXPECT_EQ(ob_injected_failures() - before, 2u);
}

INSTANTIATE_TEST_SUITE_P(Executors, RunTest, ::testing::Values(OB_EXEC_FIBERS, OB_EXEC_POOL),
                         [](const auto &info) {
                             return std::string(info.param == OB_EXEC_FIBERS ? "Fibers" : "Pool");
                         });

TEST(Options, ComeFromTheEnvironment)
{
    ob_options o;
    setenv("OB_EXECUTOR", "pool", 1);
    setenv("OB_FIBER_STACK", "131072", 1);
    ASSERT_EQ(ob_options_from_env(&o), OB_OK);
    EXPECT_EQ(o.executor, OB_EXEC_POOL);
    EXPECT_EQ(o.fiber_stack, 131072u);
    setenv("OB_EXECUTOR", "threads", 1);
    EXPECT_EQ(ob_options_from_env(&o), OB_EINVAL);
    setenv("OB_EXECUTOR", "fibers", 1);
    setenv("OB_FIBER_STACK", "12", 1);
    EXPECT_EQ(ob_options_from_env(&o), OB_EINVAL);
    unsetenv("OB_EXECUTOR");
    unsetenv("OB_FIBER_STACK");
}

} // namespace
