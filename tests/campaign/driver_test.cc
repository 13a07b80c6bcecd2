// The campaign driver's modules, one by one: libFuzzer log parsing, the findings store,
// progress series, atomic files, the manifest and the inputs a job starts from.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "tests/support/test_support.h"

extern "C" {
#include "tools/campaign/cp_driver.h"
}

namespace
{

// temp_dir, slurp and the other helpers every suite shares.
using namespace ou_test;

TEST(StatusLine, ReadsLibFuzzerProgress)
{
    cp_status st;
    ASSERT_EQ(cp_status_parse("#4096\tpulse  cov: 735 ft: 1209 corp: 51/2345b lim: 4096 "
                              "exec/s: 2048 rss: 54Mb",
                              &st),
              0);
    EXPECT_EQ(st.runs, 4096);
    EXPECT_EQ(st.cov, 735);
    EXPECT_EQ(st.ft, 1209);
    EXPECT_EQ(st.corpus, 51);
    EXPECT_EQ(st.execs_per_sec, 2048);
    ASSERT_EQ(cp_status_parse("#2\tINITED cov: 700 ft: 900 corp: 5/347b exec/s: 0 rss: 35Mb", &st),
              0);
    EXPECT_EQ(st.runs, 2);
    EXPECT_NE(cp_status_parse("#0\tREAD units: 5", &st), 0);
    EXPECT_NE(cp_status_parse("INFO: Seed: 1484225098", &st), 0);
    EXPECT_NE(cp_status_parse("#5004: cov: 735 ft: 1209 corp: 5 exec/s: 0", &st), 0)
        << "fork mode's lines are not ours";
}

TEST(JobLog, FindsTheArtifactAndTheKitSignature)
{
    const char *log = "INFO: Seed: 1\n"
                      "#2\tINITED cov: 700 ft: 900 corp: 5/347b exec/s: 0 rss: 35Mb\n"
                      "#77\tNEW    cov: 710 ft: 950 corp: 6/400b lim: 4096 exec/s: 0 rss: 36Mb\n"
                      "==ouroboros== FINDING leak\n"
                      "==ouroboros-json== {\"class\":\"leak\",\"signature\":\"leak: list\","
                      "\"slug\":\"d792d99b768d14b4\",\"message\":\"m\",\"frames\":[]}\n"
                      "==ouroboros-json== {\"class\":\"hang\",\"slug\":\"1111111111111111\"}\n"
                      "==1== ERROR: libFuzzer: deadly signal\n"
                      "artifact_prefix='/w/'; Test unit written to /w/crash-abc\n"
                      "stat::number_of_executed_units: 80\n";
    cp_job_log jl;
    cp_job_log_parse(log, &jl);
    EXPECT_TRUE(jl.inited);
    EXPECT_EQ(jl.runs, 80);
    EXPECT_EQ(jl.last.cov, 710);
    EXPECT_STREQ(jl.artifact, "/w/crash-abc");
    EXPECT_STREQ(jl.klass, "leak");
    EXPECT_STREQ(jl.slug, "d792d99b768d14b4") << "the first report is the cause";
}

TEST(JobLog, NamesSanitizerReportsWithoutTheKit)
{
    cp_job_log jl;
    cp_job_log_parse("==9==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n"
                     "Test unit written to ./crash-1\n",
                     &jl);
    EXPECT_FALSE(jl.inited) << "it failed while loading the corpus";
    EXPECT_STREQ(jl.klass, "heap-use-after-free");
    EXPECT_STREQ(jl.slug, "");
    cp_job_log_parse("==9==ERROR: LeakSanitizer: detected memory leaks\n"
                     "Test unit written to ./leak-1\n",
                     &jl);
    EXPECT_STREQ(jl.klass, "leak");
    cp_job_log_parse("#2\tINITED cov: 1 ft: 1 corp: 1/1b exec/s: 0 rss: 1Mb\n"
                     "Done 5000 runs in 3 second(s)\n",
                     &jl);
    EXPECT_STREQ(jl.artifact, "");
    EXPECT_EQ(jl.runs, 2) << "without final stats, the last status line counts";
}

TEST(Series, SkipsALineCutByAKill)
{
    std::string dir = temp_dir("driver-series");
    cp_sample s = {};
    for (int i = 1; i <= 3; i++) {
        s.seconds = 10.0 * i;
        s.cov = 100 * i;
        s.execs_per_sec = 50;
        ASSERT_EQ(cp_series_append(dir.c_str(), "h", &s, 1000LL * i), 0);
    }
    std::ofstream(dir + "/.campaign/series/h.tsv", std::ios::app) << "40.0\t4000\t5";
    cp_sample *out = nullptr;
    size_t n = 0;
    long long execs = 0;
    ASSERT_EQ(cp_series_load(dir.c_str(), "h", &out, &n, &execs), 0);
    ASSERT_EQ(n, 3u);
    EXPECT_EQ(out[2].seconds, 30.0);
    EXPECT_EQ(out[2].cov, 300);
    EXPECT_EQ(execs, 3000);
    free(out);
    ASSERT_EQ(cp_series_load(dir.c_str(), "none", &out, &n, &execs), 0);
    EXPECT_EQ(n, 0u);
}

cp_finding sample_finding(char *slug, char *harness)
{
    static char klass[] = "leak", sig[] = "leak: list -> weakref:", msg[] = "a \"cycle\"";
    static char func[] = "objrt_list_append", file[] = "targets/objrt/objrt_list.c";
    static cp_frame frame = {func, file, 42, 1};
    cp_finding f = {};
    f.slug = slug;
    f.klass = klass;
    f.signature = sig;
    f.message = msg;
    f.harness = harness;
    f.reproduced = f.attempts = 1;
    f.first_seen = f.last_seen = 1000;
    f.count = 1;
    f.ops_before = 9;
    f.ops_after = 3;
    f.frames = &frame;
    f.nframes = 1;
    return f;
}

TEST(Store, AddsCountsAndLoadsFindings)
{
    std::string dir = temp_dir("driver-store");
    std::string staging = dir + "/.campaign/staging/x";
    ASSERT_EQ(ou_mkdirs(staging.c_str()), 0);
    write_file(staging + "/program.txt", "t0 h0 = list.new\n");
    char slug[] = "d792d99b768d14b4", harness[] = "objrt_weakref_strong", other[] = "objrt";
    cp_finding f = sample_finding(slug, harness);
    EXPECT_FALSE(cp_store_has(dir.c_str(), slug));
    ASSERT_EQ(cp_store_add(dir.c_str(), staging.c_str(), &f), 1);
    EXPECT_TRUE(cp_store_has(dir.c_str(), slug));
    EXPECT_FALSE(ou_exists(staging.c_str())) << "staged by one rename";

    // A second copy of the same finding is counted, not stored twice.
    ASSERT_EQ(ou_mkdirs(staging.c_str()), 0);
    ASSERT_EQ(cp_store_add(dir.c_str(), staging.c_str(), &f), 0);
    ASSERT_EQ(cp_store_count(dir.c_str(), slug, other, 2000), 0);
    EXPECT_TRUE(cp_store_found(dir.c_str(), harness, "leak"));
    EXPECT_TRUE(cp_store_found(dir.c_str(), other, "leak"));
    EXPECT_FALSE(cp_store_found(dir.c_str(), other, "growth"));

    // A corrupt finding is skipped with a message; the others still load.
    ASSERT_EQ(ou_mkdirs((dir + "/0123456789abcdef").c_str()), 0);
    write_file(dir + "/0123456789abcdef/finding.json", "{not json");
    cp_finding *all = nullptr;
    size_t n = 0;
    ASSERT_EQ(cp_store_load(dir.c_str(), &all, &n), 0);
    ASSERT_EQ(n, 1u);
    EXPECT_STREQ(all[0].slug, slug);
    EXPECT_EQ(all[0].count, 3u);
    EXPECT_EQ(all[0].last_seen, 2000);
    EXPECT_EQ(all[0].ops_after, 3u);
    EXPECT_STREQ(all[0].message, "a \"cycle\"");
    ASSERT_EQ(all[0].nframes, 1u);
    EXPECT_STREQ(all[0].frames[0].file, "targets/objrt/objrt_list.c");
    EXPECT_EQ(all[0].frames[0].line, 42);
    EXPECT_TRUE(all[0].frames[0].project);
    EXPECT_STREQ(all[0].program, "t0 h0 = list.new\n");
    cp_findings_free(all, n);
}

TEST(Store, AReproducedCopyReplacesAFlakyFinding)
{
    std::string dir = temp_dir("driver-upgrade");
    std::string staging = dir + "/.campaign/staging/x";
    char slug[] = "00000000000000dd", first[] = "h1", second[] = "h2";
    ASSERT_EQ(ou_mkdirs(staging.c_str()), 0);
    write_file(staging + "/minimized", "whole input");
    cp_finding f = sample_finding(slug, first);
    f.flaky = 1;
    f.ops_after = f.ops_before;
    ASSERT_EQ(cp_store_add(dir.c_str(), staging.c_str(), &f), 1);
    EXPECT_TRUE(cp_store_is_flaky(dir.c_str(), slug));

    // Another flaky copy is only counted.
    ASSERT_EQ(ou_mkdirs(staging.c_str()), 0);
    ASSERT_EQ(cp_store_add(dir.c_str(), staging.c_str(), &f), 0);

    // A copy that reproduced and was minimized takes its place, keeping its history.
    ASSERT_EQ(ou_mkdirs(staging.c_str()), 0);
    write_file(staging + "/minimized", "small");
    write_file(staging + "/program.txt", "t0 h0 = list.new\n");
    cp_finding g = sample_finding(slug, second);
    g.first_seen = g.last_seen = 5000;
    ASSERT_EQ(cp_store_add(dir.c_str(), staging.c_str(), &g), 1);
    EXPECT_FALSE(cp_store_is_flaky(dir.c_str(), slug));
    EXPECT_EQ(slurp(dir + "/" + slug + "/minimized"), "small");
    EXPECT_FALSE(ou_exists(staging.c_str()));
    cp_finding *all = nullptr;
    size_t n = 0;
    ASSERT_EQ(cp_store_load(dir.c_str(), &all, &n), 0);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(all[0].count, 3u);
    EXPECT_EQ(all[0].first_seen, 1000);
    EXPECT_EQ(all[0].ops_after, 3u);
    cp_findings_free(all, n);
    EXPECT_TRUE(cp_store_found(dir.c_str(), first, "leak"));
    EXPECT_TRUE(cp_store_found(dir.c_str(), second, "leak"));
}

TEST(Store, ConcurrentCountsAreAllKept)
{
    // The driver and triage children count the same finding at once.
    std::string dir = temp_dir("driver-concurrent");
    std::string staging = dir + "/.campaign/staging/x";
    ASSERT_EQ(ou_mkdirs(staging.c_str()), 0);
    char slug[] = "00000000000000cc", harness[] = "h0";
    cp_finding f = sample_finding(slug, harness);
    ASSERT_EQ(cp_store_add(dir.c_str(), staging.c_str(), &f), 1);
    const int kProcs = 4, kCounts = 50;
    std::vector<pid_t> pids;
    for (int p = 0; p < kProcs; p++) {
        pid_t pid = fork();
        if (pid == 0) {
            char name[8];
            snprintf(name, sizeof name, "h%d", p + 1);
            int bad = 0;
            for (int i = 0; i < kCounts; i++)
                bad |= cp_store_count(dir.c_str(), slug, name, 2000 + i);
            _exit(bad ? 1 : 0);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    cp_finding *all = nullptr;
    size_t n = 0;
    ASSERT_EQ(cp_store_load(dir.c_str(), &all, &n), 0);
    ASSERT_EQ(n, 1u) << "finding.json stayed readable";
    EXPECT_EQ(all[0].count, 1u + kProcs * kCounts);
    cp_findings_free(all, n);
    for (int p = 0; p <= kProcs; p++)
        EXPECT_TRUE(cp_store_found(dir.c_str(), ("h" + std::to_string(p)).c_str(), "leak")) << p;
}

TEST(Store, ReadsTheKitsReportLine)
{
    cp_finding f = {};
    const char *report = "==ouroboros== FINDING stack-budget\n"
                         "==ouroboros-json== {\"class\":\"stack-budget\",\"signature\":\"s\","
                         "\"slug\":\"0000000000000001\",\"message\":\"deep\",\"frames\":["
                         "{\"func\":\"parse\",\"file\":\"targets/x.c\",\"line\":7,"
                         "\"project\":true}],\"gauges\":[],\"program\":null}\n";
    ASSERT_EQ(cp_finding_from_report(report, &f), 0);
    EXPECT_STREQ(f.klass, "stack-budget");
    EXPECT_STREQ(f.message, "deep");
    ASSERT_EQ(f.nframes, 1u);
    EXPECT_STREQ(f.frames[0].func, "parse");
    EXPECT_NE(cp_finding_from_report("no report here", &f), 0);
    free(f.klass);
    free(f.signature);
    free(f.message);
    free(f.frames[0].func);
    free(f.frames[0].file);
    free(f.frames);
}

TEST(Manifest, ResolvesPathsCorporaAndExpectedClasses)
{
    std::string dir = temp_dir("driver-manifest");
    write_file(
        dir + "/m.tsv",
        "objrt\tclean\tasan\tcorpus/objrt\th/objrt_bin\th/objrt_tool\th/seeds\t4096\t30\t-"
        "\tharness/objrt\t-\tcorpus/objrt/known.md\n"
        "objrt_gc_skips_dict\tdefect\tasan\tcorpus/objrt\tb\tt\t-\t100\t5\td.dict\tharness/"
        "objrt\tleak\t-\n"
        "objrt_refcount_nonatomic\tdefect\ttsan\tcorpus/objrt\tb\tt\ts\t4096\t30\t-\tharness/"
        "objrt\tdata-race\t-\n"
        "tiny\tclean\tasan\t-\t../ob/b\tt\ts\t4096\t30\t-\t.\tleak\t-\n");
    cp_harness *hs = nullptr;
    int n = cp_manifest_load((dir + "/m.tsv").c_str(), "/rf", &hs);
    ASSERT_EQ(n, 4);
    EXPECT_STREQ(hs[0].bin, "/rf/h/objrt_bin");
    EXPECT_STREQ(hs[0].package, "harness/objrt");
    EXPECT_STREQ(hs[0].corpus, "corpus/objrt");
    EXPECT_FALSE(hs[0].defect);
    EXPECT_TRUE(cp_harness_merges(&hs[0]));
    EXPECT_EQ(hs[0].expected, nullptr);
    EXPECT_STREQ(hs[0].known, "/rf/corpus/objrt/known.md");
    EXPECT_STREQ(hs[1].known, "");
    EXPECT_STREQ(hs[1].seeds, "");
    EXPECT_STREQ(hs[1].dict, "/rf/d.dict");
    EXPECT_EQ(hs[1].max_len, 100);
    EXPECT_STREQ(hs[1].expected, "leak");
    EXPECT_FALSE(cp_harness_merges(&hs[1])) << "a defect harness never merges";
    EXPECT_TRUE(hs[2].tsan);
    EXPECT_STREQ(hs[2].expected, "data-race");
    // A clean harness whose corpus is in another repository fuzzes into findings/ only,
    // and its expected class counts for defect harnesses alone.
    EXPECT_STREQ(hs[3].corpus, "");
    EXPECT_FALSE(cp_harness_merges(&hs[3]));
    EXPECT_STREQ(hs[3].bin, "/rf/../ob/b");
    EXPECT_EQ(hs[3].expected, nullptr);
    char buf[4096];
    ASSERT_EQ(cp_job_corpus_dir("/ws", &hs[3], buf, sizeof buf), 0);
    EXPECT_STREQ(buf, "/ws/findings/.campaign/corpus/tiny");
    ASSERT_EQ(cp_job_corpus_dir("/ws", &hs[0], buf, sizeof buf), 0);
    EXPECT_STREQ(buf, "/ws/corpus/objrt/inputs");
    free(hs);
    write_file(dir + "/bad.tsv", "objrt\tclean\tasan\n");
    EXPECT_EQ(cp_manifest_load((dir + "/bad.tsv").c_str(), "/rf", &hs), -1);
    EXPECT_EQ(cp_manifest_load((dir + "/missing.tsv").c_str(), "/rf", &hs), -1);
}

TEST(Known, ListsASlugByItsHeadingOnly)
{
    std::string dir = temp_dir("driver-known");
    write_file(dir + "/known.md",
               "# Known findings\n\n"
               "Mentions 0123456789abcdef in prose, which lists nothing.\n\n"
               "## 00112233445566ff leak: parse_item < parse_value\n"
               "A paragraph.\n\n"
               "##   a0b1c2d3e4f5a6b7   stack-overflow: print_value < print_array\r\n"
               "## ffeeddccbbaa99887 a longer slug is another slug\n");
    std::string known = dir + "/known.md";
    char why[64];
    ASSERT_EQ(cp_known_listed(known.c_str(), "00112233445566ff", why, sizeof why), 1);
    EXPECT_STREQ(why, "leak: parse_item < parse_value");
    ASSERT_EQ(cp_known_listed(known.c_str(), "a0b1c2d3e4f5a6b7", why, sizeof why), 1);
    EXPECT_STREQ(why, "stack-overflow: print_value < print_array");
    EXPECT_EQ(cp_known_listed(known.c_str(), "a0b1c2d3e4f5a6b7", nullptr, 0), 1);
    EXPECT_EQ(cp_known_listed(known.c_str(), "0123456789abcdef", why, sizeof why), 0);
    EXPECT_EQ(cp_known_listed(known.c_str(), "ffeeddccbbaa9988", why, sizeof why), 0);
    EXPECT_EQ(cp_known_listed(known.c_str(), "short", why, sizeof why), 0);
    EXPECT_EQ(cp_known_listed("", "00112233445566ff", why, sizeof why), 0);
    EXPECT_EQ(cp_known_listed((dir + "/missing.md").c_str(), "00112233445566ff", why, sizeof why),
              0);
    // A heading longer than the buffer is cut, never overrun.
    char tiny[8];
    ASSERT_EQ(cp_known_listed(known.c_str(), "00112233445566ff", tiny, sizeof tiny), 1);
    EXPECT_STREQ(tiny, "leak: p");
}

TEST(JobCorpus, SetsAsideInputsThatFailWhileLoading)
{
    std::string ws = temp_dir("driver-jobcorpus");
    ASSERT_EQ(ou_mkdirs((ws + "/seeds").c_str()), 0);
    ASSERT_EQ(ou_mkdirs((ws + "/corpus/memo/merged").c_str()), 0);
    ASSERT_EQ(ou_mkdirs((ws + "/corpus/memo/inputs").c_str()), 0);
    write_file(ws + "/seeds/good", "good");
    write_file(ws + "/seeds/bad", "bad!");
    write_file(ws + "/corpus/memo/merged/m1", "merged");
    write_file(ws + "/corpus/memo/inputs/i1", "bad!");
    write_file(ws + "/crash-1", "bad!");
    cp_harness h = {};
    snprintf(h.name, sizeof h.name, "memo");
    snprintf(h.corpus, sizeof h.corpus, "corpus/memo");
    snprintf(h.seeds, sizeof h.seeds, "%s/seeds", ws.c_str());
    std::string list = ws + "/list";
    ASSERT_EQ(cp_job_seed_list(ws.c_str(), &h, list.c_str()), 1);
    EXPECT_EQ(slurp(list),
              ws + "/seeds/bad," + ws + "/seeds/good," + ws + "/corpus/memo/merged/m1");
    cp_job_exclude(ws.c_str(), &h, (ws + "/crash-1").c_str());
    ASSERT_EQ(cp_job_seed_list(ws.c_str(), &h, list.c_str()), 1);
    EXPECT_EQ(slurp(list), ws + "/seeds/good," + ws + "/corpus/memo/merged/m1");
    EXPECT_FALSE(ou_exists((ws + "/corpus/memo/inputs/i1").c_str()));
    EXPECT_TRUE(ou_exists((ws + "/findings/.campaign/quarantine/memo/i1").c_str()));
    char dir[4096];
    ASSERT_EQ(cp_job_corpus_dir(ws.c_str(), &h, dir, sizeof dir), 0);
    EXPECT_EQ(std::string(dir), ws + "/corpus/memo/inputs");
    h.defect = 1;
    ASSERT_EQ(cp_job_corpus_dir(ws.c_str(), &h, dir, sizeof dir), 0);
    EXPECT_EQ(std::string(dir), ws + "/findings/.campaign/corpus/memo") << "never checked in";
}

} // namespace
