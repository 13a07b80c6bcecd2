#include <gtest/gtest.h>

#include <random>
#include <vector>

extern "C" {
#include "harness/kit/ob_bytes.h"
#include "harness/kit/ob_kit.h"
}

TEST(Reader, ExhaustedInputYieldsZeros)
{
    ob_reader r;
    ob_reader_init(&r, nullptr, 0);
    EXPECT_EQ(ob_reader_u8(&r), 0);
    EXPECT_EQ(ob_reader_range(&r, 3, 9), 3u);
    EXPECT_EQ(ob_reader_range(&r, 7, 100000), 7u);
    const uint8_t *p = nullptr;
    EXPECT_EQ(ob_reader_bytes(&r, 16, &p), 0u);
    EXPECT_EQ(ob_reader_left(&r), 0u);
}

TEST(Reader, RangeStaysInBoundsForEveryByte)
{
    for (int b = 0; b < 256; b++) {
        uint8_t in = (uint8_t)b;
        ob_reader r;
        ob_reader_init(&r, &in, 1);
        uint32_t v = ob_reader_range(&r, 1, 8);
        EXPECT_GE(v, 1u);
        EXPECT_LE(v, 8u);
    }
}

TEST(Reader, SmallRangesUseOneByteSoMutationsStayLocal)
{
    const uint8_t in[] = {5, 6, 7};
    ob_reader r;
    ob_reader_init(&r, in, sizeof in);
    EXPECT_EQ(ob_reader_range(&r, 0, 255), 5u);
    EXPECT_EQ(ob_reader_left(&r), 2u);
}

TEST(Reader, BytesNeverReadPastTheEnd)
{
    const uint8_t in[] = {200, 'a', 'b'};
    ob_reader r;
    ob_reader_init(&r, in, sizeof in);
    const uint8_t *p = nullptr;
    size_t n = ob_reader_bytes(&r, 255, &p);
    EXPECT_EQ(n, 2u);
    EXPECT_EQ(p[0], 'a');
    EXPECT_EQ(p[1], 'b');
    EXPECT_EQ(ob_reader_left(&r), 0u);
}

TEST(Writer, IsTheInverseOfTheReader)
{
    std::mt19937 rng(42);
    for (int round = 0; round < 200; round++) {
        ob_writer w;
        ob_writer_init(&w);
        std::vector<uint32_t> los, his, vals;
        for (int i = 0; i < 20; i++) {
            uint32_t lo = rng() % 1000;
            uint32_t hi = lo + (rng() % 2 ? rng() % 300 : rng() % 100000);
            uint32_t v = lo + rng() % (hi - lo + 1);
            los.push_back(lo);
            his.push_back(hi);
            vals.push_back(v);
            ob_writer_range(&w, lo, hi, v);
        }
        const uint8_t text[] = "hello";
        ob_writer_bytes(&w, 8, text, 5);
        ASSERT_FALSE(w.oom);
        ob_reader r;
        ob_reader_init(&r, w.data, w.size);
        for (size_t i = 0; i < vals.size(); i++)
            EXPECT_EQ(ob_reader_range(&r, los[i], his[i]), vals[i]);
        const uint8_t *p = nullptr;
        ASSERT_EQ(ob_reader_bytes(&r, 8, &p), 5u);
        EXPECT_EQ(0, memcmp(p, text, 5));
        EXPECT_EQ(ob_reader_left(&r), 0u);
        ob_writer_free(&w);
    }
}

// Repeat counts: one byte up to 191, three bytes beyond, exact both ways.
TEST(Writer, CountsRoundTripCompactly)
{
    for (uint32_t c : {0u, 1u, 191u, 192u, 5000u, 65536u, (uint32_t)OB_MAX_REPEAT}) {
        ob_writer w;
        ob_writer_init(&w);
        ob_writer_count(&w, c);
        ASSERT_FALSE(w.oom);
        EXPECT_EQ(w.size, c < 192 ? 1u : 3u) << c;
        ob_reader r;
        ob_reader_init(&r, w.data, w.size);
        EXPECT_EQ(ob_reader_count(&r), c);
        ob_writer_free(&w);
    }
    for (unsigned b = 0; b < 256; b++) {
        uint8_t in[3] = {(uint8_t)b, 0xff, 0xff};
        ob_reader r;
        ob_reader_init(&r, in, sizeof in);
        EXPECT_LE(ob_reader_count(&r), (uint32_t)OB_MAX_REPEAT);
    }
}
