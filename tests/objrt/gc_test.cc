// The cycle collector: it frees unreachable cycles (self-loops, list <-> dict, cycles
// through weakrefs' owners), keeps everything reachable intact, clears weakrefs to garbage
// and runs their callbacks once, and releases interned keys held only by garbage.
#include <string>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

namespace
{

class Gc : public IdleTest
{
};

size_t Collect()
{
    size_t freed = 0;
    EXPECT_EQ(objrt_collect(&freed), OBJRT_OK);
    return freed;
}

bool HasCycle(std::string *text = nullptr)
{
    objrt_snapshot *s = nullptr;
    EXPECT_EQ(objrt_snapshot_take(&s), OBJRT_OK);
    char buf[256];
    int found = 0;
    EXPECT_EQ(objrt_snapshot_find_cycle(s, buf, sizeof buf, &found), OBJRT_OK);
    objrt_snapshot_free(s);
    if (text)
        *text = buf;
    return found != 0;
}

TEST_F(Gc, EmptyCollectionFreesNothing)
{
    EXPECT_EQ(Collect(), 0u);
    EXPECT_EQ(objrt_collect(nullptr), OBJRT_OK);
}

TEST_F(Gc, SelfLoopIsFreed)
{
    objrt_obj *l = List();
    objrt_list_append(l, l);
    objrt_decref(l);
    EXPECT_EQ(LiveObjects(), 1u);
    EXPECT_TRUE(HasCycle());
    EXPECT_EQ(Collect(), 1u);
    EXPECT_FALSE(HasCycle());
}

TEST_F(Gc, ListDictCycleIsFreedWithItsContents)
{
    objrt_obj *l = List(), *d = Dict(), *k = Str("k"), *payload = Parse("[1, \"x\", [2]]");
    objrt_list_append(l, d);
    objrt_list_append(l, payload);
    objrt_dict_set(d, k, l);
    std::string cycle;
    ASSERT_TRUE(HasCycle(&cycle));
    EXPECT_EQ(cycle, "list#" + std::to_string(objrt_id(l)) + " -> dict#" +
                         std::to_string(objrt_id(d)) + " -> list#" + std::to_string(objrt_id(l)));
    for (objrt_obj *o : {l, d, k, payload})
        objrt_decref(o);
    EXPECT_EQ(Collect(), 4u); // l, d, and the two payload lists
}

TEST_F(Gc, ReachableCyclesSurvive)
{
    objrt_obj *l = List(), *d = Dict(), *k = Int(7);
    objrt_list_append(l, d);
    objrt_dict_set(d, k, l);
    objrt_decref(d);
    objrt_decref(k);
    EXPECT_EQ(Collect(), 0u);
    EXPECT_EQ(Repr(l), "[{7: [...]}]");
    EXPECT_EQ(objrt_check(), nullptr);
    // Now only the cycle holds itself.
    objrt_decref(l);
    EXPECT_EQ(Collect(), 2u);
}

TEST_F(Gc, ContainerReachableOnlyFromACycleHeldOutsideSurvives)
{
    objrt_obj *holder = List(), *a = List(), *b = Dict(), *k = Str("back"), *leaf = List();
    objrt_list_append(holder, a);
    objrt_list_append(a, b);
    objrt_dict_set(b, k, a);
    objrt_list_append(a, leaf);
    for (objrt_obj *o : {a, b, k, leaf})
        objrt_decref(o);
    EXPECT_EQ(Collect(), 0u);
    EXPECT_EQ(Repr(holder), "[[{\"back\": [...]}, []]]");
    objrt_list_clear(holder);
    EXPECT_EQ(Collect(), 3u);
    objrt_decref(holder);
}

TEST_F(Gc, GarbageDropsItsReferencesToLiveObjects)
{
    objrt_obj *survivor = List(), *l = List();
    objrt_list_append(l, l);
    objrt_list_append(l, survivor);
    objrt_decref(l);
    EXPECT_EQ(objrt_refcount(survivor), 2);
    EXPECT_EQ(Collect(), 1u);
    EXPECT_EQ(objrt_refcount(survivor), 1);
    objrt_decref(survivor);
}

struct Log {
    int calls = 0;
    objrt_obj *seen = reinterpret_cast<objrt_obj *>(1);
    size_t nested_freed = 99;
};

void Record(objrt_obj *wr, void *ctx)
{
    auto *log = static_cast<Log *>(ctx);
    log->calls++;
    objrt_weakref_get(wr, &log->seen);
}

TEST_F(Gc, WeakrefsToGarbageAreClearedAndCalledBackOnce)
{
    Log log;
    objrt_obj *l = List(), *w = nullptr;
    objrt_list_append(l, l);
    ASSERT_EQ(objrt_weakref_new(l, Record, &log, &w), OBJRT_OK);
    objrt_decref(l);
    EXPECT_EQ(Collect(), 1u);
    EXPECT_EQ(log.calls, 1);
    EXPECT_EQ(log.seen, nullptr);
    objrt_obj *got = l;
    objrt_weakref_get(w, &got);
    EXPECT_EQ(got, nullptr);
    EXPECT_EQ(Collect(), 0u);
    EXPECT_EQ(log.calls, 1);
    objrt_decref(w);
}

TEST_F(Gc, WeakrefHeldByItsOwnReferentDiesWithIt)
{
    Log log;
    objrt_obj *l = List(), *w = nullptr;
    ASSERT_EQ(objrt_weakref_new(l, Record, &log, &w), OBJRT_OK);
    objrt_list_append(l, w);
    objrt_list_append(l, l);
    objrt_decref(w);
    objrt_decref(l);
    EXPECT_EQ(Collect(), 1u);
    EXPECT_EQ(log.calls, 1);
}

void CollectFromCallback(objrt_obj *wr, void *ctx)
{
    (void)wr;
    auto *log = static_cast<Log *>(ctx);
    log->calls++;
    // A callback may build garbage and run the collector itself.
    objrt_obj *again = List();
    objrt_list_append(again, again);
    objrt_decref(again);
    EXPECT_EQ(objrt_collect(&log->nested_freed), OBJRT_OK);
}

TEST_F(Gc, CallbacksMayReenterTheCollector)
{
    Log log;
    objrt_obj *l = List(), *w = nullptr;
    objrt_list_append(l, l);
    ASSERT_EQ(objrt_weakref_new(l, CollectFromCallback, &log, &w), OBJRT_OK);
    objrt_decref(l);
    EXPECT_EQ(Collect(), 1u);
    EXPECT_EQ(log.calls, 1);
    EXPECT_EQ(log.nested_freed, 1u);
    objrt_decref(w);
}

TEST_F(Gc, InternedKeysOfGarbageAreReleased)
{
    objrt_obj *d = Parse("{\"alpha\": 1, \"beta\": [2]}");
    objrt_obj *l = List();
    objrt_list_append(l, d);
    objrt_obj *k = nullptr;
    ASSERT_EQ(objrt_str_intern("self", 4, &k), OBJRT_OK);
    objrt_dict_set(d, k, l);
    objrt_decref(k);
    objrt_decref(l);
    objrt_decref(d);
    EXPECT_EQ(Gauges().intern_entries, 3u);
    EXPECT_EQ(Collect(), 3u);
    EXPECT_EQ(Gauges().intern_entries, 0u);
}

TEST_F(Gc, ManySmallCyclesAmongLiveObjects)
{
    objrt_obj *keep = List();
    for (int i = 0; i < 1000; i++) {
        objrt_obj *a = List(), *b = Dict(), *k = Int(i);
        objrt_list_append(a, b);
        objrt_dict_set(b, k, a);
        if (i % 10 == 0)
            objrt_list_append(keep, a);
        for (objrt_obj *o : {a, b, k})
            objrt_decref(o);
    }
    EXPECT_EQ(Collect(), 1800u);
    EXPECT_EQ(Gauges().live_containers, 201u);
    EXPECT_EQ(objrt_check(), nullptr);
    objrt_decref(keep);
    EXPECT_EQ(Collect(), 200u);
}

TEST_F(Gc, DeepcopyOfAGarbageCycleIsItselfCollectable)
{
    objrt_obj *l = Parse("[[1], {\"a\": []}]"), *copy = nullptr;
    ASSERT_EQ(objrt_deepcopy(l, &copy), OBJRT_OK);
    objrt_list_append(copy, copy);
    objrt_decref(copy);
    objrt_decref(l);
    EXPECT_EQ(Collect(), 4u);
}

} // namespace
