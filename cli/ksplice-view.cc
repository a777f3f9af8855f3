// ksplice-view: show the updates loaded in the kernel.
//
//   ksplice-view [--json]            one line per update, newest first;
//                                    then the level along each series
//                                    applied since boot
//   ksplice-view [--json] --id ID    one update, its functions, hooks and patch
//   ksplice-view --series DIR        how far the kernel is along a series
//
// The transactions are listUpdates() and viewUpdate() (update/list.h) and
// seriesLevel() (update/series.h);
// this file parses, calls them and prints what they found.
#include <string>

#include <CLI/CLI.hpp>

#include "cli.h"
#include "list.h"
#include "series.h"
#include "tool.h"

using namespace ksplice;

int main(int argc, char **argv) {
  Tool tool("ksplice-view", {{0, "shown"}});
  std::string id, seriesDir;
  bool json = false;
  CLI::App app{"Show the ksplice updates loaded in the kernel, newest first.",
               tool.name()};
  app.add_option("--id", id, "Show one update with its functions, hooks and patch");
  auto *jsonFlag = app.add_flag("--json", json,
                                "Print one JSON object {\"updates\": [...]}");
  app.add_option("--series", seriesDir,
                 "Show the effective level along the series in DIR: which of its "
                 "updates are applied")
      ->excludes(jsonFlag);
  if (auto status = tool.parse(app, argc, argv))
    return *status;
  if (!seriesDir.empty() && !id.empty()) {
    tool.error("--series and --id go alone");
    return tool.usageStatus();
  }

  RealHost host;
  if (!seriesDir.empty()) {
    auto s = readSeries(seriesDir);
    if (!s)
      return tool.error(s.message());
    auto level = seriesLevel(host, *s);
    if (!level)
      return tool.error(level.message());
    Printed p = printSeriesLevel(*s, *level);
    Tool::print(p.out, p.err);
    return p.status;
  }
  std::vector<UpdateView> views;
  if (!id.empty()) {
    auto v = viewUpdate(host, id);
    if (!v)
      return tool.error(v.message());
    views.push_back(std::move(*v));
  } else if (auto all = listUpdates(host)) {
    views = std::move(*all);
  } else {
    return tool.error(all.message());
  }
  std::vector<SeriesAt> levels;  // along each series applied since boot
  if (id.empty())
    for (Series &s : recordedSeries(host))
      if (auto level = seriesLevel(host, s))
        levels.push_back({std::move(s), std::move(*level)});
  Printed p = json ? viewJson(views, id.empty() ? &levels : nullptr)
              : id.empty() ? printList(views)
                           : printView(views.front());
  if (!json)
    for (const SeriesAt &s : levels)
      p.out += seriesLevelLine(s.series, s.level);
  Tool::print(p.out, p.err);
  return p.status;
}
