//===- series_headers.h - A release's changed headers, carried or not -----===//
//
// A changed header reaches the running kernel only through the objects
// that include it, so carrying one means compiling every object of the
// configured build that includes it, before and after, as createUpdate()
// does for any patch that changes a header.  For a widely included header
// that is a large part of a full build, for each one.  So a series
// carries a header when at most a limit of objects include it
// (--series-header-objects), and says for every header how many objects
// it would take.
//
// A .c file whose new version does not compile without a changed header
// (a new declaration, a new field) needs it: the file and the changed
// headers it can include (the include graph) whose diff names what the
// compiler's error quotes (all of them when none does) go into one update, together
// with the other files that need one of those headers, and the headers
// those need, and so on: one group.  A group is one update, built after
// the updates the series already made that touch one of its objects
// (their patches are --after patches: live before it, so they are part of
// its "pre" code).  A group over the limit is not built; its files are
// "needs a header change" with the header and the count.
//
// A group that is built compiles its objects from the later release's
// sources: the changed .c files among them that made no update by
// themselves (no functional change alone) go into it too, so that what
// their change does with the new headers is in it.  A refused file does
// not (its refusal stands; its object is compiled from its old source).
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_SERIES_HEADERS_H
#define KSPLICE_CREATE_SERIES_HEADERS_H

#include "affected_objects.h"
#include "series.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace ksplice {

struct HeaderGroup {
  std::vector<size_t> headers, files;  // indexes into the result's files
  std::vector<ObjectChoice> objects;   // what including the headers takes
};

/// A changed file's diff ("" if it cannot be made).
using HeaderDiff = std::function<std::string(const std::string &path)>;

/// The groups of RESULT's changed headers and of the files (fate Error)
/// whose new versions include one of them (LATER: the later tree's include
/// graph), in path order of their first member.  A file needs the headers
/// whose diff (HEADERDIFF) names what its compile error quotes, or, when
/// none does, every changed header it includes.  CONFIGURED and GRAPH are
/// the farm's: the objects of the running kernel that include a header.
/// Groups of at most LIMIT objects (carried) also hold the files of fate
/// NoChange that are among their units.
llvm::Expected<std::vector<HeaderGroup>>
groupHeaders(const SeriesCreateResult &result,
             const ConfiguredObjects &configured, const IncludeGraph &graph,
             const IncludeGraph &later, const HeaderDiff &headerDiff,
             size_t limit, unsigned jobs);

} // namespace ksplice

#endif
