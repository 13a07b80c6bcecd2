// parse(print(x)) == x for generated trees, built directly with the constructors.
#include "tests/calc/calc_fixture.h"

#include <climits>
#include <random>
#include <vector>

namespace
{

class RoundTrip : public calctest::CalcTest
{
};

const char *const kNames[] = {"x", "y", "n", "foo", "bar_1", "_t", "Z9", "iff", "lets"};
const int64_t kNums[] = {0, 1, 7, 42, -1, -5, INT64_MAX, INT64_MIN, INT64_MIN + 1, 1000000007};

class Gen
{
  public:
    explicit Gen(uint32_t seed) : rng_(seed) {}

    // A random tree of at most `depth` levels (a new reference).
    calc_ast *Tree(int depth)
    {
        int kind = depth <= 0 ? Pick(2) : Pick(9);
        calc_ast *out = nullptr;
        calc_status rc = CALC_OK;
        switch (kind) {
        case 0:
            rc = calc_num(Num(), &out);
            break;
        case 1:
            rc = calc_var(Name(), &out);
            break;
        case 2:
            rc = calc_neg(Tree(depth - 1), &out);
            break;
        case 3:
        case 4:
        case 5:
            rc = calc_binop(static_cast<calc_op>(Pick(CALC_OP_COUNT)), Tree(depth - 1),
                            Tree(depth - 1), &out);
            break;
        case 6:
            rc = calc_if(Tree(depth - 1), Tree(depth - 1), Tree(depth - 1), &out);
            break;
        case 7:
            rc = calc_let(Name(), Tree(depth - 1), Tree(depth - 1), &out);
            break;
        default:
            rc = Call(depth, &out);
            break;
        }
        EXPECT_EQ(rc, CALC_OK);
        return out;
    }

  private:
    int Pick(int n)
    {
        return std::uniform_int_distribution<int>(0, n - 1)(rng_);
    }
    const char *Name()
    {
        return kNames[Pick(sizeof kNames / sizeof kNames[0])];
    }
    int64_t Num()
    {
        if (Pick(2))
            return kNums[Pick(sizeof kNums / sizeof kNums[0])];
        return std::uniform_int_distribution<int64_t>(INT64_MIN, INT64_MAX)(rng_);
    }
    calc_status Call(int depth, calc_ast **out)
    {
        std::vector<calc_ast *> args(static_cast<size_t>(Pick(4)));
        for (calc_ast *&a : args)
            a = Tree(depth - 1);
        return calc_call(Name(), args.size(), args.data(), out);
    }

    std::mt19937 rng_;
};

TEST_F(RoundTrip, GeneratedTreesSurvivePrintAndParse)
{
    Gen gen(12345);
    for (int i = 0; i < 2000; i++) {
        calc_ast *tree = gen.Tree(1 + i % 7);
        ASSERT_NE(tree, nullptr);
        std::string text = calctest::Print(tree);
        calc_error err;
        calc_ast *back = calctest::Parse(text, &err);
        ASSERT_NE(back, nullptr) << text << ": " << err.msg;
        EXPECT_TRUE(calc_ast_equal(tree, back)) << text;
        EXPECT_EQ(calctest::Print(back), text);
        calc_ast_release(back);
        calc_ast_release(tree);
    }
}

TEST_F(RoundTrip, EqualityNoticesEveryField)
{
    calc_ast *a = calctest::Parse("f(x, 1 + 2)");
    const char *variants[] = {"f(x, 1 - 2)", "f(y, 1 + 2)",    "g(x, 1 + 2)",
                              "f(x, 1 + 3)", "f(x, 1 + 2, 3)", "f(x)"};
    for (const char *v : variants) {
        calc_ast *b = calctest::Parse(v);
        EXPECT_FALSE(calc_ast_equal(a, b)) << v;
        calc_ast_release(b);
    }
    calc_ast *same = calctest::Parse("f( x ,(1+2))");
    EXPECT_TRUE(calc_ast_equal(a, same));
    calc_ast_release(same);
    calc_ast_release(a);
}

TEST_F(RoundTrip, ConstructorsRejectBadInputAndConsumeChildren)
{
    calc_ast *out = nullptr;
    calc_ast *one = nullptr;
    ASSERT_EQ(calc_num(1, &one), CALC_OK);
    EXPECT_EQ(calc_var("let", &out), CALC_EINVAL);
    EXPECT_EQ(calc_var("", &out), CALC_EINVAL);
    EXPECT_EQ(calc_var(nullptr, &out), CALC_EINVAL);
    EXPECT_EQ(calc_binop(CALC_OP_COUNT, calc_ast_retain(one), calc_ast_retain(one), &out),
              CALC_EINVAL);
    EXPECT_EQ(calc_if(calc_ast_retain(one), nullptr, calc_ast_retain(one), &out), CALC_EINVAL);
    EXPECT_EQ(calc_let("a b", calc_ast_retain(one), calc_ast_retain(one), &out), CALC_EINVAL);
    EXPECT_EQ(calc_neg(calc_ast_retain(one), nullptr), CALC_EINVAL);
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(calctest::Gauges().live_nodes, 1u);
    calc_ast_release(one);
}

TEST_F(RoundTrip, SharedSubtreesCountTowardTheSizeLimit)
{
    calc_ast *t = nullptr;
    ASSERT_EQ(calc_num(1, &t), CALC_OK);
    calc_status rc = CALC_OK;
    int doublings = 0;
    while (rc == CALC_OK) {
        calc_ast *next = nullptr;
        rc = calc_binop(CALC_ADD, calc_ast_retain(t), calc_ast_retain(t), &next);
        calc_ast_release(t);
        t = next;
        doublings++;
    }
    EXPECT_EQ(rc, CALC_ETOOBIG);
    EXPECT_EQ(doublings, 20);
    EXPECT_EQ(calctest::Gauges().live_nodes, 0u);
}

} // namespace
