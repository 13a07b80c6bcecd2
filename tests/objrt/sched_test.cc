// A deterministic cooperative scheduler in the style of the harness's fiber executor: one
// logical thread runs at a time, and every tg_yield point and every contended tg_lock
// hands the CPU to a thread picked from a seeded RNG. The runtime must never block outside
// tg_lock (that would hang here) and must stay consistent however the switches fall.
#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

namespace
{

class Baton
{
  public:
    Baton(int n, unsigned seed) : done_(n, false), rng_(seed) {}

    // Blocks until it is thread me's turn.
    void Enter(int me)
    {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return turn_ == me; });
    }
    // A scheduling point: hand the turn to some unfinished thread (maybe me again).
    void Switch(int me)
    {
        std::unique_lock<std::mutex> l(m_);
        switches_++;
        turn_ = PickLocked();
        cv_.notify_all();
        cv_.wait(l, [&] { return turn_ == me; });
    }
    void Finish(int me)
    {
        std::unique_lock<std::mutex> l(m_);
        done_[me] = true;
        turn_ = PickLocked();
        cv_.notify_all();
    }
    void Start()
    {
        std::unique_lock<std::mutex> l(m_);
        turn_ = PickLocked();
        cv_.notify_all();
    }
    long switches() const
    {
        return switches_;
    }

  private:
    int PickLocked()
    {
        std::vector<int> live;
        for (size_t i = 0; i < done_.size(); i++)
            if (!done_[i])
                live.push_back((int)i);
        return live.empty() ? -1 : live[rng_() % live.size()];
    }
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<bool> done_;
    std::mt19937 rng_;
    int turn_ = -1;
    long switches_ = 0;
};

Baton *g_baton;
thread_local int t_me = -1;

void SchedLock(void *, pthread_mutex_t *m)
{
    while (pthread_mutex_trylock(m) != 0)
        g_baton->Switch(t_me);
}

void SchedUnlock(void *, pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

void SchedYield(void *, const char *)
{
    if (t_me >= 0)
        g_baton->Switch(t_me);
}

const tg_sync kSchedSync = {SchedLock, SchedUnlock, SchedYield, nullptr};

struct Workload {
    objrt_obj *list, *dict;
};

void LogicalThread(const Workload &w, int me)
{
    objrt_obj *k = Int(me), *mine = List();
    objrt_list_append(mine, w.dict); // a cycle list -> dict -> list through the shared dict
    objrt_dict_set(w.dict, k, mine);
    objrt_list_append(w.list, mine);
    objrt_obj *self = List();
    objrt_list_append(self, self);
    objrt_decref(self);
    objrt_collect(nullptr);
    objrt_obj *copy = nullptr, *got = nullptr, *wr = nullptr;
    EXPECT_EQ(objrt_weakref_new(mine, nullptr, nullptr, &wr), OBJRT_OK);
    int rc = objrt_deepcopy(w.list, &copy);
    EXPECT_TRUE(rc == OBJRT_OK || rc == OBJRT_ERECURSION);
    objrt_decref(copy);
    objrt_dict_del(w.dict, k);
    objrt_list_pop(w.list, &got);
    objrt_decref(got);
    objrt_decref(mine);
    objrt_collect(nullptr);
    objrt_decref(wr);
    objrt_decref(k);
}

class Sched : public IdleTest
{
};

TEST_F(Sched, SeededInterleavingsStayConsistent)
{
    constexpr int kLogical = 4;
    ASSERT_EQ(objrt_set_hooks(nullptr, &kSchedSync), OBJRT_OK);
    long switches = 0;
    for (unsigned seed = 1; seed <= 40; seed++) {
        Workload w{List(), Dict()};
        Baton baton(kLogical, seed);
        g_baton = &baton;
        std::vector<std::thread> threads;
        for (int t = 0; t < kLogical; t++) {
            threads.emplace_back([&w, &baton, t] {
                t_me = t;
                baton.Enter(t);
                LogicalThread(w, t);
                t_me = -1;
                baton.Finish(t);
            });
        }
        baton.Start();
        for (auto &t : threads)
            t.join();
        switches += baton.switches();
        g_baton = nullptr;
        ASSERT_EQ(objrt_check(), nullptr) << "seed " << seed;
        objrt_list_clear(w.list);
        objrt_decref(w.list);
        objrt_decref(w.dict);
        objrt_collect(nullptr);
        ASSERT_EQ(LiveObjects(), 0u) << "seed " << seed;
    }
    EXPECT_GT(switches, 1000);
    EXPECT_EQ(objrt_set_hooks(nullptr, nullptr), OBJRT_OK);
}

} // namespace
