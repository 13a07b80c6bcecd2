// Every detector against the lab target (lab_target.c): each defect is reported with its
// class and a stable signature, and each fixed twin is not. Findings that end the process
// (stack, hang, LeakSanitizer's at-exit duty) run in death-test children.
#include <gtest/gtest.h>

#include <string>
#include <unistd.h>
#include <vector>

#include "tests/support/test_support.h"

extern "C" {
#include <ouroboros/ob_kit.h>

#include "harness/kit/ob_features.h"
}

namespace
{

// The fuzz input a text program assembles to.
std::vector<uint8_t> bytes_of(const char *src)
{
    ob_program p;
    char err[256] = "";
    EXPECT_EQ(ob_program_assemble(&ob_harness_target, src, &p, err, sizeof err), OB_OK) << err;
    uint8_t *bytes = nullptr;
    size_t n = 0;
    EXPECT_EQ(ob_program_encode(&p, &bytes, &n), OB_OK);
    ob_program_clear(&p);
    std::vector<uint8_t> v(bytes, bytes + n);
    free(bytes);
    return v;
}

ob_finding run(const char *src)
{
    std::vector<uint8_t> bytes = bytes_of(src);
    ob_finding f = {};
    EXPECT_EQ(ob_harness_run(bytes.data(), bytes.size(), &f), OB_OK);
    return f;
}

std::string klass(const ob_finding &f)
{
    return f.klass ? f.klass : "none";
}

// In a death-test child: run, print what was found, leave without LSan's at-exit check.
[[noreturn]] void run_and_say(const char *src)
{
    ob_finding f = run(src);
    fprintf(stderr, "found=%s sig=[%s] message=%s\n", klass(f).c_str(), f.signature, f.message);
    fflush(stderr);
    _exit(0);
}

void exit_seven()
{
    _exit(7);
}

const char *kCycle = "threads 1\n"
                     "t0 h0 = node.new\n"
                     "t0 h1 = node.new\n"
                     "t0 node.link h0 h1\n"
                     "t0 node.link h1 h0\n";

// A cycle stays in the process: LeakSanitizer would blame it on the inputs that follow (the
// lab's node table hides its pointers, as ob_kit.h asks), so such tests run in a child.
TEST(LeakDeathTest, AReferenceCycleIsReportedWithTheCycle)
{
    EXPECT_EXIT(run_and_say(kCycle), ::testing::ExitedWithCode(0),
                "found=leak sig=\\[leak: node -> node.*message=.*live_nodes.*node#");
}

TEST(Leak, WeakBackReferencesLeakNothing)
{
    ob_finding f = run("threads 1\n"
                       "t0 h0 = node.new\n"
                       "t0 h1 = node.new\n"
                       "t0 node.link h0 h1\n"
                       "t0 node.link_weak h1 h0\n");
    EXPECT_EQ(klass(f), "none") << f.message;
}

TEST(LeakDeathTest, AForgottenMallocIsFoundByLeakSanitizer)
{
    if (ou_test::kTsan)
        GTEST_SKIP() << "ThreadSanitizer builds have no LeakSanitizer";
    EXPECT_EXIT(run_and_say("threads 1\nt0 lost.alloc 7\n"), ::testing::ExitedWithCode(0),
                "found=leak sig=\\[leak: op_lost_alloc");
    EXPECT_EXIT(run_and_say("threads 1\nt0 kept.alloc 7\n"), ::testing::ExitedWithCode(0),
                "found=none");
}

TEST(Growth, AnInternTableThatNeverForgetsIsReported)
{
    ob_finding f = run("threads 2\n"
                       "t0 intern \"alpha\"\n"
                       "t1 intern \"beta\"\n"
                       "t0 intern \"gamma\"\n");
    ASSERT_EQ(klass(f), "growth");
    EXPECT_NE(std::string(f.signature).find("interned"), std::string::npos) << f.signature;
    EXPECT_NE(std::string(f.message).find("+3 +3 +3"), std::string::npos) << f.message;
}

TEST(Growth, ABoundedLruIsNot)
{
    std::string src = "threads 1\n";
    for (int i = 0; i < 9; i++)
        src += "t0 intern.lru \"k" + std::to_string(i) + "\"\n";
    ob_finding f = run(src.c_str());
    EXPECT_EQ(klass(f), "none") << f.message;
}

// A table keyed by name grows only with names it has not seen: the same program run again
// adds nothing, unless the name is fresh, which is new on every run (reruns included).
TEST(Growth, AKeyedTableFedFreshNamesIsReported)
{
    testing::internal::CaptureStderr();
    ob_finding f = run("threads 1\n"
                       "t0 names.add \"user-\" + fresh\n");
    std::string report = testing::internal::GetCapturedStderr();
    ASSERT_EQ(klass(f), "growth") << report;
    EXPECT_NE(std::string(f.signature).find("names"), std::string::npos) << f.signature;
    EXPECT_NE(std::string(f.message).find("+1 +1 +1"), std::string::npos) << f.message;
    // The report's gauge values are the reruns': after is above before, as the finding says.
    long long before = -1, after = -1;
    size_t at = report.find("  names ");
    ASSERT_NE(at, std::string::npos) << report;
    ASSERT_EQ(sscanf(report.c_str() + at, "  names %lld -> %lld", &before, &after), 2);
    EXPECT_EQ(after - before, 3) << report;
}

TEST(Growth, TheSameTableFedTheSameNamesIsNot)
{
    ob_finding f = run("threads 1\n"
                       "t0 names.add_same \"user-1\"\n"
                       "t0 names.add_same \"user-2\"\n");
    EXPECT_EQ(klass(f), "none") << f.message;
}

// The stack detectors name the recursion from AddressSanitizer's overflow report; under
// ThreadSanitizer an overflow ends the process inside its own handler, without one.
#define SKIP_WITHOUT_STACK_REPORTS()                                                               \
    do {                                                                                           \
        if (ou_test::kTsan)                                                                        \
            GTEST_SKIP() << "needs AddressSanitizer's overflow report";                            \
    } while (0)

std::string nest_program(int depth)
{
    return "threads 1\nt0 nest " + std::to_string(depth) + "\n";
}

// A recursion depth that uses between 55% and 90% of a fiber stack in this build
// (frame sizes differ between sanitizer configs), measured on a runner of our own.
int depth_past_the_budget()
{
    ob_options opt = {};
    ob_runner *r = nullptr;
    EXPECT_EQ(ob_runner_new(&opt, &r), OB_OK);
    int found = -1;
    for (int depth = 64; depth < 100000 && found < 0; depth += depth / 8) {
        ob_program p;
        EXPECT_EQ(
            ob_program_assemble(&ob_harness_target, nest_program(depth).c_str(), &p, nullptr, 0),
            OB_OK);
        ob_outcome o;
        EXPECT_EQ(ob_run(r, &p, &o), OB_OK);
        ob_program_clear(&p);
        double used = (double)o.stack_used[0] / (double)o.stack_size;
        if (used > 0.55 && used < 0.9)
            found = depth;
    }
    ob_runner_free(r);
    return found;
}

TEST(StackDeathTest, RecursionPastTheBudgetIsStackBudgetFromASmallInput)
{
    SKIP_WITHOUT_STACK_REPORTS();
    int depth = depth_past_the_budget();
    ASSERT_GT(depth, 0);
    std::string src = nest_program(depth);
    EXPECT_LT(bytes_of(src.c_str()).size(), 4096u);
    EXPECT_DEATH(run(src.c_str()), "FINDING stack-budget.*signature: stack-budget: nest");
}

TEST(StackDeathTest, RecursionOncePerInputByteIsStackBudgetFromUnder4KiB)
{
    SKIP_WITHOUT_STACK_REPORTS();
    // 100 levels of about 420 bytes under ASan: past the 32 KiB budget, short of 64 KiB.
    std::string src = "threads 1\nt0 nest.bytes \"" + std::string(100, '[') + "\"\n";
    EXPECT_LT(bytes_of(src.c_str()).size(), 4096u);
    EXPECT_DEATH(run(src.c_str()), "FINDING stack-budget.*signature: stack-budget: per_byte");
}

TEST(StackDeathTest, UnboundedRecursionIsStackOverflow)
{
    SKIP_WITHOUT_STACK_REPORTS();
    EXPECT_DEATH(run(nest_program(100000).c_str()),
                 "FINDING stack-overflow.*signature: stack-overflow: nest");
}

TEST(Stack, ShallowRecursionIsClean)
{
    EXPECT_EQ(klass(run("threads 1\nt0 nest 20\n")), "none");
}

// Depth, heap left behind and gauge rises reach libFuzzer as steps of a log scale: a
// deeper recursion, a larger block kept and a table that gained an entry each set a step.
TEST(Features, DeeperRecursionSetsAHigherDepthStep)
{
    EXPECT_EQ(klass(run("threads 1\nt0 nest 5\n")), "none");
    int shallow = ob_features_last_step(0);
    // Deep enough to pass the kit's own deepest frames (a few KiB under ASan).
    EXPECT_EQ(klass(run("threads 1\nt0 nest 300\n")), "none");
    int deep = ob_features_last_step(0);
    EXPECT_GT(shallow, 0);
    EXPECT_GT(deep, shallow);
    // One logical thread deep and one shallow: the deepest counts.
    EXPECT_EQ(klass(run("threads 2\nt0 nest 5\nt1 nest 300\n")), "none");
    EXPECT_EQ(ob_features_last_step(0), deep);
}

// Pool threads are measured too: down to the lowest instrumented frame they reached.
TEST(Features, PoolThreadsReportHowDeepTheyWent)
{
    ob_options opt = {};
    opt.executor = OB_EXEC_POOL;
    ob_runner *r = nullptr;
    ASSERT_EQ(ob_runner_new(&opt, &r), OB_OK);
    size_t used[2];
    int i = 0;
    for (int depth : {5, 300}) {
        ob_program p;
        ASSERT_EQ(
            ob_program_assemble(&ob_harness_target, nest_program(depth).c_str(), &p, nullptr, 0),
            OB_OK);
        ob_outcome o;
        EXPECT_EQ(ob_run(r, &p, &o), OB_OK);
        ob_program_clear(&p);
        EXPECT_EQ(o.stack_size, 0u) << "no budget is judged on the pool";
        used[i++] = o.stack_used[0];
    }
    ob_runner_free(r);
    EXPECT_GT(used[0], 0u);
    EXPECT_GT(used[1], used[0] + 300 * 16) << "300 levels of at least 16 bytes each";
}

TEST(Features, StateLeftBehindAndGaugeRisesSetSteps)
{
    // The intern table keeps its entry: heap left behind and a gauge that rose (the
    // growth detector's own reruns come later and do not count for this input).
    run("threads 1\nt0 intern \"features-a\"\nt0 intern \"features-b\"\n");
    EXPECT_GT(ob_features_last_step(1), 0) << "the entries stay on the heap";
    EXPECT_GT(ob_features_last_step(2 + 1), 0) << "the interned gauge rose by two";
    EXPECT_EQ(ob_features_last_step(2 + 0), -1) << "live_nodes did not move";
    EXPECT_EQ(klass(run("threads 1\nt0 kept.alloc 64\n")), "none");
    EXPECT_EQ(ob_features_last_step(1), -1) << "freed before the input ended";
    EXPECT_EQ(ob_features_last_step(2 + 1), -1);
}

TEST(Features, TheScaleHasSixteenStepsAnOctave)
{
    EXPECT_EQ(ob_feature_step(0), 0u);
    EXPECT_EQ(ob_feature_step(1), 0u);
    unsigned prev = 0;
    for (uint64_t v = 2; v < (1u << 20); v += v / 64 + 1) {
        EXPECT_GE(ob_feature_step(v), prev) << v;
        prev = ob_feature_step(v);
    }
    EXPECT_EQ(ob_feature_step(1024 * 2) - ob_feature_step(1024), 16u);
    EXPECT_EQ(ob_feature_step(~0ull), 511u);
}

TEST(HangDeathTest, AnEndlessLoopIsReportedWithWhereEachThreadIs)
{
    ob_harness_on_fatal(exit_seven);
    EXPECT_EXIT(run("threads 2\nt1 spin 0\n"), ::testing::ExitedWithCode(7),
                "FINDING hang.*t1 in operation 1 \\(spin\\)");
}

// Sanitizer findings get the kit's block too: class, signature from project frames, and
// the program, written before the sanitizer ends the process.
TEST(SanitizerDeathTest, UseAfterFreeIsReportedWithProgramAndSignature)
{
    if (!ou_test::kAsan)
        GTEST_SKIP() << "needs AddressSanitizer";
    EXPECT_DEATH(run("threads 2\nt1 use_after_free 2\n"),
                 "FINDING heap-use-after-free.*signature: heap-use-after-free: "
                 "op_use_after_free.*t1 use_after_free 2");
}

TEST(SanitizerDeathTest, UndefinedBehaviorIsReportedWithProgramAndSignature)
{
    if (!ou_test::kAsan)
        GTEST_SKIP() << "UBSan runs with AddressSanitizer in the default config";
    EXPECT_DEATH(run("threads 1\nt0 overflow 1\n"),
                 "FINDING undefined-behavior.*signature: undefined-behavior: op_overflow.*"
                 "t0 overflow 1");
}

TEST(Invariant, AFailedCheckIsReportedWithItsMessage)
{
    ob_finding f = run("threads 1\nt0 corrupt 1\n");
    ASSERT_EQ(klass(f), "invariant");
    EXPECT_NE(std::string(f.message).find("ledger is corrupt"), std::string::npos);
    EXPECT_EQ(klass(run("threads 1\nt0 corrupt 0\n")), "none");
}

// In a child, as the cycle test: both inputs leave their cycles behind.
[[noreturn]] void sign_two_cycles_and_a_table()
{
    ob_finding a = run(kCycle);
    ob_finding b = run("threads 3\n"
                       "schedule 07 01\n"
                       "t2 h0 = node.new\n"
                       "t1 h1 = node.new\n"
                       "t0 h2 = node.new\n"
                       "t2 node.link_weak h0 h2\n"
                       "t1 node.link h2 h1\n"
                       "t1 node.link h1 h2\n");
    ob_finding c = run("threads 1\nt0 intern \"x\"\n");
    fprintf(stderr, "classes=%s,%s same=%d differ=%d slug=%zu\n", klass(a).c_str(),
            klass(b).c_str(), strcmp(a.slug, b.slug) == 0, strcmp(a.slug, c.slug) != 0,
            strlen(a.slug));
    fflush(stderr);
    _exit(0);
}

TEST(SignatureDeathTest, OneBugOneSignatureWhateverTheInput)
{
    EXPECT_EXIT(sign_two_cycles_and_a_table(), ::testing::ExitedWithCode(0),
                "classes=leak,leak same=1 differ=1 slug=16");
}

TEST(Settings, ParseAndReject)
{
    ob_detectors d;
    ob_detectors_default(&d);
    char err[256] = "";
    ASSERT_EQ(ob_detectors_parse(&d, "growth=0, hang_seconds=0.5 stack_budget=40", err, sizeof err),
              OB_OK)
        << err;
    EXPECT_EQ(d.growth, 0);
    EXPECT_DOUBLE_EQ(d.hang_seconds, 0.5);
    EXPECT_EQ(d.stack_budget, 40u);
    EXPECT_EQ(ob_detectors_parse(&d, "stack_budget=0", err, sizeof err), OB_EINVAL);
    EXPECT_NE(std::string(err).find("stack_budget"), std::string::npos);
    EXPECT_EQ(ob_detectors_parse(&d, "frobnicate=1", err, sizeof err), OB_EINVAL);
    EXPECT_NE(std::string(err).find("unknown detector setting 'frobnicate=1'"), std::string::npos);
    EXPECT_EQ(ob_detectors_parse(&d, "leak=2", err, sizeof err), OB_EINVAL);
}

} // namespace

int main(int argc, char **argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    // The watchdog thread makes fork-only death tests unsafe; re-execute instead.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    return RUN_ALL_TESTS();
}
