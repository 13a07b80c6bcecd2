// Model-based checks: random list and dict operations mirrored in C++ containers must agree
// with the runtime (dicts keep insertion order through deletions and resizes), and random
// literal text must either fail with a status or round-trip through repr and parse.
#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/objrt/objrt_testutil.h"

using namespace objrt_test;

namespace
{

class Model : public IdleTest
{
};

// The model's dict: (key text as repr prints it, value) in insertion order.
using DictModel = std::vector<std::pair<std::string, int64_t>>;

std::string ModelRepr(const DictModel &d)
{
    std::string s = "{";
    for (size_t i = 0; i < d.size(); i++)
        s += (i ? ", " : "") + d[i].first + ": " + std::to_string(d[i].second);
    return s + "}";
}

objrt_obj *KeyFor(unsigned k, std::string *text)
{
    if (k % 2) {
        *text = std::to_string(k);
        return Int(k);
    }
    *text = "\"k" + std::to_string(k) + "\"";
    return Str("k" + std::to_string(k));
}

void DictStep(objrt_obj *d, DictModel &m, std::mt19937 &rng)
{
    std::string text;
    objrt_obj *key = KeyFor(rng() % 64, &text);
    auto it = std::find_if(m.begin(), m.end(), [&](const auto &e) { return e.first == text; });
    if (rng() % 3) {
        int64_t v = rng() % 1000;
        objrt_obj *value = Int(v);
        ASSERT_EQ(objrt_dict_set(d, key, value), OBJRT_OK);
        objrt_decref(value);
        if (it == m.end())
            m.emplace_back(text, v);
        else
            it->second = v;
    } else {
        EXPECT_EQ(objrt_dict_del(d, key), it == m.end() ? OBJRT_EKEY : OBJRT_OK);
        if (it != m.end())
            m.erase(it);
    }
    objrt_decref(key);
}

TEST_F(Model, DictAgreesWithAnInsertionOrderedModel)
{
    std::mt19937 rng(7);
    objrt_obj *d = Dict();
    DictModel m;
    for (int step = 0; step < 20000; step++) {
        DictStep(d, m, rng);
        size_t len = 0;
        objrt_dict_len(d, &len);
        ASSERT_EQ(len, m.size()) << step;
        if (step % 250 == 0) {
            ASSERT_EQ(Repr(d), ModelRepr(m)) << step;
            ASSERT_EQ(objrt_check(), nullptr);
        }
    }
    objrt_decref(d);
}

TEST_F(Model, ListAgreesWithAVector)
{
    std::mt19937 rng(11);
    objrt_obj *l = List();
    std::vector<int64_t> m;
    for (int step = 0; step < 20000; step++) {
        unsigned op = rng() % 4;
        objrt_obj *o = nullptr;
        if (op < 2) {
            int64_t v = rng() % 100;
            o = Int(v);
            ASSERT_EQ(objrt_list_append(l, o), OBJRT_OK);
            m.push_back(v);
        } else if (op == 2) {
            ASSERT_EQ(objrt_list_pop(l, &o), m.empty() ? OBJRT_EINDEX : OBJRT_OK);
            if (!m.empty()) {
                int64_t v = -1;
                objrt_int_value(o, &v);
                ASSERT_EQ(v, m.back());
                m.pop_back();
            }
        } else if (!m.empty()) {
            size_t i = rng() % m.size();
            o = Int(step);
            ASSERT_EQ(objrt_list_set(l, i, o), OBJRT_OK);
            m[i] = step;
        }
        objrt_decref(o);
    }
    std::string want = "[";
    for (size_t i = 0; i < m.size(); i++)
        want += (i ? ", " : "") + std::to_string(m[i]);
    EXPECT_EQ(Repr(l), want + "]");
    objrt_decref(l);
}

// Random text over the literal alphabet: mostly invalid, sometimes valid and deep.
std::string RandomLiteral(std::mt19937 &rng)
{
    static const char alphabet[] = "[]{}\",: -0123456789\\xnat\"[]{}";
    std::string s;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; i++)
        s += alphabet[rng() % (sizeof alphabet - 1)];
    return s;
}

TEST_F(Model, RandomTextFailsCleanlyOrRoundTrips)
{
    std::mt19937 rng(3);
    objrt_set_depth_limit(8);
    int parsed = 0;
    for (int i = 0; i < 50000; i++) {
        std::string text = RandomLiteral(rng);
        objrt_obj *o = nullptr;
        size_t off = 0;
        int rc = objrt_parse(text.data(), text.size(), &o, &off);
        ASSERT_TRUE(rc == OBJRT_OK || rc == OBJRT_ESYNTAX || rc == OBJRT_ETYPE ||
                    rc == OBJRT_ERECURSION)
            << text;
        if (rc != OBJRT_OK) {
            ASSERT_LE(off, text.size());
            ASSERT_EQ(o, nullptr);
            continue;
        }
        parsed++;
        std::string again = Repr(o);
        objrt_obj *o2 = Parse(again);
        int eq = 0;
        ASSERT_EQ(objrt_eq(o, o2, &eq), OBJRT_OK);
        ASSERT_TRUE(eq) << text << " -> " << again;
        ASSERT_EQ(Repr(o2), again);
        objrt_decref(o);
        objrt_decref(o2);
    }
    EXPECT_GT(parsed, 100);
    EXPECT_EQ(LiveObjects(), 0u);
}

} // namespace
