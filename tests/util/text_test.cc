// //harness/util's text: UTF-8 sequences recognized, JSON strings valid whatever the bytes,
// other bytes read as Latin-1.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" {
#include "harness/util/ou_util.h"
}

namespace
{

size_t len(const char *s)
{
    return ou_utf8_len(reinterpret_cast<const unsigned char *>(s), std::string(s).size());
}

// What fn writes to a memory stream.
template <typename F> std::string written(F fn)
{
    char *buf = nullptr;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    fn(f);
    fclose(f);
    std::string s(buf, n);
    free(buf);
    return s;
}

std::string json(const char *text)
{
    return written([&](FILE *f) { ou_json_string(f, text); });
}

TEST(Utf8Len, ValidSequencesOnly)
{
    EXPECT_EQ(len("\xc3\xa9"), 2u);
    EXPECT_EQ(len("\xe2\x82\xac"), 3u);
    EXPECT_EQ(len("\xf0\x9f\x98\x80"), 4u);
    EXPECT_EQ(len("\xc0\x80"), 0u) << "overlong";
    EXPECT_EQ(len("\xe0\x80\xaf"), 0u) << "overlong";
    EXPECT_EQ(len("\xed\xa0\x80"), 0u) << "surrogate";
    EXPECT_EQ(len("\xf4\x90\x80\x80"), 0u) << "above U+10FFFF";
    EXPECT_EQ(len("\xe2\x82"), 0u) << "cut short";
    EXPECT_EQ(len("\x80"), 0u) << "a continuation byte alone";
}

TEST(JsonString, EscapesWhatJsonNeeds)
{
    EXPECT_EQ(json("plain"), "\"plain\"");
    EXPECT_EQ(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
    EXPECT_EQ(json("\x01\x7f"), "\"\\u0001\\u007f\"");
}

TEST(JsonString, KeepsUtf8AndReadsOtherBytesAsLatin1)
{
    EXPECT_EQ(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    EXPECT_EQ(json("\xff\xc3"), "\"\\u00ff\\u00c3\"");
    EXPECT_EQ(json("\xc0\x80"), "\"\\u00c0\\u0080\"");
}

TEST(Utf8Write, OtherBytesGoThroughTheCallback)
{
    auto latin1 = [](const char *s) {
        return written([&](FILE *f) { ou_utf8_write(f, s, ou_latin1_byte); });
    };
    EXPECT_EQ(latin1("a\xc3\xa9z"), "a\xc3\xa9z");
    EXPECT_EQ(latin1("\xe9t\xe9"), "\xc3\xa9t\xc3\xa9");
    auto marked = written([](FILE *f) {
        ou_utf8_write(f, "x\xff<", [](FILE *out, unsigned char c) { fprintf(out, "[%02x]", c); });
    });
    EXPECT_EQ(marked, "[78][ff][3c]");
}

} // namespace
