// test_support.h: what the GoogleTest suites share: which sanitizer this build has, fresh
// folders under the test's temporary directory, and whole files read and written.
#ifndef OU_TEST_SUPPORT_H
#define OU_TEST_SUPPORT_H

#include <string>
#include <vector>

namespace ou_test
{

// The sanitizer of this build: ASan (with UBSan and LSan) in the default configuration,
// TSan under --config=tsan, none under --config=opt.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define OU_TEST_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define OU_TEST_ASAN 1
#endif
#endif
#if defined(OU_TEST_TSAN)
constexpr bool kTsan = true;
#else
constexpr bool kTsan = false;
#endif
#if defined(OU_TEST_ASAN)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

// $TEST_TMPDIR/<name> (or /tmp/<name>), emptied and made anew; fails the test when it
// cannot be.
std::string temp_dir(const std::string &name);

// The whole file, or "" when it cannot be read.
std::string slurp(const std::string &path);

// Writes text to path (created or truncated); fails the test when it cannot.
void write_file(const std::string &path, const std::string &text);

// 1 when something exists at path.
bool exists(const std::string &path);

// The names in a folder, without dot files, sorted; empty when it cannot be read.
std::vector<std::string> list_dir(const std::string &dir);

} // namespace ou_test

#endif
