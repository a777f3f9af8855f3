// ksplice-view: show the updates loaded in the kernel.
//
//   ksplice-view [--json]            one line per update, newest first
//   ksplice-view [--json] --id ID    one update, its functions, hooks and patch
//
// The transactions are listUpdates() and viewUpdate() (update/list.h);
// this file parses, calls them and prints what they found.
#include <string>

#include <CLI/CLI.hpp>

#include "cli.h"
#include "list.h"
#include "tool.h"

using namespace ksplice;

int main(int argc, char **argv) {
  Tool tool("ksplice-view", {{0, "shown"}});
  std::string id;
  bool json = false;
  CLI::App app{"Show the ksplice updates loaded in the kernel, newest first.",
               tool.name()};
  app.add_option("--id", id, "Show one update with its functions, hooks and patch");
  app.add_flag("--json", json, "Print one JSON object {\"updates\": [...]}");
  if (auto status = tool.parse(app, argc, argv))
    return *status;

  RealHost host;
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
  Printed p = json ? viewJson(views)
              : id.empty() ? printList(views)
                           : printView(views.front());
  Tool::print(p.out, p.err);
  return p.status;
}
