// ksplice-apply: apply an update package to the running kernel.
//
//   ksplice-apply [--dry-run] [--retries N] [--keys DIR] [--allow-unsigned]
//                 [--raw-errors] [--json] [--no-persist] PACKAGE
//   ksplice-apply [OPTIONS] [--undo-on-failure] SERIES_DIR
//   ksplice-apply --boot [--keys DIR] [--allow-unsigned]
//
// The transactions are applyUpdate() (update/apply.h), for a directory
// applySeries() (update/series.h) and, with --boot, bootUpdates()
// (update/boot.h); this file parses, calls one and prints its report.
#include <string>

#include <CLI/CLI.hpp>

#include "apply.h"
#include "boot.h"
#include "cli.h"
#include "fs.h"
#include "series.h"
#include "tool.h"

using namespace ksplice;

int main(int argc, char **argv) {
  Tool tool("ksplice-apply",
            {{0, "applied or already applied (--dry-run: would apply)"},
             {kExitWaiting,
              "a series (or --boot) applied but for updates that wait for "
              "a module to be loaded"}});
  ApplyOptions o;
  bool rawErrors = false, json = false;
  CLI::App app{"Apply a ksplice update package to the running kernel.",
               tool.name()};
  app.add_flag("--dry-run", o.dryRun,
               "Check that the update would apply (run-pre matching and the "
               "safety check), then unload it; changes nothing");
  app.add_option("--retries", o.retries,
                 "How often the loader tries to find a safe moment (1-1000)")
      ->check(CLI::Range(1u, 1000u));
  app.add_option("--keys", o.trust.keysDir,
                 "Directory of trusted PEM public keys; once it holds one, "
                 "only packages signed by one of them load")
      ->capture_default_str();
  app.add_flag("--allow-unsigned", o.trust.allowUnsigned,
               "Load an unsigned or untrusted package although trusted keys "
               "are installed (a bad signature is still refused)");
  app.add_flag("--raw-errors", rawErrors,
               "Print the bare abort-cause token as the first stderr line");
  app.add_flag("--json", json,
               "Print one JSON object: outcome, token, sentence, detail, "
               "conflicts, pause_ns, phase times");
  bool noPersist = false, boot = false;
  auto *noPersistFlag = app.add_flag(
      "--no-persist", noPersist,
      "Do not keep the package in /var/lib/ksplice to apply it again at "
      "boot");
  bool undoOnFailure = false;
  auto *undoFlag = app.add_flag(
      "--undo-on-failure", undoOnFailure,
      "With a series: if an update fails, take out again the ones this run "
      "applied (by default they stay applied)");
  auto *pkg = app.add_option(
      "PACKAGE", o.package,
      "The ksplice-<id>.tar.gz to apply, or a series directory (an index "
      "and its packages): every update of it not applied yet, in "
      "order, stopping at the first that fails (one that must find a "
      "module loaded waits, and the series goes on)");
  auto *bootFlag = app.add_flag(
      "--boot", boot,
      "Apply again the updates kept in /var/lib/ksplice for the running "
      "kernel, in their order (ksplice-boot.service); 1 if any failed, 3 if "
      "some wait for a module to be loaded");
  bootFlag->excludes(pkg)->excludes(noPersistFlag)->excludes(undoFlag);
  if (auto status = tool.parse(app, argc, argv))
    return *status;
  if (boot && (o.dryRun || o.retries || json || rawErrors)) {
    tool.error("--boot takes no other option");
    return tool.usageStatus();
  }
  if (!boot && o.package.empty()) {
    tool.error("PACKAGE is required (or --boot)");
    return tool.usageStatus();
  }

  RealHost host;
  if (boot) {
    Printed p = printBoot(tool.name(), bootUpdates(host, o.trust));
    Tool::print(p.out, p.err);
    return p.status;
  }
  o.persist = !noPersist;
  if (isDirectory(o.package)) {
    if (json) {
      tool.error("--json is for one package, not a series");
      return tool.usageStatus();
    }
    SeriesOptions so{o.package, o, undoOnFailure};
    Printed p = printSeries(tool.name(), applySeries(host, so), rawErrors);
    Tool::print(p.out, p.err);
    return p.status;
  }
  if (undoOnFailure) {
    tool.error("--undo-on-failure is for a series directory");
    return tool.usageStatus();
  }
  ApplyReport report = applyUpdate(host, o);
  Printed p = json ? applyJson(report) : printApply(tool.name(), report,
                                                    rawErrors);
  Tool::print(p.out, p.err);
  return p.status;
}
