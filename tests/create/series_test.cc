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
