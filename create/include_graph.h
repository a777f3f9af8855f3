//===- include_graph.h - Which sources include a file ----------------------===//
//
// The kernel tree's #include graph, from its text alone (no build): every
// .c, .h and .S file is scanned for #include lines (and any other file an
// include names, .inc or .lds.h, on demand).  A name resolves the way the
// kernel's compiler command line resolves it:
//
//   "x.h"  relative to the including file, else like <x.h>;
//   <x.h>  the first of arch/$(SRCARCH)/include, its generated/, include,
//          arch/$(SRCARCH)/include/uapi, its generated/uapi, include/uapi,
//          include/generated/uapi that has it (the generated directories
//          exist in a prepared tree such as ksplice-create's farm);
//   #include_next <x.h>  every one of those that has it;
//   not found there (a directory's own -I): every file of the tree whose
//          path ends in /x.h, except in other architectures, tools/,
//          scripts/, Documentation/ and usr/ (no kernel object is given
//          -I there; a "../../tools/x.h" resolves relatively).
//
// Files the compiler is told to include (-include $(srctree)/... in the
// top Makefile and scripts/Makefile.lib: kconfig.h, compiler_types.h and
// what they include) are included by every compilation unit; those a
// directory's Makefile forces, by every unit below it.  (Headers kbuild
// generates from C, asm-offsets.h and bounds.h, are not followed back to
// their sources: ksplice-create checks them after the post build.)
//
// Conditional compilation is not evaluated: the graph over-approximates,
// never misses a literal #include.  A #include of a macro
// (TRACE_INCLUDE(...)) is not followed; it is counted.  The exact set is
// what the compiler reports after a build (dep_file.h).
//
// Scanning the tree reads ~1.1 GB; a cache file, made for one source tree
// (its key), keeps each file's include lines by its size and modification
// time, so a later scan reads only the files that changed.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_INCLUDE_GRAPH_H
#define KSPLICE_CREATE_INCLUDE_GRAPH_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace ksplice {

class IncludeScanner;

struct IncludeDirective {
  enum Kind : uint8_t { Quote, Angle, Next, Macro } kind;
  std::string name; // as written, without the quotes or brackets
  bool operator==(const IncludeDirective &o) const {
    return kind == o.kind && name == o.name;
  }
};

/// The #include lines of one file's text.
std::vector<IncludeDirective> scanIncludes(llvm::StringRef text);

class IncludeGraph {
public:
  struct Options {
    std::string root;      // the tree (ksplice-create's farm)
    std::string arch = "x86";
    std::string cacheFile; // "" = no cache
    std::string cacheKey;  // what the cache is of (KERNEL_SRC); "" = root
    unsigned jobs = 1;     // scanning threads
  };
  struct Stats {
    size_t files = 0;      // files in the graph
    size_t read = 0;       // of which read from disk (not from the cache)
    size_t edges = 0;
    size_t fallback = 0;   // includes resolved by name anywhere in the tree
    size_t unresolved = 0; // includes of files not in the tree (generated)
    size_t macro = 0;      // #include MACRO, not followed
    double seconds = 0;
  };

  static llvm::Expected<IncludeGraph> scan(const Options &opts);

  /// The compilation units (.c and .S files) that are one of FILES or
  /// include one of them, directly or not, forced includes counted; sorted.
  std::vector<std::string>
  unitsIncluding(const std::vector<std::string> &files) const;
  /// Every file that includes one of FILES, directly or not (FILES too).
  std::vector<std::string>
  includersOf(const std::vector<std::string> &files) const;
  /// Every file UNIT includes, directly or not, forced includes counted
  /// (UNIT too); sorted.  The forward view of unitsIncluding.
  std::vector<std::string> reachableFrom(const std::string &unit) const;
  /// The files FILE includes directly, resolved; sorted.
  std::vector<std::string> includes(const std::string &file) const;
  bool contains(const std::string &file) const { return index_.count(file); }
  /// Files every compilation unit includes (-include on the command line).
  const std::vector<std::string> &forcedIncludes() const { return forced_; }

  const Stats &stats() const { return stats_; }

private:
  friend class IncludeScanner; // scan()'s phases, in include_graph.cc

  int id(const std::string &path) const;
  std::vector<std::string>
  closure(const std::vector<int> &seeds,
          const std::vector<std::vector<int>> &edges) const;

  std::vector<std::string> paths_;
  std::vector<char> unit_; // a compilation unit of the kernel proper
  std::unordered_map<std::string, int> index_;
  std::vector<std::vector<int>> includes_, includers_;
  std::vector<std::string> forced_; // global
  std::vector<std::pair<std::string, std::string>> scopedForced_; // dir, file
  Stats stats_;
};

} // namespace ksplice

#endif
