// create_check: ksplice-create's object selection against the real tree.
//
//   create_check modules SRC CONFIG MODULES_ORDER
//     The modules ConfiguredObjects finds for CONFIG in the kernel source
//     SRC must be exactly those of the image's modules.order.
//   create_check deps TREE OBJECT...
//     For each OBJECT compiled in TREE (a prepared kernel tree such as
//     ksplice-create's farm), every file of the tree that its
//     .<object>.cmd says the compiler read must be one the include graph
//     reaches from its source: the graph never misses a real includer.
//   create_check config TREE CONFIG
//     TREE's configuration is the target's CONFIG (kconfig.h): the
//     differences, exit 1 if any.
//   create_check objects TREE
//     Lists the objects of the configured build of TREE: "object target".
//   create_check descent TREE [OBJECT...]
//     Writes into TREE (a prepared tree) the pruned descent that compiles
//     the OBJECTs (kbuild_descent.h) and prints the make arguments; then
//     lists the configured objects (all, or the OBJECTs) that kbuild's own
//     single-target build (make OBJECT) compiles in more than one
//     directory.
//   create_check sources SRC CONFIG FILE...
//     Where each .c FILE of the kernel source SRC ends up in the build
//     CONFIG configures, as ksplice-create chooses objects for a patch to
//     it: "FILE object OBJECT TARGET certain|guess" when it is an object,
//     "FILE included TARGET:OBJECT..." when it is not but configured
//     objects #include it, "FILE none" otherwise (scripts/bench-realworld.sh
//     makes its units from this).
#include "configured_objects.h"
#include "dep_file.h"
#include "include_graph.h"
#include "kbuild_descent.h"

#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

using namespace ksplice;

static std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

static int modules(const std::string &src, const std::string &config,
                   const std::string &order) {
  ConfiguredObjects c = ConfiguredObjects::read(src, parseKconfig(readText(config)));
  std::vector<std::string> mods = c.modules();
  std::set<std::string> found(mods.begin(), mods.end()), want;
  std::istringstream o(readText(order));
  for (std::string line; std::getline(o, line);) {
    std::string name = line.substr(line.rfind('/') + 1);
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".ko") == 0)
      name.resize(name.size() - 3);
    for (char &ch : name)
      if (ch == '-')
        ch = '_';
    want.insert(name);
  }
  int bad = 0;
  for (const std::string &m : want)
    if (!found.count(m)) {
      std::cout << "missing module: " << m << "\n";
      bad++;
    }
  for (const std::string &m : found)
    if (!want.count(m)) {
      std::cout << "extra module: " << m << "\n";
      bad++;
    }
  std::cout << "modules: " << found.size() << " found, " << want.size()
            << " in " << order << "; " << c.objectCount() << " objects in "
            << c.directoryCount() << " directories ("
            << c.uncertainDirectories().size() << " not read exactly)\n";
  return bad ? 1 : 0;
}

static int deps(const std::string &tree, const std::vector<std::string> &objs) {
  IncludeGraph::Options o;
  o.root = tree;
  o.jobs = 2;
  auto g = IncludeGraph::scan(o);
  if (!g) {
    std::cerr << llvm::toString(g.takeError()) << "\n";
    return 1;
  }
  int bad = 0;
  size_t checked = 0;
  for (const std::string &obj : objs) {
    std::string text = readText(tree + "/" + depFilePath(obj));
    std::string key = "source_" + obj + " := ";
    size_t at = text.find(key);
    auto list = parseDepFile(text, obj, tree);
    if (at == std::string::npos || !list) {
      std::cout << obj << ": no dependency file\n";
      bad++;
      continue;
    }
    std::string src = text.substr(at + key.size());
    src = src.substr(0, src.find('\n'));
    std::vector<std::string> r = g->reachableFrom(src);
    std::set<std::string> reach(r.begin(), r.end());
    for (const std::string &d : *list) {
      if (d.empty() || d[0] == '/' || !g->contains(d))
        continue; // outside the tree (the compiler's own headers)
      checked++;
      if (!reach.count(d)) {
        std::cout << obj << ": read " << d << ", which the include graph "
                  << "does not reach from " << src << "\n";
        bad++;
      }
    }
  }
  std::cout << "deps: " << objs.size() << " objects, " << checked
            << " files the compiler read, " << bad << " missed\n";
  return bad ? 1 : 0;
}

// The directories in which `make OBJECT` compiles OBJECT: from the top,
// Makefile.build passes a goal to every subdirectory whose path is a
// prefix of it, and compiles it where none is.
static void singleTargetBuilders(const ConfiguredObjects &c,
                                 const std::string &dir,
                                 const std::string &object,
                                 std::vector<std::string> &out) {
  bool passed = false;
  for (const std::string &s : c.subdirectories(dir))
    if (object.compare(0, s.size() + 1, s + "/") == 0) {
      passed = true;
      singleTargetBuilders(c, s, object, out);
    }
  if (!passed)
    out.push_back(dir.empty() ? "." : dir);
}

static int descent(const std::string &tree, std::vector<std::string> objs) {
  ConfiguredObjects c =
      ConfiguredObjects::read(tree, parseKconfig(readText(tree + "/.config")));
  if (!objs.empty()) {
    auto args = writeDescent(planDescent(c, objs), tree);
    if (!args) {
      std::cerr << llvm::toString(args.takeError()) << "\n";
      return 1;
    }
    for (const std::string &a : *args)
      std::cout << a << "\n";
  } else {
    for (auto &[o, k] : c.objects())
      objs.push_back(o);
  }
  size_t twice = 0;
  for (const std::string &o : objs) {
    std::vector<std::string> where;
    singleTargetBuilders(c, "", o, where);
    if (where.size() < 2)
      continue;
    twice++;
    std::cout << "make " << o << " compiles it in:";
    for (const std::string &w : where)
      std::cout << " " << w;
    std::cout << " (its Makefile: " << c.makefileDir(o) << ")\n";
  }
  std::cout << "descent: " << objs.size() << " objects, " << twice
            << " that kbuild's single-target build compiles more than once\n";
  return 0;
}

static int config(const std::string &tree, const std::string &target) {
  std::vector<std::string> diffs =
      configDifferences(parseKconfig(readText(target)),
                        parseKconfig(readText(tree + "/.config")));
  for (const std::string &d : diffs)
    std::cout << d << "\n";
  std::cout << "config: " << diffs.size() << " differences\n";
  return diffs.empty() ? 0 : 1;
}

static int objects(const std::string &tree) {
  ConfiguredObjects c =
      ConfiguredObjects::read(tree, parseKconfig(readText(tree + "/.config")));
  for (auto &[o, k] : c.objects())
    if (k.certain)
      std::cout << o << " " << k.target << "\n";
  return 0;
}

static std::string objectOf(const std::string &src) {
  return src.substr(0, src.rfind('.')) + ".o";
}

static int sources(const std::string &src, const std::string &config,
                   const std::vector<std::string> &files) {
  ConfiguredObjects c = ConfiguredObjects::read(src, parseKconfig(readText(config)));
  std::optional<IncludeGraph> graph;
  for (const std::string &f : files) {
    if (auto k = c.lookup(objectOf(f))) {
      std::cout << f << " object " << objectOf(f) << " " << k->target
                << (k->certain ? " certain" : " guess") << "\n";
      continue;
    }
    if (!graph) {
      IncludeGraph::Options o;
      o.root = src;
      o.jobs = 2;
      auto g = IncludeGraph::scan(o);
      if (!g) {
        std::cerr << llvm::toString(g.takeError()) << "\n";
        return 1;
      }
      graph = std::move(*g);
    }
    std::string line;
    for (const std::string &u : graph->unitsIncluding({f})) {
      if (u == f)
        continue;
      if (auto k = c.lookup(objectOf(u)))
        line += " " + k->target + ":" + objectOf(u);
    }
    std::cout << f << (line.empty() ? " none" : " included" + line) << "\n";
  }
  return 0;
}

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 4 && args[0] == "modules")
    return modules(args[1], args[2], args[3]);
  if (args.size() >= 3 && args[0] == "deps")
    return deps(args[1], {args.begin() + 2, args.end()});
  if (args.size() == 3 && args[0] == "config")
    return config(args[1], args[2]);
  if (args.size() == 2 && args[0] == "objects")
    return objects(args[1]);
  if (args.size() >= 2 && args[0] == "descent")
    return descent(args[1], {args.begin() + 2, args.end()});
  if (args.size() >= 3 && args[0] == "sources")
    return sources(args[1], args[2], {args.begin() + 3, args.end()});
  std::cerr << "usage: create_check modules SRC CONFIG MODULES_ORDER\n"
               "       create_check deps TREE OBJECT...\n"
               "       create_check config TREE CONFIG\n"
               "       create_check objects TREE\n"
               "       create_check descent TREE [OBJECT...]\n"
               "       create_check sources SRC CONFIG FILE...\n";
  return 2;
}
