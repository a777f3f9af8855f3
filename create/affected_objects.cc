//===- affected_objects.cc - Which objects a patch affects -----------------===//
#include "affected_objects.h"
#include "dep_file.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace ksplice {

using llvm::StringRef;

static std::string basename(StringRef path) {
  size_t slash = path.rfind('/');
  return (slash == StringRef::npos ? path : path.drop_front(slash + 1)).str();
}

static bool isBuildFile(StringRef path) {
  std::string name = basename(path);
  StringRef n(name);
  return n == "Makefile" || n == "Kbuild" || n.startswith("Kconfig") ||
         n.startswith("Makefile.") || n.endswith(".mk") || n.endswith(".sh") ||
         n.endswith(".pl") || n.endswith(".py") || n.endswith(".tbl") ||
         n.endswith(".lds") || path.startswith("scripts/");
}

// Files no kernel object is built from: documentation, and the user-space
// programs and selftests under tools/ (fixes often carry both).
static bool isOutsideTheBuild(StringRef path) {
  std::string name = basename(path);
  StringRef n(name);
  return path.startswith("Documentation/") || path.startswith("tools/") ||
         n.endswith(".rst") || n.endswith(".txt") || n.endswith(".md") ||
         path == "MAINTAINERS" || path == "CREDITS" || path == "README";
}

PatchFiles classifyPatchFiles(const std::vector<TouchedFile> &files) {
  PatchFiles out;
  for (const TouchedFile &f : files) {
    StringRef p(f.path);
    if (isOutsideTheBuild(p)) {
      out.notes.push_back(f.path + ": not part of the kernel build, ignored");
      continue;
    }
    if (p.endswith(".c")) {
      if (f.kind == TouchedFile::Modified)
        out.sources.push_back(f.path);
      else
        out.refusals.push_back(
            {f.path, f.kind == TouchedFile::Added
                         ? "the patch adds a source file: a new compilation "
                           "unit cannot be hot patched"
                         : "the patch deletes a source file"});
    } else if (p.endswith(".h")) {
      if (f.kind == TouchedFile::Modified)
        out.headers.push_back(f.path);
      else
        // Whatever includes it must change too, and is in the patch.
        out.notes.push_back(f.path + (f.kind == TouchedFile::Added
                                          ? ": new header"
                                          : ": deleted header") +
                            " (only the files of the patch that include it "
                            "change)");
    } else if (p.endswith(".S") || p.endswith(".s")) {
      out.refusals.push_back({f.path, "assembly files are not compiled with "
                                      "function sections and cannot be hot "
                                      "patched"});
    } else if (f.kind == TouchedFile::Modified && !isBuildFile(p)) {
      out.others.push_back(f.path); // a .inc, .lds.h, ...: if #included
    } else {
      out.refusals.push_back({f.path, "a change to a build file (Makefile, "
                                      "Kconfig, ...) cannot be hot patched"});
    }
  }
  return out;
}

std::string plural(size_t n, const char *one, const char *many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "fs/proc/base.c" -> "fs/proc/base.o".
static std::string objectOf(StringRef unit) {
  return unit.drop_back(unit.endswith(".c") || unit.endswith(".S") ? 2 : 0)
             .str() +
         ".o";
}

// gcc + objtool per object and core with Debian's flags (gcc 12), and
// kbuild's walk of the tree per make run: measured on a shared 2-core
// machine (docs/header-patches.md).
static constexpr double kCoreSecondsPerObject = 2.0;
static constexpr double kSecondsPerMake = 5.0;

std::string listObjects(const std::vector<std::string> &objects) {
  if (objects.size() <= 8)
    return llvm::join(objects, " ");
  return std::to_string(objects.size()) + " objects";
}

std::string compileEstimate(size_t n, unsigned jobs) {
  double s = kSecondsPerMake + n * kCoreSecondsPerObject / std::max(1u, jobs);
  if (s < 60)
    return "under a minute";
  long m = long(s / 60 + 0.5);
  if (m < 90)
    return "about " + std::to_string(m) + " min";
  return "about " + std::to_string(m / 60) + " h " + std::to_string(m % 60) +
         " min";
}

llvm::Expected<IncludeGraph> scanIncludeGraph(const std::string &tree,
                                              const std::string &cacheFile,
                                              const std::string &source,
                                              unsigned jobs,
                                              const Progress &progress) {
  std::error_code ec;
  IncludeGraph::Options gopts;
  gopts.root = tree;
  gopts.cacheFile = cacheFile;
  gopts.cacheKey = fs::absolute(source, ec).lexically_normal().string();
  gopts.jobs = jobs;
  auto g = IncludeGraph::scan(gopts);
  if (!g)
    return g.takeError();
  const IncludeGraph::Stats &st = g->stats();
  char secs[32];
  snprintf(secs, sizeof secs, "%.1f", st.seconds);
  progress("include graph: " + std::to_string(st.files) + " files, " +
           std::to_string(st.edges) + " includes, in " + secs + " s (" +
           std::to_string(st.read) + (st.read == 1 ? " file" : " files") +
           " read, " + std::to_string(st.files - st.read) +
           " from the cache)");
  return g;
}

llvm::Expected<ObjectPlan> planObjects(const PatchFiles &patch,
                                       const ConfiguredObjects &configured,
                                       const GraphSource &graph, unsigned jobs,
                                       const Progress &progress) {
  ObjectPlan plan;
  std::map<std::string, ObjectChoice> chosen;
  auto add = [&](const ObjectChoice &c) {
    auto [it, inserted] = chosen.emplace(c.object, c);
    if (!inserted) { // a patched .c is compiled whatever it includes
      it->second.narrow &= c.narrow;
      it->second.certain |= c.certain;
    }
  };

  std::vector<std::string> viaGraph;
  for (const std::string &src : patch.sources) {
    std::string obj = objectOf(src);
    if (auto k = configured.lookup(obj)) {
      add({obj, k->target, k->certain, false, false});
      continue;
    }
    progress(src + " is not an object of this configuration: looking for "
                   "the objects that #include it");
    viaGraph.push_back(src);
  }
  viaGraph.insert(viaGraph.end(), patch.headers.begin(), patch.headers.end());
  viaGraph.insert(viaGraph.end(), patch.others.begin(), patch.others.end());
  if (!viaGraph.empty()) {
    auto g = graph();
    if (!g)
      return g.takeError();
    const IncludeGraph &ig = **g;
    std::set<std::string> linkerScripts(configured.linkerScripts().begin(),
                                        configured.linkerScripts().end());
    size_t graphChosen = 0;
    for (const std::string &file : viaGraph) {
      bool other = llvm::is_contained(patch.others, file);
      std::vector<std::string> units = ig.unitsIncluding({file});
      llvm::erase_value(units, file);
      size_t vmlinux = 0, unbuilt = 0, guessed = 0, scripts = 0;
      std::set<std::string> modules;
      for (const std::string &u : units) {
        if (StringRef(u).endswith(".lds.S")) {
          std::string script = StringRef(u).drop_back(2).str();
          if (linkerScripts.count(script)) {
            add({script, "vmlinux", true, true, true});
            scripts++;
          } else {
            unbuilt++;
          }
          continue;
        }
        std::string obj = objectOf(u);
        auto k = configured.lookup(obj);
        if (!k) {
          unbuilt++;
          continue;
        }
        add({obj, k->target, k->certain, true, false});
        graphChosen++;
        if (!k->certain)
          guessed++;
        else if (k->target == "vmlinux")
          vmlinux++;
        else
          modules.insert(k->target);
      }
      if (other && units.empty()) {
        plan.refusals.push_back({file, "a change to a build file (Makefile, "
                                       "Kconfig, ...) cannot be hot patched"});
        continue;
      }
      plan.included.push_back(file);
      size_t objs = units.size() - unbuilt - scripts;
      std::string line = file + ": #included by " +
                         plural(units.size(), "compilation unit",
                                "compilation units") +
                         " of the tree; " +
                         plural(objs, "object", "objects") +
                         " of this configuration";
      if (objs) {
        std::vector<std::string> parts;
        if (vmlinux)
          parts.push_back(std::to_string(vmlinux) + " in vmlinux");
        if (!modules.empty())
          parts.push_back(std::to_string(objs - vmlinux - guessed) + " in " +
                          plural(modules.size(), "module", "modules"));
        if (guessed)
          parts.push_back(std::to_string(guessed) +
                          " possibly (Makefile not read exactly)");
        line += " (" + llvm::join(parts, ", ") + ")";
      }
      if (scripts)
        line += ", and the linker script";
      progress(line);
    }
    if (graphChosen > 0) {
      std::string line =
          "include graph: " + plural(graphChosen, "object", "objects") +
          " to compile before the patch (" + compileEstimate(graphChosen, jobs) +
          " at -j" + std::to_string(jobs) +
          "); those the compiler says do not read a changed file are "
          "dropped before the post compile";
      if (graphChosen >= 500)
        line = "widely included: " + line;
      progress(line);
    }
  }
  for (auto &[name, c] : chosen)
    plan.objects.push_back(c);
  return plan;
}

void narrowObjects(ObjectPlan &plan, const std::string &tree,
                   const Progress &progress) {
  narrowObjects(
      plan, [&](const std::string &o) { return readDepFile(tree, o); },
      progress);
}

void narrowObjects(ObjectPlan &plan, const ReadsOf &reads,
                   const Progress &progress) {
  std::set<std::string> changed(plan.included.begin(), plan.included.end());
  std::vector<ObjectChoice> kept;
  std::vector<std::string> dropped, unknown;
  size_t checked = 0;
  for (ObjectChoice &o : plan.objects) {
    if (!o.narrow) {
      kept.push_back(o);
      continue;
    }
    checked++;
    auto deps = reads(o.object);
    if (!deps) {
      unknown.push_back(o.object);
      kept.push_back(o);
      continue;
    }
    if (llvm::any_of(*deps, [&](const std::string &d) { return changed.count(d); }))
      kept.push_back(o);
    else
      dropped.push_back(o.object);
  }
  if (checked) {
    std::string line = "dependency files: " +
                       std::to_string(checked - dropped.size()) + " of " +
                       plural(checked, "object", "objects") +
                       " read a changed file";
    if (!dropped.empty()) {
      std::vector<std::string> some(
          dropped.begin(), dropped.begin() + std::min<size_t>(3, dropped.size()));
      line += "; dropped " + std::to_string(dropped.size()) + " (" +
              llvm::join(some, ", ") + (dropped.size() > 3 ? ", ..." : "") +
              ")";
    }
    progress(line);
  }
  if (!unknown.empty())
    progress("no dependency list for " + llvm::join(unknown, ", ") +
             ": kept");
  plan.objects = std::move(kept);
}

} // namespace ksplice
