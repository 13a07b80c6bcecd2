// Seeded defect objrt_refcount_nonatomic (data-race): the decrement is a load and a store
// with a yield point between them. Another thread's increment landing there is lost; the
// sync hook below plays that thread deterministically. (Two real threads doing this are
// what ThreadSanitizer reports as a data race.)
#include <cstring>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

namespace
{

objrt_obj *g_target;
bool g_armed;

void Lock(void *, pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
}

void Unlock(void *, pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

// At the decrement's yield point, "another thread" takes a reference.
void InterleaveIncref(void *, const char *where)
{
    if (g_armed && std::strcmp(where, "objrt.decref") == 0) {
        g_armed = false;
        objrt_incref(g_target);
    }
}

const tg_sync kSync = {Lock, Unlock, InterleaveIncref, nullptr};

} // namespace

TEST(DefectRefcountNonatomic, IncrementInsideADecrementIsLost)
{
    ASSERT_EQ(objrt_set_hooks(nullptr, &kSync), OBJRT_OK);
    g_target = List();
    objrt_incref(g_target); // count 2
    g_armed = true;
    objrt_decref(g_target); // 2 - 1, plus the interleaved +1: should be 2
    EXPECT_FALSE(g_armed);
    EXPECT_EQ(objrt_refcount(g_target), 1);
    objrt_decref(g_target); // frees it although two references remain outstanding
    EXPECT_EQ(LiveObjects(), 0u);
    EXPECT_EQ(objrt_set_hooks(nullptr, nullptr), OBJRT_OK);
}
