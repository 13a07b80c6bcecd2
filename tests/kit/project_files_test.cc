// Project frames from the build: a harness built by ob_fuzz_harness defines
// ob_harness_project_files (its sources and its deps'), and only those files' frames sign a
// finding, wherever they live. This binary defines the list as a consumer's harness in
// lib/ and fuzz/ would get it; signature_test covers the kit without one.
#include <gtest/gtest.h>

#include <stdio.h>

#include <string>
#include <vector>

#include "tests/kit/frames.h"

extern "C" {
extern const char *const ob_harness_project_files[];
const char *const ob_harness_project_files[] = {"fuzz/tiny_harness.c", "lib/tiny.c", "lib/tiny.h",
                                                "external/vendored/src/", NULL};
}

namespace
{

TEST(ProjectFiles, OnlyTheListedFilesAndFoldersAreProjectCode)
{
    struct Case {
        const char *func, *file;
        int project;
    } cases[] = {
        {"tiny_count", "/proc/self/cwd/lib/tiny.c", 1},
        {"tiny_count", "lib/tiny.c", 1},
        {"tiny_count", "./lib/tiny.c", 1},
        {"tiny_inline", "/proc/self/cwd/lib/tiny.h", 1},
        {"op_count", "/proc/self/cwd/fuzz/tiny_harness.c", 1},
        {"vendored_parse", "/proc/self/cwd/external/vendored/src/parse.c", 1},
        // Folders outside this repository's layout no longer matter, and neither do ours.
        {"objrt_list_append", "/proc/self/cwd/targets/objrt/objrt_list.c", 0},
        {"other", "/proc/self/cwd/lib/tiny_other.c", 0},
        {"other", "/proc/self/cwd/lib/tiny.c.bak", 0},
        {"vendored_main", "/proc/self/cwd/external/vendored/main.c", 0},
        {"ob_run", "/proc/self/cwd/external/ouroboros/harness/kit/ob_run.c", 0},
        {"build_report", "/proc/self/cwd/external/ouroboros/harness/kit/ob_sanitizer.c", 0},
        {"__ubsan_handle_add_overflow", "/proc/self/cwd/lib/tiny.c", 0},
        {"backtrace", "", 0},
    };
    for (const Case &c : cases) {
        ob_frame f = frame(c.func, c.file);
        EXPECT_EQ(ob_frame_is_project(&f), c.project) << c.func << " " << c.file;
    }
}

// A UBSan report read back from the kit's own stack walk: the kit's and the runtime's
// frames come first, and the signature must still name the library.
TEST(ProjectFiles, AUbsanFindingIsSignedWithTheLibrarysFrames)
{
    ob_stack s = stack_of({
        frame("backtrace", ""),
        frame("build_report", "/proc/self/cwd/external/ouroboros/harness/kit/ob_sanitizer.c"),
        frame("__sanitizer_report_error_summary",
              "/proc/self/cwd/external/ouroboros/harness/kit/ob_sanitizer.c"),
        frame("__ubsan::ScopedReport::~ScopedReport()", ""),
        frame("__ubsan_handle_add_overflow_abort", ""),
        frame("tiny_count", "/proc/self/cwd/lib/tiny.c"),
        frame("op_count", "/proc/self/cwd/fuzz/tiny_harness.c"),
        frame("run_inst", "/proc/self/cwd/external/ouroboros/harness/kit/ob_run.c"),
    });
    char sig[512], slug[17];
    ob_signature("undefined-behavior", &s, sig, sizeof sig, slug);
    EXPECT_STREQ(sig, "undefined-behavior: tiny_count < op_count");
}

} // namespace
