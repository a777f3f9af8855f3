// The id rule of a series' updates (create/series.h).
#include "series.h"

#include "update_id.h"

#include <gtest/gtest.h>

using namespace ksplice;

TEST(SeriesUpdateId, IsThePathWithDashes) {
  EXPECT_EQ(seriesUpdateId("fs/proc/base.c"), "fs-proc-base");
  EXPECT_EQ(seriesUpdateId("fs/binfmt_misc.c"), "fs-binfmt_misc");
  EXPECT_EQ(seriesUpdateId("drivers/net/wireless/Intel/iwl.c"),
            "drivers-net-wireless-intel-iwl");
  EXPECT_EQ(seriesUpdateId("net/ipv4/tcp.c"), "net-ipv4-tcp");
}

TEST(SeriesUpdateId, LongPathsStayValidAndDistinct) {
  std::string a = "drivers/net/ethernet/mellanox/mlx5/core/steering/dr_rule.c";
  std::string b = "drivers/net/ethernet/mellanox/mlx4/core/steering/dr_rule.c";
  std::string ia = seriesUpdateId(a), ib = seriesUpdateId(b);
  EXPECT_TRUE(isNewUpdateId(ia)) << ia;
  EXPECT_LE(ia.size(), kMaxNewUpdateIdLength);
  EXPECT_NE(ia, ib);
  EXPECT_EQ(ia.substr(ia.size() - 7), "dr_rule");
}

TEST(SeriesUpdateId, OddNamesStillGiveAnId) {
  std::string id = seriesUpdateId("-x/+.c");
  EXPECT_TRUE(isNewUpdateId(id)) << id;
}

// Release 6.1.187-1's fs/ocfs2/journal.c and journal.h were both made
// into updates called 'fs-ocfs2-journal', and the series could not be read.
TEST(SeriesUpdateId, AHeaderKeepsItsExtension) {
  EXPECT_EQ(seriesUpdateId("fs/ocfs2/journal.h"), "fs-ocfs2-journal-h");
  EXPECT_EQ(seriesUpdateId("fs/ocfs2/journal.c"), "fs-ocfs2-journal");
}

TEST(SeriesUpdateIds, AreAllDifferent) {
  std::vector<std::string> paths = {"a/b-c.c", "a-b/c.c", "A/b/c.c",
                                    "a/b/c.c", "fs/proc/base.c"};
  std::vector<std::string> ids = seriesUpdateIds(paths);
  ASSERT_EQ(ids.size(), paths.size());
  for (size_t i = 0; i < ids.size(); i++) {
    EXPECT_TRUE(isNewUpdateId(ids[i])) << ids[i];
    for (size_t j = 0; j < i; j++)
      EXPECT_NE(ids[i], ids[j]) << paths[i] << " and " << paths[j];
  }
  // Only the ids two paths share are changed, and they keep their end.
  EXPECT_EQ(ids[4], "fs-proc-base");
  EXPECT_EQ(ids[0].substr(8), "-a-b-c");
  EXPECT_EQ(ids[2].substr(8), "-a-b-c");
}
