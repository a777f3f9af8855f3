//===- affected_objects.h - Which objects a patch affects ------------------===//
//
// ksplice-create compiles only the objects a patch can change, before and
// after it:
//
//   * a changed .c file: its own object, when the configured build has it
//     (configured_objects.h); a .c file that is not an object but is
//     #included by others (kernel/sched/build_policy.c includes rt.c):
//     those, as for a header;
//   * a changed header (or another file that sources #include, a .inc):
//     every object of the configured build whose source includes it,
//     directly or not, by the include graph (include_graph.h) -- an
//     over-approximation, since the graph does not evaluate #if;
//   * after the pre compile, the graph's choices are made exact: kbuild's
//     .<object>.cmd lists every file the compiler really read
//     (dep_file.h), and an object that read none of the changed files is
//     dropped before the post compile.  An object whose .cmd cannot be
//     read is kept: a real includer is never dropped.
//
// A linker script the configured build makes (vmlinux.lds) that includes
// a changed header is compiled too; the caller refuses the patch when it
// changes.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_AFFECTED_OBJECTS_H
#define KSPLICE_CREATE_AFFECTED_OBJECTS_H

#include "build_tree.h"
#include "configured_objects.h"
#include "include_graph.h"
#include "patch_file.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ksplice {

struct FileRefusal {
  std::string file, reason;
};

/// What each file of a patch is, before any tree is looked at.
struct PatchFiles {
  std::vector<std::string> sources; // modified .c files
  std::vector<std::string> headers; // modified .h files
  std::vector<std::string> others;  // modified files that may be #included
  std::vector<FileRefusal> refusals;
  std::vector<std::string> notes;   // progress lines
};

PatchFiles classifyPatchFiles(const std::vector<TouchedFile> &files);

struct ObjectChoice {
  std::string object;       // "fs/proc/base.o" (or "arch/x86/kernel/vmlinux.lds")
  std::string target;       // "vmlinux" or a module
  bool certain = true;      // false: its Makefile was not read exactly: it
                            // may not be built at all (tolerate failure)
  bool narrow = false;      // chosen by the include graph: check its .cmd
  bool linkerScript = false;
};

struct ObjectPlan {
  std::vector<ObjectChoice> objects;
  /// The changed files the graph-chosen objects are checked against.
  std::vector<std::string> included;
  std::vector<FileRefusal> refusals;
};

/// The include graph, scanned on first use (a patch of configured .c files
/// never needs it).
using GraphSource = std::function<llvm::Expected<const IncludeGraph *>()>;

/// The include graph of TREE (the farm, or a source tree), with its cache
/// in CACHEFILE keyed by SOURCE (KERNEL_SRC: what the farm mirrors); says
/// what it read on PROGRESS.
llvm::Expected<IncludeGraph> scanIncludeGraph(const std::string &tree,
                                              const std::string &cacheFile,
                                              const std::string &source,
                                              unsigned jobs,
                                              const Progress &progress);

/// The objects PATCH can change in the configured build CONFIGURED.
llvm::Expected<ObjectPlan> planObjects(const PatchFiles &patch,
                                       const ConfiguredObjects &configured,
                                       const GraphSource &graph,
                                       unsigned jobs, const Progress &progress);

/// The files an object read (its .cmd file), or nothing when unknown.
using ReadsOf = std::function<std::optional<std::vector<std::string>>(
    const std::string &object)>;

/// After the pre compile: drops the graph-chosen objects that, by READS,
/// read none of PLAN.included.
void narrowObjects(ObjectPlan &plan, const ReadsOf &reads,
                   const Progress &progress);
/// The same with the .cmd files in TREE (the farm).
void narrowObjects(ObjectPlan &plan, const std::string &tree,
                   const Progress &progress);

/// A rough figure for compiling N objects at -jJOBS, for progress output
/// ("about 3 min").
std::string compileEstimate(size_t n, unsigned jobs);

/// "1 object", "3 objects": N with the word that fits, for messages.
std::string plural(size_t n, const char *one, const char *many);

/// OBJECTS for progress output: their names for up to 8, else "N objects".
std::string listObjects(const std::vector<std::string> &objects);

} // namespace ksplice

#endif
