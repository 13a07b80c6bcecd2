// The benchmark's smoke test: `bench --quick` must run every section and write a
// results.json that is complete and sane, so the benchmark cannot rot unnoticed. Checked:
// every section is there; every executor and detector ratio is a positive finite number;
// every catalog defect has its detection row, both fuzzers really ran, and our harness
// found most defects; minimization kept the signature and did not grow an input; the
// test-time section says why --quick skips it. Absolute figures are not checked: under
// `bazel test` other tests share the machine.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <jansson.h>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "tests/support/test_support.h"

extern "C" {
#include "targets/tg_defects.h"
}

namespace
{

// The benchmark runs in the default (ASan) configuration only.
constexpr bool kDefaultConfig = ou_test::kAsan;

using ou_test::slurp;

bool positive(const json_t *v)
{
    return json_is_number(v) && std::isfinite(json_number_value(v)) && json_number_value(v) > 0;
}

const json_t *at(const json_t *o, const char *key)
{
    return json_object_get(o, key);
}

// A row's or section's "error", or "" when it has none.
std::string error_of(const json_t *o)
{
    const char *e = json_string_value(json_object_get(o, "error"));
    return e ? e : "";
}

// Runs the quick benchmark once for the whole suite; its results are shared.
class QuickBench : public ::testing::Test
{
  protected:
    static void SetUpTestSuite()
    {
        if (!kDefaultConfig)
            return;
        const char *tmp = getenv("TEST_TMPDIR");
        std::string dir = tmp ? tmp : "/tmp";
        out_ = dir + "/results.json";
        log_ = dir + "/bench.log";
        std::string cmd = "bench/bench --quick --out '" + out_ + "' >'" + log_ + "' 2>&1";
        int status = system(cmd.c_str());
        exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        json_error_t err;
        results_ = json_load_file(out_.c_str(), 0, &err);
    }

    static void TearDownTestSuite()
    {
        json_decref(results_);
        results_ = nullptr;
    }

    void SetUp() override
    {
        if (!kDefaultConfig)
            GTEST_SKIP() << "the benchmark runs in the default (ASan) configuration only";
        ASSERT_EQ(exit_, 0) << slurp(log_).substr(0, 20000);
        ASSERT_NE(results_, nullptr) << out_ << " is missing or not JSON";
    }

    static const json_t *section(const char *name)
    {
        return at(at(results_, "sections"), name);
    }

    static std::string out_, log_;
    static int exit_;
    static json_t *results_;
};

std::string QuickBench::out_, QuickBench::log_;
int QuickBench::exit_ = -1;
json_t *QuickBench::results_ = nullptr;

TEST_F(QuickBench, RecordsHowItRan)
{
    EXPECT_TRUE(json_is_true(at(results_, "quick")));
    EXPECT_TRUE(positive(at(results_, "seconds")));
    EXPECT_TRUE(positive(at(at(results_, "machine"), "cores")));
    for (const char *name : {"executors", "detectors", "detection", "minimization", "test_time"}) {
        ASSERT_TRUE(json_is_object(section(name))) << "section " << name << " is missing";
        EXPECT_EQ(error_of(section(name)), "") << name;
    }
}

// One row per target of the catalog, each with the given positive ratios and rates.
void check_target_rows(const json_t *s, const std::vector<const char *> &ratios,
                       const std::vector<const char *> &rates)
{
    size_t count = 0;
    const tg_defect *d = tg_defects(&count);
    std::set<std::string> targets;
    for (size_t i = 0; i < count; i++)
        targets.insert(d[i].target);
    const json_t *rows = at(s, "rows");
    ASSERT_EQ(json_array_size(rows), targets.size());
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        const char *target = json_string_value(at(row, "target"));
        ASSERT_NE(target, nullptr);
        EXPECT_EQ(targets.count(target), 1u) << target;
        EXPECT_EQ(error_of(row), "") << target;
        for (const char *key : ratios)
            EXPECT_TRUE(positive(at(row, key))) << target << " " << key;
        for (const char *key : rates)
            EXPECT_TRUE(positive(at(at(row, "inputs_per_second"), key))) << target << " " << key;
    }
}

TEST_F(QuickBench, ExecutorsHaveRatiosForEveryTarget)
{
    check_target_rows(section("executors"), {"fibers_vs_direct", "pool_vs_threads"},
                      {"direct", "fibers", "threads", "pool"});
}

TEST_F(QuickBench, DetectorsHaveRatiosForEveryTarget)
{
    check_target_rows(section("detectors"), {"on_vs_off"}, {"on", "off"});
}

// A side that found the defect has its median; one that missed ran inputs trying.
void check_side(const json_t *side, const std::string &what)
{
    ASSERT_TRUE(json_is_object(side)) << what;
    json_int_t found = json_integer_value(at(side, "found"));
    json_int_t attempts = json_integer_value(at(side, "attempts"));
    EXPECT_GE(attempts, 1) << what;
    EXPECT_LE(found, attempts) << what;
    if (json_is_number(at(side, "median_seconds"))) {
        EXPECT_TRUE(positive(at(side, "median_seconds"))) << what;
        EXPECT_NE(std::string(json_string_value(at(side, "class"))), "") << what;
    } else {
        EXPECT_TRUE(positive(at(side, "runs_when_missed"))) << what << " missed without fuzzing";
    }
}

TEST_F(QuickBench, DetectionHasARowPerDefect)
{
    size_t count = 0, ours_found = 0;
    const tg_defect *d = tg_defects(&count);
    const json_t *rows = at(section("detection"), "rows");
    ASSERT_EQ(json_array_size(rows), count);
    for (size_t i = 0; i < count; i++) {
        const json_t *row = json_array_get(rows, i);
        std::string id = d[i].id;
        ASSERT_EQ(std::string(json_string_value(at(row, "defect"))), id);
        EXPECT_EQ(error_of(row), "") << id;
        check_side(at(row, "ours"), id + " ours");
        check_side(at(row, "baseline"), id + " baseline");
        bool ours = json_is_number(at(at(row, "ours"), "median_seconds"));
        bool base = json_is_number(at(at(row, "baseline"), "median_seconds"));
        ours_found += ours;
        if (ours)
            EXPECT_TRUE(positive(at(row, base ? "speedup" : "speedup_at_least"))) << id;
    }
    // The defects take our harness well under a second each; a broken section finds none.
    EXPECT_GE(ours_found * 2, count) << "our harnesses found only " << ours_found;
}

TEST_F(QuickBench, MinimizationKeepsSignaturesAndShrinks)
{
    const json_t *rows = at(section("minimization"), "rows");
    size_t measured = 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        std::string id = json_string_value(at(row, "defect"));
        if (at(row, "skipped")) {
            EXPECT_NE(std::string(json_string_value(at(row, "skipped"))), "") << id;
            continue;
        }
        measured++;
        const json_t *in = at(row, "input");
        ASSERT_TRUE(positive(at(in, "ops")) && positive(at(in, "bytes"))) << id;
        for (const char *way : {"ours", "libfuzzer"}) {
            const json_t *m = at(row, way);
            ASSERT_EQ(error_of(m), "") << id << " " << way;
            EXPECT_TRUE(positive(at(m, "bytes"))) << id << " " << way;
            EXPECT_TRUE(positive(at(m, "seconds"))) << id << " " << way;
            EXPECT_LE(json_integer_value(at(m, "bytes")), json_integer_value(at(in, "bytes")))
                << id << " " << way;
            EXPECT_TRUE(json_is_boolean(at(m, "signature_kept"))) << id << " " << way;
        }
        EXPECT_TRUE(json_is_true(at(at(row, "ours"), "signature_kept"))) << id;
        EXPECT_TRUE(positive(at(row, "ops_libfuzzer_vs_ours"))) << id;
        EXPECT_TRUE(positive(at(row, "seconds_libfuzzer_vs_ours"))) << id;
    }
    EXPECT_GE(measured, 1u) << "nothing was minimized";
}

TEST_F(QuickBench, TestTimeSaysWhyItIsSkipped)
{
    const char *why = json_string_value(at(section("test_time"), "skipped"));
    ASSERT_NE(why, nullptr);
    EXPECT_NE(std::string(why), "");
}

} // namespace
