// //harness/util's files: whole reads, atomic writes, copies that keep the mode, mkdir -p,
// removal through folders without permissions, sorted listings.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/test_support.h"

extern "C" {
#include "harness/util/ou_util.h"
}

namespace
{

// temp_dir, slurp and the other helpers every suite shares.
using namespace ou_test;

mode_t mode_of(const std::string &path)
{
    struct stat st;
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

TEST(ReadFile, ReadsEveryByteAndAddsANul)
{
    std::string dir = temp_dir("util-read");
    std::string big(200000, 'x');
    big[1234] = '\0';
    write_file(dir + "/big", big);
    size_t n = 0;
    char *data = ou_read_file((dir + "/big").c_str(), &n);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(std::string(data, n), big);
    EXPECT_EQ(data[n], '\0');
    free(data);
    write_file(dir + "/empty", "");
    data = ou_read_file((dir + "/empty").c_str(), &n);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(n, 0u);
    free(data);
}

TEST(ReadFile, AMissingFileIsNullWithErrno)
{
    errno = 0;
    EXPECT_EQ(ou_read_file((temp_dir("util-missing") + "/none").c_str(), nullptr), nullptr);
    EXPECT_EQ(errno, ENOENT);
}

TEST(WriteAtomic, ReplacesTheFileAndLeavesNoTemporary)
{
    std::string dir = temp_dir("util-atomic"), path = dir + "/f";
    write_file(path, "old");
    ASSERT_EQ(ou_write_atomic(path.c_str(), "new text", 8), 0);
    EXPECT_EQ(slurp(path), "new text");
    EXPECT_EQ(list_dir(dir), std::vector<std::string>{"f"});
    mode_t mask = umask(0);
    umask(mask);
    EXPECT_EQ(mode_of(path), 0666 & ~mask);
}

TEST(WriteAtomic, AFailureLeavesNothingBehind)
{
    std::string dir = temp_dir("util-atomic-fail");
    EXPECT_EQ(ou_write_atomic((dir + "/no/such/folder/f").c_str(), "x", 1), -1);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_TRUE(list_dir(dir).empty());
}

TEST(CopyFile, KeepsContentAndMode)
{
    std::string dir = temp_dir("util-copy");
    std::string text(300000, 'y');
    write_file(dir + "/script", text);
    ASSERT_EQ(chmod((dir + "/script").c_str(), 0751), 0);
    ASSERT_EQ(ou_copy_file((dir + "/script").c_str(), (dir + "/copy").c_str()), 0);
    EXPECT_EQ(slurp(dir + "/copy"), text);
    EXPECT_EQ(mode_of(dir + "/copy"), 0751u);
    ASSERT_EQ(chmod((dir + "/script").c_str(), 0444), 0);
    ASSERT_EQ(ou_copy_file((dir + "/script").c_str(), (dir + "/copy").c_str()), 0);
    EXPECT_EQ(mode_of(dir + "/copy"), 0444u) << "a read-only copy replaces the old one";
    EXPECT_EQ(list_dir(dir), (std::vector<std::string>{"copy", "script"}));
}

TEST(CopyFile, AMissingSourceLeavesTheTargetAlone)
{
    std::string dir = temp_dir("util-copy-missing");
    write_file(dir + "/to", "kept");
    EXPECT_EQ(ou_copy_file((dir + "/from").c_str(), (dir + "/to").c_str()), -1);
    EXPECT_EQ(slurp(dir + "/to"), "kept");
}

TEST(Mkdirs, MakesEveryLevelAndAcceptsWhatExists)
{
    std::string dir = temp_dir("util-mkdirs");
    ASSERT_EQ(ou_mkdirs((dir + "/a/b/c").c_str()), 0);
    EXPECT_TRUE(exists(dir + "/a/b/c"));
    EXPECT_EQ(ou_mkdirs((dir + "/a/b/c").c_str()), 0);
    EXPECT_EQ(ou_mkdirs((dir + "/a/d/").c_str()), 0) << "a trailing slash";
    write_file(dir + "/file", "");
    EXPECT_EQ(ou_mkdirs((dir + "/file/sub").c_str()), -1);
}

TEST(RemoveTree, RemovesThroughFoldersWithoutPermissions)
{
    std::string dir = temp_dir("util-remove"), top = dir + "/top";
    ASSERT_EQ(ou_mkdirs((top + "/ro/deeper").c_str()), 0);
    ASSERT_EQ(ou_mkdirs((top + "/closed").c_str()), 0);
    write_file(top + "/ro/deeper/f", "x");
    write_file(top + "/closed/g", "y");
    write_file(top + "/h", "z");
    ASSERT_EQ(chmod((top + "/ro/deeper").c_str(), 0555), 0);
    ASSERT_EQ(chmod((top + "/ro").c_str(), 0555), 0);
    ASSERT_EQ(chmod((top + "/closed").c_str(), 0), 0);
    EXPECT_EQ(ou_remove_tree(top.c_str()), 0) << strerror(errno);
    EXPECT_FALSE(exists(top));
    EXPECT_EQ(ou_remove_tree(top.c_str()), 0) << "a missing path is success";
}

TEST(RemoveTree, RemovesLinksWithoutFollowingThem)
{
    std::string dir = temp_dir("util-remove-link");
    ASSERT_EQ(ou_mkdirs((dir + "/outside").c_str()), 0);
    ASSERT_EQ(ou_mkdirs((dir + "/tree").c_str()), 0);
    write_file(dir + "/outside/keep", "k");
    ASSERT_EQ(symlink((dir + "/outside").c_str(), (dir + "/tree/link").c_str()), 0);
    EXPECT_EQ(ou_remove_tree((dir + "/tree").c_str()), 0);
    EXPECT_FALSE(exists(dir + "/tree"));
    EXPECT_EQ(slurp(dir + "/outside/keep"), "k");
    write_file(dir + "/plain", "p");
    EXPECT_EQ(ou_remove_tree((dir + "/plain").c_str()), 0) << "a file is a tree of one";
    EXPECT_FALSE(exists(dir + "/plain"));
}

TEST(ListDir, SortedWithoutDotFiles)
{
    std::string dir = temp_dir("util-list");
    for (const char *name : {"b", "a", ".hidden", "c10", "c2"})
        write_file(dir + "/" + name, "");
    size_t n = 0;
    char **names = ou_list_dir(dir.c_str(), &n);
    ASSERT_NE(names, nullptr);
    ASSERT_EQ(n, 4u);
    EXPECT_STREQ(names[0], "a");
    EXPECT_STREQ(names[1], "b");
    EXPECT_STREQ(names[2], "c10");
    EXPECT_STREQ(names[3], "c2");
    EXPECT_EQ(names[4], nullptr);
    ou_free_names(names);
    EXPECT_EQ(ou_list_dir((dir + "/none").c_str(), &n), nullptr);
    ou_free_names(nullptr);
}

TEST(FileSize, BytesOrMinusOne)
{
    std::string dir = temp_dir("util-size");
    write_file(dir + "/f", "12345");
    EXPECT_EQ(ou_file_size((dir + "/f").c_str()), 5);
    EXPECT_EQ(ou_file_size((dir + "/none").c_str()), -1);
    EXPECT_TRUE(ou_exists((dir + "/f").c_str()));
    EXPECT_FALSE(ou_exists((dir + "/none").c_str()));
}

} // namespace
