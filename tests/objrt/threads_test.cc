// Concurrency: eight threads share containers, reference counts, weakrefs and the intern
// table while the collector runs; under the default config ASan checks memory, under
// --config=tsan ThreadSanitizer checks for races. Sync hooks that yield the CPU at the
// runtime's yield points widen the interleavings.
#include <sched.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

namespace
{

constexpr int kThreads = 8;

std::atomic<unsigned> g_yields{0};

void PosixLock(void *, pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
}

void PosixUnlock(void *, pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

// Gives the CPU away at one yield point in eight, so threads switch inside operations.
void SometimesYield(void *, const char *)
{
    if ((g_yields.fetch_add(1, std::memory_order_relaxed) & 7) == 0)
        sched_yield();
}

const tg_sync kYieldingSync = {PosixLock, PosixUnlock, SometimesYield, nullptr};

class Threads : public IdleTest
{
  protected:
    void SetUp() override
    {
        IdleTest::SetUp();
        ASSERT_EQ(objrt_set_hooks(nullptr, &kYieldingSync), OBJRT_OK);
    }
    void TearDown() override
    {
        IdleTest::TearDown();
        EXPECT_EQ(objrt_set_hooks(nullptr, nullptr), OBJRT_OK);
    }
};

void RunThreads(const std::function<void(int)> &fn)
{
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++)
        threads.emplace_back(fn, t);
    for (auto &t : threads)
        t.join();
}

struct Shared {
    objrt_obj *list, *dict, *counter;
};

// One random operation on the shared containers.
void SharedStep(const Shared &s, std::mt19937 &rng, int thread)
{
    objrt_obj *o = nullptr, *k = Int((int64_t)(rng() % 32));
    size_t len = 0;
    switch (rng() % 10) {
    case 0:
    case 1:
        o = Int(thread);
        EXPECT_EQ(objrt_list_append(s.list, o), OBJRT_OK);
        break;
    case 2:
        objrt_list_pop(s.list, &o);
        break;
    case 3:
        objrt_list_len(s.list, &len);
        if (len && objrt_list_get(s.list, rng() % len, &o) == OBJRT_OK)
            objrt_list_set(s.list, 0, o);
        break;
    case 4:
        o = rng() % 4 ? Str("v") : s.list;
        if (o == s.list)
            objrt_incref(o);
        EXPECT_EQ(objrt_dict_set(s.dict, k, o), OBJRT_OK);
        break;
    case 5:
        objrt_dict_get(s.dict, k, &o);
        break;
    case 6:
        objrt_dict_del(s.dict, k);
        break;
    case 7: {
        objrt_obj *r = nullptr;
        int rc = objrt_repr(s.dict, &r);
        EXPECT_TRUE(rc == OBJRT_OK || rc == OBJRT_ERECURSION);
        objrt_decref(r);
        break;
    }
    case 8:
        for (int i = 0; i < 8; i++)
            objrt_incref(s.counter);
        for (int i = 0; i < 8; i++)
            objrt_decref(s.counter);
        break;
    default:
        objrt_collect(nullptr);
        break;
    }
    objrt_decref(o);
    objrt_decref(k);
}

TEST_F(Threads, SharedContainersStayConsistent)
{
    Shared s{List(), Dict(), Str("counter")};
    objrt_list_append(s.list, s.dict); // list -> dict -> (sometimes) list: a live cycle
    RunThreads([&s](int t) {
        std::mt19937 rng(1234u + (unsigned)t);
        for (int i = 0; i < 1500; i++)
            SharedStep(s, rng, t);
    });
    EXPECT_EQ(objrt_refcount(s.counter), 1);
    EXPECT_EQ(objrt_check(), nullptr);
    objrt_decref(s.list);
    objrt_decref(s.dict);
    objrt_decref(s.counter);
    objrt_collect(nullptr);
}

// Builds a structure only this thread knows the expected text of.
objrt_obj *KeptCycle(int thread, int i)
{
    objrt_obj *l = List(), *d = Dict(), *k = Int(i), *v = Int(thread);
    objrt_list_append(l, d);
    objrt_dict_set(d, k, l);
    objrt_list_append(l, v);
    for (objrt_obj *o : {d, k, v})
        objrt_decref(o);
    return l;
}

TEST_F(Threads, CollectorRunsWhileOthersBuildAndDropCycles)
{
    std::atomic<int> builders{kThreads - 1};
    std::vector<std::vector<objrt_obj *>> kept(kThreads);
    RunThreads([&](int t) {
        if (t == 0) {
            while (builders.load() > 0)
                objrt_collect(nullptr);
            return;
        }
        for (int i = 0; i < 300; i++) {
            objrt_obj *c = KeptCycle(t, i);
            if (i % 3 == 0)
                kept[t].push_back(c); // held by this thread: must survive
            else
                objrt_decref(c); // garbage for the collector
            objrt_obj *self = List();
            objrt_list_append(self, self);
            objrt_decref(self);
        }
        builders--;
    });
    for (int t = 1; t < kThreads; t++) {
        for (size_t j = 0; j < kept[t].size(); j++) {
            std::string want =
                "[{" + std::to_string(j * 3) + ": [...]}, " + std::to_string(t) + "]";
            EXPECT_EQ(Repr(kept[t][j]), want);
            objrt_decref(kept[t][j]);
        }
    }
    objrt_collect(nullptr);
}

TEST_F(Threads, RefcountHammerOnOneObject)
{
    objrt_obj *shared = List();
    RunThreads([shared](int) {
        for (int i = 0; i < 5000; i++) {
            objrt_incref(shared);
            objrt_decref(shared);
        }
        for (int i = 0; i < 100; i++) {
            objrt_obj *w = nullptr, *got = nullptr;
            ASSERT_EQ(objrt_weakref_new(shared, nullptr, nullptr, &w), OBJRT_OK);
            ASSERT_EQ(objrt_weakref_get(w, &got), OBJRT_OK);
            EXPECT_EQ(got, shared);
            objrt_decref(got);
            objrt_decref(w);
        }
    });
    EXPECT_EQ(objrt_refcount(shared), 1);
    objrt_decref(shared);
}

TEST_F(Threads, SharedReferentDiesWhileOthersReadItsWeakref)
{
    std::atomic<int> calls{0};
    for (int round = 0; round < 20; round++) {
        objrt_obj *target = List(), *w = nullptr;
        objrt_list_append(target, target);
        auto cb = [](objrt_obj *, void *ctx) {
            static_cast<std::atomic<int> *>(ctx)->fetch_add(1);
        };
        ASSERT_EQ(objrt_weakref_new(target, cb, &calls, &w), OBJRT_OK);
        std::vector<objrt_obj *> refs(kThreads, target);
        for (int t = 1; t < kThreads; t++)
            objrt_incref(target);
        RunThreads([&](int t) {
            objrt_obj *got = nullptr;
            for (int i = 0; i < 20; i++) {
                objrt_weakref_get(w, &got);
                objrt_decref(got);
            }
            objrt_decref(refs[t]);
            if (t % 2)
                objrt_collect(nullptr);
        });
        objrt_collect(nullptr);
        EXPECT_EQ(calls.load(), round + 1);
        objrt_obj *got = target;
        objrt_weakref_get(w, &got);
        EXPECT_EQ(got, nullptr);
        objrt_decref(w);
    }
}

TEST_F(Threads, InternChurnNeverRevivesADyingStr)
{
    RunThreads([](int t) {
        for (int i = 0; i < 2000; i++) {
            std::string s = "k" + std::to_string((i + t) % 16);
            objrt_obj *a = nullptr, *b = nullptr;
            ASSERT_EQ(objrt_str_intern(s.data(), s.size(), &a), OBJRT_OK);
            ASSERT_EQ(objrt_str_intern(s.data(), s.size(), &b), OBJRT_OK);
            EXPECT_EQ(a, b);
            size_t n = 0;
            EXPECT_EQ(std::string(objrt_str_data(a, &n)), s);
            objrt_decref(a);
            objrt_decref(b);
        }
    });
    EXPECT_EQ(Gauges().intern_entries, 0u);
}

TEST_F(Threads, ConcurrentParseCopyAndCompare)
{
    objrt_obj *shared = Parse("[1, \"a\", {\"k\": [2, [3, {\"z\": []}]]}]");
    RunThreads([shared](int t) {
        for (int i = 0; i < 100; i++) {
            objrt_obj *copy = nullptr, *parsed = nullptr;
            ASSERT_EQ(objrt_deepcopy(shared, &copy), OBJRT_OK);
            std::string text = Repr(shared);
            ASSERT_EQ(objrt_parse(text.data(), text.size(), &parsed, nullptr), OBJRT_OK);
            int eq = 0;
            EXPECT_EQ(objrt_eq(copy, parsed, &eq), OBJRT_OK);
            EXPECT_TRUE(eq);
            uint64_t h1 = 0, h2 = 1;
            objrt_hash(copy, &h1);
            objrt_hash(parsed, &h2);
            EXPECT_EQ(h1, h2);
            objrt_obj *x = Int(t);
            objrt_list_append(copy, x);
            objrt_decref(x);
            objrt_decref(copy);
            objrt_decref(parsed);
        }
    });
    objrt_decref(shared);
}

TEST_F(Threads, SnapshotsAndChecksDuringMutation)
{
    objrt_obj *l = List();
    RunThreads([l](int t) {
        for (int i = 0; i < 200; i++) {
            if (t == 0) {
                objrt_snapshot *s = nullptr;
                ASSERT_EQ(objrt_snapshot_take(&s), OBJRT_OK);
                objrt_snapshot_free(s);
                EXPECT_EQ(objrt_check(), nullptr);
                continue;
            }
            objrt_obj *d = Dict(), *o = nullptr;
            objrt_list_append(l, d);
            objrt_decref(d);
            objrt_list_pop(l, &o);
            objrt_decref(o);
        }
    });
    objrt_decref(l);
}

} // namespace
