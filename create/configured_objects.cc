//===- configured_objects.cc - What kbuild builds for a configuration -----===//
#include "configured_objects.h"
#include "kbuild_makefile.h"

#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

using llvm::StringRef;

static std::optional<std::string> readText(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// DIR/WORD as a path inside the tree ("" for the top), or nullopt when it
// leaves the tree.
static std::optional<std::string> inTree(const std::string &dir,
                                         StringRef word) {
  fs::path p = (dir.empty() ? fs::path(word.str()) : fs::path(dir) / word.str())
                   .lexically_normal();
  std::string s = p.generic_string();
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  if (s == ".")
    return std::string();
  if (s.empty() || StringRef(s).startswith("..") || StringRef(s).startswith("/"))
    return std::nullopt;
  return s;
}

static std::string moduleName(StringRef object) {
  StringRef base = object;
  size_t slash = base.rfind('/');
  if (slash != StringRef::npos)
    base = base.drop_front(slash + 1);
  std::string name = base.drop_back(2).str(); // ".o"
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

ConfiguredObjects
ConfiguredObjects::read(const std::string &root,
                        const std::map<std::string, std::string> &config,
                        const std::string &arch) {
  ConfiguredObjects out;
  KbuildMakefile::Reader reader = [&](const std::string &rel) {
    return readText(fs::path(root) / rel);
  };

  // The architecture's Makefile: core-y, libs-y, drivers-y for the top
  // Kbuild's $(ARCH_CORE) $(ARCH_LIB) $(ARCH_DRIVERS), and BITS.
  std::map<std::string, std::string> base = {
      {"srctree", "."}, {"objtree", "."}, {"SRCARCH", arch},
      {"ARCH", arch},   {"SUBARCH", arch}};
  bool topUncertain = false;
  // The directories of libs-y (lib/, arch/x86/lib/): only their lib.a is
  // linked into vmlinux (KBUILD_VMLINUX_LIBS).
  std::set<std::string> libDirs;
  {
    std::map<std::string, std::string> vars = base;
    vars["core-y"] = "";
    vars["drivers-y"] = "";
    vars["libs-y"] = "lib/";
    KbuildMakefile mk(vars, &config, reader);
    if (auto text = reader("arch/" + arch + "/Makefile"))
      mk.eval(*text);
    else
      topUncertain = true;
    MakeValue core = mk.value("core-y"), libs = mk.value("libs-y"),
              drivers = mk.expand("$(drivers-y) $(drivers-m)"),
              bits = mk.value("BITS");
    std::string lib;
    for (const std::string &w : libs.words())
      if (StringRef(w).endswith("/")) {
        lib += w + " ";
        if (auto d = inTree("", StringRef(w).drop_back()))
          libDirs.insert(*d);
      }
    base["ARCH_CORE"] = core.text;
    base["ARCH_LIB"] = lib;
    base["ARCH_DRIVERS"] = drivers.text;
    topUncertain |= core.uncertain || libs.uncertain || drivers.uncertain;
    if (!bits.uncertain && !bits.text.empty())
      base["BITS"] = StringRef(bits.text).trim().str();
  }

  std::deque<std::string> work = {""};
  out.dirs_[""] = Dir{true, topUncertain};
  while (!work.empty()) {
    std::string dir = work.front();
    work.pop_front();
    Dir &d = out.dirs_[dir];
    bool builtin = d.builtin;

    std::map<std::string, std::string> vars = base;
    vars["src"] = vars["obj"] = dir.empty() ? "." : dir;
    KbuildMakefile mk(vars, &config, reader);
    fs::path p = fs::path(root) / dir;
    auto text = readText(p / "Kbuild");
    if (!text)
      text = readText(p / "Makefile");
    if (!text) {
      d.uncertain = true;
      continue;
    }
    mk.eval(*text);
    bool uncertain = mk.incomplete();

    // "obj-$(call ...)": a list whose configuration is not known counts as
    // built in (and uncertain); so does a composite "foo-?".
    std::vector<std::string> unknownLists;
    for (const std::string &v : mk.assigned())
      if (v.find(kUnknownWord) != std::string::npos)
        unknownLists.push_back(v);

    auto listWords = [&](const std::string &var, bool &u) {
      MakeValue v = mk.value(var);
      u |= v.uncertain;
      std::vector<std::string> w;
      for (const std::string &x : v.words()) {
        if (x.find(kUnknownWord) != std::string::npos)
          u = true;
        else
          w.push_back(x);
      }
      return w;
    };
    bool yU = false, mU = false, libU = false, extraU = false;
    std::vector<std::string> objY = listWords("obj-y", yU);
    std::vector<std::string> objM = listWords("obj-m", mU);
    for (const std::string &v : unknownLists)
      if (StringRef(v).startswith("obj-")) {
        std::vector<std::string> w = listWords(v, yU);
        yU = true;
        objY.insert(objY.end(), w.begin(), w.end());
      }
    std::vector<std::string> libY = listWords("lib-y", libU);
    std::vector<std::string> libM = listWords("lib-m", libU);
    libY.insert(libY.end(), libM.begin(), libM.end());
    std::vector<std::string> extraY = listWords("extra-y", extraU);
    uncertain |= yU || mU || libU;
    std::set<std::string> inY(objY.begin(), objY.end());

    // kbuild's subdir-ym: subdir-y, subdir-m and the directories of obj-y
    // and obj-m (those of lists the evaluator cannot read included).
    std::set<std::string> subdirs;
    bool subU = false;
    std::vector<std::string> named = listWords("subdir-y", subU);
    std::vector<std::string> namedM = listWords("subdir-m", subU);
    named.insert(named.end(), namedM.begin(), namedM.end());
    for (const std::vector<std::string> *list : {&objY, &objM})
      for (const std::string &w : *list)
        if (StringRef(w).endswith("/"))
          named.push_back(w);
    for (const std::string &w : named)
      if (auto path = inTree(dir, StringRef(w).rtrim('/')))
        if (!path->empty())
          subdirs.insert(*path);
    d.subdirs.assign(subdirs.begin(), subdirs.end());

    // The parts of composite NAME.o (kbuild's suffix-search), or nullopt
    // for a primitive object.
    auto composite = [&](StringRef word, bool module, bool &u)
        -> std::optional<std::vector<std::string>> {
      std::string stem = word.drop_back(2).str();
      std::vector<std::string> suffixes = {"-objs", "-y"};
      if (module)
        suffixes.push_back("-m");
      bool is = mk.isDefined(stem + "-") || mk.isDefined(stem + "-?");
      std::vector<std::string> parts;
      for (const std::string &s : suffixes)
        if (mk.isDefined(stem + s)) {
          is = true;
          std::vector<std::string> w = listWords(stem + s, u);
          parts.insert(parts.end(), w.begin(), w.end());
        }
      if (mk.isDefined(stem + "-?")) {
        u = true;
        std::vector<std::string> w = listWords(stem + "-?", u);
        parts.insert(parts.end(), w.begin(), w.end());
      }
      if (!is)
        return std::nullopt;
      return parts;
    };

    auto addObject = [&](StringRef word, const std::string &target, bool cert) {
      auto path = inTree(dir, word);
      if (!path)
        return;
      auto it = out.objects_.find(*path);
      // Built in wins over a module; certain wins over a guess.
      if (it != out.objects_.end() &&
          (it->second.target == "vmlinux" ||
           (it->second.certain && !cert)))
        return;
      out.objects_[*path] = KbuildObject{target, cert, dir};
    };

    auto visitSubdir = [&](StringRef word, bool subBuiltin, bool u) {
      auto path = inTree(dir, word.drop_back());
      if (!path || path->empty())
        return;
      auto it = out.dirs_.find(*path);
      if (it == out.dirs_.end()) {
        out.dirs_[*path] = Dir{subBuiltin, u, dir, {}};
        work.push_back(*path);
      } else if (subBuiltin && !it->second.builtin) {
        it->second.builtin = true; // revisit: its obj-y objects count now
        work.push_back(*path);
      }
    };

    for (int list = 0; list < 2; list++) {
      bool module = list == 1;
      bool listU = module ? mU : yU;
      for (const std::string &w : module ? objM : objY) {
        StringRef word(w);
        if (module && inY.count(w))
          continue; // built in and modular: only the built-in one is built
        if (word.endswith("/")) {
          visitSubdir(word, builtin && !module, listU);
          continue;
        }
        if (!word.endswith(".o"))
          continue;
        if (!module && !builtin)
          continue; // built into a built-in.a nobody links
        std::string target = module ? moduleName(word) : "vmlinux";
        bool partsU = false;
        auto parts = composite(word, module, partsU);
        uncertain |= partsU;
        if (!parts) {
          addObject(word, target, !listU);
          continue;
        }
        for (const std::string &part : *parts)
          if (StringRef(part).endswith(".o"))
            addObject(part, target, !listU && !partsU);
      }
    }
    if (builtin) {
      if (libDirs.count(dir))
        for (const std::string &w : libY)
          if (StringRef(w).endswith(".o"))
            addObject(w, "vmlinux", !libU);
      for (const std::string &w : extraY) {
        if (StringRef(w).endswith(".o"))
          addObject(w, "vmlinux", !extraU);
        else if (StringRef(w).endswith(".lds"))
          if (auto p = inTree(dir, w))
            out.linkerScripts_.push_back(*p);
      }
    }
    out.dirs_[dir].uncertain |= uncertain;
  }
  std::sort(out.linkerScripts_.begin(), out.linkerScripts_.end());
  out.linkerScripts_.erase(
      std::unique(out.linkerScripts_.begin(), out.linkerScripts_.end()),
      out.linkerScripts_.end());
  return out;
}

std::optional<KbuildObject>
ConfiguredObjects::lookup(const std::string &object) const {
  auto it = objects_.find(object);
  if (it != objects_.end())
    return it->second;
  // Not named by any list: not built, unless the nearest directory kbuild
  // reaches could not be read exactly.
  fs::path dir = fs::path(object).parent_path();
  for (;;) {
    auto d = dirs_.find(dir.generic_string());
    if (d != dirs_.end()) {
      if (!d->second.uncertain)
        return std::nullopt;
      return KbuildObject{d->second.builtin ? "vmlinux"
                                            : moduleName(object),
                          false, d->first};
    }
    if (dir.empty())
      return std::nullopt;
    dir = dir.parent_path();
  }
}

std::string ConfiguredObjects::makefileDir(const std::string &target) const {
  auto it = objects_.find(target);
  if (it != objects_.end())
    return it->second.dir;
  for (fs::path dir = fs::path(target).parent_path();;
       dir = dir.parent_path()) {
    if (dirs_.count(dir.generic_string()) || dir.empty())
      return dir.generic_string();
  }
}

std::vector<std::string>
ConfiguredObjects::descent(const std::string &dir) const {
  std::vector<std::string> chain;
  std::set<std::string> seen;
  for (std::string d = dir; seen.insert(d).second;) {
    chain.push_back(d);
    auto it = dirs_.find(d);
    if (d.empty() || it == dirs_.end())
      break;
    d = it->second.parent;
  }
  if (!chain.back().empty())
    chain.push_back("");
  std::reverse(chain.begin(), chain.end());
  return chain;
}

const std::vector<std::string> &
ConfiguredObjects::subdirectories(const std::string &dir) const {
  static const std::vector<std::string> none;
  auto it = dirs_.find(dir);
  return it == dirs_.end() ? none : it->second.subdirs;
}

std::vector<std::string> ConfiguredObjects::uncertainDirectories() const {
  std::vector<std::string> out;
  for (auto &[name, d] : dirs_)
    if (d.uncertain)
      out.push_back(name.empty() ? "." : name);
  return out;
}

std::vector<std::string> ConfiguredObjects::modules() const {
  std::set<std::string> mods;
  for (auto &[path, o] : objects_)
    if (o.target != "vmlinux" && o.certain)
      mods.insert(o.target);
  return {mods.begin(), mods.end()};
}

} // namespace ksplice
