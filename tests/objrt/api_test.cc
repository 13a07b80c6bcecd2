// The public API of objrt: constructors, containers, weakrefs, repr/eq/hash/deepcopy,
// the parser, accounting, the checker and the snapshot/cycle finder.
#include <cstring>
#include <vector>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

namespace
{

class Api : public IdleTest
{
};

TEST_F(Api, IntsAndStrsKeepTheirValues)
{
    objrt_obj *i = Int(-42);
    int64_t v = 0;
    EXPECT_EQ(objrt_int_value(i, &v), OBJRT_OK);
    EXPECT_EQ(v, -42);
    EXPECT_EQ(objrt_typeof(i), OBJRT_INT);
    EXPECT_EQ(objrt_refcount(i), 1);

    objrt_obj *s = nullptr;
    ASSERT_EQ(objrt_str_new("a\0b", 3, &s), OBJRT_OK);
    size_t n = 0;
    const char *p = objrt_str_data(s, &n);
    ASSERT_EQ(n, 3u);
    EXPECT_EQ(std::memcmp(p, "a\0b", 4), 0);
    EXPECT_EQ(objrt_int_value(s, &v), OBJRT_ETYPE);
    EXPECT_EQ(objrt_str_data(i, &n), nullptr);
    EXPECT_LT(objrt_id(i), objrt_id(s));
    objrt_decref(i);
    objrt_decref(s);
}

TEST_F(Api, MisuseIsAnErrorNotACrash)
{
    objrt_obj *out = nullptr;
    EXPECT_EQ(objrt_str_new(nullptr, 1, &out), OBJRT_EINVAL);
    EXPECT_EQ(out, nullptr);
    ASSERT_EQ(objrt_str_intern(nullptr, 0, &out), OBJRT_OK);
    objrt_obj *empty = nullptr;
    ASSERT_EQ(objrt_str_new(nullptr, 0, &empty), OBJRT_OK);
    EXPECT_EQ(Repr(out), "\"\"");
    int eq = 0;
    EXPECT_EQ(objrt_eq(out, empty, &eq), OBJRT_OK);
    EXPECT_TRUE(eq);
    objrt_decref(out);
    objrt_decref(empty);
    EXPECT_EQ(objrt_typeof(nullptr), OBJRT_TYPE_COUNT);
    EXPECT_EQ(objrt_list_new(nullptr), OBJRT_EINVAL);
    EXPECT_EQ(objrt_list_append(nullptr, nullptr), OBJRT_EINVAL);
    EXPECT_EQ(objrt_dict_get(nullptr, nullptr, &out), OBJRT_EINVAL);
    EXPECT_EQ(objrt_parse(nullptr, 3, &out, nullptr), OBJRT_EINVAL);
    EXPECT_EQ(objrt_parse(nullptr, 0, &out, nullptr), OBJRT_ESYNTAX);
    EXPECT_EQ(objrt_repr(nullptr, &out), OBJRT_EINVAL);
    objrt_obj *i = Int(1);
    EXPECT_EQ(objrt_list_append(i, i), OBJRT_ETYPE);
    EXPECT_EQ(objrt_dict_set(i, i, i), OBJRT_ETYPE);
    EXPECT_EQ(objrt_weakref_get(i, &out), OBJRT_ETYPE);
    objrt_decref(nullptr);
    objrt_decref(i);
    EXPECT_STREQ(objrt_strerror(OBJRT_ENOMEM), "out of memory");
    EXPECT_STREQ(objrt_strerror(999), "unknown status");
    EXPECT_STREQ(objrt_type_name(OBJRT_DICT), "dict");
}

TEST_F(Api, ListOperations)
{
    objrt_obj *l = List();
    for (int i = 0; i < 100; i++) {
        objrt_obj *v = Int(i);
        ASSERT_EQ(objrt_list_append(l, v), OBJRT_OK);
        objrt_decref(v);
    }
    size_t n = 0;
    ASSERT_EQ(objrt_list_len(l, &n), OBJRT_OK);
    EXPECT_EQ(n, 100u);
    objrt_obj *item = nullptr;
    ASSERT_EQ(objrt_list_get(l, 42, &item), OBJRT_OK);
    int64_t v = 0;
    objrt_int_value(item, &v);
    EXPECT_EQ(v, 42);
    EXPECT_EQ(objrt_refcount(item), 2);
    objrt_decref(item);
    EXPECT_EQ(objrt_list_get(l, 100, &item), OBJRT_EINDEX);
    EXPECT_EQ(item, nullptr);

    objrt_obj *s = Str("x");
    EXPECT_EQ(objrt_list_set(l, 0, s), OBJRT_OK);
    EXPECT_EQ(objrt_list_set(l, 1000, s), OBJRT_EINDEX);
    EXPECT_EQ(objrt_refcount(s), 2);
    objrt_decref(s);

    ASSERT_EQ(objrt_list_pop(l, &item), OBJRT_OK);
    objrt_int_value(item, &v);
    EXPECT_EQ(v, 99);
    objrt_decref(item);
    EXPECT_EQ(objrt_list_clear(l), OBJRT_OK);
    EXPECT_EQ(objrt_list_pop(l, &item), OBJRT_EINDEX);
    objrt_decref(l);
}

TEST_F(Api, DictOperations)
{
    objrt_obj *d = Dict();
    for (int i = 0; i < 200; i++) {
        objrt_obj *k = Int(i), *v = Str(std::to_string(i));
        ASSERT_EQ(objrt_dict_set(d, k, v), OBJRT_OK);
        objrt_decref(k);
        objrt_decref(v);
    }
    for (int i = 0; i < 200; i += 2) {
        objrt_obj *k = Int(i);
        ASSERT_EQ(objrt_dict_del(d, k), OBJRT_OK);
        EXPECT_EQ(objrt_dict_del(d, k), OBJRT_EKEY);
        objrt_decref(k);
    }
    size_t n = 0;
    objrt_dict_len(d, &n);
    EXPECT_EQ(n, 100u);
    objrt_obj *k = Int(77), *v = nullptr;
    ASSERT_EQ(objrt_dict_get(d, k, &v), OBJRT_OK);
    EXPECT_EQ(Repr(v), "\"77\"");
    objrt_decref(v);
    objrt_decref(k);
    k = Int(78);
    EXPECT_EQ(objrt_dict_get(d, k, &v), OBJRT_EKEY);
    objrt_decref(k);

    objrt_obj *key = nullptr;
    ASSERT_EQ(objrt_dict_item(d, 0, &key, &v), OBJRT_OK);
    EXPECT_EQ(Repr(key), "1");
    objrt_decref(key);
    objrt_decref(v);
    EXPECT_EQ(objrt_dict_item(d, 100, &key, &v), OBJRT_EINDEX);

    // Str keys compare by value; unhashable keys are a type error.
    objrt_obj *a = Str("key"), *b = Str("key"), *l = List();
    ASSERT_EQ(objrt_dict_set(d, a, l), OBJRT_OK);
    ASSERT_EQ(objrt_dict_get(d, b, &v), OBJRT_OK);
    EXPECT_EQ(v, l);
    objrt_decref(v);
    EXPECT_EQ(objrt_dict_set(d, l, a), OBJRT_ETYPE);
    EXPECT_EQ(objrt_check(), nullptr);
    objrt_decref(a);
    objrt_decref(b);
    objrt_decref(l);
    EXPECT_EQ(objrt_dict_clear(d), OBJRT_OK);
    objrt_dict_len(d, &n);
    EXPECT_EQ(n, 0u);
    objrt_decref(d);
}

TEST_F(Api, ReprIsPythonLike)
{
    objrt_obj *o = Parse("[1, -2, \"a\\\"b\\n\\x01\", {\"k\": [2], 3: {}}, []]");
    EXPECT_EQ(Repr(o), "[1, -2, \"a\\\"b\\n\\x01\", {\"k\": [2], 3: {}}, []]");
    objrt_decref(o);
}

TEST_F(Api, ReprOfSelfContainingContainersUsesEllipsis)
{
    objrt_obj *l = List(), *d = Dict(), *k = Str("self");
    objrt_list_append(l, l);
    objrt_list_append(l, d);
    objrt_dict_set(d, k, d);
    EXPECT_EQ(Repr(l), "[[...], {\"self\": {...}}]");
    objrt_list_clear(l);
    objrt_dict_clear(d);
    objrt_decref(l);
    objrt_decref(d);
    objrt_decref(k);
}

TEST_F(Api, ParseThenReprRoundTrips)
{
    const char *texts[] = {"[]",
                           "{}",
                           "0",
                           "-9223372036854775808",
                           "9223372036854775807",
                           "\"\"",
                           "[1, \"a\", {\"k\": [2]}]",
                           "{\"a\": {\"b\": [[], {}]}}"};
    for (const char *t : texts) {
        objrt_obj *o = Parse(t);
        EXPECT_EQ(Repr(o), t);
        objrt_decref(o);
    }
}

TEST_F(Api, ParseAcceptsWhitespaceAndTrailingCommas)
{
    objrt_obj *o = Parse(" [ 1 ,\n{ \"k\" : 2 , } , ] ");
    EXPECT_EQ(Repr(o), "[1, {\"k\": 2}]");
    objrt_decref(o);
}

TEST_F(Api, ParseRejectsBadInputWithOffsets)
{
    struct Case {
        const char *text;
        int rc;
        size_t offset;
    } cases[] = {
        {"", OBJRT_ESYNTAX, 0},
        {"[1,,2]", OBJRT_ESYNTAX, 3},
        {"[1 2]", OBJRT_ESYNTAX, 3},
        {"\"abc", OBJRT_ESYNTAX, 0},
        {"\"\\q\"", OBJRT_ESYNTAX, 3},
        {"\"\\x4\"", OBJRT_ESYNTAX, 3},
        {"9223372036854775808", OBJRT_ESYNTAX, 18},
        {"-", OBJRT_ESYNTAX, 1},
        {"{[1]: 2}", OBJRT_ETYPE, 1},
        {"{\"a\" 2}", OBJRT_ESYNTAX, 5},
        {"[1] x", OBJRT_ESYNTAX, 4},
        {"[", OBJRT_ESYNTAX, 1},
        {"{,}", OBJRT_ESYNTAX, 1},
        {"nul", OBJRT_ESYNTAX, 0},
    };
    for (const Case &c : cases) {
        objrt_obj *o = reinterpret_cast<objrt_obj *>(1);
        size_t off = 999;
        EXPECT_EQ(objrt_parse(c.text, std::strlen(c.text), &o, &off), c.rc) << c.text;
        EXPECT_EQ(o, nullptr) << c.text;
        EXPECT_EQ(off, c.offset) << c.text;
    }
}

TEST_F(Api, ParsedDictKeysAreInterned)
{
    objrt_obj *a = Parse("{\"name\": 1}"), *b = Parse("{\"name\": 2}");
    objrt_obj *ka, *kb, *v;
    ASSERT_EQ(objrt_dict_item(a, 0, &ka, &v), OBJRT_OK);
    objrt_decref(v);
    ASSERT_EQ(objrt_dict_item(b, 0, &kb, &v), OBJRT_OK);
    objrt_decref(v);
    EXPECT_EQ(ka, kb);
    EXPECT_EQ(Gauges().intern_entries, 1u);
    for (objrt_obj *o : {a, b, ka, kb})
        objrt_decref(o);
}

TEST_F(Api, EqualityAndHashAreStructural)
{
    objrt_obj *a = Parse("[1, \"a\", {\"k\": [2], \"j\": 3}]");
    objrt_obj *b = Parse("[1, \"a\", {\"j\": 3, \"k\": [2]}]");
    objrt_obj *c = Parse("[1, \"a\", {\"j\": 3, \"k\": [3]}]");
    int eq = 0;
    ASSERT_EQ(objrt_eq(a, b, &eq), OBJRT_OK);
    EXPECT_TRUE(eq);
    ASSERT_EQ(objrt_eq(a, c, &eq), OBJRT_OK);
    EXPECT_FALSE(eq);
    uint64_t ha = 0, hb = 1, hc = 0;
    ASSERT_EQ(objrt_hash(a, &ha), OBJRT_OK);
    ASSERT_EQ(objrt_hash(b, &hb), OBJRT_OK);
    ASSERT_EQ(objrt_hash(c, &hc), OBJRT_OK);
    EXPECT_EQ(ha, hb);
    EXPECT_NE(ha, hc);
    for (objrt_obj *o : {a, b, c})
        objrt_decref(o);
}

TEST_F(Api, DeepcopyIsEqualButDistinct)
{
    objrt_obj *a = Parse("[1, \"a\", {\"k\": [2]}]"), *b = nullptr;
    ASSERT_EQ(objrt_deepcopy(a, &b), OBJRT_OK);
    int eq = 0;
    objrt_eq(a, b, &eq);
    EXPECT_TRUE(eq);
    EXPECT_NE(a, b);
    objrt_obj *inner_a, *inner_b;
    objrt_list_get(a, 2, &inner_a);
    objrt_list_get(b, 2, &inner_b);
    EXPECT_NE(inner_a, inner_b);
    objrt_obj *two = Int(2);
    objrt_dict_set(inner_b, two, two);
    objrt_eq(a, b, &eq);
    EXPECT_FALSE(eq);
    for (objrt_obj *o : {a, b, inner_a, inner_b, two})
        objrt_decref(o);
}

TEST_F(Api, WeakrefFollowsItsReferent)
{
    objrt_obj *l = List(), *w = nullptr, *got = nullptr;
    ASSERT_EQ(objrt_weakref_new(l, nullptr, nullptr, &w), OBJRT_OK);
    ASSERT_EQ(objrt_weakref_get(w, &got), OBJRT_OK);
    EXPECT_EQ(got, l);
    EXPECT_EQ(Repr(w), "<weakref to list#" + std::to_string(objrt_id(l)) + ">");
    objrt_decref(got);
    EXPECT_EQ(objrt_refcount(l), 1);
    objrt_decref(l);
    ASSERT_EQ(objrt_weakref_get(w, &got), OBJRT_OK);
    EXPECT_EQ(got, nullptr);
    EXPECT_EQ(Repr(w), "<weakref dead>");
    objrt_decref(w);
}

struct CallbackLog {
    int calls = 0;
    objrt_obj *last = nullptr;
    objrt_obj *referent_seen = reinterpret_cast<objrt_obj *>(1);
};

void LogCallback(objrt_obj *wr, void *ctx)
{
    auto *log = static_cast<CallbackLog *>(ctx);
    log->calls++;
    log->last = wr;
    objrt_weakref_get(wr, &log->referent_seen);
}

TEST_F(Api, WeakrefCallbackRunsOnceAfterClearing)
{
    CallbackLog log;
    objrt_obj *s = Str("referent"), *w1, *w2;
    ASSERT_EQ(objrt_weakref_new(s, LogCallback, &log, &w1), OBJRT_OK);
    ASSERT_EQ(objrt_weakref_new(s, LogCallback, &log, &w2), OBJRT_OK);
    objrt_decref(s);
    EXPECT_EQ(log.calls, 2);
    EXPECT_EQ(log.referent_seen, nullptr);
    objrt_decref(w1);
    objrt_decref(w2);
    EXPECT_EQ(log.calls, 2);
}

TEST_F(Api, WeakrefDroppedBeforeReferentGetsNoCallback)
{
    CallbackLog log;
    objrt_obj *s = Str("referent"), *w;
    ASSERT_EQ(objrt_weakref_new(s, LogCallback, &log, &w), OBJRT_OK);
    objrt_decref(w);
    objrt_decref(s);
    EXPECT_EQ(log.calls, 0);
}

TEST_F(Api, InternReturnsTheSameStrAndReleasesIt)
{
    objrt_obj *a, *b, *c;
    ASSERT_EQ(objrt_str_intern("hello", 5, &a), OBJRT_OK);
    ASSERT_EQ(objrt_str_intern("hello", 5, &b), OBJRT_OK);
    ASSERT_EQ(objrt_str_intern("world", 5, &c), OBJRT_OK);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_EQ(Gauges().intern_entries, 2u);
    objrt_decref(a);
    objrt_decref(b);
    EXPECT_EQ(Gauges().intern_entries, 1u);
    objrt_decref(c);
    EXPECT_EQ(Gauges().intern_entries, 0u);
}

TEST_F(Api, InternTableGrowsAndShrinksToNothing)
{
    std::vector<objrt_obj *> strs;
    for (int i = 0; i < 5000; i++) {
        std::string s = "s" + std::to_string(i);
        objrt_obj *o;
        ASSERT_EQ(objrt_str_intern(s.data(), s.size(), &o), OBJRT_OK);
        strs.push_back(o);
    }
    EXPECT_EQ(Gauges().intern_entries, 5000u);
    for (size_t i = 0; i < strs.size(); i += 2)
        objrt_decref(strs[i]);
    EXPECT_EQ(Gauges().intern_entries, 2500u);
    objrt_obj *again;
    ASSERT_EQ(objrt_str_intern("s1", 2, &again), OBJRT_OK);
    EXPECT_EQ(again, strs[1]);
    objrt_decref(again);
    for (size_t i = 1; i < strs.size(); i += 2)
        objrt_decref(strs[i]);
}

TEST_F(Api, GaugesCountEveryType)
{
    objrt_obj *o = Parse("[1, \"a\", {\"k\": []}]"), *w;
    objrt_weakref_new(o, nullptr, nullptr, &w);
    objrt_gauges g = Gauges();
    EXPECT_EQ(g.per_type[OBJRT_LIST], 2u);
    EXPECT_EQ(g.per_type[OBJRT_DICT], 1u);
    EXPECT_EQ(g.per_type[OBJRT_INT], 1u);
    EXPECT_EQ(g.per_type[OBJRT_STR], 2u);
    EXPECT_EQ(g.per_type[OBJRT_WEAKREF], 1u);
    EXPECT_EQ(g.live_objects, 7u);
    EXPECT_EQ(g.live_containers, 3u);
    EXPECT_EQ(g.intern_entries, 1u);
    EXPECT_GT(g.bytes_allocated, 0u);
    objrt_decref(o);
    objrt_decref(w);
}

TEST_F(Api, SnapshotListsObjectsAndTheirReferences)
{
    objrt_obj *l = List(), *i = Int(5);
    objrt_list_append(l, i);
    objrt_list_append(l, i);
    objrt_snapshot *s = nullptr;
    ASSERT_EQ(objrt_snapshot_take(&s), OBJRT_OK);
    ASSERT_EQ(s->count, 2u);
    EXPECT_EQ(s->objects[0].id, objrt_id(l));
    EXPECT_EQ(s->objects[0].type, OBJRT_LIST);
    ASSERT_EQ(s->objects[0].nrefs, 2u);
    EXPECT_EQ(s->objects[0].refs[1], objrt_id(i));
    EXPECT_EQ(s->objects[1].refcount, 3);
    EXPECT_EQ(s->objects[1].nrefs, 0u);
    char buf[128];
    int found = 1;
    ASSERT_EQ(objrt_snapshot_find_cycle(s, buf, sizeof buf, &found), OBJRT_OK);
    EXPECT_EQ(found, 0);
    objrt_snapshot_free(s);
    objrt_decref(l);
    objrt_decref(i);
}

TEST_F(Api, CycleFinderNamesTheCycle)
{
    objrt_obj *pad = List(), *l = List(), *d = Dict(), *k = Str("k");
    objrt_list_append(l, d);
    objrt_dict_set(d, k, l);
    objrt_snapshot *s = nullptr;
    ASSERT_EQ(objrt_snapshot_take(&s), OBJRT_OK);
    char buf[128];
    int found = 0;
    ASSERT_EQ(objrt_snapshot_find_cycle(s, buf, sizeof buf, &found), OBJRT_OK);
    EXPECT_EQ(found, 1);
    std::string want = "list#" + std::to_string(objrt_id(l)) + " -> dict#" +
                       std::to_string(objrt_id(d)) + " -> list#" + std::to_string(objrt_id(l));
    EXPECT_EQ(std::string(buf), want);
    char small[8];
    ASSERT_EQ(objrt_snapshot_find_cycle(s, small, sizeof small, &found), OBJRT_OK);
    EXPECT_LT(std::strlen(small), sizeof small);
    objrt_snapshot_free(s);
    objrt_list_clear(l);
    for (objrt_obj *o : {pad, l, d, k})
        objrt_decref(o);
}

TEST_F(Api, IdsRestartOnceNothingIsAlive)
{
    objrt_obj *a = List(), *b = Int(1);
    EXPECT_EQ(objrt_id(a), 1u);
    EXPECT_EQ(objrt_id(b), 2u);
    objrt_decref(a);
    objrt_obj *c = Int(2);
    EXPECT_EQ(objrt_id(c), 3u); // b is still alive
    objrt_decref(b);
    objrt_decref(c);
    objrt_obj *d = List();
    EXPECT_EQ(objrt_id(d), 1u);
    objrt_decref(d);
}

TEST_F(Api, SetHooksRefusesWhileObjectsLive)
{
    objrt_obj *i = Int(1);
    EXPECT_EQ(objrt_set_hooks(nullptr, nullptr), OBJRT_EBUSY);
    objrt_decref(i);
    EXPECT_EQ(objrt_set_hooks(nullptr, nullptr), OBJRT_OK);
}

} // namespace
