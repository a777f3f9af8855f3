//===- series_headers.cc - A release's changed headers, carried or not ----===//
#include "series_headers.h"

#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace ksplice {

namespace {
// Union-find over the changed headers' positions.
class Groups {
public:
  explicit Groups(size_t n) : parent(n) {
    std::iota(parent.begin(), parent.end(), 0);
  }
  size_t find(size_t x) {
    while (parent[x] != x)
      x = parent[x] = parent[parent[x]];
    return x;
  }
  void join(size_t a, size_t b) { parent[find(a)] = find(b); }

private:
  std::vector<size_t> parent;
};
} // namespace

static bool isHeader(const std::string &path) {
  return llvm::StringRef(path).endswith(".h");
}

// The names a compiler error quotes: gcc writes 'x' in Unicode quotes in
// a UTF-8 locale, in ASCII ones otherwise.
static std::vector<std::string> quotedNames(llvm::StringRef error) {
  std::vector<std::string> names;
  auto scan = [&](llvm::StringRef open, llvm::StringRef close) {
    for (size_t at = error.find(open); at != llvm::StringRef::npos;) {
      llvm::StringRef rest = error.substr(at + open.size());
      size_t end = rest.find(close);
      if (end == llvm::StringRef::npos)
        break;
      if (end > 0)
        names.push_back(rest.take_front(end).str());
      at = error.find(open, at + open.size() + end + close.size());
    }
  };
  scan("\u2018", "\u2019");
  if (names.empty())
    scan("'", "'");
  return names;
}

// Of the changed headers a file can reach (MINE), those whose diff
// mentions a name its compile error quotes (the missing declaration, the
// function whose arguments changed): what it really needs.  MINE stays as
// it is when no header does (the error says nothing usable).
static void narrowToNamed(std::vector<size_t> &mine, llvm::StringRef error,
                          const std::vector<size_t> &headers,
                          const SeriesCreateResult &result,
                          const HeaderDiff &headerDiff) {
  std::vector<std::string> names = quotedNames(error);
  if (names.empty())
    return;
  std::vector<size_t> named;
  for (size_t p : mine) {
    std::string diff = headerDiff(result.files[headers[p]].path);
    if (llvm::any_of(names, [&](const std::string &n) {
          return diff.find(n) != std::string::npos;
        }))
      named.push_back(p);
  }
  if (!named.empty())
    mine = std::move(named);
}

// The files of fate NoChange among a carried group's units join it (the
// first such group, in path order of the groups' first header).
static void joinUnchanged(std::vector<HeaderGroup> &groups,
                          const SeriesCreateResult &result,
                          const IncludeGraph &graph, size_t limit) {
  std::set<size_t> taken;
  for (HeaderGroup &g : groups) {
    if (g.objects.empty() || g.objects.size() > limit)
      continue;
    std::vector<std::string> headers;
    for (size_t h : g.headers)
      headers.push_back(result.files[h].path);
    std::vector<std::string> units = graph.unitsIncluding(headers);
    for (size_t i = 0; i < result.files.size(); i++)
      if (result.files[i].fate == SeriesFileResult::NoChange &&
          std::binary_search(units.begin(), units.end(),
                             result.files[i].path) &&
          taken.insert(i).second)
        g.files.push_back(i);
  }
}

llvm::Expected<std::vector<HeaderGroup>>
groupHeaders(const SeriesCreateResult &result,
             const ConfiguredObjects &configured, const IncludeGraph &graph,
             const IncludeGraph &later, const HeaderDiff &headerDiff,
             size_t limit, unsigned jobs) {
  std::vector<size_t> headers;             // result indexes
  std::map<std::string, size_t> position;  // path -> index in headers
  for (size_t i = 0; i < result.files.size(); i++)
    if (result.files[i].fate == SeriesFileResult::Header &&
        isHeader(result.files[i].path)) {
      position[result.files[i].path] = headers.size();
      headers.push_back(i);
    }
  Groups groups(headers.size());
  std::vector<std::pair<size_t, size_t>> needs;  // file, one header position
  for (size_t i = 0; i < result.files.size(); i++) {
    const SeriesFileResult &f = result.files[i];
    if (f.fate != SeriesFileResult::Error ||
        !llvm::StringRef(f.path).endswith(".c"))
      continue;
    std::vector<size_t> mine;
    for (const std::string &r : later.reachableFrom(f.path))
      if (auto it = position.find(r); it != position.end())
        mine.push_back(it->second);
    narrowToNamed(mine, f.why, headers, result, headerDiff);
    for (size_t p : mine)
      groups.join(p, mine.front());
    if (!mine.empty())
      needs.push_back({i, mine.front()});
  }

  std::map<size_t, HeaderGroup> byRoot;  // ordered by the root's position
  for (size_t p = 0; p < headers.size(); p++)
    byRoot[groups.find(p)].headers.push_back(headers[p]);
  for (auto [file, p] : needs)
    byRoot[groups.find(p)].files.push_back(file);

  Progress quiet = [](const std::string &) {};
  std::vector<HeaderGroup> out;
  for (auto &[root, g] : byRoot) {
    PatchFiles kinds;
    for (size_t h : g.headers)
      kinds.headers.push_back(result.files[h].path);
    auto plan = planObjects(kinds, configured,
                            [&]() -> llvm::Expected<const IncludeGraph *> {
                              return &graph;
                            },
                            jobs, quiet);
    if (!plan)
      return plan.takeError();
    g.objects = std::move(plan->objects);
    out.push_back(std::move(g));
  }
  joinUnchanged(out, result, graph, limit);
  std::sort(out.begin(), out.end(),
            [&](const HeaderGroup &a, const HeaderGroup &b) {
              auto first = [&](const HeaderGroup &g) {
                size_t m = g.headers.front();
                for (size_t f : g.files)
                  m = std::min(m, f);
                return m;
              };
              return first(a) < first(b);
            });
  return out;
}

} // namespace ksplice
