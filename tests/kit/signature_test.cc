// Project frames, cycles, signatures and slugs; sanitizer reports produced by really
// triggering each bug under clang-19 (tests/kit/testdata/README.md) parsed back.
#include <gtest/gtest.h>

#include <string.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/kit/frames.h"

namespace
{

ob_stack named(const std::vector<const char *> &funcs)
{
    std::vector<ob_frame> frames;
    for (const char *fn : funcs)
        frames.push_back(frame(fn));
    return stack_of(frames);
}

std::string sign(const char *klass, const ob_stack &s, std::string *slug = nullptr)
{
    char sig[512], sl[17];
    ob_signature(klass, &s, sig, sizeof sig, sl);
    if (slug != nullptr)
        *slug = sl;
    return sig;
}

TEST(Project, TellsCodeUnderTestFromTheRest)
{
    struct Case {
        const char *func, *file;
        int project;
    } cases[] = {
        {"objrt_list_append", "/proc/self/cwd/targets/objrt/objrt_list.c", 1},
        {"objrt_list_append", "targets/objrt/objrt_list.c", 1},
        {"bank_harness_op", "harness/example/bank_harness.c", 1},
        {"TestBody", "/proc/self/cwd/tests/kit/stack_test.cc", 1},
        {"ob_run", "/proc/self/cwd/harness/kit/ob_run.c", 0},
        {"tg_malloc", "/proc/self/cwd/targets/hooks/tg_hooks.c", 0},
        {"testing::Test::Run()", "external/googletest/googletest/src/gtest.cc", 0},
        {"testing::internal::Run", "/proc/self/cwd/tests/kit/x.cc", 0},
        {"__asan_report_load4", "/proc/self/cwd/targets/objrt/objrt_list.c", 0},
        {"__interceptor_free", "/proc/self/cwd/targets/x.c", 0},
        {"__tsan_read4", "targets/x.c", 0},
        {"__ubsan_handle_add_overflow", "targets/x.c", 0},
        {"__lsan_do_leak_check", "targets/x.c", 0},
        {"__sanitizer_print_stack_trace", "targets/x.c", 0},
        {"malloc", "", 0},
        {"__libc_start_call_main", "csu/../sysdeps/nptl/libc_start_call_main.h", 0},
        {"?", "", 0},
    };
    for (const Case &c : cases) {
        ob_frame f = frame(c.func, c.file);
        EXPECT_EQ(ob_frame_is_project(&f), c.project) << c.func << " " << c.file;
    }
}

TEST(Cycle, FindsTheShortestPeriodAndWhereItStarts)
{
    unsigned start = 99;
    ob_stack s = named({"leaf", "rec", "rec", "rec", "rec", "main"});
    EXPECT_EQ(ob_stack_cycle(&s, 3, &start), 1u);
    EXPECT_EQ(start, 1u);
    s = named({"x", "a", "b", "a", "b", "a", "b", "main"});
    EXPECT_EQ(ob_stack_cycle(&s, 3, &start), 2u);
    EXPECT_EQ(start, 1u);
    s = named({"a", "a", "b", "a", "a", "b", "a", "a", "b"});
    EXPECT_EQ(ob_stack_cycle(&s, 3, &start), 3u) << "a a is not three repeats";
    EXPECT_EQ(start, 0u);
    s = named({"a", "b", "c", "main"});
    EXPECT_EQ(ob_stack_cycle(&s, 3, &start), 0u);
    s = named({"a", "rec", "rec", "main"});
    EXPECT_EQ(ob_stack_cycle(&s, 3, &start), 0u);
    EXPECT_EQ(ob_stack_cycle(&s, 2, &start), 1u);
    s = named({"?", "?", "?", "?"});
    EXPECT_EQ(ob_stack_cycle(&s, 3, &start), 0u) << "unknown frames are no recursion";
}

TEST(Signature, NamesTheTopThreeDistinctProjectFrames)
{
    ob_stack s = stack_of({frame("__interceptor_free", ""), frame("tg_free", "targets/hooks/h.c"),
                           frame("objrt_decref"), frame("objrt_list_clear"),
                           frame("objrt_list_clear"), frame("ob_run", "harness/kit/ob_run.c"),
                           frame("objrt_gc"), frame("objrt_later")});
    EXPECT_EQ(sign("heap-use-after-free", s),
              "heap-use-after-free: objrt_decref < objrt_list_clear < objrt_gc");
}

TEST(Signature, FallsBackToNamedFramesWithoutFileNames)
{
    ob_stack s = stack_of({frame("__interceptor_malloc", ""), frame("?", ""),
                           frame("objrt_new", ""), frame("main", "")});
    EXPECT_EQ(sign("leak", s), "leak: objrt_new < main");
}

TEST(Signature, StackClassesUseTheCycleRotatedToTheSmallestName)
{
    ob_stack odd = named(
        {"memcpy", "walk_b", "walk_a", "walk_b", "walk_a", "walk_b", "walk_a", "parse", "main"});
    ob_stack even = named({"walk_a", "walk_b", "walk_a", "walk_b", "walk_a", "walk_b", "parse"});
    EXPECT_EQ(sign("stack-overflow", odd), "stack-overflow: walk_a < walk_b");
    EXPECT_EQ(sign("stack-overflow", even), "stack-overflow: walk_a < walk_b");
    EXPECT_EQ(sign("stack-budget", even), "stack-budget: walk_a < walk_b");
    ob_stack flat = named({"a", "b", "c", "d"});
    EXPECT_EQ(sign("stack-budget", flat), "stack-budget: a < b < c") << "no cycle: top frames";
}

uint64_t fnv1a(const std::string &s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s)
        h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

TEST(Signature, SlugIsTheFnv1aOfTheText)
{
    ASSERT_EQ(fnv1a("foobar"), 0x85944171f73967e8ULL); // published test vector
    std::string slug;
    std::string sig = sign("leak", named({"objrt_new", "main"}), &slug);
    char want[17];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)fnv1a(sig));
    EXPECT_EQ(slug, want);
    std::string other;
    sign("leak", named({"objrt_new2", "main"}), &other);
    EXPECT_NE(slug, other);
}

TEST(Signature, TruncatesLongTextSafely)
{
    char sig[12], slug[17];
    ob_stack s = named({"a_rather_long_function_name"});
    ob_signature("leak", &s, sig, sizeof sig, slug);
    EXPECT_EQ(std::string(sig), "leak: a_rat");
    EXPECT_EQ(strlen(slug), 16u);
}

// ---- real stacks: same bug by different inputs, different bugs ----

volatile int g_after_capture;

// Like a detector, leaves its own frame out of the stack.
__attribute__((noinline)) void capture(ob_stack *out)
{
    uintptr_t pcs[OB_MAX_FRAMES];
    unsigned n = ob_stack_pcs(pcs, OB_MAX_FRAMES, 1);
    ob_stack_symbolize(pcs, n, out);
}

__attribute__((noinline)) void bug_site_a(ob_stack *out)
{
    capture(out);
    g_after_capture = g_after_capture + 1; // no tail call: keeps this frame
}

__attribute__((noinline)) void bug_site_b(ob_stack *out)
{
    capture(out);
    g_after_capture = g_after_capture + 1; // no tail call: keeps this frame
}

// The input decides how long the loop runs and which site it reaches.
__attribute__((noinline)) int process(const std::vector<int> &input, ob_stack *out)
{
    volatile int sum = 0;
    for (int v : input)
        sum = sum + v;
    if (sum % 2 == 0)
        bug_site_a(out);
    else
        bug_site_b(out);
    return sum;
}

TEST(Signature, SameBugByDifferentInputsSignsTheSame)
{
    ob_stack small, big, other;
    process({2}, &small);
    process(std::vector<int>(1000, 4), &big);
    process({3}, &other);
    std::string sig = sign("invariant", small);
    EXPECT_NE(sig.find("bug_site_a"), std::string::npos) << sig;
    EXPECT_NE(sig.find("process"), std::string::npos) << sig;
    EXPECT_EQ(sig, sign("invariant", big));
    EXPECT_NE(sig, sign("invariant", other));
    EXPECT_NE(sig, sign("leak", small));
}

// ---- real sanitizer reports ----

std::string read_sample(const std::string &name)
{
    std::ifstream in("tests/kit/testdata/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_FALSE(ss.str().empty()) << name;
    return ss.str();
}

struct Parsed {
    int rc = -1;
    char klass[64] = "";
    ob_stack stack = {};
};

Parsed parse(const std::string &text)
{
    Parsed p;
    p.rc = ob_parse_sanitizer_report(text.c_str(), p.klass, sizeof p.klass, &p.stack);
    return p;
}

const ob_frame *top_project(const ob_stack &s)
{
    for (unsigned i = 0; i < s.n; i++)
        if (ob_frame_is_project(&s.frames[i]))
            return &s.frames[i];
    return nullptr;
}

struct Sample {
    const char *file, *klass, *top;
} const kSamples[] = {
    {"asan_heap_use_after_free.txt", "heap-use-after-free", "sg_read"},
    {"asan_heap_buffer_overflow.txt", "heap-buffer-overflow", "sg_overflow"},
    {"asan_double_free.txt", "double-free", "sg_release"},
    {"asan_bad_free.txt", "bad-free", "sg_bad_free"},
    {"asan_allocation_size_too_big.txt", "allocation-size-too-big", "sg_huge"},
    {"asan_stack_overflow.txt", "stack-overflow", "sg_recurse_a"},
    {"asan_segv.txt", "SEGV", "sg_segv"},
    {"ubsan_null_load.txt", "undefined-behavior", "sg_segv"},
    {"ubsan_signed_overflow.txt", "undefined-behavior", "main"},
    {"lsan_direct_and_cycle.txt", "leak", "sg_leak_direct"},
    {"lsan_cycle_only.txt", "leak", "sg_node_new"},
    {"tsan_data_race.txt", "data-race", "sg_bump"},
    {"tsan_heap_use_after_free.txt", "heap-use-after-free", "sg_use"},
    {"tsan_lock_order_inversion.txt", "lock-order-inversion", "sg_lock_pair"},
};

TEST(Parse, EachRealReportGivesItsClassAndTopProjectFrame)
{
    for (const Sample &s : kSamples) {
        Parsed p = parse(read_sample(s.file));
        ASSERT_EQ(p.rc, 0) << s.file;
        EXPECT_STREQ(p.klass, s.klass) << s.file;
        const ob_frame *top = top_project(p.stack);
        ASSERT_NE(top, nullptr) << s.file;
        EXPECT_STREQ(top->func, s.top) << s.file;
    }
}

TEST(Parse, ReadsEveryFieldOfAnAsanFrame)
{
    Parsed p = parse(read_sample("asan_heap_use_after_free.txt"));
    ASSERT_EQ(p.stack.n, 6u) << "the access stack only";
    const ob_frame &f = p.stack.frames[0];
    EXPECT_EQ(f.pc, (uintptr_t)0x5632e45649edULL);
    EXPECT_STREQ(f.func, "sg_read");
    EXPECT_STREQ(f.file, "/proc/self/cwd/tests/kit/samplegen/bugs.c");
    EXPECT_EQ(f.line, 13);
    EXPECT_STREQ(p.stack.frames[2].func, "main");
    EXPECT_STREQ(p.stack.frames[3].func, "__libc_start_call_main");
    EXPECT_STREQ(p.stack.frames[3].file, "csu/../sysdeps/nptl/libc_start_call_main.h");
    EXPECT_STREQ(p.stack.frames[5].func, "_start") << "module-only frame";
    EXPECT_STREQ(p.stack.frames[5].file, "");
    EXPECT_EQ(sign(p.klass, p.stack), "heap-use-after-free: sg_read < sg_uaf < main");
}

TEST(Parse, ReadsModuleOnlyAndTsanFrames)
{
    Parsed df = parse(read_sample("asan_double_free.txt"));
    ASSERT_GE(df.stack.n, 2u);
    EXPECT_STREQ(df.stack.frames[0].func, "free");
    EXPECT_STREQ(df.stack.frames[0].file, "");
    EXPECT_EQ(df.stack.frames[0].pc, (uintptr_t)0x5570b3c89346ULL);
    Parsed race = parse(read_sample("tsan_data_race.txt"));
    ASSERT_EQ(race.stack.n, 2u) << "the first (current access) stack only";
    EXPECT_STREQ(race.stack.frames[0].func, "sg_bump");
    EXPECT_EQ(race.stack.frames[0].line, 65);
    EXPECT_STREQ(race.stack.frames[0].file, "/proc/self/cwd/tests/kit/samplegen/bugs.c");
    EXPECT_EQ(race.stack.frames[0].pc, (uintptr_t)0xe7fd8) << "module offset as the pc";
    EXPECT_STREQ(race.stack.frames[1].func, "sg_thread");
}

TEST(Parse, LeaksPreferADirectLeakAndCountIndirectOnes)
{
    Parsed both = parse(read_sample("lsan_direct_and_cycle.txt"));
    EXPECT_EQ(sign(both.klass, both.stack), "leak: sg_leak_direct < main");
    Parsed cycle = parse(read_sample("lsan_cycle_only.txt"));
    EXPECT_EQ(sign(cycle.klass, cycle.stack), "leak: sg_node_new < sg_leak_cycle < main");
}

TEST(Parse, StackOverflowSignsByItsCycle)
{
    std::string text = read_sample("asan_stack_overflow.txt");
    Parsed p = parse(text);
    EXPECT_EQ(p.stack.n, (unsigned)OB_MAX_FRAMES);
    EXPECT_EQ(sign(p.klass, p.stack), "stack-overflow: sg_recurse_a < sg_recurse_b");
    // A shallower overflow of the same recursion: keep frames #0..#9 only.
    std::string shallow = std::regex_replace(text, std::regex(" +#([1-9][0-9]+) [^\n]*\n"), "");
    Parsed q = parse(shallow);
    EXPECT_EQ(q.stack.n, 10u);
    EXPECT_EQ(sign(q.klass, q.stack), sign(p.klass, p.stack));
}

TEST(Parse, SignatureIgnoresAddressesAndLines)
{
    std::string text = read_sample("asan_heap_use_after_free.txt");
    std::string moved = std::regex_replace(text, std::regex("0x[0-9a-f]+"), "0x7777");
    moved = std::regex_replace(moved, std::regex(":[0-9]+:[0-9]+"), ":321:9");
    ASSERT_NE(moved, text);
    Parsed a = parse(text), b = parse(moved);
    EXPECT_EQ(b.stack.frames[0].line, 321);
    std::string sa, sb;
    EXPECT_EQ(sign(a.klass, a.stack, &sa), sign(b.klass, b.stack, &sb));
    EXPECT_EQ(sa, sb);
}

TEST(Parse, DifferentBugsSignDifferently)
{
    std::set<std::string> slugs;
    for (const Sample &s : kSamples) {
        Parsed p = parse(read_sample(s.file));
        std::string slug;
        sign(p.klass, p.stack, &slug);
        slugs.insert(slug);
    }
    EXPECT_EQ(slugs.size(), sizeof kSamples / sizeof kSamples[0]);
}

TEST(Parse, TakesTheFirstReportAndRejectsTextWithoutOne)
{
    Parsed none = parse("INFO: Running with entropic power schedule\n#0 not a frame\n");
    EXPECT_EQ(none.rc, -1);
    EXPECT_EQ(parse("").rc, -1);
    std::string two =
        read_sample("ubsan_null_load.txt") + read_sample("asan_heap_use_after_free.txt");
    EXPECT_STREQ(parse(two).klass, "undefined-behavior");
    Parsed bare = parse("a.c:1:2: runtime error: x\nnote\n    #0 0x1 in f /t/targets/a.c:1:1\n");
    EXPECT_STREQ(bare.klass, "undefined-behavior");
    EXPECT_EQ(bare.stack.n, 0u) << "UBSan printed no stack; a later one is not its";
}

TEST(Parse, ClassComesFromTheReportsOwnSummaryElseItsErrorLine)
{
    const char *truncated =
        "==1==ERROR: AddressSanitizer: attempting double-free on 0x1 in thread T0:\n"
        "    #0 0x1 in free (/b+0x1)\n";
    EXPECT_STREQ(parse(truncated).klass, "double-free");
    const char *two = "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x10\n"
                      "==2==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n"
                      "SUMMARY: AddressSanitizer: heap-use-after-free /t/a.c:1:1 in f\n";
    EXPECT_STREQ(parse(two).klass, "SEGV");
}

TEST(Parse, ToleratesOddFrameLines)
{
    const char *text = "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n"
                       "    #0 0x10 in f(int, char const*) /proc/self/cwd/targets/a/a.c:7\n"
                       "    #1 0x20  (/lib/x86_64-linux-gnu/libc.so.6+0x29d8f)\n"
                       "    #2 0x30 in g+0x1f (/path/bin+0x99)\n"
                       "    #3 <null> <null> (bin+0x42) (BuildId: 1234)\n"
                       "    #4\n";
    Parsed p = parse(text);
    ASSERT_EQ(p.stack.n, 4u);
    EXPECT_STREQ(p.stack.frames[0].func, "f(int, char const*)");
    EXPECT_EQ(p.stack.frames[0].line, 7);
    EXPECT_STREQ(p.stack.frames[1].func, "?");
    EXPECT_STREQ(p.stack.frames[2].func, "g");
    EXPECT_STREQ(p.stack.frames[3].func, "?");
    EXPECT_EQ(p.stack.frames[3].pc, (uintptr_t)0x42);
}

} // namespace
