// objrt_testutil.h: shared helpers for the objrt suites: a baseline check on the gauges,
// a counting allocator that fails chosen calls (SQLite's test_malloc idea), a thread with
// a bounded stack, and small constructors.
#ifndef OBJRT_TESTUTIL_H
#define OBJRT_TESTUTIL_H

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <string>

extern "C" {
#include "targets/objrt/objrt.h"
}

namespace objrt_test
{

// Every test starts and ends with no live objects, no runtime memory and no broken
// invariant, so a leak in one test is caught by that test.
inline void ExpectIdle(const char *when)
{
    objrt_gauges g;
    objrt_get_gauges(&g);
    EXPECT_EQ(g.live_objects, 0u) << when;
    EXPECT_EQ(g.intern_entries, 0u) << when;
    EXPECT_EQ(g.bytes_allocated, 0u) << when;
    const char *broken = objrt_check();
    EXPECT_EQ(broken, nullptr) << when << ": " << (broken ? broken : "");
}

class IdleTest : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        objrt_set_depth_limit(0);
        objrt_reset_depth_high_water();
        ExpectIdle("before the test");
    }
    void TearDown() override
    {
        objrt_set_depth_limit(0);
        ExpectIdle("after the test");
    }
};

inline size_t LiveObjects()
{
    objrt_gauges g;
    objrt_get_gauges(&g);
    return g.live_objects;
}

inline objrt_gauges Gauges()
{
    objrt_gauges g;
    objrt_get_gauges(&g);
    return g;
}

inline objrt_obj *Int(int64_t v)
{
    objrt_obj *o = nullptr;
    EXPECT_EQ(objrt_int_new(v, &o), OBJRT_OK);
    return o;
}

inline objrt_obj *Str(const std::string &s)
{
    objrt_obj *o = nullptr;
    EXPECT_EQ(objrt_str_new(s.data(), s.size(), &o), OBJRT_OK);
    return o;
}

inline objrt_obj *List()
{
    objrt_obj *o = nullptr;
    EXPECT_EQ(objrt_list_new(&o), OBJRT_OK);
    return o;
}

inline objrt_obj *Dict()
{
    objrt_obj *o = nullptr;
    EXPECT_EQ(objrt_dict_new(&o), OBJRT_OK);
    return o;
}

inline objrt_obj *Parse(const std::string &s)
{
    objrt_obj *o = nullptr;
    EXPECT_EQ(objrt_parse(s.data(), s.size(), &o, nullptr), OBJRT_OK) << s;
    return o;
}

// repr as a std::string ("<error N>" on failure).
inline std::string Repr(objrt_obj *o)
{
    objrt_obj *r = nullptr;
    int rc = objrt_repr(o, &r);
    if (rc != OBJRT_OK)
        return "<error " + std::to_string(rc) + ">";
    size_t n = 0;
    const char *p = objrt_str_data(r, &n);
    std::string s(p, n);
    objrt_decref(r);
    return s;
}

// n (>= 1) nested containers: "[[[]]]" or {"k": {"k": {}}}.
inline std::string NestedText(unsigned n, bool dict)
{
    const std::string open = dict ? "{\"k\": " : "[", close = dict ? "}" : "]";
    std::string s;
    for (unsigned i = 1; i < n; i++)
        s += open;
    s += dict ? "{}" : "[]";
    for (unsigned i = 1; i < n; i++)
        s += close;
    return s;
}

// A list nested n deep, built iteratively: [[[...[]...]]].
inline objrt_obj *NestedList(size_t n)
{
    objrt_obj *inner = List();
    for (size_t i = 1; i < n && inner; i++) {
        objrt_obj *outer = List();
        EXPECT_EQ(objrt_list_append(outer, inner), OBJRT_OK);
        objrt_decref(inner);
        inner = outer;
    }
    return inner;
}

// A tg_allocator that counts calls and fails the armed one (or every one from it on).
struct FaultAllocator {
    std::atomic<long> countdown{0}; // 0: disarmed
    std::atomic<long> failures{0};
    bool persistent = false;
    tg_allocator table{Malloc, Realloc, Free, this};

    void Arm(long n, bool persist)
    {
        persistent = persist;
        failures = 0;
        countdown = n;
    }
    void Disarm()
    {
        countdown = 0;
    }
    bool Fail()
    {
        long c = countdown.load();
        if (c <= 0)
            return false;
        if (c == 1) {
            if (!persistent)
                countdown = 0;
            failures++;
            return true;
        }
        countdown--;
        return false;
    }
    static void *Malloc(void *ctx, size_t n)
    {
        return static_cast<FaultAllocator *>(ctx)->Fail() ? nullptr : std::malloc(n);
    }
    static void *Realloc(void *ctx, void *p, size_t n)
    {
        return static_cast<FaultAllocator *>(ctx)->Fail() ? nullptr : std::realloc(p, n);
    }
    static void Free(void *ctx, void *p)
    {
        (void)ctx;
        std::free(p);
    }
};

// Runs fn on a thread whose stack is `bytes` long (the fiber budget the harness uses).
inline void RunOnStack(size_t bytes, const std::function<void()> &fn)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    ASSERT_EQ(pthread_attr_setstacksize(&attr, bytes), 0);
    pthread_t t;
    auto trampoline = [](void *arg) -> void * {
        (*static_cast<const std::function<void()> *>(arg))();
        return nullptr;
    };
    ASSERT_EQ(pthread_create(&t, &attr, trampoline, const_cast<std::function<void()> *>(&fn)), 0);
    pthread_join(t, nullptr);
    pthread_attr_destroy(&attr);
}

} // namespace objrt_test

#endif
