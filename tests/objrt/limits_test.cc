// Limits: every recursive operation stops at the depth limit with OBJRT_ERECURSION, runs
// in 48 KiB of stack at the limit, and freeing or collecting a structure one million
// levels deep does not recurse.
#include <string>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

namespace
{

// A 64 KiB fiber stack less 16 KiB left to the harness's own frames.
constexpr size_t kStackBudget = 48 * 1024;

class Limits : public IdleTest
{
};

// Runs every recursive operation on a structure nested `depth` levels deep.
void ExpectAllOperations(unsigned depth, bool dict, int want)
{
    std::string text = NestedText(depth, dict);
    objrt_obj *o = nullptr;
    EXPECT_EQ(objrt_parse(text.data(), text.size(), &o, nullptr), want) << depth;
    if (want != OBJRT_OK) {
        // Build it one level shallower and nest it once more through the API.
        objrt_obj *inner = nullptr;
        std::string t = NestedText(depth - 1, dict);
        ASSERT_EQ(objrt_parse(t.data(), t.size(), &inner, nullptr), OBJRT_OK);
        o = List();
        objrt_list_append(o, inner);
        objrt_decref(inner);
    }
    objrt_obj *r = nullptr, *copy = nullptr;
    EXPECT_EQ(objrt_repr(o, &r), want);
    EXPECT_EQ(objrt_deepcopy(o, &copy), want);
    int eq = 0;
    uint64_t h = 0;
    EXPECT_EQ(objrt_hash(o, &h), want);
    if (copy)
        EXPECT_EQ(objrt_eq(o, copy, &eq), want);
    objrt_decref(r);
    objrt_decref(copy);
    objrt_decref(o);
}

TEST_F(Limits, DefaultLimitAllowsExactlyItsDepth)
{
    ExpectAllOperations(OBJRT_DEFAULT_DEPTH_LIMIT, false, OBJRT_OK);
    ExpectAllOperations(OBJRT_DEFAULT_DEPTH_LIMIT, true, OBJRT_OK);
    ExpectAllOperations(OBJRT_DEFAULT_DEPTH_LIMIT + 1, false, OBJRT_ERECURSION);
    ExpectAllOperations(OBJRT_DEFAULT_DEPTH_LIMIT + 1, true, OBJRT_ERECURSION);
    EXPECT_LE(Gauges().depth_high_water, (unsigned)OBJRT_DEFAULT_DEPTH_LIMIT);
}

TEST_F(Limits, ConfiguredLimitApplies)
{
    objrt_set_depth_limit(10);
    EXPECT_EQ(objrt_depth_limit(), 10u);
    ExpectAllOperations(10, false, OBJRT_OK);
    ExpectAllOperations(11, false, OBJRT_ERECURSION);
    ExpectAllOperations(11, true, OBJRT_ERECURSION);
    objrt_set_depth_limit(0);
    EXPECT_EQ(objrt_depth_limit(), (unsigned)OBJRT_DEFAULT_DEPTH_LIMIT);
}

TEST_F(Limits, RecursionErrorsNameTheirSite)
{
    objrt_set_depth_limit(3);
    objrt_obj *deep = NestedList(5), *other = NestedList(5), *out = nullptr;
    int eq = 0;
    uint64_t h = 0;
    EXPECT_EQ(Gauges().recursion_site, nullptr);
    EXPECT_EQ(objrt_repr(deep, &out), OBJRT_ERECURSION);
    EXPECT_STREQ(Gauges().recursion_site, "objrt.repr");
    EXPECT_EQ(objrt_eq(deep, other, &eq), OBJRT_ERECURSION);
    EXPECT_STREQ(Gauges().recursion_site, "objrt.eq");
    EXPECT_EQ(objrt_hash(deep, &h), OBJRT_ERECURSION);
    EXPECT_STREQ(Gauges().recursion_site, "objrt.hash");
    EXPECT_EQ(objrt_deepcopy(deep, &out), OBJRT_ERECURSION);
    EXPECT_STREQ(Gauges().recursion_site, "objrt.deepcopy");
    EXPECT_EQ(objrt_parse("[[[[]]]]", 8, &out, nullptr), OBJRT_ERECURSION);
    EXPECT_STREQ(Gauges().recursion_site, "objrt.parse.list");
    const char dicts[] = "{1: {2: {3: {}}}}";
    EXPECT_EQ(objrt_parse(dicts, sizeof dicts - 1, &out, nullptr), OBJRT_ERECURSION);
    EXPECT_STREQ(Gauges().recursion_site, "objrt.parse.dict");
    objrt_reset_depth_high_water();
    EXPECT_EQ(Gauges().recursion_site, nullptr);
    objrt_decref(deep);
    objrt_decref(other);
}

TEST_F(Limits, ParserStopsDeepInputAtTheLimit)
{
    std::string text = NestedText(100000, false);
    objrt_obj *o = nullptr;
    size_t off = 0;
    EXPECT_EQ(objrt_parse(text.data(), text.size(), &o, &off), OBJRT_ERECURSION);
    EXPECT_EQ(off, (size_t)OBJRT_DEFAULT_DEPTH_LIMIT);
    EXPECT_EQ(o, nullptr);
    EXPECT_LE(Gauges().depth_high_water, (unsigned)OBJRT_DEFAULT_DEPTH_LIMIT);
}

TEST_F(Limits, EveryOperationFitsTheStackBudgetAtTheLimit)
{
    RunOnStack(kStackBudget, [] {
        ExpectAllOperations(OBJRT_DEFAULT_DEPTH_LIMIT, false, OBJRT_OK);
        ExpectAllOperations(OBJRT_DEFAULT_DEPTH_LIMIT, true, OBJRT_OK);
        std::string deep = NestedText(50000, true);
        objrt_obj *o = nullptr;
        EXPECT_EQ(objrt_parse(deep.data(), deep.size(), &o, nullptr), OBJRT_ERECURSION);
    });
}

TEST_F(Limits, CyclesHitTheLimitInsteadOfLooping)
{
    objrt_obj *a = List(), *b = List(), *copy = nullptr;
    objrt_list_append(a, a);
    objrt_list_append(b, b);
    int eq = 0;
    uint64_t h = 0;
    EXPECT_EQ(objrt_eq(a, a, &eq), OBJRT_OK);
    EXPECT_TRUE(eq);
    EXPECT_EQ(objrt_eq(a, b, &eq), OBJRT_ERECURSION);
    EXPECT_EQ(objrt_hash(a, &h), OBJRT_ERECURSION);
    EXPECT_EQ(objrt_deepcopy(a, &copy), OBJRT_ERECURSION);
    EXPECT_EQ(copy, nullptr);
    EXPECT_EQ(Repr(a), "[[...]]");
    EXPECT_EQ(LiveObjects(), 2u);
    objrt_list_clear(a);
    objrt_list_clear(b);
    objrt_decref(a);
    objrt_decref(b);
}

TEST_F(Limits, ReprGuardsCyclesBelowTheTop)
{
    objrt_obj *outer = List(), *inner = Dict(), *k = Int(1);
    objrt_list_append(outer, inner);
    objrt_dict_set(inner, k, outer);
    EXPECT_EQ(Repr(outer), "[{1: [...]}]");
    EXPECT_EQ(Repr(inner), "{1: [{...}]}");
    objrt_list_clear(outer);
    for (objrt_obj *o : {outer, inner, k})
        objrt_decref(o);
}

TEST_F(Limits, MillionDeepChainFreesOnTheStackBudget)
{
    objrt_obj *chain = NestedList(1000000);
    ASSERT_EQ(LiveObjects(), 1000000u);
    RunOnStack(kStackBudget, [chain] { objrt_decref(chain); });
    EXPECT_LE(Gauges().depth_high_water, 1u);
}

TEST_F(Limits, DeepDictChainFreesOnTheStackBudget)
{
    objrt_obj *k = Int(0), *inner = Dict();
    for (int i = 1; i < 300000; i++) {
        objrt_obj *outer = Dict();
        objrt_dict_set(outer, k, inner);
        objrt_decref(inner);
        inner = outer;
    }
    objrt_decref(k);
    RunOnStack(kStackBudget, [inner] { objrt_decref(inner); });
}

TEST_F(Limits, MillionDeepCycleIsCollectedOnTheStackBudget)
{
    objrt_obj *root = List(), *inner = root;
    objrt_incref(inner);
    for (int i = 1; i < 1000000; i++) {
        objrt_obj *next = List();
        objrt_list_append(inner, next);
        objrt_decref(inner);
        inner = next;
    }
    objrt_list_append(inner, root);
    objrt_decref(inner);
    objrt_decref(root);
    ASSERT_EQ(LiveObjects(), 1000000u);
    size_t freed = 0;
    RunOnStack(kStackBudget, [&freed] { EXPECT_EQ(objrt_collect(&freed), OBJRT_OK); });
    EXPECT_EQ(freed, 1000000u);
}

} // namespace
