// The campaign end to end, on real harnesses in a workspace of its own: findings triaged
// into findings/<slug>/, corpora merged, reports written; a stop by SIGTERM keeps
// everything and a rerun continues; an interrupted merge resumes; bad arguments are refused.
// The campaign's logic does not depend on the sanitizer, and the stack classes it finds
// need ASan: under --config=tsan these tests skip.
#include <gtest/gtest.h>

#include <jansson.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "tests/support/test_support.h"

namespace
{

// temp_dir, slurp and the other helpers every suite shares.
using namespace ou_test;

const char kCampaign[] = "tools/campaign/campaign";
const char kManifest[] = "campaign_manifest.tsv";

// The finding folders (16 hex digits) under findings/.
std::set<std::string> findings(const std::string &ws)
{
    std::set<std::string> out;
    for (const auto &name : list_dir(ws + "/findings"))
        if (name.size() == 16 && name.find_first_not_of("0123456789abcdef") == std::string::npos)
            out.insert(name);
    return out;
}

// Starts the campaign on ws with args; stdout and stderr go to files in ws.
pid_t start(const std::string &ws, const std::vector<std::string> &args, const std::string &tag)
{
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<std::string> argv = {kCampaign, "--manifest", kManifest, "--workspace",
                                         ws,        "--jobs",     "2"};
        argv.insert(argv.end(), args.begin(), args.end());
        if (!freopen((ws + "/" + tag + ".out").c_str(), "w", stdout) ||
            !freopen((ws + "/" + tag + ".err").c_str(), "w", stderr))
            _exit(127);
        std::vector<char *> cargv;
        for (auto &a : argv)
            cargv.push_back(const_cast<char *>(a.c_str()));
        cargv.push_back(nullptr);
        execv(cargv[0], cargv.data());
        _exit(127);
    }
    return pid;
}

int wait_exit(pid_t pid)
{
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run(const std::string &ws, const std::vector<std::string> &args, const std::string &tag)
{
    return wait_exit(start(ws, args, tag));
}

// Waits until pred() or the deadline; returns pred().
template <typename F> bool wait_for(F pred, int seconds)
{
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!pred() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return pred();
}

// 1 when a running process (not this one) has text in its command line.
bool process_mentions(const std::string &text)
{
    for (const auto &pid : list_dir("/proc")) {
        if (pid.find_first_not_of("0123456789") != std::string::npos ||
            pid == std::to_string(getpid()))
            continue;
        std::string cmd = slurp("/proc/" + pid + "/cmdline");
        if (cmd.find(text) != std::string::npos)
            return true;
    }
    return false;
}

json_t *load_json(const std::string &path)
{
    json_error_t err;
    json_t *root = json_load_file(path.c_str(), 0, &err);
    EXPECT_NE(root, nullptr) << path << ": " << err.text;
    return root;
}

std::string str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

// Every finding folder is complete: its json, both inputs, the program and the report.
void expect_complete(const std::string &ws, const std::string &slug)
{
    std::string dir = ws + "/findings/" + slug;
    for (const char *f : {"finding.json", "input", "minimized", "program.txt", "report.txt"})
        EXPECT_TRUE(exists(dir + "/" + f)) << dir << "/" << f;
    json_t *root = load_json(dir + "/finding.json");
    EXPECT_EQ(str(root, "slug"), slug);
    EXPECT_GE(json_integer_value(json_object_get(root, "count")), 1);
    EXPECT_LE(json_integer_value(json_object_get(root, "ops_after")),
              json_integer_value(json_object_get(root, "ops_before")));
    json_decref(root);
}

class Campaign : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        if (kTsan)
            GTEST_SKIP() << "runs in the default config";
    }
};

TEST_F(Campaign, FindsMinimizesMergesAndReports)
{
    std::string ws = temp_dir("campaign-finds");
    int rc = run(ws,
                 {"--time", "20", "--harness", "objrt_weakref_strong", "--harness",
                  "calc_no_tail_calls", "--harness", "memo"},
                 "run");
    std::string out = slurp(ws + "/run.out"), err = slurp(ws + "/run.err");
    EXPECT_EQ(rc, 1) << "new findings without --defects exit 1\n" << err;
    auto slugs = findings(ws);
    std::set<std::string> classes;
    for (const auto &slug : slugs) {
        expect_complete(ws, slug);
        json_t *root = load_json(ws + "/findings/" + slug + "/finding.json");
        classes.insert(str(root, "harness") + ":" + str(root, "class"));
        json_decref(root);
    }
    EXPECT_TRUE(classes.count("objrt_weakref_strong:leak")) << out;
    EXPECT_TRUE(classes.count("calc_no_tail_calls:stack-overflow")) << out;
    for (const auto &c : classes)
        EXPECT_NE(c.rfind("memo:", 0), 0u) << "the clean memo found " << c;

    // The clean harness's corpus was merged, the working corpus kept.
    EXPECT_FALSE(list_dir(ws + "/corpus/memo/merged").empty()) << err;
    EXPECT_FALSE(list_dir(ws + "/corpus/memo/inputs").empty());
    EXPECT_FALSE(exists(ws + "/findings/.campaign/merge/memo/control"));
    EXPECT_FALSE(exists(ws + "/corpus/objrt_weakref_strong")) << "defect corpora stay out";

    // Reports: every finding in report.json and report.sarif; the html has the plots.
    json_t *report = load_json(ws + "/findings/report.json");
    EXPECT_EQ(json_array_size(json_object_get(report, "findings")), slugs.size());
    json_decref(report);
    json_t *sarif = load_json(ws + "/findings/report.sarif");
    EXPECT_EQ(str(sarif, "version"), "2.1.0");
    json_t *results = json_object_get(json_array_get(json_object_get(sarif, "runs"), 0), "results");
    EXPECT_EQ(json_array_size(results), slugs.size());
    for (size_t i = 0; i < json_array_size(results); i++)
        EXPECT_GT(json_array_size(json_object_get(json_array_get(results, i), "locations")), 0u)
            << "code scanning needs a location for every result";
    json_decref(sarif);
    std::string html = slurp(ws + "/findings/report.html");
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("memo"), std::string::npos);
    EXPECT_NE(out.find("harness"), std::string::npos) << "the summary table";

    // A second campaign counts what it finds again instead of storing it twice.
    run(ws, {"--time", "8", "--harness", "objrt_weakref_strong"}, "again");
    for (const auto &slug : slugs)
        EXPECT_TRUE(exists(ws + "/findings/" + slug + "/finding.json"));
    json_t *state = load_json(ws + "/findings/.campaign/state.json");
    EXPECT_FALSE(json_is_true(json_object_get(state, "running")));
    json_decref(state);
}

// A finding on its harness's known-findings list is stored and reported, but as known: the
// campaign's exit code and its new-findings count leave it out.
TEST_F(Campaign, ListedFindingsAreKnownNotNew)
{
    // A bug with one signature (a growing gauge), so the second run meets only listed ones.
    const std::string harness = "memo_registry_per_lookup";
    std::string first = temp_dir("campaign-unlisted");
    EXPECT_EQ(run(first, {"--time", "15", "--harness", harness}, "run"), 1);
    auto slugs = findings(first);
    ASSERT_FALSE(slugs.empty()) << slurp(first + "/run.err");

    std::string ws = temp_dir("campaign-listed");
    std::string known = "# Known findings of " + harness + "\n\n";
    for (const auto &slug : slugs)
        known += "## " + slug + " listed by the test\n\nWhy it is set aside.\n\n";
    std::ofstream(ws + "/known.md") << known;
    // The manifest as campaign.bzl writes it, with the known list in this line's last field.
    std::istringstream in(slurp(kManifest));
    std::string manifest, line;
    while (std::getline(in, line)) {
        if (line.rfind(harness + "\t", 0) == 0)
            line = line.substr(0, line.rfind('\t')) + "\t" + ws + "/known.md";
        manifest += line + "\n";
    }
    std::ofstream(ws + "/manifest.tsv") << manifest;
    int rc =
        run(ws, {"--time", "15", "--harness", harness, "--manifest", ws + "/manifest.tsv"}, "run");
    std::string out = slurp(ws + "/run.out"), err = slurp(ws + "/run.err");
    EXPECT_EQ(rc, 0) << "only listed findings: nothing new\n" << out << err;
    EXPECT_NE(out.find("0 new in this campaign"), std::string::npos) << out;
    EXPECT_NE(out.find("LISTED"), std::string::npos) << out;
    json_t *report = load_json(ws + "/findings/report.json");
    size_t i;
    json_t *f;
    size_t listed = 0, total = json_array_size(json_object_get(report, "findings"));
    json_array_foreach(json_object_get(report, "findings"), i, f)
    {
        if (str(f, "listed") == "listed by the test")
            listed++;
        else
            EXPECT_EQ(slugs.count(str(f, "slug")), 0u) << "a listed slug not marked";
    }
    EXPECT_GE(listed, 1u) << out;
    EXPECT_LE(listed, total);
    json_decref(report);
}

TEST_F(Campaign, StopKeepsEverythingAndARerunContinues)
{
    std::string ws = temp_dir("campaign-stop");
    pid_t pid = start(
        ws, {"--time", "30", "--harness", "objrt_weakref_strong", "--harness", "memo"}, "first");
    ASSERT_TRUE(wait_for([&] { return !findings(ws).empty(); }, 90)) << slurp(ws + "/first.err");
    std::this_thread::sleep_for(std::chrono::seconds(2));
    kill(pid, SIGTERM);
    auto stop_began = std::chrono::steady_clock::now();
    int rc = wait_exit(pid);
    double stop_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - stop_began).count();
    EXPECT_EQ(rc, 130) << slurp(ws + "/first.err");
    EXPECT_LT(stop_seconds, 30) << "children are stopped, then killed";
    EXPECT_NE(slurp(ws + "/first.out").find("run the same command again"), std::string::npos);

    auto before = findings(ws);
    for (const auto &slug : before)
        expect_complete(ws, slug);
    size_t inputs = list_dir(ws + "/corpus/memo/inputs").size();
    EXPECT_GT(inputs, 0u);
    EXPECT_TRUE(exists(ws + "/findings/report.json")) << "reports are written on a stop too";
    json_t *state = load_json(ws + "/findings/.campaign/state.json");
    EXPECT_TRUE(json_is_true(json_object_get(state, "running")));
    json_decref(state);
    EXPECT_FALSE(process_mentions(ws)) << "a child outlived the campaign";

    // Without --time, the rerun takes the rest of the interrupted campaign.
    rc = run(ws, {"--harness", "objrt_weakref_strong", "--harness", "memo"}, "second");
    std::string err = slurp(ws + "/second.err");
    EXPECT_NE(err.find("the rest of an interrupted campaign"), std::string::npos) << err;
    EXPECT_TRUE(rc == 0 || rc == 1) << err;
    auto after = findings(ws);
    for (const auto &slug : before)
        EXPECT_TRUE(after.count(slug)) << slug << " was lost";
    EXPECT_GE(list_dir(ws + "/corpus/memo/inputs").size(), inputs);
    EXPECT_FALSE(list_dir(ws + "/corpus/memo/merged").empty());
    for (const auto &name : list_dir(ws + "/findings/.campaign/pending/objrt_weakref_strong"))
        ADD_FAILURE() << "still queued: " << name;
}

TEST_F(Campaign, AnInterruptedMergeResumes)
{
    std::string ws = temp_dir("campaign-merge");
    // Enough inputs that the merge takes a while, so the stop lands in it.
    std::string inputs = ws + "/corpus/memo/inputs";
    ASSERT_EQ(system(("mkdir -p '" + inputs + "'").c_str()), 0);
    srand(7);
    for (int i = 0; i < 6000; i++) {
        std::ofstream f(inputs + "/in" + std::to_string(i), std::ios::binary);
        for (int k = 0; k < 64; k++)
            f.put(static_cast<char>(rand() & 0xff));
    }
    pid_t pid = start(ws, {"--time", "2", "--harness", "memo"}, "first");
    ASSERT_TRUE(wait_for(
        [&] { return slurp(ws + "/first.err").find("merging into") != std::string::npos; }, 120));
    std::string control = ws + "/findings/.campaign/merge/memo/control";
    ASSERT_TRUE(wait_for([&] { return exists(control); }, 60)) << "the merge has begun";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    kill(pid, SIGTERM);
    EXPECT_EQ(wait_exit(pid), 130) << slurp(ws + "/first.err");
    EXPECT_TRUE(exists(control)) << "the control file is what a rerun resumes from";

    int rc = run(ws, {"--time", "2", "--harness", "memo"}, "second");
    std::string err = slurp(ws + "/second.err");
    EXPECT_EQ(rc, 0) << err;
    EXPECT_NE(err.find("resuming the merge into corpus/memo/merged"), std::string::npos) << err;
    EXPECT_FALSE(exists(ws + "/findings/.campaign/merge/memo/control"));
    size_t merged = list_dir(ws + "/corpus/memo/merged").size();
    EXPECT_GT(merged, 0u);
    EXPECT_LT(merged, 6000u) << "set cover keeps the corpus small";
}

TEST_F(Campaign, QueuedInputsOfAnEarlierRunAreTriaged)
{
    std::string ws = temp_dir("campaign-queued");
    std::string pending = ws + "/findings/.campaign/pending/objrt_weakref_strong";
    ASSERT_EQ(system(("mkdir -p '" + pending + "'").c_str()), 0);
    std::ofstream(ws + "/leak.txt") << "threads 1\nschedule\nt0 h0 = list.new\n"
                                       "t0 h1 = weakref.new h0\nt0 list.append h0 h1\n";
    std::string cmd = "harness/objrt/objrt_weakref_strong_tool assemble '" + ws + "/leak.txt' '" +
                      pending + "/crash-queued'";
    ASSERT_EQ(system(cmd.c_str()), 0);
    run(ws, {"--time", "1", "--harness", "objrt_weakref_strong"}, "run");
    std::string err = slurp(ws + "/run.err");
    EXPECT_NE(err.find("queued by an earlier campaign"), std::string::npos) << err;
    EXPECT_FALSE(exists(pending + "/crash-queued"));
    bool leak = false;
    for (const auto &slug : findings(ws)) {
        json_t *root = load_json(ws + "/findings/" + slug + "/finding.json");
        leak |= str(root, "class") == "leak";
        json_decref(root);
    }
    EXPECT_TRUE(leak) << err;
}

TEST_F(Campaign, OneCampaignPerWorkspace)
{
    std::string ws = temp_dir("campaign-lock");
    pid_t first = start(ws, {"--time", "30", "--harness", "memo"}, "first");
    ASSERT_TRUE(wait_for([&] { return exists(ws + "/findings/.campaign/state.json"); }, 60));
    EXPECT_EQ(run(ws, {"--time", "5", "--harness", "memo"}, "second"), 2);
    EXPECT_NE(slurp(ws + "/second.err").find("another campaign is running"), std::string::npos);
    kill(first, SIGTERM);
    EXPECT_EQ(wait_exit(first), 130);
}

TEST_F(Campaign, RefusesBadArguments)
{
    std::string ws = temp_dir("campaign-bad");
    EXPECT_EQ(run(ws, {"--harness", "no_such_harness"}, "unknown"), 2);
    std::string err = slurp(ws + "/unknown.err");
    EXPECT_NE(err.find("no harness named no_such_harness"), std::string::npos) << err;
    EXPECT_NE(err.find("objrt_weakref_strong (seeded defect)"), std::string::npos) << err;
    EXPECT_EQ(run(ws, {"--time", "ten"}, "time"), 2);
    EXPECT_NE(slurp(ws + "/time.err").find("--time ten"), std::string::npos);
    EXPECT_EQ(run(ws, {"--jobs", "0"}, "jobs"), 2);
    EXPECT_EQ(run(ws, {"--bogus"}, "bogus"), 2);
    EXPECT_EQ(run(ws, {"--defects=1"}, "defects"), 2);
    EXPECT_FALSE(exists(ws + "/findings")) << "nothing written before the arguments are good";
}

} // namespace
