// test_support.cc: see test_support.h; the files go through //harness/util, as the code
// under test does.
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

extern "C" {
#include "harness/util/ou_util.h"
}

namespace ou_test
{

std::string temp_dir(const std::string &name)
{
    const char *base = getenv("TEST_TMPDIR");
    std::string dir = std::string(base ? base : "/tmp") + "/" + name;
    EXPECT_EQ(ou_remove_tree(dir.c_str()), 0) << dir << ": " << strerror(errno);
    EXPECT_EQ(ou_mkdirs(dir.c_str()), 0) << dir << ": " << strerror(errno);
    return dir;
}

std::string slurp(const std::string &path)
{
    size_t n = 0;
    char *data = ou_read_file(path.c_str(), &n);
    std::string text = data ? std::string(data, n) : std::string();
    free(data);
    return text;
}

void write_file(const std::string &path, const std::string &text)
{
    FILE *f = fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path << ": " << strerror(errno);
    EXPECT_EQ(fwrite(text.data(), 1, text.size(), f), text.size()) << path;
    EXPECT_EQ(fclose(f), 0) << path;
}

bool exists(const std::string &path)
{
    return ou_exists(path.c_str()) != 0;
}

std::vector<std::string> list_dir(const std::string &dir)
{
    std::vector<std::string> out;
    char **names = ou_list_dir(dir.c_str(), nullptr);
    for (char **p = names; p && *p; p++)
        out.push_back(*p);
    ou_free_names(names);
    return out;
}

} // namespace ou_test
