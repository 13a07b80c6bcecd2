// The report block and its JSON line: the block's sections, JSON that parses back to
// the same facts, and escaping of quotes, control characters and non-UTF-8 bytes.
#include <gtest/gtest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/kit/fixture_ops.h"
#include "tests/kit/frames.h"

extern "C" {
#include "harness/kit/ob_report.h"
}

namespace
{

// ---- a small strict JSON reader (RFC 8259), enough to check what ob_report_write wrote ----

struct Json {
    enum Kind { NUL, BOOL, NUM, STR, ARR, OBJ } kind = NUL;
    bool b = false;
    double num = 0;
    std::string str;
    std::vector<Json> arr;
    std::map<std::string, Json> obj;
    const Json &operator[](const char *k) const
    {
        static const Json missing;
        auto it = obj.find(k);
        return it == obj.end() ? missing : it->second;
    }
};

class Reader
{
  public:
    explicit Reader(const std::string &s) : s_(s) {}
    bool document(Json *out)
    {
        return value(out) && (ws(), pos_ == s_.size());
    }

  private:
    const std::string &s_;
    size_t pos_ = 0;

    void ws()
    {
        while (pos_ < s_.size() && strchr(" \t\n\r", s_[pos_]) != nullptr)
            pos_++;
    }
    bool eat(char c)
    {
        ws();
        if (pos_ < s_.size() && s_[pos_] == c) {
            pos_++;
            return true;
        }
        return false;
    }
    bool literal(const char *word)
    {
        size_t n = strlen(word);
        if (s_.compare(pos_, n, word) != 0)
            return false;
        pos_ += n;
        return true;
    }
    bool value(Json *out)
    {
        ws();
        if (pos_ >= s_.size())
            return false;
        char c = s_[pos_];
        if (c == '{')
            return object(out);
        if (c == '[')
            return array(out);
        if (c == '"')
            return (out->kind = Json::STR, string(&out->str));
        if (literal("true") || literal("false"))
            return (out->kind = Json::BOOL, out->b = s_[pos_ - 1] == 'e' && c == 't', true);
        if (literal("null"))
            return (out->kind = Json::NUL, true);
        return number(out);
    }
    bool number(Json *out)
    {
        const char *start = s_.c_str() + pos_;
        char *end = nullptr;
        if (*start != '-' && (*start < '0' || *start > '9'))
            return false;
        out->kind = Json::NUM;
        out->num = strtod(start, &end);
        pos_ += (size_t)(end - start);
        return end != start;
    }
    static void put_utf8(unsigned cp, std::string *out)
    {
        if (cp < 0x80) {
            *out += (char)cp;
        } else if (cp < 0x800) {
            *out += (char)(0xc0 | cp >> 6);
            *out += (char)(0x80 | (cp & 0x3f));
        } else {
            *out += (char)(0xe0 | cp >> 12);
            *out += (char)(0x80 | ((cp >> 6) & 0x3f));
            *out += (char)(0x80 | (cp & 0x3f));
        }
    }
    bool escape(std::string *out)
    {
        static const std::map<char, char> simple = {{'"', '"'},  {'\\', '\\'}, {'/', '/'},
                                                    {'b', '\b'}, {'f', '\f'},  {'n', '\n'},
                                                    {'r', '\r'}, {'t', '\t'}};
        char c = s_[pos_++];
        if (simple.count(c)) {
            *out += simple.at(c);
            return true;
        }
        if (c != 'u' || pos_ + 4 > s_.size())
            return false;
        std::string hex = s_.substr(pos_, 4);
        if (hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            return false;
        pos_ += 4;
        put_utf8((unsigned)strtoul(hex.c_str(), nullptr, 16), out);
        return true;
    }
    bool string(std::string *out)
    {
        pos_++; // the opening quote
        while (pos_ < s_.size()) {
            unsigned char c = (unsigned char)s_[pos_++];
            if (c == '"')
                return true;
            if (c < 0x20)
                return false; // raw control characters are not JSON
            if (c == '\\') {
                if (pos_ >= s_.size() || !escape(out))
                    return false;
            } else {
                *out += (char)c;
            }
        }
        return false;
    }
    bool array(Json *out)
    {
        out->kind = Json::ARR;
        pos_++;
        if (eat(']'))
            return true;
        do {
            out->arr.emplace_back();
            if (!value(&out->arr.back()))
                return false;
        } while (eat(','));
        return eat(']');
    }
    bool object(Json *out)
    {
        out->kind = Json::OBJ;
        pos_++;
        if (eat('}'))
            return true;
        do {
            std::string key;
            ws();
            if (pos_ >= s_.size() || s_[pos_] != '"' || !string(&key) || !eat(':'))
                return false;
            if (!value(&out->obj[key]))
                return false;
        } while (eat(','));
        return eat('}');
    }
};

// True when every byte sequence of s is valid UTF-8 (what a JSON text must be).
bool valid_utf8(const std::string &s)
{
    for (size_t i = 0; i < s.size();) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80                ? 1
                     : c >= 0xc2 && c < 0xe0 ? 2
                     : c >= 0xe0 && c < 0xf0 ? 3
                     : c >= 0xf0 && c < 0xf5 ? 4
                                             : 0;
        if (len == 0 || i + len > s.size())
            return false;
        for (size_t k = 1; k < len; k++)
            if (((unsigned char)s[i + k] & 0xc0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

// ---- fixtures ----

struct Written {
    int rc = -1;
    std::string block, json;
};

Written write_report(const ob_report &r)
{
    char *buf = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    Written w;
    w.rc = ob_report_write(f, &r);
    fclose(f);
    std::string all(buf, len);
    free(buf);
    const std::string tag = "==ouroboros-json== ";
    size_t at = all.find(tag);
    if (at != std::string::npos) {
        w.block = all.substr(0, at);
        w.json = all.substr(at + tag.size());
    }
    return w;
}

struct Report {
    ob_report r = {};
    ob_program p = {};
    ob_gauge_value gauges[2] = {{"live_objects", 3, 5}, {"registry", -1, 0}};
    Report()
    {
        const char *src = "threads 1\nt0 h0 = obj.new 7\nt0 obj.name h0 \"q\\\"\\x01\"\n";
        EXPECT_EQ(ob_program_assemble(&fixture::kTarget, src, &p, nullptr, 0), OB_OK);
        r.klass = "leak";
        snprintf(r.message, sizeof r.message, "2 objects live after teardown");
        r.stack.frames[r.stack.n++] = frame("malloc", "", 0);
        r.stack.frames[r.stack.n++] = frame("objrt_new", "/proc/self/cwd/targets/objrt/o.c", 42);
        r.stack.frames[r.stack.n++] = frame("ob_run", "/proc/self/cwd/harness/kit/ob_run.c", 9);
        r.gauges = gauges;
        r.ngauges = 2;
        r.program = &p;
        ob_report_sign(&r);
    }
    ~Report()
    {
        ob_program_clear(&p);
    }
};

std::string program_text(const ob_program &p)
{
    char *buf = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ob_program_print(&p, f);
    fclose(f);
    std::string s(buf, len);
    free(buf);
    return s;
}

TEST(Report, SignFillsSignatureAndSlug)
{
    Report rep;
    EXPECT_STREQ(rep.r.signature, "leak: objrt_new");
    char sig[512], slug[17];
    ob_signature("leak", &rep.r.stack, sig, sizeof sig, slug);
    EXPECT_STREQ(rep.r.slug, slug);
    EXPECT_EQ(strlen(rep.r.slug), 16u);
}

TEST(Report, BlockHasEverySection)
{
    Report rep;
    Written w = write_report(rep.r);
    ASSERT_EQ(w.rc, 0);
    std::string want = std::string("==ouroboros== FINDING leak\n") +
                       "signature: leak: objrt_new (" + rep.r.slug + ")\n" +
                       "2 objects live after teardown\n" +
                       "stack:\n"
                       "  #0   malloc ?:0\n"
                       "  #1 * objrt_new /proc/self/cwd/targets/objrt/o.c:42\n"
                       "  #2   ob_run /proc/self/cwd/harness/kit/ob_run.c:9\n"
                       "gauges:\n"
                       "  live_objects 3 -> 5\n"
                       "  registry -1 -> 0\n"
                       "program:\n" +
                       program_text(rep.p) + "==ouroboros== END\n";
    EXPECT_EQ(w.block, want);
}

TEST(Report, JsonParsesBackToTheSameFacts)
{
    Report rep;
    Written w = write_report(rep.r);
    ASSERT_FALSE(w.json.empty());
    ASSERT_EQ(w.json.back(), '\n');
    EXPECT_EQ(w.json.find('\n'), w.json.size() - 1) << "one line";
    Json j;
    ASSERT_TRUE(Reader(w.json).document(&j)) << w.json;
    EXPECT_EQ(j["class"].str, "leak");
    EXPECT_EQ(j["signature"].str, rep.r.signature);
    EXPECT_EQ(j["slug"].str, rep.r.slug);
    EXPECT_EQ(j["message"].str, rep.r.message);
    ASSERT_EQ(j["frames"].arr.size(), 3u);
    EXPECT_EQ(j["frames"].arr[1]["func"].str, "objrt_new");
    EXPECT_EQ(j["frames"].arr[1]["file"].str, "/proc/self/cwd/targets/objrt/o.c");
    EXPECT_EQ(j["frames"].arr[1]["line"].num, 42);
    EXPECT_TRUE(j["frames"].arr[1]["project"].b);
    EXPECT_EQ(j["frames"].arr[0]["project"].kind, Json::BOOL);
    EXPECT_FALSE(j["frames"].arr[0]["project"].b);
    EXPECT_FALSE(j["frames"].arr[2]["project"].b);
    ASSERT_EQ(j["gauges"].arr.size(), 2u);
    EXPECT_EQ(j["gauges"].arr[1]["name"].str, "registry");
    EXPECT_EQ(j["gauges"].arr[1]["before"].num, -1);
    EXPECT_EQ(j["gauges"].arr[0]["after"].num, 5);
    EXPECT_EQ(j["program"].str, program_text(rep.p));
}

TEST(Report, JsonEscapesControlsQuotesAndNonUtf8Bytes)
{
    Report rep;
    // quote, backslash, newline, tab, 0x01, 0x7f, valid "é", a stray 0xff, an overlong
    // 0xc0 0xaf, a surrogate 0xed 0xa0 0x80, and a truncated 0xe2 0x82 at the end.
    snprintf(rep.r.message, sizeof rep.r.message, "%s",
             "q\"b\\n\n\t\x01\x7f \xc3\xa9 \xff \xc0\xaf \xed\xa0\x80 \xe2\x82");
    Written w = write_report(rep.r);
    std::string want = "\"message\":\"q\\\"b\\\\n\\n\\t\\u0001\\u007f \xc3\xa9 \\u00ff "
                       "\\u00c0\\u00af \\u00ed\\u00a0\\u0080 \\u00e2\\u0082\"";
    EXPECT_NE(w.json.find(want), std::string::npos) << w.json;
    EXPECT_TRUE(valid_utf8(w.json));
    Json j;
    ASSERT_TRUE(Reader(w.json).document(&j)) << w.json;
    EXPECT_EQ(j["message"].str,
              "q\"b\\n\n\t\x01\x7f \xc3\xa9 \xc3\xbf \xc3\x80\xc2\xaf \xc3\xad\xc2\xa0\xc2\x80 "
              "\xc3\xa2\xc2\x82");
}

TEST(Report, WithoutProgramOrGauges)
{
    Report rep;
    rep.r.program = nullptr;
    rep.r.ngauges = 0;
    rep.r.stack.n = 0;
    rep.r.klass = "hang";
    snprintf(rep.r.message, sizeof rep.r.message, "no progress for 3 s\n");
    ob_report_sign(&rep.r);
    Written w = write_report(rep.r);
    ASSERT_EQ(w.rc, 0);
    EXPECT_EQ(w.block, std::string("==ouroboros== FINDING hang\nsignature: hang: (") + rep.r.slug +
                           ")\nno progress for 3 s\nstack:\n==ouroboros== END\n");
    Json j;
    ASSERT_TRUE(Reader(w.json).document(&j)) << w.json;
    EXPECT_EQ(j["program"].kind, Json::NUL);
    EXPECT_EQ(j["frames"].kind, Json::ARR);
    EXPECT_TRUE(j["frames"].arr.empty());
    EXPECT_TRUE(j["gauges"].arr.empty());
}

TEST(Report, MissingClassPrintsAsUnknown)
{
    Report rep;
    rep.r.klass = nullptr;
    ob_report_sign(&rep.r);
    EXPECT_STREQ(rep.r.signature, "unknown: objrt_new");
    Written w = write_report(rep.r);
    EXPECT_EQ(w.block.rfind("==ouroboros== FINDING unknown\n", 0), 0u);
}

TEST(Report, WriteErrorIsReported)
{
    Report rep;
    FILE *f = fopen("/dev/null", "r");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(ob_report_write(f, &rep.r), -1);
    fclose(f);
}

TEST(JsonReader, RejectsWhatIsNotJson)
{
    Json j;
    for (const char *bad : {"{", "{\"a\":}", "[1,]", "\"raw\x01\"", "\"\\x41\"", "{} x"})
        EXPECT_FALSE(Reader(bad).document(&j)) << bad;
    EXPECT_TRUE(Reader("{\"a\":[1,-2.5,true,null,\"\\u00e9\"]}").document(&j));
}

} // namespace
