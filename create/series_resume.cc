//===- series_resume.cc - What an interrupted series already built --------===//
#include "series_resume.h"
#include "error.h"
#include "update_package.h"

#include "sha256.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

static const char kInputs[] = "inputs";

// A record's value on one line: backslash and newline escaped.
static std::string escape(const std::string &s) {
  std::string out;
  for (char c : s)
    out += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : std::string(1, c);
  return out;
}

static std::string unescape(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++)
    if (s[i] == '\\' && i + 1 < s.size())
      out += s[++i] == 'n' ? '\n' : s[i];
    else
      out += s[i];
  return out;
}

// Everything a file's result depends on besides its own diff (series_resume.h).
static llvm::Expected<std::string> inputsDigest(const SeriesCreateOptions &o) {
  Sha256 h;
  if (auto err = hashFile(h, "ksplice-create", "/proc/self/exe"))
    return std::move(err);
  if (auto err = hashPackagingInputs(h, o.base.dataDir))
    return std::move(err);
  std::error_code ec;
  for (const std::string &p : {o.base.source, o.newSource})
    h.update(fs::absolute(p, ec).lexically_normal().string() + "\n");
  h.update(o.from + "\n" + o.to + "\n");
  std::vector<std::string> files = {o.base.config,
                                    o.base.headers + "/Module.symvers"};
  for (const std::string &k :
       {o.base.signing.packageKey, o.base.signing.moduleKey,
        o.base.signing.moduleCert})
    if (!k.empty())
      files.push_back(k);
  for (const std::string &f : files)
    if (auto err = hashFile(h, f, f))
      return std::move(err);
  return h.finishHex();
}

llvm::Expected<SeriesRecords> SeriesRecords::open(const SeriesCreateOptions &o,
                                                  size_t &kept) {
  SeriesRecords r;
  r.outputDir = o.outputDir;
  r.dir = o.outputDir + "/results";
  auto inputs = inputsDigest(o);
  if (!inputs)
    return inputs.takeError();
  r.digest = *inputs;
  kept = 0;
  std::error_code ec;
  auto earlier = readFile(r.dir + "/" + kInputs, "the inputs of a series");
  bool same = earlier && llvm::StringRef(*earlier).trim() == r.digest;
  if (!earlier)
    llvm::consumeError(earlier.takeError());
  if (o.resume && same) {
    for (const auto &e : fs::directory_iterator(r.dir, ec))
      kept += e.path().filename() != kInputs &&
              e.path().filename().string()[0] != '.';
    return r;
  }
  fs::remove_all(r.dir, ec);
  fs::create_directories(r.dir, ec);
  if (ec || !(std::ofstream(r.dir + "/" + kInputs) << r.digest << "\n"))
    return fail("cannot write '" + r.dir + "/" + kInputs + "'");
  return r;
}

// "OBJECT TARGET N" of a record's "functions" line.
static SeriesFileResult::ObjectFunctions objectFunctions(llvm::StringRef v) {
  SeriesFileResult::ObjectFunctions o;
  auto [object, rest] = v.split(' ');
  auto [target, n] = rest.split(' ');
  o.object = object.str();
  o.target = target.str();
  o.functions = std::strtoull(n.str().c_str(), nullptr, 10);
  return o;
}

std::string changeDigest(const std::string &patch) { return sha256Hex(patch); }

bool SeriesRecords::restore(const std::string &stem, SeriesFileResult &f,
                            const std::string &change,
                            const std::vector<std::string> &members) const {
  std::ifstream in(dir + "/" + stem);
  std::string line;
  SeriesFileResult r;
  r.path = f.path;
  r.id = f.id;
  r.includers = f.includers;
  std::vector<std::string> theirMembers;
  bool samePath = false, sameChange = false;
  int fate = -1;
  while (std::getline(in, line)) {
    auto [key, value] = llvm::StringRef(line).split(' ');
    if (key == "path")
      samePath = value == f.path;
    else if (key == "change")
      sameChange = value == change;
    else if (key == "fate")
      fate = std::atoi(value.str().c_str());
    else if (key == "id")
      r.id = value.str();
    else if (key == "package")
      r.package = value.str();
    else if (key == "why")
      r.why = unescape(value.str());
    else if (key == "replaced")
      r.replaced = std::strtoull(value.str().c_str(), nullptr, 10);
    else if (key == "refused")
      r.refusedFunctions = std::strtoull(value.str().c_str(), nullptr, 10);
    else if (key == "object")
      r.objects.push_back(value.str());
    else if (key == "functions")
      r.byObject.push_back(objectFunctions(value));
    else if (key == "patch")
      r.patch = value.str();
    else if (key == "member")
      theirMembers.push_back(value.str());
  }
  if (!samePath || !sameChange || theirMembers != members ||
      fate < SeriesFileResult::Update ||
      fate > SeriesFileResult::Error)
    return false;
  r.fate = SeriesFileResult::Fate(fate);
  if (r.fate == SeriesFileResult::Update &&
      !fs::is_regular_file(outputDir + "/" + r.package))
    return false;
  f = std::move(r);
  return true;
}

llvm::Error SeriesRecords::save(const std::string &stem,
                                const SeriesFileResult &f,
                                const std::string &change,
                                const std::vector<std::string> &members) const {
  std::ostringstream out;
  out << "path " << f.path << "\nchange " << change << "\nfate "
      << int(f.fate) << "\n";
  if (!f.package.empty())
    out << "id " << f.id << "\npackage " << f.package << "\n";
  if (!f.why.empty())
    out << "why " << escape(f.why) << "\n";
  out << "replaced " << f.replaced << "\nrefused " << f.refusedFunctions
      << "\n";
  for (const std::string &o : f.objects)
    out << "object " << o << "\n";
  for (const SeriesFileResult::ObjectFunctions &o : f.byObject)
    out << "functions " << o.object << " " << o.target << " " << o.functions
        << "\n";
  if (!f.patch.empty())
    out << "patch " << f.patch << "\n";
  for (const std::string &m : members)
    out << "member " << m << "\n";
  std::string tmp = dir + "/." + stem;
  if (!(std::ofstream(tmp) << out.str()))
    return fail("cannot write '" + tmp + "'");
  std::error_code ec;
  fs::rename(tmp, dir + "/" + stem, ec);
  if (ec)
    return fail("cannot write '" + dir + "/" + stem + "': " + ec.message());
  return llvm::Error::success();
}

} // namespace ksplice
