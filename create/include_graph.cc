//===- include_graph.cc - Which sources include a file ---------------------===//
#include "include_graph.h"
#include "error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ksplice {

using llvm::StringRef;

std::vector<IncludeDirective> scanIncludes(StringRef text) {
  std::vector<IncludeDirective> out;
  const char *p = text.data(), *end = p + text.size();
  while (p < end) {
    const char *eol = static_cast<const char *>(memchr(p, '\n', end - p));
    if (!eol)
      eol = end;
    const char *q = p;
    while (q < eol && (*q == ' ' || *q == '\t'))
      q++;
    if (q < eol && *q == '#') {
      q++;
      while (q < eol && (*q == ' ' || *q == '\t'))
        q++;
      StringRef rest(q, eol - q);
      bool next = rest.startswith("include_next");
      if (next || rest.startswith("include")) {
        rest = rest.drop_front(next ? 12 : 7);
        if (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t' ||
                              rest[0] == '<' || rest[0] == '"')) {
          rest = rest.ltrim(" \t");
          char open = rest.empty() ? 0 : rest[0];
          char close = open == '<' ? '>' : open == '"' ? '"' : 0;
          size_t e = close ? rest.find(close, 1) : StringRef::npos;
          if (close && e != StringRef::npos && e > 1) {
            IncludeDirective::Kind k = next            ? IncludeDirective::Next
                                       : open == '<' ? IncludeDirective::Angle
                                                     : IncludeDirective::Quote;
            out.push_back({k, rest.slice(1, e).str()});
          } else if (!rest.empty()) {
            out.push_back({IncludeDirective::Macro,
                           rest.take_until([](char c) {
                                 return c == ' ' || c == '\t' || c == '\r';
                               }).str()});
          }
        }
      }
    }
    p = eol + 1;
  }
  return out;
}

// A relative path with "." and ".." resolved; "" when it leaves the tree.
static std::string normalize(StringRef path) {
  if (!path.contains("./") && !path.contains("//") && !path.startswith("/"))
    return path.str();
  llvm::SmallVector<StringRef, 16> parts, out;
  path.split(parts, '/', -1, false);
  for (StringRef s : parts) {
    if (s == ".")
      continue;
    if (s == "..") {
      if (out.empty())
        return "";
      out.pop_back();
      continue;
    }
    out.push_back(s);
  }
  std::string r;
  for (StringRef s : out) {
    if (!r.empty())
      r += '/';
    r += s.str();
  }
  return r;
}

static bool isBuildOutput(StringRef name) {
  return name.endswith(".o") || name.endswith(".cmd") || name.endswith(".a") ||
         name.endswith(".ko") || name.endswith(".d") || name.endswith(".mod");
}

static bool isScanned(StringRef name) {
  return name.endswith(".c") || name.endswith(".h") || name.endswith(".S");
}

static bool isUnit(StringRef name) {
  return name.endswith(".c") || name.endswith(".S");
}

static bool readWhole(const std::string &path, std::string &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  out.resize(st.st_size);
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, &out[got], out.size() - got);
    if (n <= 0)
      break;
    got += n;
  }
  out.resize(got);
  ::close(fd);
  return true;
}

// ---------------------------------------------------------------------------
// The cache: one line per file,
//   path \t size \t mtime-ns \t kind name \t kind name ...
// kind: q (quote), a (angle), n (include_next), m (macro).

namespace {
struct FileInfo {
  int64_t size = -1, mtime = -1;
  std::vector<IncludeDirective> includes;
  bool valid = false;
};
} // namespace

static const char kCacheMagic[] = "ksplice-include-graph 1";

static std::unordered_map<std::string, FileInfo>
loadCache(const std::string &file, const std::string &key) {
  std::unordered_map<std::string, FileInfo> out;
  std::string text;
  if (file.empty() || !readWhole(file, text))
    return out;
  StringRef rest(text);
  StringRef header;
  std::tie(header, rest) = rest.split('\n');
  if (header != (std::string(kCacheMagic) + " " + key))
    return out;
  while (!rest.empty()) {
    StringRef line;
    std::tie(line, rest) = rest.split('\n');
    llvm::SmallVector<StringRef, 16> f;
    line.split(f, '\t');
    if (f.size() < 3)
      continue;
    FileInfo info;
    if (f[1].getAsInteger(10, info.size) || f[2].getAsInteger(10, info.mtime))
      continue;
    for (size_t i = 3; i < f.size(); i++) {
      if (f[i].size() < 2)
        continue;
      IncludeDirective::Kind k;
      switch (f[i][0]) {
      case 'q': k = IncludeDirective::Quote; break;
      case 'a': k = IncludeDirective::Angle; break;
      case 'n': k = IncludeDirective::Next; break;
      default: k = IncludeDirective::Macro; break;
      }
      info.includes.push_back({k, f[i].drop_front(2).str()});
    }
    info.valid = true;
    out[f[0].str()] = std::move(info);
  }
  return out;
}

static void saveCache(const std::string &file, const std::string &key,
                      const std::vector<std::string> &paths,
                      const std::vector<FileInfo> &infos) {
  if (file.empty())
    return;
  std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << kCacheMagic << " " << key << "\n";
    for (size_t i = 0; i < paths.size(); i++) {
      const FileInfo &fi = infos[i];
      if (!fi.valid)
        continue;
      out << paths[i] << '\t' << fi.size << '\t' << fi.mtime;
      for (const IncludeDirective &d : fi.includes)
        out << '\t' << "qanm"[d.kind] << ' ' << d.name;
      out << '\n';
    }
    if (!out)
      return;
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
}

// "-include $(srctree)/include/linux/kconfig.h" and the like in a Makefile
// (not make's own "-include FILE" directive at the start of a line).
static std::vector<std::string> forcedIncludesIn(StringRef text,
                                                 StringRef dir) {
  std::vector<std::string> out;
  std::string logical;
  while (!text.empty() || !logical.empty()) {
    StringRef line;
    std::tie(line, text) = text.split('\n');
    if (line.endswith("\\") && !text.empty()) {
      logical += line.drop_back().str() + " ";
      continue;
    }
    logical += line.str();
    std::string whole = std::move(logical);
    logical.clear();
    StringRef t = StringRef(whole).ltrim();
    if (t.startswith("#"))
      continue;
    for (size_t pos = t.find("-include", 1); pos != StringRef::npos;
         pos = t.find("-include", pos + 1)) {
      if (pos > 0 && t[pos - 1] != ' ' && t[pos - 1] != '\t' &&
          t[pos - 1] != '=')
        continue;
      StringRef arg = t.drop_front(pos + 8).ltrim();
      auto word = [](StringRef a) {
        return a.take_until([](char c) {
          return c == ' ' || c == '\t' || c == '\\' || c == ')' || c == ',';
        });
      };
      std::string p;
      if (arg.consume_front("$(srctree)/"))
        p = normalize(word(arg));
      else if (arg.consume_front("$(src)/") || arg.consume_front("$(obj)/"))
        p = normalize((dir + "/" + word(arg)).str());
      if (!p.empty())
        out.push_back(p);
    }
  }
  return out;
}

namespace {
// The include search path of every kernel object (see include_graph.h).
std::vector<std::string> searchDirs(const std::string &arch) {
  return {arch + "/include",
          arch + "/include/generated",
          "include",
          arch + "/include/uapi",
          arch + "/include/generated/uapi",
          "include/uapi",
          "include/generated/uapi"};
}
} // namespace

// IncludeGraph::scan(), one method per phase.
class IncludeScanner {
public:
  IncludeScanner(IncludeGraph &g, const IncludeGraph::Options &opts,
                 const fs::path &root)
      : g(g), opts(opts), root(root), arch("arch/" + opts.arch) {}

  llvm::Error listFiles();
  void readIncludes(const std::string &cacheKey);
  void resolve();
  void readForcedIncludes();
  void finish(const std::string &cacheKey);

private:
  // No directory of the kernel build is given -I into another
  // architecture, the user-space tools or the host scripts: not there.
  bool foreign(StringRef p) const {
    return (p.startswith("arch/") && !p.startswith(arch + "/")) ||
           p.startswith("tools/") || p.startswith("scripts/") ||
           p.startswith("Documentation/") || p.startswith("usr/");
  }
  int lookup(const std::string &p) const {
    auto it = g.index_.find(p);
    return it == g.index_.end() ? -1 : it->second;
  }
  void prepareFile(int i);
  void readPending();
  void addEdge(int from, int to);
  void resolveFile(int i);
  bool resolveByName(int i, const IncludeDirective &d);

  IncludeGraph &g;
  const IncludeGraph::Options &opts;
  fs::path root;
  std::string arch;
  std::vector<std::string> makefiles;
  std::vector<FileInfo> infos;
  std::unordered_map<std::string, FileInfo> cache;
  std::vector<int> toRead;       // prepared, to read from disk
  std::unordered_map<std::string, std::vector<int>> byName;
  std::vector<char> resolved;
  std::deque<int> pending;       // read, not resolved yet
};

// 1. Every file of the tree (for resolving), and the Makefiles.
llvm::Error IncludeScanner::listFiles() {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec)
      return fail("cannot read '" + opts.root + "': " + ec.message());
    std::string name = it->path().filename().string();
    // The farm's files are links; its directories are not (d_type, no
    // stat: there are 80k entries).
    if (!it->is_symlink(ec) && it->is_directory(ec)) {
      if (name == ".git")
        it.disable_recursion_pending();
      continue;
    }
    if (isBuildOutput(name))
      continue;
    std::string rel = it->path().lexically_relative(root).generic_string();
    g.index_.emplace(rel, (int)g.paths_.size());
    g.paths_.push_back(rel);
    if (name == "Makefile" || name == "Kbuild")
      makefiles.push_back(rel);
  }
  infos.assign(g.paths_.size(), {});
  return llvm::Error::success();
}

// A file's include lines: from the cache when its size and mtime are
// unchanged, else queued for reading.
void IncludeScanner::prepareFile(int i) {
  struct stat st;
  FileInfo &fi = infos[i];
  if (::stat((root / g.paths_[i]).c_str(), &st) != 0)
    return;
  fi.size = st.st_size;
  fi.mtime = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  auto c = cache.find(g.paths_[i]);
  if (c != cache.end() && c->second.size == fi.size &&
      c->second.mtime == fi.mtime) {
    fi.includes = std::move(c->second.includes);
    fi.valid = true;
    return;
  }
  toRead.push_back(i);
}

// Reads the queued files, on up to 8 threads.
void IncludeScanner::readPending() {
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    std::string text;
    for (size_t k; (k = next++) < toRead.size();) {
      int i = toRead[k];
      if (!readWhole((root / g.paths_[i]).string(), text))
        continue;
      infos[i].includes = scanIncludes(text);
      infos[i].valid = true;
    }
  };
  unsigned threads = std::max(1u, std::min(opts.jobs, 8u));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; t++)
    pool.emplace_back(worker);
  worker();
  for (auto &t : pool)
    t.join();
  g.stats_.read += toRead.size();
  toRead.clear();
}

// 2. Include lines of the kernel's own .c/.h/.S.  Anything else (a .inc,
// a tools/ header kernel/bpf/btf.c includes as "../tools/lib/bpf/x.h") is
// read when an include first reaches it.
void IncludeScanner::readIncludes(const std::string &cacheKey) {
  cache = loadCache(opts.cacheFile, cacheKey);
  for (size_t i = 0; i < g.paths_.size(); i++)
    if (isScanned(g.paths_[i]) && !foreign(g.paths_[i]))
      prepareFile(i);
  readPending();
}

void IncludeScanner::addEdge(int from, int to) {
  if (to < 0 || to == from)
    return;
  g.includes_[from].push_back(to);
  if (!infos[to].valid && !resolved[to]) {
    prepareFile(to);
    readPending();
    if (infos[to].valid)
      pending.push_back(to);
  }
}

// A directory's own -I: any file of that name, outside foreign parts.
bool IncludeScanner::resolveByName(int i, const IncludeDirective &d) {
  std::string name = normalize(d.name);
  while (StringRef(name).startswith("../"))
    name = name.substr(3);
  StringRef nm(name.empty() ? d.name : name);
  size_t s = nm.rfind('/');
  auto it = byName.find(nm.drop_front(s == StringRef::npos ? 0 : s + 1).str());
  bool found = false;
  if (it != byName.end())
    for (int t : it->second) {
      StringRef p(g.paths_[t]);
      if (foreign(p) || t == i)
        continue;
      if (p == nm || p.endswith(("/" + nm).str())) {
        addEdge(i, t);
        found = true;
      }
    }
  return found;
}

void IncludeScanner::resolveFile(int i) {
  static const std::vector<std::string> dirs = searchDirs(arch);
  StringRef self(g.paths_[i]);
  size_t slash = self.rfind('/');
  std::string dir = slash == StringRef::npos ? "" : self.take_front(slash).str();
  for (const IncludeDirective &d : infos[i].includes) {
    if (d.kind == IncludeDirective::Macro) {
      g.stats_.macro++;
      continue;
    }
    bool found = false;
    if (d.kind == IncludeDirective::Quote) {
      std::string p = normalize(dir.empty() ? d.name : dir + "/" + d.name);
      int t = p.empty() ? -1 : lookup(p);
      if (t >= 0) {
        addEdge(i, t);
        found = true;
      }
    }
    if (!found)
      for (const std::string &sd : dirs) {
        std::string p = normalize(sd + "/" + d.name);
        int t = p.empty() ? -1 : lookup(p);
        if (t < 0 || t == i)
          continue;
        addEdge(i, t);
        found = true;
        if (d.kind != IncludeDirective::Next)
          break;
      }
    if (found)
      continue;
    if (resolveByName(i, d))
      g.stats_.fallback++;
    else
      g.stats_.unresolved++;
  }
}

// 3. Resolve.  Files of other kinds that something includes (.inc,
// .lds.h, ...) are read when first reached.
void IncludeScanner::resolve() {
  size_t n = g.paths_.size();
  for (size_t i = 0; i < n; i++) {
    StringRef p(g.paths_[i]);
    size_t slash = p.rfind('/');
    byName[p.drop_front(slash == StringRef::npos ? 0 : slash + 1).str()]
        .push_back(i);
  }
  g.includes_.assign(n, {});
  resolved.assign(n, 0);
  for (size_t i = 0; i < n; i++)
    if (infos[i].valid)
      pending.push_back(i);
  while (!pending.empty()) {
    int i = pending.front();
    pending.pop_front();
    if (resolved[i])
      continue;
    resolved[i] = 1;
    resolveFile(i);
  }
}

// 4. Forced includes: of every unit (the top Makefile and
// scripts/Makefile.lib), and of the units below a directory's Makefile.
void IncludeScanner::readForcedIncludes() {
  for (const std::string &mk : {std::string("Makefile"),
                                std::string("scripts/Makefile.lib")}) {
    std::string text;
    if (readWhole((root / mk).string(), text))
      for (const std::string &f : forcedIncludesIn(text, "."))
        if (lookup(f) >= 0 && !llvm::is_contained(g.forced_, f))
          g.forced_.push_back(f);
  }
  for (const std::string &mk : makefiles) {
    StringRef m(mk);
    if (m == "Makefile" || m.startswith("scripts/") || m.startswith("tools/") ||
        (m.startswith("arch/") && !m.startswith(arch + "/")))
      continue;
    std::string text, dir = fs::path(mk).parent_path().generic_string();
    if (readWhole((root / mk).string(), text))
      for (const std::string &f : forcedIncludesIn(text, dir))
        if (lookup(f) >= 0)
          g.scopedForced_.push_back({dir, f});
  }
}

// 5. Compilation units, reverse edges, statistics, the cache.
void IncludeScanner::finish(const std::string &cacheKey) {
  size_t n = g.paths_.size();
  // Compilation units: .c and .S of the kernel proper (not tools/, other
  // architectures, ...: those a forced include does not make includers).
  g.unit_.assign(n, 0);
  for (size_t i = 0; i < n; i++)
    g.unit_[i] = isUnit(g.paths_[i]) && !foreign(g.paths_[i]);
  g.includers_.assign(n, {});
  for (size_t i = 0; i < n; i++) {
    auto &v = g.includes_[i];
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    for (int t : v)
      g.includers_[t].push_back(i);
    g.stats_.edges += v.size();
  }
  for (size_t i = 0; i < n; i++)
    g.stats_.files += infos[i].valid;
  if (g.stats_.read)
    saveCache(opts.cacheFile, cacheKey, g.paths_, infos);
}

llvm::Expected<IncludeGraph> IncludeGraph::scan(const Options &opts) {
  auto start = std::chrono::steady_clock::now();
  IncludeGraph g;
  std::error_code ec;
  fs::path root = fs::absolute(opts.root, ec);
  if (!fs::is_directory(root))
    return fail("cannot scan '" + opts.root + "': not a directory");
  std::string rootStr = root.lexically_normal().generic_string();
  while (rootStr.size() > 1 && rootStr.back() == '/')
    rootStr.pop_back();
  std::string key = opts.cacheKey.empty() ? rootStr : opts.cacheKey;

  IncludeScanner s(g, opts, root);
  if (auto err = s.listFiles())
    return std::move(err);
  s.readIncludes(key);
  s.resolve();
  s.readForcedIncludes();
  s.finish(key);
  g.stats_.seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  return g;
}

int IncludeGraph::id(const std::string &path) const {
  auto it = index_.find(path);
  return it == index_.end() ? -1 : it->second;
}

// The files reachable from SEEDS along EDGES (includes_ or includers_),
// the seeds among them, sorted.
std::vector<std::string>
IncludeGraph::closure(const std::vector<int> &seeds,
                      const std::vector<std::vector<int>> &edges) const {
  std::vector<char> seen(paths_.size(), 0);
  std::deque<int> work;
  for (int i : seeds)
    if (i >= 0 && !seen[i]) {
      seen[i] = 1;
      work.push_back(i);
    }
  while (!work.empty()) {
    int i = work.front();
    work.pop_front();
    for (int j : edges[i])
      if (!seen[j]) {
        seen[j] = 1;
        work.push_back(j);
      }
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < paths_.size(); i++)
    if (seen[i])
      out.push_back(paths_[i]);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string>
IncludeGraph::includersOf(const std::vector<std::string> &files) const {
  std::vector<int> seeds;
  for (const std::string &f : files)
    seeds.push_back(id(f));
  return closure(seeds, includers_);
}

std::vector<std::string>
IncludeGraph::unitsIncluding(const std::vector<std::string> &files) const {
  std::vector<std::string> reached = includersOf(files);
  std::set<std::string> r(reached.begin(), reached.end());
  bool all = llvm::any_of(forced_, [&](const std::string &f) { return r.count(f); });
  std::vector<std::string> scopes;
  for (auto &[dir, f] : scopedForced_)
    if (r.count(f))
      scopes.push_back(dir + "/");
  std::vector<std::string> out;
  for (size_t i = 0; i < paths_.size(); i++) {
    const std::string &p = paths_[i];
    if (!unit_[i])
      continue;
    bool in = all || r.count(p) ||
              llvm::any_of(scopes, [&](const std::string &s) {
                return StringRef(p).startswith(s);
              });
    if (in)
      out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string>
IncludeGraph::reachableFrom(const std::string &unit) const {
  std::vector<int> seeds = {id(unit)};
  if (seeds[0] >= 0 && unit_[seeds[0]]) {
    for (const std::string &f : forced_)
      seeds.push_back(id(f));
    for (auto &[dir, f] : scopedForced_)
      if (StringRef(unit).startswith(dir + "/"))
        seeds.push_back(id(f));
  }
  return closure(seeds, includes_);
}

std::vector<std::string> IncludeGraph::includes(const std::string &file) const {
  std::vector<std::string> out;
  int i = id(file);
  if (i >= 0)
    for (int t : includes_[i])
      out.push_back(paths_[t]);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace ksplice
