#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

extern "C" {
#include "targets/tg_defects.h"
}

static std::string generated()
{
    char *buf = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    EXPECT_EQ(tg_defects_write_markdown(f), 0);
    fclose(f);
    std::string s(buf, len);
    free(buf);
    return s;
}

TEST(DefectsMd, MatchesTheTable)
{
    std::ifstream in("targets/DEFECTS.md");
    ASSERT_TRUE(in) << "targets/DEFECTS.md is missing from the test's runfiles";
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), generated())
        << "targets/DEFECTS.md is stale: bazel run //targets:defects_md -- $PWD/targets/DEFECTS.md";
}

TEST(DefectsMd, EveryDefectHasAKnownClassAndUniqueSwitch)
{
    const std::set<std::string> classes = {"leak",         "growth",   "stack-overflow",
                                           "stack-budget", "hang",     "heap-use-after-free",
                                           "data-race",    "invariant"};
    size_t n = 0;
    const tg_defect *d = tg_defects(&n);
    std::set<std::string> macros, ids;
    for (size_t i = 0; i < n; i++) {
        EXPECT_TRUE(classes.count(d[i].klass)) << d[i].id << ": " << d[i].klass;
        EXPECT_TRUE(macros.insert(d[i].macro).second) << d[i].macro;
        EXPECT_TRUE(ids.insert(d[i].id).second) << d[i].id;
        // targets/defs.bzl derives the switch from the id: <target>_DEFECT_<rest>, upper-cased.
        std::string id = d[i].id, target = d[i].target;
        ASSERT_EQ(id.rfind(target + "_", 0), 0u) << id;
        std::string want = target + "_DEFECT_" + id.substr(target.size() + 1);
        for (auto &c : want)
            c = (char)toupper((unsigned char)c);
        EXPECT_EQ(want, d[i].macro);
    }
    EXPECT_GE(n, 13u);
}
