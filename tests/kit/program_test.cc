#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/kit/fixture_ops.h"

extern "C" {
#include "harness/kit/ob_fresh.h"
}

namespace
{

struct Program {
    ob_program p;
    Program()
    {
        memset(&p, 0, sizeof p);
    }
    ~Program()
    {
        ob_program_clear(&p);
    }
};

std::string text_of(const ob_program &p)
{
    char *buf = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    EXPECT_EQ(ob_program_print(&p, f), 0);
    fclose(f);
    std::string s(buf, len);
    free(buf);
    return s;
}

std::vector<uint8_t> random_bytes(std::mt19937 &rng, size_t n)
{
    std::vector<uint8_t> v(n);
    for (auto &b : v)
        b = (uint8_t)rng();
    return v;
}

// src does not assemble, and the message starts with msg.
void expect_rejected(const char *src, const char *msg)
{
    Program p;
    char err[256] = "";
    EXPECT_EQ(ob_program_assemble(&fixture::kTarget, src, &p.p, err, sizeof err), OB_ESYNTAX)
        << src;
    EXPECT_EQ(std::string(err).rfind(msg, 0), 0u) << "got: " << err;
}

// Every handle argument names a handle filled by an earlier operation.
void expect_valid(const ob_program &p)
{
    uint32_t filled = 0;
    ASSERT_GE(p.nthreads, 1u);
    ASSERT_LE(p.nthreads, (uint32_t)OB_PROGRAM_THREADS);
    for (uint32_t k = 0; k < p.ninsts; k++) {
        const ob_inst &in = p.insts[k];
        ASSERT_LT(in.op, fixture::kTarget.nops);
        ASSERT_LT(in.thread, p.nthreads);
        const ob_op &op = fixture::kOps[in.op];
        for (uint32_t i = 0; i < op.nargs; i++) {
            const ob_arg_spec &s = op.args[i];
            const ob_value &v = in.args[i];
            if (s.kind == OB_ARG_HANDLE)
                ASSERT_LT((uint32_t)v.i, filled) << "op " << k;
            if (s.kind == OB_ARG_INT) {
                ASSERT_GE(v.i, s.lo);
                ASSERT_LE(v.i, s.hi);
            }
            if (s.kind == OB_ARG_ENUM)
                ASSERT_LT((uint32_t)v.i, s.nchoices);
            if (s.kind == OB_ARG_BYTES)
                ASSERT_LE(v.len, s.max_len);
        }
        if (in.slot >= 0)
            ASSERT_EQ((uint32_t)in.slot, filled++);
    }
    ASSERT_EQ(filled, p.nslots);
}

TEST(Decode, IsTotalOnEdgeSizes)
{
    for (size_t n : {0, 1, 2, 3, 17, 1 << 20}) {
        std::mt19937 rng((unsigned)n);
        auto bytes = random_bytes(rng, n);
        Program p;
        ASSERT_EQ(ob_program_decode(&fixture::kTarget, bytes.data(), bytes.size(), &p.p), OB_OK);
        expect_valid(p.p);
        if (n >= (1 << 20))
            EXPECT_EQ(p.p.ninsts, (uint32_t)OB_MAX_INSTS);
    }
    Program empty;
    ASSERT_EQ(ob_program_decode(&fixture::kTarget, nullptr, 0, &empty.p), OB_OK);
    EXPECT_EQ(empty.p.nthreads, 1u);
    EXPECT_EQ(empty.p.ninsts, 0u);
}

TEST(Decode, IsTotalOnManyRandomInputs)
{
    std::mt19937 rng(1);
    for (int i = 0; i < 20000; i++) {
        auto bytes = random_bytes(rng, rng() % 600);
        Program p;
        ASSERT_EQ(ob_program_decode(&fixture::kTarget, bytes.data(), bytes.size(), &p.p), OB_OK);
        expect_valid(p.p);
    }
}

TEST(Decode, IsDeterministic)
{
    std::mt19937 rng(2);
    for (int i = 0; i < 500; i++) {
        auto bytes = random_bytes(rng, rng() % 400);
        Program a, b;
        ob_program_decode(&fixture::kTarget, bytes.data(), bytes.size(), &a.p);
        ob_program_decode(&fixture::kTarget, bytes.data(), bytes.size(), &b.p);
        ASSERT_TRUE(ob_program_equal(&a.p, &b.p));
    }
}

// Flipping one byte changes few operations: mutations stay meaningful.
TEST(Decode, IsLocal)
{
    std::mt19937 rng(3);
    size_t total = 0, changed = 0;
    for (int i = 0; i < 2000; i++) {
        auto bytes = random_bytes(rng, 200 + rng() % 200);
        Program a;
        ob_program_decode(&fixture::kTarget, bytes.data(), bytes.size(), &a.p);
        size_t at = 34 + rng() % (bytes.size() - 34); // past the header and schedule
        bytes[at] ^= (uint8_t)(1 + rng() % 255);
        Program b;
        ob_program_decode(&fixture::kTarget, bytes.data(), bytes.size(), &b.p);
        uint32_t n = std::min(a.p.ninsts, b.p.ninsts);
        uint32_t same_prefix = 0;
        while (same_prefix < n && a.p.insts[same_prefix].op == b.p.insts[same_prefix].op &&
               a.p.insts[same_prefix].thread == b.p.insts[same_prefix].thread)
            same_prefix++;
        total += a.p.ninsts;
        changed += a.p.ninsts - same_prefix;
    }
    // A flip lands on average in the middle; everything before it must stay identical.
    EXPECT_LT((double)changed / (double)total, 0.6);
}

TEST(Text, RoundTripsThroughBytes)
{
    std::mt19937 rng(4);
    for (int i = 0; i < 3000; i++) {
        auto bytes = random_bytes(rng, rng() % 500);
        Program a;
        ASSERT_EQ(ob_program_decode(&fixture::kTarget, bytes.data(), bytes.size(), &a.p), OB_OK);
        std::string text = text_of(a.p);
        Program b;
        char err[256] = "";
        ASSERT_EQ(ob_program_assemble(&fixture::kTarget, text.c_str(), &b.p, err, sizeof err),
                  OB_OK)
            << err << "\n"
            << text;
        ASSERT_TRUE(ob_program_equal(&a.p, &b.p)) << text;
        uint8_t *enc = nullptr;
        size_t n = 0;
        ASSERT_EQ(ob_program_encode(&b.p, &enc, &n), OB_OK);
        Program c;
        ASSERT_EQ(ob_program_decode(&fixture::kTarget, enc, n, &c.p), OB_OK);
        free(enc);
        ASSERT_TRUE(ob_program_equal(&a.p, &c.p)) << text;
        ASSERT_EQ(text_of(c.p), text);
    }
}

TEST(Text, PrintsReadableLines)
{
    const char *src = "threads 2\n"
                      "schedule 0a ff\n"
                      "t0 h0 = obj.new 7\n"
                      "t1 h1 = obj.new -5 !fail=3\n"
                      "t1 obj.link h0 h1\n"
                      "t0 obj.paint h1 blue !failall\n"
                      "t0 obj.name h0 \"a\\\"b\\x00\"\n";
    Program p;
    char err[256] = "";
    ASSERT_EQ(ob_program_assemble(&fixture::kTarget, src, &p.p, err, sizeof err), OB_OK) << err;
    std::string want =
        std::string("# ouroboros program: target fixture, 2 threads, 5 operations\n") + src;
    EXPECT_EQ(text_of(p.p), want);
    EXPECT_EQ(p.p.insts[1].fail, OB_FAIL_NTH);
    EXPECT_EQ(p.p.insts[1].fail_n, 3);
    EXPECT_EQ(p.p.insts[4].args[1].len, 4u);
}

// A byte string of repeated pieces: a few bytes of input, tens of KiB for the operation,
// and the same pieces back in the text.
TEST(Text, RepeatedPiecesExpandAndRoundTrip)
{
    const char *src = "threads 1\n"
                      "schedule\n"
                      "t0 doc.parse \"[\"*5000 + \"1\" + \"]\"*5000\n"
                      "t0 blob.put \"ab\"*3 + \"c\" 7\n";
    Program p;
    char err[256] = "";
    ASSERT_EQ(ob_program_assemble(&fixture::kTarget, src, &p.p, err, sizeof err), OB_OK) << err;
    const ob_value &doc = p.p.insts[0].args[0];
    ASSERT_EQ(doc.len, 10001u);
    EXPECT_EQ(std::string((const char *)doc.bytes, 5001), std::string(5000, '[') + "1");
    EXPECT_EQ(doc.bytes[10000], ']');
    EXPECT_EQ(std::string((const char *)p.p.insts[1].args[0].bytes, p.p.insts[1].args[0].len),
              "abababc");
    EXPECT_EQ(text_of(p.p), std::string("# ouroboros program: target fixture, 1 threads, 2 "
                                        "operations\n") +
                                src);
    uint8_t *enc = nullptr;
    size_t n = 0;
    ASSERT_EQ(ob_program_encode(&p.p, &enc, &n), OB_OK);
    EXPECT_LT(n, 40u) << "the pieces, not their expansion";
    Program back;
    ASSERT_EQ(ob_program_decode(&fixture::kTarget, enc, n, &back.p), OB_OK);
    free(enc);
    EXPECT_TRUE(ob_program_equal(&p.p, &back.p));
    EXPECT_EQ(text_of(back.p), text_of(p.p));
}

// Decoding lowers repeat counts to the argument's limit and the program's; assembling
// says what is too long.
TEST(Text, RepeatsStopAtTheLimits)
{
    Program p;
    char err[256] = "";
    ASSERT_EQ(ob_program_assemble(&fixture::kTarget, "threads 1\nt0 blob.put \"ab\"*20 1\n", &p.p,
                                  err, sizeof err),
              OB_OK)
        << err;
    p.p.insts[0].args[0].pieces[0].count = 1000000;
    uint8_t *enc = nullptr;
    size_t n = 0;
    ASSERT_EQ(ob_program_encode(&p.p, &enc, &n), OB_OK);
    Program back;
    ASSERT_EQ(ob_program_decode(&fixture::kTarget, enc, n, &back.p), OB_OK);
    free(enc);
    EXPECT_EQ(back.p.insts[0].args[0].len, 40u) << "blob.put takes 40 bytes";
    EXPECT_EQ(back.p.insts[0].args[0].pieces[0].count, 20u);
    // 100 arguments of 100000 bytes would be 10 MB: the program's budget stops at 4 MiB.
    std::string many = "threads 1\n";
    for (int i = 0; i < 100; i++)
        many += "t0 doc.parse \"x\"*1\n";
    Program big;
    ASSERT_EQ(ob_program_assemble(&fixture::kTarget, many.c_str(), &big.p, err, sizeof err), OB_OK)
        << err;
    for (uint32_t k = 0; k < big.p.ninsts; k++)
        big.p.insts[k].args[0].pieces[0].count = 100000;
    ASSERT_EQ(ob_program_encode(&big.p, &enc, &n), OB_OK);
    Program fit;
    ASSERT_EQ(ob_program_decode(&fixture::kTarget, enc, n, &fit.p), OB_OK);
    free(enc);
    size_t total = 0;
    for (uint32_t k = 0; k < fit.p.ninsts; k++)
        total += fit.p.insts[k].args[0].len;
    EXPECT_EQ(total, (size_t)OB_MAX_EXPANDED_PROGRAM);
    struct Case {
        const char *src;
        const char *msg;
    } cases[] = {
        {"threads 1\nt0 doc.parse \"[\"*200000\n",
         "line 2: byte string of 200000 bytes; this argument takes at most 100000"},
        {"threads 1\nt0 doc.parse \"a\" + \"b\" + \"c\" + \"d\"\n",
         "line 2: a byte string has at most 3 pieces"},
        {"threads 1\nt0 doc.parse \"a\"*x\n", "line 2: a repeat count is a whole number"},
        {"threads 1\nt0 doc.parse \"a\"*99999999\n", "line 2: a repeat count is a whole number"},
    };
    for (const Case &c : cases)
        expect_rejected(c.src, c.msg);
}

TEST(Text, RejectsBadProgramsWithTheLine)
{
    struct Case {
        const char *src;
        const char *msg;
    } cases[] = {
        {"t0 tick\n", "line 1: 'threads N' must come before"},
        {"threads 9\n", "line 1: threads takes a count from 1 to 8"},
        {"threads 1\nt1 tick\n", "line 2: 't1' is not a thread"},
        {"threads 1\nt0 nope\n", "line 2: target fixture has no operation 'nope'"},
        {"threads 1\nt0 obj.new 1\n", "line 2: obj.new makes an object: write 'h0 = obj.new'"},
        {"threads 1\nt0 h0 = obj.new 1001\n", "line 2: '1001' is not an integer in [-5, 1000]"},
        {"threads 1\nt0 obj.link h0 h0\n", "line 2: 'h0' is not a handle made earlier"},
        {"threads 1\nt0 h0 = obj.new 1\nt0 obj.paint h0 pink\n", "line 3: 'pink' is not one of"},
        {"threads 1\nt0 h0 = obj.new 1\nt0 obj.name h0 \"0123456789abc\"\n",
         "line 3: byte string longer than 12 bytes"},
        {"threads 1\nt0 tick !fail=99\n", "line 2: unexpected '!fail=99'"},
        {"threads 1\nschedule 1g\n", "line 2: schedule bytes are two hex digits"},
        {"threads 1\nbogus\n", "line 2: unknown line starting 'bogus'"},
        {"threads 1\nt0 blob.put \"abc\n", "line 2: unterminated byte string"},
    };
    for (const Case &c : cases)
        expect_rejected(c.src, c.msg);
}

TEST(Text, FreshArgumentsAreWrittenAsSuch)
{
    const char *src = "threads 1\n"
                      "t0 key.put \"user-\" + fresh fresh\n"
                      "t0 key.put fresh fresh\n";
    Program p;
    char err[256] = "";
    ASSERT_EQ(ob_program_assemble(&fixture::kTarget, src, &p.p, err, sizeof err), OB_OK) << err;
    EXPECT_EQ(text_of(p.p).substr(text_of(p.p).find("t0")), std::string(src).substr(10));
    EXPECT_EQ(p.p.insts[0].args[0].len, 5u);
    struct Case {
        const char *src;
        const char *msg;
    } cases[] = {
        {"threads 1\nt0 key.put \"user-\" 3\n", "line 2: this argument is fresh: end it with"},
        {"threads 1\nt0 key.put fresh 3\n", "line 2: this argument is fresh: write `fresh`"},
        {"threads 1\nt0 key.put \"123456789\" + fresh fresh\n",
         "line 2: byte string longer than 8 bytes"},
        {"threads 1\nt0 blob.put fresh 1\n", "line 2: this argument is not fresh"},
        {"threads 1\nt0 blob.put \"a\" fresh\n", "line 2: this argument is not fresh"},
    };
    for (const Case &c : cases)
        expect_rejected(c.src, c.msg);
}

TEST(Fresh, EveryRunTakesANewValue)
{
    const ob_op &op = fixture::kOps[fixture::kTarget.nops - 1];
    ob_value in[2] = {};
    in[0].bytes = (const uint8_t *)"user-";
    in[0].len = 5;
    std::set<std::string> seen;
    std::set<int64_t> ints;
    for (int i = 0; i < 10; i++) {
        ob_value out[2];
        uint8_t *buf = nullptr;
        ASSERT_EQ(ob_fresh_fill(&op, in, out, &buf), OB_OK);
        std::string s((const char *)out[0].bytes, out[0].len);
        free(buf);
        EXPECT_EQ(s.size(), 5u + OB_FRESH_DIGITS);
        EXPECT_EQ(s.rfind("user-", 0), 0u);
        seen.insert(s);
        ints.insert(out[1].i);
        EXPECT_GE(out[1].i, 0);
        EXPECT_LE(out[1].i, 9);
    }
    EXPECT_EQ(seen.size(), 10u);
    EXPECT_EQ(ints.size(), 10u);
}

// A target without allocator hooks: the same table, no failure points.
const ob_target kNoHooks = {
    "nohooks",
    fixture::kOps,
    fixture::kTarget.nops,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    0,
    nullptr,
    nullptr,
    0,
    0,
    nullptr,
    nullptr,
};

TEST(Text, FailurePointsNeedAllocatorHooks)
{
    Program p;
    char err[256] = "";
    EXPECT_EQ(ob_program_assemble(&kNoHooks, "threads 1\nt0 tick !fail=2\n", &p.p, err, sizeof err),
              OB_ESYNTAX);
    EXPECT_EQ(std::string(err).rfind("line 2: !fail=2: target nohooks has no allocator seam", 0),
              0u)
        << err;
    Program with;
    ASSERT_EQ(ob_program_assemble(&fixture::kTarget, "threads 1\nt0 tick !failall\n", &with.p, err,
                                  sizeof err),
              OB_OK);
    uint8_t *bytes = nullptr;
    size_t n = 0;
    ASSERT_EQ(ob_program_encode(&with.p, &bytes, &n), OB_OK);
    Program without;
    ASSERT_EQ(ob_program_decode(&kNoHooks, bytes, n, &without.p), OB_OK);
    free(bytes);
    ASSERT_EQ(without.p.ninsts, 1u);
    EXPECT_EQ(without.p.insts[0].fail, OB_FAIL_NONE);
    EXPECT_EQ(text_of(without.p).find("!fail"), std::string::npos);
}

TEST(Saved, AnInputSavedForAnotherTableIsStale)
{
    Program p;
    char err[256] = "";
    ASSERT_EQ(ob_program_assemble(&fixture::kTarget,
                                  "threads 1\nt0 h0 = obj.new 7\nt0 obj.paint h0 blue\n", &p.p, err,
                                  sizeof err),
              OB_OK);
    uint8_t *saved = nullptr;
    size_t n = 0;
    ASSERT_EQ(ob_program_save(&p.p, &saved, &n), OB_OK);
    Program same;
    ASSERT_EQ(ob_program_decode(&fixture::kTarget, saved, n, &same.p), OB_OK);
    EXPECT_FALSE(same.p.stale);
    EXPECT_TRUE(ob_program_equal(&p.p, &same.p));
    // One operation more at the front of the table: the bytes mean another program now.
    std::vector<ob_op> ops = {{"zero", fixture::noop, 0, {}, 0}};
    ops.insert(ops.end(), fixture::kOps, fixture::kOps + fixture::kTarget.nops);
    ob_target changed = fixture::kTarget;
    changed.ops = ops.data();
    changed.nops = (uint32_t)ops.size();
    EXPECT_NE(ob_program_fingerprint(&changed), ob_program_fingerprint(&fixture::kTarget));
    Program stale;
    ASSERT_EQ(ob_program_decode(&changed, saved, n, &stale.p), OB_OK);
    free(saved);
    EXPECT_TRUE(stale.p.stale);
    EXPECT_EQ(stale.p.saved_fingerprint, ob_program_fingerprint(&fixture::kTarget));
}

} // namespace
