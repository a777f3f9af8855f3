// ksplice-undo: reverse an applied update and unload its patch module.
//
//   ksplice-undo [--raw-errors] [--json] ID
//   ksplice-undo [--raw-errors] [--json] --all     (newest first)
//
// The transaction is undoUpdates() (update/undo.h); this file parses,
// calls it and prints its report.
#include <string>

#include <CLI/CLI.hpp>

#include "cli.h"
#include "tool.h"
#include "undo.h"

using namespace ksplice;

int main(int argc, char **argv) {
  Tool tool("ksplice-undo",
            {{0, "undone (or nothing to undo with --all)"}});
  UndoOptions o;
  bool rawErrors = false, json = false;
  CLI::App app{"Undo a ksplice update and unload its patch module.",
               tool.name()};
  auto *all = app.add_flag("--all", o.all, "Undo every update, newest first");
  auto *id = app.add_option("ID", o.id, "The id of the update to undo");
  id->excludes(all);
  all->excludes(id);
  app.add_flag("--raw-errors", rawErrors,
               "Print the bare abort-cause token as the first stderr line");
  app.add_flag("--json", json,
               "Print one JSON object: outcome, token, sentence, detail, "
               "conflicts, and each update's outcome and pause_ns");
  app.callback([&] {
    if (!o.all && o.id.empty())
      throw CLI::RequiredError("ID or --all");
  });
  if (auto status = tool.parse(app, argc, argv))
    return *status;

  RealHost host;
  UndoReport report = undoUpdates(host, o);
  Printed p = json ? undoJson(report) : printUndo(tool.name(), report,
                                                  rawErrors);
  Tool::print(p.out, p.err);
  return p.status;
}
