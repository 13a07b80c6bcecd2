// Report writers: report.json, report.sarif and report.html from models built in memory,
// read back with Jansson (JSON, SARIF) or as text (HTML), and written atomically to disk.
#include <gtest/gtest.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

extern "C" {
#include "tools/campaign/cp_campaign.h"
}

namespace
{

// ---- models ----

// Owns everything a cp_result points to; pointers stay valid while it lives.
class Model
{
  public:
    char *S(const std::string &s)
    {
        strings_.push_back(s);
        return &strings_.back()[0];
    }

    cp_frame Frame(const char *func, const char *file, int line, int project)
    {
        return cp_frame{func ? S(func) : nullptr, file ? S(file) : nullptr, line, project};
    }

    cp_harness_stats &AddHarness(const std::string &name, const char *expected,
                                 std::vector<cp_sample> samples)
    {
        samples_.push_back(std::move(samples));
        cp_harness_stats h{};
        h.name = S(name);
        h.defect = expected != nullptr;
        h.expected = expected ? S(expected) : nullptr;
        h.samples = samples_.back().data();
        h.nsamples = samples_.back().size();
        harnesses_.push_back(h);
        return harnesses_.back();
    }

    cp_finding &AddFinding(const std::string &klass, const std::string &slug,
                           const std::string &harness, std::vector<cp_frame> frames)
    {
        frames_.push_back(std::move(frames));
        cp_finding f{};
        f.klass = S(klass);
        f.slug = S(slug);
        f.harness = S(harness);
        f.signature = S(klass + ": " + slug);
        f.message = S("seen by " + harness);
        f.frames = frames_.back().empty() ? nullptr : frames_.back().data();
        f.nframes = frames_.back().size();
        f.reproduced = f.attempts = 3;
        f.count = 1;
        findings_.push_back(f);
        return findings_.back();
    }

    const cp_result *Result()
    {
        result_.harnesses = harnesses_.empty() ? nullptr : harnesses_.data();
        result_.nharnesses = harnesses_.size();
        result_.findings = findings_.empty() ? nullptr : findings_.data();
        result_.nfindings = findings_.size();
        return &result_;
    }

    cp_result &Campaign()
    {
        return result_;
    }

  private:
    std::deque<std::string> strings_;
    std::deque<std::vector<cp_frame>> frames_;
    std::deque<std::vector<cp_sample>> samples_;
    std::vector<cp_harness_stats> harnesses_;
    std::vector<cp_finding> findings_;
    cp_result result_{};
};

std::vector<cp_sample> Samples(int n)
{
    std::vector<cp_sample> v;
    for (int i = 0; i < n; i++)
        v.push_back(cp_sample{10.0 + 2.0 * i, 1500.0 + (i % 7) * 120.5, 200L + 9L * i,
                              400L + 20L * i, 5L + i, i / 10});
    return v;
}

const char kNasty[] = "dict \"d\" <script>alert('x')</script> & caf\xc3\xa9 \xe2\x86\x92 "
                      "\xf0\x9f\x90\x8d\nsecond line";

// Three harnesses (50 samples, 1 sample, none) and six findings: two leaks, a flaky data
// race, a hang without frames, a sanitizer class outside the repository, and odd paths.
void BuildRich(Model &m)
{
    cp_result &r = m.Campaign();
    r.started = 1700000000;
    r.ended = 1700000090;
    r.budget = 90;
    r.interrupted = 1;

    cp_harness_stats &h0 = m.AddHarness("objrt_weakref_strong", "leak", Samples(50));
    h0.seconds = 108;
    h0.execs = 162000;
    h0.cov = 641;
    h0.corpus = 54;
    h0.findings_new = 1;
    h0.findings_known = 2;
    cp_harness_stats &h1 = m.AddHarness("objrt_refcount_nonatomic", "data-race", Samples(1));
    h1.seconds = 10;
    h1.findings_flaky = 1;
    cp_harness_stats &h2 = m.AddHarness("calc", nullptr, {});
    h2.findings_known = 1;

    cp_finding &f0 =
        m.AddFinding("leak", "0123456789abcdef", "objrt_weakref_strong",
                     {m.Frame("__interceptor_malloc",
                              "/usr/src/llvm/compiler-rt/lib/asan/asan_malloc_linux.cpp", 69, 0),
                      m.Frame("ob_alloc_hook", "harness/kit/ob_fail.c", 55, 0),
                      m.Frame("objrt_alloc",
                              "/root/.cache/bazel/_bazel_root/0f3b/execroot/ouroboros/targets/"
                              "objrt/objrt_gc.c",
                              120, 1),
                      m.Frame("objrt_dict_new", "./targets/objrt/objrt_dict.c", 33, 1),
                      m.Frame("harness_op", "harness/objrt/objrt_harness.c", 88, 0)});
    f0.message = m.S(kNasty);
    f0.signature = m.S("leak: objrt_dict_new < objrt_alloc \"sig\"");
    f0.first_seen = 1699990000;
    f0.last_seen = 1700000050;
    f0.count = 4;
    f0.ops_before = 9;
    f0.ops_after = 3;
    f0.bytes_before = 120;
    f0.bytes_after = 40;
    f0.program = m.S("threads 1\nt0 h0 = dict.new\nt0 <script>x</script>\n");
    f0.report = m.S("==ouroboros== FINDING leak\n<details> & \"quotes\"\n");

    cp_finding &f1 =
        m.AddFinding("data-race", "fedcba9876543210", "objrt_refcount_nonatomic",
                     {m.Frame("objrt_decref", "/proc/self/cwd/targets/objrt/objrt.c", 0, 1),
                      m.Frame("pthread_start", nullptr, 0, 0)});
    f1.flaky = 1;
    f1.reproduced = 0;
    f1.attempts = 3;

    cp_finding &f2 = m.AddFinding("hang", "00000000000000aa", "calc", {});
    f2.message = m.S("loop \"never\" ends <b>");
    f2.program = m.S("threads 1\nt0 calc.eval \"f(x) = f(x)\"\n");

    m.AddFinding(
        "leak", "00000000000000bb", "calc",
        {m.Frame("ob_run_program", "./harness/kit/ob_run.c", 210, 0), m.Frame("main", "", 0, 0)});

    m.AddFinding("heap-use-after-free", "00000000000000cc", "calc",
                 {m.Frame("memcpy", "/usr/include/x86_64-linux-gnu/bits/string_fortified.h", 29, 0),
                  m.Frame("weird <fn>", nullptr, 0, 1), m.Frame("up", "../outside.c", 3, 1)});

    m.AddFinding("stack-budget", "00000000000000dd", "calc",
                 {m.Frame("calc_print", "targets/calc/../calc/my file:1.c", 7, 1)});
}

// ---- reading back ----

std::string Capture(int (*writer)(const cp_result *, FILE *), const cp_result *r, int *rc)
{
    char *buf = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    EXPECT_NE(f, nullptr);
    *rc = writer(r, f);
    fclose(f);
    std::string s(buf, len);
    free(buf);
    return s;
}

// A parsed document; Jansson reference dropped at scope exit.
struct Doc {
    json_t *root = nullptr;
    explicit Doc(const std::string &text)
    {
        json_error_t err;
        root = json_loadb(text.data(), text.size(), 0, &err);
        EXPECT_NE(root, nullptr) << err.text << " at line " << err.line;
    }
    ~Doc()
    {
        json_decref(root);
    }
};

Doc *Write(int (*writer)(const cp_result *, FILE *), const cp_result *r)
{
    int rc = -1;
    std::string text = Capture(writer, r, &rc);
    EXPECT_EQ(rc, 0);
    return new Doc(text);
}

json_t *At(json_t *o, const char *path)
{
    // "a.b.0.c": object keys and array indices.
    std::string p(path);
    size_t start = 0;
    while (o != nullptr && start <= p.size()) {
        size_t dot = p.find('.', start);
        std::string key =
            p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (json_is_array(o))
            o = json_array_get(o, strtoul(key.c_str(), nullptr, 10));
        else
            o = json_object_get(o, key.c_str());
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return o;
}

std::string Str(json_t *o, const char *path)
{
    json_t *v = At(o, path);
    EXPECT_TRUE(json_is_string(v)) << path;
    return json_is_string(v) ? json_string_value(v) : "<missing>";
}

long long Int(json_t *o, const char *path)
{
    json_t *v = At(o, path);
    EXPECT_TRUE(json_is_integer(v)) << path;
    return json_integer_value(v);
}

bool Bool(json_t *o, const char *path)
{
    json_t *v = At(o, path);
    EXPECT_TRUE(json_is_boolean(v)) << path;
    return json_is_true(v);
}

// ---- report.json ----

TEST(ReportJson, EmptyCampaign)
{
    Model m;
    m.Campaign().started = 1700000000;
    m.Campaign().ended = 1700000060;
    m.Campaign().budget = 60;
    m.AddHarness("calc", nullptr, {});
    std::unique_ptr<Doc> d(Write(cp_report_json, m.Result()));
    json_t *root = d->root;
    EXPECT_EQ(Int(root, "campaign.started"), 1700000000);
    EXPECT_EQ(Str(root, "campaign.started_utc"), "2023-11-14T22:13:20Z");
    EXPECT_EQ(Int(root, "campaign.ended"), 1700000060);
    EXPECT_EQ(Str(root, "campaign.ended_utc"), "2023-11-14T22:14:20Z");
    EXPECT_DOUBLE_EQ(json_number_value(At(root, "campaign.budget_seconds")), 60.0);
    EXPECT_FALSE(Bool(root, "campaign.interrupted"));
    ASSERT_EQ(json_array_size(At(root, "harnesses")), 1u);
    EXPECT_EQ(Str(root, "harnesses.0.name"), "calc");
    EXPECT_FALSE(Bool(root, "harnesses.0.defect"));
    EXPECT_TRUE(json_is_null(At(root, "harnesses.0.expected")));
    EXPECT_EQ(json_array_size(At(root, "harnesses.0.samples")), 0u);
    EXPECT_TRUE(json_is_array(At(root, "findings")));
    EXPECT_EQ(json_array_size(At(root, "findings")), 0u);
    EXPECT_EQ(Int(root, "summary.findings"), 0);
    EXPECT_EQ(json_object_size(At(root, "summary.by_class")), 0u);
    EXPECT_EQ(Int(root, "summary.new"), 0);
}

TEST(ReportJson, EveryFieldOfEveryFinding)
{
    Model m;
    BuildRich(m);
    const cp_result *r = m.Result();
    std::unique_ptr<Doc> d(Write(cp_report_json, r));
    json_t *root = d->root;
    EXPECT_TRUE(Bool(root, "campaign.interrupted"));
    ASSERT_EQ(json_array_size(At(root, "findings")), r->nfindings);
    for (size_t i = 0; i < r->nfindings; i++) {
        const cp_finding &f = r->findings[i];
        json_t *o = json_array_get(At(root, "findings"), i);
        SCOPED_TRACE(f.slug);
        EXPECT_EQ(Str(o, "slug"), f.slug);
        EXPECT_EQ(Str(o, "class"), f.klass);
        EXPECT_EQ(Str(o, "signature"), f.signature);
        EXPECT_EQ(Str(o, "message"), f.message);
        EXPECT_EQ(Str(o, "harness"), f.harness);
        EXPECT_EQ(Bool(o, "flaky"), f.flaky != 0);
        EXPECT_EQ(Int(o, "reproduced"), f.reproduced);
        EXPECT_EQ(Int(o, "attempts"), f.attempts);
        EXPECT_EQ(Int(o, "first_seen"), f.first_seen);
        EXPECT_EQ(Int(o, "last_seen"), f.last_seen);
        EXPECT_EQ(Int(o, "count"), f.count);
        EXPECT_EQ(Int(o, "ops_before"), f.ops_before);
        EXPECT_EQ(Int(o, "ops_after"), f.ops_after);
        EXPECT_EQ(Int(o, "bytes_before"), (long long)f.bytes_before);
        EXPECT_EQ(Int(o, "bytes_after"), (long long)f.bytes_after);
        ASSERT_EQ(json_array_size(At(o, "frames")), f.nframes);
        for (size_t k = 0; k < f.nframes; k++) {
            json_t *fr = json_array_get(At(o, "frames"), k);
            EXPECT_EQ(Str(fr, "func"), f.frames[k].func);
            if (f.frames[k].file != nullptr)
                EXPECT_EQ(Str(fr, "file"), f.frames[k].file);
            else
                EXPECT_TRUE(json_is_null(At(fr, "file")));
            EXPECT_EQ(Int(fr, "line"), f.frames[k].line);
            EXPECT_EQ(Bool(fr, "project"), f.frames[k].project != 0);
        }
        for (const char *key : {"program", "report"}) {
            const char *want = key[0] == 'p' ? f.program : f.report;
            if (want != nullptr)
                EXPECT_EQ(Str(o, key), want);
            else
                EXPECT_TRUE(json_is_null(At(o, key))) << key;
        }
    }
    EXPECT_EQ(Str(root, "findings.0.first_seen_utc"), "2023-11-14T19:26:40Z");
    EXPECT_EQ(Str(root, "findings.0.message"), kNasty); // quotes, newline, UTF-8 intact
}

TEST(ReportJson, HarnessesSamplesAndSummary)
{
    Model m;
    BuildRich(m);
    const cp_result *r = m.Result();
    std::unique_ptr<Doc> d(Write(cp_report_json, r));
    json_t *root = d->root;
    ASSERT_EQ(json_array_size(At(root, "harnesses")), 3u);
    EXPECT_EQ(Str(root, "harnesses.0.name"), "objrt_weakref_strong");
    EXPECT_TRUE(Bool(root, "harnesses.0.defect"));
    EXPECT_EQ(Str(root, "harnesses.0.expected"), "leak");
    EXPECT_DOUBLE_EQ(json_number_value(At(root, "harnesses.0.seconds")), 108.0);
    EXPECT_EQ(Int(root, "harnesses.0.execs"), 162000);
    EXPECT_EQ(Int(root, "harnesses.0.cov"), 641);
    EXPECT_EQ(Int(root, "harnesses.0.corpus"), 54);
    EXPECT_EQ(Int(root, "harnesses.0.findings_new"), 1);
    EXPECT_EQ(Int(root, "harnesses.0.findings_known"), 2);
    EXPECT_EQ(Int(root, "harnesses.1.findings_flaky"), 1);
    ASSERT_EQ(json_array_size(At(root, "harnesses.0.samples")), 50u);
    EXPECT_EQ(json_array_size(At(root, "harnesses.1.samples")), 1u);
    EXPECT_EQ(json_array_size(At(root, "harnesses.2.samples")), 0u);
    const cp_sample &s = r->harnesses[0].samples[49];
    EXPECT_DOUBLE_EQ(json_number_value(At(root, "harnesses.0.samples.49.seconds")), s.seconds);
    EXPECT_DOUBLE_EQ(json_number_value(At(root, "harnesses.0.samples.49.execs_per_sec")),
                     s.execs_per_sec);
    EXPECT_EQ(Int(root, "harnesses.0.samples.49.cov"), s.cov);
    EXPECT_EQ(Int(root, "harnesses.0.samples.49.ft"), s.ft);
    EXPECT_EQ(Int(root, "harnesses.0.samples.49.corpus"), s.corpus);
    EXPECT_EQ(Int(root, "harnesses.0.samples.49.findings"), s.findings);

    EXPECT_EQ(Int(root, "summary.findings"), 6);
    EXPECT_EQ(Int(root, "summary.by_class.leak"), 2);
    EXPECT_EQ(Int(root, "summary.by_class.data-race"), 1);
    EXPECT_EQ(Int(root, "summary.by_class.hang"), 1);
    EXPECT_EQ(json_object_size(At(root, "summary.by_class")), 5u);
    EXPECT_EQ(Int(root, "summary.new"), 1);
    EXPECT_EQ(Int(root, "summary.known"), 3);
    EXPECT_EQ(Int(root, "summary.flaky"), 1);
}

TEST(ReportJson, InvalidUtf8AndNonFiniteStayValidJson)
{
    Model m;
    cp_finding &f = m.AddFinding("leak", "1", "h", {});
    f.message = m.S("bad \xff byte");
    std::vector<cp_sample> s = Samples(1);
    s[0].execs_per_sec = 0.0 / 0.0;
    m.AddHarness("h", nullptr, s);
    std::unique_ptr<Doc> d(Write(cp_report_json, m.Result()));
    EXPECT_EQ(Str(d->root, "findings.0.message"), "bad \xc3\xbf byte"); // read as Latin-1
    EXPECT_TRUE(json_is_null(At(d->root, "harnesses.0.samples.0.execs_per_sec")));
}

TEST(ReportWriters, WriteErrorIsMinusOne)
{
    Model rich, empty; // one overflows stdio's buffer while writing, one only when flushed
    BuildRich(rich);
    for (Model *m : {&rich, &empty}) {
        for (auto writer : {cp_report_json, cp_report_sarif, cp_report_html}) {
            FILE *full = fopen("/dev/full", "w");
            ASSERT_NE(full, nullptr);
            EXPECT_EQ(writer(m->Result(), full), -1);
            fclose(full);
        }
    }
}

// Jansson's allocator, failing its n-th call from now (0: never).
int g_fail_countdown = 0;

void *FailingMalloc(size_t n)
{
    if (g_fail_countdown > 0 && --g_fail_countdown == 0)
        return nullptr;
    return malloc(n);
}

// Fails Jansson allocation N for N = 1.. until a run needs fewer: every run must return
// -1 when an allocation failed and 0 otherwise, without crashing or leaking (LSan).
TEST(ReportWriters, OutOfMemoryIsMinusOne)
{
    Model m;
    BuildRich(m);
    json_set_alloc_funcs(FailingMalloc, free);
    for (auto writer : {cp_report_json, cp_report_sarif}) {
        int failures = 0;
        for (int n = 1;; n++) {
            g_fail_countdown = n;
            int rc = 0;
            std::string text = Capture(writer, m.Result(), &rc);
            bool fired = g_fail_countdown == 0;
            g_fail_countdown = 0;
            if (!fired) {
                EXPECT_EQ(rc, 0);
                break;
            }
            ASSERT_EQ(rc, -1) << "allocation " << n << " failed unnoticed";
            failures++;
        }
        EXPECT_GT(failures, 100);
    }
    json_set_alloc_funcs(malloc, free);
}

// ---- report.sarif ----

// Walks every value, calling visit(key, value) for object members.
void Walk(json_t *v, const std::function<void(const std::string &, json_t *)> &visit)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach(v, key, child)
        {
            visit(key, child);
            Walk(child, visit);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) Walk(child, visit);
    }
}

void ExpectMessage(json_t *msg, const char *what)
{
    ASSERT_TRUE(json_is_object(msg)) << what;
    json_t *text = json_object_get(msg, "text");
    ASSERT_TRUE(json_is_string(text)) << what << " needs message.text";
    EXPECT_GT(strlen(json_string_value(text)), 0u) << what;
}

void ExpectArtifactLocation(json_t *art)
{
    ASSERT_TRUE(json_is_object(art));
    std::string uri = Str(art, "uri");
    EXPECT_FALSE(uri.empty());
    EXPECT_NE(uri[0], '/') << uri;
    EXPECT_NE(uri.rfind("./", 0), 0u) << uri;
    EXPECT_EQ(uri.find("../"), std::string::npos) << uri;
    EXPECT_EQ(uri.find(':'), std::string::npos) << uri; // no scheme, nothing absolute
    EXPECT_EQ(uri.find(' '), std::string::npos) << uri;
    EXPECT_EQ(uri.find("execroot"), std::string::npos) << uri;
    EXPECT_EQ(Str(art, "uriBaseId"), "%SRCROOT%");
}

TEST(ReportSarif, RequiredPropertiesOfEveryObject)
{
    Model m;
    BuildRich(m);
    const cp_result *r = m.Result();
    std::unique_ptr<Doc> d(Write(cp_report_sarif, r));
    json_t *log = d->root;
    EXPECT_EQ(Str(log, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
    EXPECT_EQ(Str(log, "version"), "2.1.0");
    ASSERT_EQ(json_array_size(At(log, "runs")), 1u);
    json_t *run = At(log, "runs.0");
    EXPECT_EQ(Str(run, "tool.driver.name"), "ouroboros");
    EXPECT_EQ(Str(run, "tool.driver.informationUri").rfind("https://", 0), 0u);

    json_t *rules = At(run, "tool.driver.rules");
    std::set<std::string> ids, classes;
    for (size_t i = 0; i < r->nfindings; i++)
        classes.insert(r->findings[i].klass);
    for (size_t i = 0; i < json_array_size(rules); i++) {
        json_t *rule = json_array_get(rules, i);
        EXPECT_TRUE(ids.insert(Str(rule, "id")).second) << "duplicate rule " << i;
        ExpectMessage(At(rule, "shortDescription"), "shortDescription");
        ExpectMessage(At(rule, "fullDescription"), "fullDescription");
        ExpectMessage(At(rule, "help"), "help");
        EXPECT_FALSE(Str(rule, "name").empty());
    }
    EXPECT_EQ(ids, classes);                              // one rule per class present
    EXPECT_EQ(Str(rules, "3.id"), "heap-use-after-free"); // in order of first appearance
    EXPECT_EQ(Str(rules, "3.name"), "HeapUseAfterFree");

    json_t *results = At(run, "results");
    ASSERT_EQ(json_array_size(results), r->nfindings);
    for (size_t i = 0; i < r->nfindings; i++) {
        const cp_finding &f = r->findings[i];
        json_t *res = json_array_get(results, i);
        SCOPED_TRACE(f.slug);
        ExpectMessage(At(res, "message"), "result");
        EXPECT_EQ(Str(res, "ruleId"), f.klass);
        long long idx = Int(res, "ruleIndex");
        ASSERT_TRUE(idx >= 0 && (size_t)idx < json_array_size(rules));
        EXPECT_EQ(Str(json_array_get(rules, idx), "id"), f.klass);
        EXPECT_EQ(Str(res, "level"), f.flaky ? "warning" : "error");
        EXPECT_EQ(Str(res, "partialFingerprints.ouroborosSignature/v1"), f.slug);
        std::string text = Str(res, "message.text");
        for (const char *part : std::initializer_list<const char *>{f.klass, f.harness, f.signature,
                                                                    "_repro", "minimized"})
            EXPECT_NE(text.find(part), std::string::npos) << part;
        EXPECT_EQ(json_array_size(At(res, "stacks.0.frames")), f.nframes);
        EXPECT_EQ(At(res, "stacks") != nullptr, f.nframes > 0);
        EXPECT_EQ(Str(res, "properties.harness"), f.harness);
        EXPECT_EQ(Int(res, "properties.count"), f.count);
        EXPECT_EQ(Int(res, "properties.firstSeen"), f.first_seen);
        EXPECT_EQ(Int(res, "properties.opsAfter"), f.ops_after);
        EXPECT_EQ(Int(res, "properties.bytesBefore"), (long long)f.bytes_before);
    }

    // Every object of these kinds, wherever it is, has what the schema requires.
    int artifacts = 0, regions = 0;
    Walk(log, [&](const std::string &key, json_t *v) {
        if (key == "artifactLocation") {
            artifacts++;
            ExpectArtifactLocation(v);
        } else if (key == "region") {
            regions++;
            EXPECT_GE(Int(v, "startLine"), 1);
        } else if (key == "message" || key == "shortDescription" || key == "fullDescription" ||
                   key == "help") {
            ExpectMessage(v, key.c_str());
        } else if (key == "locations") {
            EXPECT_GT(json_array_size(v), 0u) << "an empty locations array";
        } else if (key == "physicalLocation") {
            EXPECT_NE(json_object_get(v, "artifactLocation"), nullptr);
        } else if (key == "stacks") {
            for (size_t i = 0; i < json_array_size(v); i++)
                EXPECT_TRUE(json_is_array(At(json_array_get(v, i), "frames")));
        } else if (key == "logicalLocations") {
            EXPECT_GT(json_array_size(v), 0u);
        }
    });
    EXPECT_GT(artifacts, 5);
    EXPECT_GT(regions, 3);
}

// locations[0] of each result, as "uri:line" ("uri" without a region; "" without one).
std::vector<std::string> PrimaryLocations(json_t *log)
{
    std::vector<std::string> out;
    json_t *results = At(log, "runs.0.results");
    for (size_t i = 0; i < json_array_size(results); i++) {
        json_t *loc = At(json_array_get(results, i), "locations.0.physicalLocation");
        std::string s;
        if (loc != nullptr) {
            s = Str(loc, "artifactLocation.uri");
            if (At(loc, "region") != nullptr)
                s += ":" + std::to_string(Int(loc, "region.startLine"));
        }
        out.push_back(s);
    }
    return out;
}

TEST(ReportSarif, LocationIsInnermostProjectFrameRepoRelative)
{
    Model m;
    BuildRich(m);
    std::unique_ptr<Doc> d(Write(cp_report_sarif, m.Result()));
    std::vector<std::string> want = {
        "targets/objrt/objrt_gc.c:120", // execroot prefix dropped; innermost project frame,
                                        // not the kit frame above it
        "targets/objrt/objrt.c",        // /proc/self/cwd dropped; line 0 has no region
        "",                             // no frames: no locations
        "harness/kit/ob_run.c:210",     // no project frame: the first frame with a file
        "",                             // only files outside the repository
        "targets/calc/my%20file%3A1.c:7"};
    EXPECT_EQ(PrimaryLocations(d->root), want);
    json_t *results = At(d->root, "runs.0.results");
    EXPECT_EQ(At(json_array_get(results, 2), "locations"), nullptr);
    EXPECT_EQ(At(json_array_get(results, 4), "locations"), nullptr);
    // Stack frames keep every frame; those outside the repository only by name.
    json_t *frames = At(json_array_get(results, 0), "stacks.0.frames");
    EXPECT_EQ(At(frames, "0.location.physicalLocation"), nullptr);
    EXPECT_EQ(Str(frames, "0.location.logicalLocations.0.name"), "__interceptor_malloc");
    EXPECT_EQ(Str(frames, "3.location.physicalLocation.artifactLocation.uri"),
              "targets/objrt/objrt_dict.c");
    EXPECT_EQ(Int(frames, "3.location.physicalLocation.region.startLine"), 33);
}

TEST(ReportSarif, StacklessFindingIsLocatedAtItsHarness)
{
    // Code scanning rejects a whole upload when one result has no location.
    Model m;
    cp_finding &f = m.AddFinding("growth", "00000000000000aa", "memo_no_evict", {});
    char package[] = "harness/memo";
    f.package = package;
    std::unique_ptr<Doc> d(Write(cp_report_sarif, m.Result()));
    EXPECT_EQ(PrimaryLocations(d->root), std::vector<std::string>{"harness/memo/BUILD:1"});
    json_t *result = At(d->root, "runs.0.results.0");
    EXPECT_NE(Str(result, "locations.0.message.text").find("memo_no_evict"), std::string::npos);
    EXPECT_NE(Str(result, "message.text").find("//harness/memo:memo_no_evict_repro"),
              std::string::npos);
}

TEST(ReportSarif, NoFindingsIsAValidEmptyRun)
{
    Model m;
    std::unique_ptr<Doc> d(Write(cp_report_sarif, m.Result()));
    EXPECT_EQ(Str(d->root, "version"), "2.1.0");
    EXPECT_EQ(Str(d->root, "runs.0.tool.driver.name"), "ouroboros");
    EXPECT_EQ(json_array_size(At(d->root, "runs.0.tool.driver.rules")), 0u);
    EXPECT_TRUE(json_is_array(At(d->root, "runs.0.results")));
    EXPECT_EQ(json_array_size(At(d->root, "runs.0.results")), 0u);
}

// ---- report.html ----

size_t Count(const std::string &hay, const std::string &needle)
{
    size_t n = 0;
    for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1))
        n++;
    return n;
}

// The text between the n-th `open` and the next `close` (or the end).
std::string Between(const std::string &s, const std::string &open, const std::string &close,
                    size_t n = 0)
{
    size_t p = 0;
    for (size_t i = 0; i <= n; i++) {
        p = s.find(open, i == 0 ? 0 : p + 1);
        if (p == std::string::npos)
            return "";
    }
    size_t e = s.find(close, p + open.size());
    return s.substr(p, e == std::string::npos ? std::string::npos : e - p);
}

// Number of "x,y" points of the data polyline in an <svg>.
size_t PolylinePoints(const std::string &svg)
{
    std::string line = Between(svg, "<polyline class=\"data\"", "/>");
    std::string pts = Between(line, "points=\"", "\"");
    EXPECT_FALSE(pts.empty()) << "no data polyline";
    pts = pts.substr(strlen("points=\""));
    size_t n = 0;
    for (size_t p = 0; p < pts.size();) {
        size_t e = pts.find(' ', p);
        std::string pt = pts.substr(p, e == std::string::npos ? std::string::npos : e - p);
        EXPECT_NE(pt.find(','), std::string::npos) << pt;
        n++;
        p = e == std::string::npos ? pts.size() : e + 1;
    }
    return n;
}

std::string Html(Model &m)
{
    int rc = -1;
    std::string html = Capture(cp_report_html, m.Result(), &rc);
    EXPECT_EQ(rc, 0);
    return html;
}

TEST(ReportHtml, EscapesEveryText)
{
    Model m;
    BuildRich(m);
    m.AddHarness("odd <b>&\"name\"", nullptr, Samples(3));
    std::string html = Html(m);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_EQ(html.find("<details>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; caf\xc3\xa9"),
              std::string::npos);
    EXPECT_NE(html.find("dict &quot;d&quot;"), std::string::npos);
    EXPECT_NE(html.find("odd &lt;b&gt;&amp;&quot;name&quot;: coverage"), std::string::npos);
    EXPECT_NE(html.find("&lt;details&gt; &amp; &quot;quotes&quot;"), std::string::npos);
    // Self-contained: no script, no external resource.
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find(" src="), std::string::npos);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_NE(html.find("</html>\n"), std::string::npos);
}

TEST(ReportHtml, TwoPlotsPerHarnessWithOnePointPerSample)
{
    Model m;
    BuildRich(m);
    std::string html = Html(m);
    const cp_result *r = m.Result();
    EXPECT_EQ(Count(html, "<section class=\"harness\">"), 3u);
    size_t svgs = 0;
    for (size_t i = 0; i < r->nharnesses; i++) {
        const cp_harness_stats &h = r->harnesses[i];
        SCOPED_TRACE(h.name);
        std::string sec = Between(html, "<section class=\"harness\">", "</section>", i);
        EXPECT_NE(sec.find(h.name), std::string::npos);
        if (h.nsamples == 0) {
            EXPECT_NE(sec.find("no samples"), std::string::npos);
            EXPECT_EQ(sec.find("<svg"), std::string::npos);
            continue;
        }
        EXPECT_EQ(Count(sec, "<svg"), 2u);
        for (const char *kind : {"cov", "eps"}) {
            std::string svg =
                Between(sec, std::string("<svg class=\"plot\" data-plot=\"") + kind, "</svg>");
            ASSERT_FALSE(svg.empty()) << kind;
            svgs++;
            EXPECT_EQ(PolylinePoints(svg), h.nsamples) << kind;
            EXPECT_NE(svg.find("fuzzing seconds</text>"), std::string::npos); // x axis title
            EXPECT_NE(svg.find("<text class=\"ttl\""), std::string::npos);    // plot title
            EXPECT_GE(Count(svg, "text-anchor=\"end\">"), 2u);                // y tick labels
            EXPECT_GE(Count(svg, "<line class=\"axis\""), 2u);                // x ticks
            if (h.nsamples == 1)
                EXPECT_EQ(Count(svg, "<circle"), 1u) << "a single sample is a dot";
        }
    }
    EXPECT_EQ(svgs, 4u);
    EXPECT_EQ(Count(html, "<svg"), 4u);
}

TEST(ReportHtml, HarnessTablesAndFindingSections)
{
    Model m;
    BuildRich(m);
    std::string html = Html(m);
    const cp_result *r = m.Result();
    EXPECT_NE(html.find("<th>interrupted</th><td><span class=\"miss\">yes"), std::string::npos);
    EXPECT_NE(html.find("2023-11-14 22:13:20 UTC"), std::string::npos);
    std::string h0 = Between(html, "<section class=\"harness\">", "</section>", 0);
    EXPECT_NE(h0.find("<td class=\"n\">162000</td>"), std::string::npos);
    EXPECT_NE(h0.find("<td>leak</td><td><span class=\"ok\">found</span></td>"), std::string::npos);
    std::string h1 = Between(html, "<section class=\"harness\">", "</section>", 1);
    EXPECT_NE(h1.find("<span class=\"ok\">found</span> (flaky only)"), std::string::npos);
    std::string h2 = Between(html, "<section class=\"harness\">", "</section>", 2);
    EXPECT_NE(h2.find(">clean<"), std::string::npos);

    for (size_t i = 0; i < r->nfindings; i++) {
        const cp_finding &f = r->findings[i];
        SCOPED_TRACE(f.slug);
        std::string sec = Between(
            html, "<section class=\"finding\" id=\"f" + std::to_string(i) + "\">", "</section>");
        ASSERT_FALSE(sec.empty());
        EXPECT_NE(sec.find(f.slug), std::string::npos);
        EXPECT_NE(sec.find(">" + std::string(f.klass) + "<"), std::string::npos);
        EXPECT_NE(sec.find("reproduced " + std::to_string(f.reproduced) + " of " +
                           std::to_string(f.attempts)),
                  std::string::npos);
        EXPECT_NE(sec.find(std::to_string(f.ops_before) + " &rarr; " + std::to_string(f.ops_after)),
                  std::string::npos);
        size_t project = 0;
        for (size_t k = 0; k < f.nframes; k++)
            project += f.frames[k].project != 0;
        EXPECT_EQ(Count(sec, "<tr class=\"project\">"), project);
        EXPECT_EQ(Count(sec, "<pre>"), (f.program != nullptr) + (f.report != nullptr));
        if (f.nframes == 0)
            EXPECT_NE(sec.find("no frames"), std::string::npos);
    }
    std::string f0 = Between(html, "<section class=\"finding\" id=\"f0\">", "</section>");
    EXPECT_NE(f0.find("<pre>threads 1\nt0 h0 = dict.new\nt0 &lt;script&gt;x&lt;/script&gt;\n"
                      "</pre>"),
              std::string::npos);
    EXPECT_NE(f0.find("120 &rarr; 40"), std::string::npos);
    std::string f1 = Between(html, "<section class=\"finding\" id=\"f1\">", "</section>");
    EXPECT_NE(f1.find("<span class=\"miss\">flaky</span>"), std::string::npos);
}

TEST(ReportHtml, NoFindings)
{
    Model m;
    m.AddHarness("calc", nullptr, {});
    std::string html = Html(m);
    EXPECT_NE(html.find("no findings"), std::string::npos);
    EXPECT_EQ(Count(html, "<section class=\"finding\""), 0u);
    EXPECT_NE(html.find("no samples"), std::string::npos);
}

// ---- cp_report_write_all ----

std::set<std::string> List(const std::string &dir)
{
    std::vector<std::string> names = ou_test::list_dir(dir);
    return std::set<std::string>(names.begin(), names.end());
}

TEST(ReportWriteAll, WritesThreeFilesAndNoTemporary)
{
    Model m;
    BuildRich(m);
    std::string dir = ou_test::temp_dir("report-write");
    ASSERT_EQ(cp_report_write_all(m.Result(), dir.c_str()), 0);
    ASSERT_EQ(cp_report_write_all(m.Result(), dir.c_str()), 0); // replaces them
    EXPECT_EQ(List(dir), (std::set<std::string>{"report.html", "report.json", "report.sarif"}));
    Doc json(ou_test::slurp(dir + "/report.json"));
    EXPECT_EQ(Int(json.root, "summary.findings"), 6);
    Doc sarif(ou_test::slurp(dir + "/report.sarif"));
    EXPECT_EQ(Str(sarif.root, "version"), "2.1.0");
    std::string html = ou_test::slurp(dir + "/report.html");
    EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(ReportWriteAll, UnwritableDirectoryFails)
{
    Model m;
    BuildRich(m);
    std::string dir = ou_test::temp_dir("report-unwritable");
    std::string file = dir + "/plain";
    ou_test::write_file(file, "");
    for (std::string bad : {dir + "/missing", file}) { // absent; not a directory
        testing::internal::CaptureStderr();
        EXPECT_EQ(cp_report_write_all(m.Result(), bad.c_str()), -1) << bad;
        std::string err = testing::internal::GetCapturedStderr();
        EXPECT_NE(err.find("cp_report: "), std::string::npos) << err;
    }
    EXPECT_EQ(List(dir), std::set<std::string>{"plain"});
}

TEST(ReportWriteAll, FailedRenameRemovesTheTemporary)
{
    Model m;
    BuildRich(m);
    std::string dir = ou_test::temp_dir("report-rename");
    ASSERT_EQ(mkdir((dir + "/report.sarif").c_str(), 0755), 0); // a directory in the way
    ASSERT_EQ(mkdir((dir + "/report.sarif/keep").c_str(), 0755), 0);
    testing::internal::CaptureStderr();
    EXPECT_EQ(cp_report_write_all(m.Result(), dir.c_str()), -1);
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("report.sarif"), std::string::npos) << err;
    EXPECT_EQ(List(dir), (std::set<std::string>{"report.html", "report.json", "report.sarif"}));
}

} // namespace
