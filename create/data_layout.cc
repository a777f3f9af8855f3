//===- data_layout.cc - Structures whose layout a change alters -----------===//
#include "data_layout.h"
#include "process.h"

#include "llvm/Support/FileSystem.h"

namespace ksplice {

using llvm::StringRef;

static llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

// A type starts at column 0 ("struct name {", "union name {") and ends at
// the next line that starts with '}'.
std::map<std::string, std::string> layoutsOf(StringRef text) {
  std::map<std::string, std::string> types;
  std::string name, body;
  for (StringRef rest = text; !rest.empty();) {
    auto [line, tail] = rest.split('\n');
    rest = tail;
    if (name.empty()) {
      if ((line.startswith("struct ") || line.startswith("union ")) &&
          line.endswith(" {"))
        name = line.drop_back(2).str();
      continue;
    }
    body += line.str() + "\n";
    if (line.startswith("}")) {
      types.emplace(name, body);
      name.clear();
      body.clear();
    }
  }
  return types;
}

static llvm::Expected<std::map<std::string, std::string>>
paholeOf(const std::string &object) {
  // pahole says nothing, successfully, of a file it cannot open.
  if (!llvm::sys::fs::exists(object))
    return fail("cannot check the layouts of '" + object +
                "': no such file");
  Command cmd;
  cmd.argv = {"pahole", "-F", "dwarf", object};
  auto r = run(cmd);
  if (!r)
    return r.takeError();
  if (r->status != 0)
    return fail("pahole " + object + " failed: " + r->output);
  return layoutsOf(r->output);
}

llvm::Expected<std::vector<std::string>>
changedLayouts(const std::string &pre, const std::string &post) {
  auto before = paholeOf(pre);
  if (!before)
    return before.takeError();
  auto after = paholeOf(post);
  if (!after)
    return after.takeError();
  std::vector<std::string> changed;
  for (const auto &[name, text] : *before)
    if (auto it = after->find(name); it != after->end() && it->second != text)
      changed.push_back(name);
  return changed;
}

} // namespace ksplice
