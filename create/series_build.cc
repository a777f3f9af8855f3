//===- series_build.cc - A release's .c files compiled once per side ------===//
#include "series_build.h"
#include "error.h"
#include "dep_file.h"
#include "pre_cache.h"
#include "pre_post.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace fs = std::filesystem;

namespace ksplice {

namespace {
class Batch {
public:
  Batch(BuildTree &tree, std::vector<BatchFile> &files,
        const std::string &cacheDir, const std::string &source,
        const std::string &postKey, unsigned jobs, const Progress &progress)
      : tree(tree), files(files), cacheDir(cacheDir), source(source),
        postKey(postKey), jobs(jobs), progress(progress) {}

  llvm::Expected<BatchStats> run() {
    if (auto err = plan())
      return std::move(err);
    if (auto err = compilePre())
      return std::move(err);
    llvm::Error err = applyAll();
    if (!err)
      err = compilePost();
    if (auto restored = tree.restore(std::move(err), touched, postObjects))
      return std::move(restored);
    if (auto err = linkObjects())
      return std::move(err);
    return stats;
  }

private:
  static void oneFile(BatchFile &f, const std::string &why) {
    f.state = BatchFile::OneFile;
    f.why = why;
  }

  std::vector<BatchFile *> candidates() {
    std::vector<BatchFile *> v;
    for (BatchFile &f : files)
      if (f.state == BatchFile::Ready)
        v.push_back(&f);
    return v;
  }

  llvm::Expected<const IncludeGraph *> includeGraph() {
    if (!graph) {
      auto g = scanIncludeGraph(tree.root(), cacheDir + "/include-graph",
                                source, jobs, progress);
      if (!g)
        return g.takeError();
      graph = std::move(*g);
    }
    return &*graph;
  }

  // Each file's objects, as planObjects() chooses them for its patch
  // alone; only files that are exactly their own objects stay candidates.
  llvm::Error plan() {
    Progress quiet = [](const std::string &) {};
    for (BatchFile &f : files) {
      auto parsed = parsePatch(f.patch);
      if (!parsed)
        return parsed.takeError();
      PatchFiles kinds = classifyPatchFiles(*parsed);
      if (!kinds.refusals.empty() || kinds.sources.size() != 1) {
        oneFile(f, "not a plain change of one .c file");
        continue;
      }
      auto p = planObjects(kinds, tree.configured(),
                           [this] { return includeGraph(); }, jobs, quiet);
      if (!p)
        return p.takeError();
      if (!p->refusals.empty()) {
        oneFile(f, "refused while choosing its objects");
        continue;
      }
      if (p->objects.empty()) {
        f.state = BatchFile::NotConfigured;
        continue;
      }
      bool plain = llvm::all_of(p->objects, [](const ObjectChoice &o) {
        return o.certain && !o.narrow && !o.linkerScript;
      });
      if (!plain) {
        oneFile(f, "other objects #include it, or its Makefile was not "
                   "read exactly");
        continue;
      }
      f.objects = p->objects;
      f.state = BatchFile::Ready;
      touched.insert(touched.end(), parsed->begin(), parsed->end());
      patchFiles[&f] = std::move(*parsed);
      for (const ObjectChoice &o : f.objects)
        owner[o.object] = &f;
    }
    return llvm::Error::success();
  }

  // Files not compiled are no longer candidates.
  void dropNotBuilt(const std::vector<std::string> &notBuilt,
                    const char *side) {
    for (const std::string &o : notBuilt)
      if (owner.count(o) && owner[o]->state == BatchFile::Ready)
        oneFile(*owner[o], std::string("'") + o + "' did not compile " + side);
  }

  std::vector<std::string> objectsOfCandidates() {
    std::vector<std::string> v;
    for (BatchFile *f : candidates())
      for (const ObjectChoice &o : f->objects)
        v.push_back(o.object);
    return v;
  }

  // The pre objects not in the cache, compiled from the pristine tree
  // into a new directory, then linked in (pre_cache.h): the cache holds
  // only whole objects of one configuration key.
  llvm::Error compilePre() {
    auto c = PreCache::open(preCacheDir(cacheDir), tree.configurationKey(),
                            tree.root());
    if (!c)
      return c.takeError();
    pre.emplace(std::move(*c));
    std::vector<std::string> missing;
    for (const std::string &o : objectsOfCandidates()) {
      if (pre->has(o))
        stats.preCached++;
      else
        missing.push_back(o);
    }
    return compileMissingPre(missing);
  }

  llvm::Error compileMissingPre(const std::vector<std::string> &missing) {
    progress("compiling " + std::to_string(missing.size()) +
             " objects before the changes (" +
             std::to_string(stats.preCached) + " kept from an earlier series" +
             (missing.empty() ? "" : ", " + compileEstimate(missing.size(), jobs)) +
             ")");
    auto start = std::chrono::steady_clock::now();
    std::string fresh = cacheDir + "/work/series-pre-new";
    auto keep = [&](const std::vector<std::string> &built) -> llvm::Error {
      for (const std::string &o : built)
        if (auto err = pre->keep(o, fresh + "/" + o))
          return err;
      return llvm::Error::success();
    };
    if (auto err = compileInChunks(missing, fresh, "before the changes", keep))
      return err;
    stats.preSeconds = secondsSince(start);
    return llvm::Error::success();
  }

  // Compiles OBJECTS into OUTDIR a chunk at a time and hands each chunk's
  // objects that compiled to KEEP, so that a run stopped midway keeps what
  // it finished (a chunk is some minutes of compiling; each make costs a
  // few seconds of kbuild's own).  An object that does not compile makes
  // its file go alone (SIDE says which).
  llvm::Error compileInChunks(
      const std::vector<std::string> &objects, const std::string &outDir,
      const char *side,
      llvm::function_ref<llvm::Error(const std::vector<std::string> &)> keep) {
    size_t chunk = kObjectsPerJobInChunk * std::max(1u, jobs);
    for (size_t begin = 0; begin < objects.size(); begin += chunk) {
      std::vector<std::string> part(
          objects.begin() + begin,
          objects.begin() + std::min(objects.size(), begin + chunk));
      std::error_code ec;
      fs::remove_all(outDir, ec);
      std::vector<std::string> notBuilt, built;
      std::set<std::string> all(part.begin(), part.end());
      if (auto err = tree.compile(part, outDir, all, &notBuilt))
        return err;
      dropNotBuilt(notBuilt, side);
      for (const std::string &o : part)
        if (!llvm::is_contained(notBuilt, o))
          built.push_back(o);
      if (auto err = keep(built))
        return err;
    }
    return llvm::Error::success();
  }

  llvm::Error applyAll() {
    layout = tree.layoutHeaders();
    progress("applying the changes of " + std::to_string(candidates().size()) +
             " files");
    for (BatchFile *f : candidates()) {
      if (auto err = tree.applyPatch(f->patch, patchFiles[f]))
        return fail("applying the change of '" + f->path +
                    "': " + llvm::toString(std::move(err)));
    }
    return llvm::Error::success();
  }

  // The post objects, each checked to have read no changed file but its
  // own .c; the layout headers must not have changed.  With a key (the
  // series' inputs, under --resume) they are kept in CACHE/series-post,
  // each with its .cmd file and symbol versions, so that a run stopped
  // before its files were built compiles only the rest.
  llvm::Error compilePost() {
    postObjects = objectsOfCandidates();
    stats.objects = postObjects.size();
    postDir = cacheDir + "/series-post";
    std::vector<std::string> built, missing;
    if (auto err = openKept(postDir, postKey))
      return err;
    for (const std::string &o : postObjects)
      (isKept(o) ? built : missing).push_back(o);
    stats.postKept = built.size();
    std::vector<std::string> notes;
    if (!built.empty())
      notes.push_back(std::to_string(built.size()) + " kept from an earlier run");
    if (!missing.empty())
      notes.push_back(compileEstimate(missing.size(), jobs));
    progress("compiling " + std::to_string(missing.size()) +
             " objects after the changes" +
             (notes.empty() ? "" : " (" + llvm::join(notes, ", ") + ")"));
    auto start = std::chrono::steady_clock::now();
    std::string fresh = cacheDir + "/work/series-post-new";
    auto keep = [&](const std::vector<std::string> &part) -> llvm::Error {
      if (auto err = keepPost(part, fresh))
        return err;
      built.insert(built.end(), part.begin(), part.end());
      return llvm::Error::success();
    };
    if (auto err = compileInChunks(missing, fresh, "after the changes", keep))
      return err;
    stats.postSeconds = secondsSince(start);
    checkDependencies(built);
    if (tree.layoutHeaders() != layout)
      for (BatchFile *f : candidates())
        oneFile(*f, "the changes together changed the layout headers");
    return llvm::Error::success();
  }

  // Whether post object O is kept whole (its .cmd copy is written last)
  // from the same change of its file: a tree changed in place under the
  // same path must not give its former objects.
  bool isKept(const std::string &o) {
    if (postKey.empty() || !fs::exists(postDir + "/" + depFilePath(o)))
      return false;
    std::string change;
    std::ifstream in(postDir + "/" + o + ".change");
    return std::getline(in, change) &&
           change == owner[o]->change;
  }

  // DIR emptied unless it holds objects kept under KEY ("": never kept).
  static llvm::Error openKept(const std::string &dir, const std::string &key) {
    std::string keyFile = dir + "/.key", old;
    if (std::ifstream in{keyFile})
      std::getline(in, old);
    if (!key.empty() && old == key)
      return llvm::Error::success();
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    if (!(std::ofstream(keyFile) << key << "\n"))
      return fail("cannot write '" + keyFile + "'");
    return llvm::Error::success();
  }

  // Moves OBJECTS from FRESH into postDir with their symbol versions, the
  // digest of their file's change and, last (it says the object is whole),
  // a copy of their .cmd file.
  llvm::Error keepPost(const std::vector<std::string> &objects,
                       const std::string &fresh) {
    if (auto err = saveSymbolVersions(tree, objects, fresh))
      return err;
    std::error_code ec;
    for (const std::string &o : objects) {
      fs::create_directories(fs::path(postDir + "/" + o).parent_path(), ec);
      fs::rename(fresh + "/" + o, postDir + "/" + o, ec);
      if (!ec)
        fs::rename(fresh + "/" + o + ".symvers", postDir + "/" + o + ".symvers",
                   ec);
      if (!ec && !(std::ofstream(postDir + "/" + o + ".change")
                   << owner[o]->change << "\n"))
        ec = std::make_error_code(std::errc::io_error);
      if (!ec)
        fs::copy_file(tree.root() + "/" + depFilePath(o),
                      postDir + "/" + depFilePath(o),
                      fs::copy_options::overwrite_existing, ec);
      if (ec)
        return fail("cannot keep '" + o + "' in '" + postDir +
                    "': " + ec.message());
    }
    return llvm::Error::success();
  }

  void checkDependencies(const std::vector<std::string> &built) {
    std::set<std::string> changed;
    for (BatchFile *f : candidates())
      changed.insert(f->path);
    for (const std::string &o : built) {
      BatchFile &f = *owner[o];
      if (f.state != BatchFile::Ready)
        continue;
      auto deps = readDepFile(postDir, o, tree.root());
      if (!deps) {
        oneFile(f, "no dependency list for '" + o + "'");
        continue;
      }
      for (const std::string &d : *deps)
        if (d != f.path && changed.count(d)) {
          oneFile(f, "'" + o + "' reads '" + d + "', changed too");
          break;
        }
    }
  }

  llvm::Error linkObjects() {
    for (BatchFile *f : candidates())
      for (const ObjectChoice &o : f->objects) {
        std::string before = f->work + "/pre/" + o.object;
        std::string post = f->work + "/post/" + o.object;
        if (auto err = linkFile(pre->path(o.object), before))
          return err;
        if (auto err = linkFile(postDir + "/" + o.object, post))
          return err;
        if (auto err = linkFile(postDir + "/" + o.object + ".symvers",
                                post + ".symvers"))
          return err;
      }
    return llvm::Error::success();
  }

  static double secondsSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
        .count();
  }

  // Objects per make of a batch, per job: about two minutes of compiling.
  static constexpr size_t kObjectsPerJobInChunk = 100;

  BuildTree &tree;
  std::vector<BatchFile> &files;
  const std::string &cacheDir, &source, &postKey;
  unsigned jobs;
  const Progress &progress;
  std::optional<IncludeGraph> graph;
  std::map<std::string, BatchFile *> owner;  // object -> its file
  std::vector<TouchedFile> touched;          // reverted at the end
  std::map<BatchFile *, std::vector<TouchedFile>> patchFiles; // parsed
  std::vector<std::string> postObjects;      // deleted at the end
  std::map<std::string, std::string> layout; // before the changes
  std::optional<PreCache> pre;               // CACHE/series-pre
  std::string postDir;
  BatchStats stats;
};
} // namespace

llvm::Expected<BatchStats> compileBatch(BuildTree &tree,
                                        std::vector<BatchFile> &files,
                                        const std::string &cacheDir,
                                        const std::string &source,
                                        const std::string &postKey,
                                        unsigned jobs,
                                        const Progress &progress) {
  return Batch(tree, files, cacheDir, source, postKey, jobs, progress).run();
}

} // namespace ksplice
