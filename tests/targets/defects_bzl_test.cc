// targets/defects.bzl's CLASSES, which BUILD files read (each defect harness's expect, the
// campaign's --defects verdict), against targets/defects.def, the one table. The BUILD file
// passes CLASSES as id=class arguments.
#include <gtest/gtest.h>

#include <map>
#include <string>

extern "C" {
#include "targets/tg_defects.h"
}

static std::map<std::string, std::string> g_bzl;

TEST(DefectsBzl, ClassesMatchTheCatalog)
{
    size_t n = 0;
    const tg_defect *d = tg_defects(&n);
    ASSERT_GT(n, 0u);
    EXPECT_EQ(g_bzl.size(), n) << "defects.bzl and defects.def list different defects";
    for (size_t i = 0; i < n; i++) {
        auto it = g_bzl.find(d[i].id);
        ASSERT_NE(it, g_bzl.end()) << d[i].id << " is missing from targets/defects.bzl";
        EXPECT_EQ(it->second, d[i].klass) << d[i].id;
    }
}

int main(int argc, char **argv)
{
    testing::InitGoogleTest(&argc, argv);
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        size_t eq = a.find('=');
        if (eq == std::string::npos) {
            fprintf(stderr, "defects_bzl_test: %s is not id=class\n", argv[i]);
            return 2;
        }
        g_bzl[a.substr(0, eq)] = a.substr(eq + 1);
    }
    return RUN_ALL_TESTS();
}
