//===- data_layout.cc - Structures whose layout a change alters -----------===//
#include "data_layout.h"
#include "error.h"
#include "process.h"

#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"

#include <algorithm>

namespace ksplice {

using llvm::StringRef;

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

static bool isWordChar(char c) { return isalnum(uint8_t(c)) || c == '_'; }

// The words and punctuation of a C declaration as pahole prints it.
static std::vector<StringRef> tokensOf(StringRef decl) {
  std::vector<StringRef> tokens;
  while (!(decl = decl.ltrim()).empty()) {
    size_t n = 1;
    if (isWordChar(decl[0]))
      n = decl.find_if_not(isWordChar);
    tokens.push_back(decl.take_front(n));
    decl = decl.drop_front(n);
  }
  return tokens;
}

// The member a declaration names: its last word before a bit-field width,
// an array's bounds, attributes or the ';' ("" for "struct {").
static StringRef memberName(StringRef decl) {
  decl = decl.take_front(decl.find_first_of(";:["));
  decl = decl.take_front(decl.find("__attribute__"));
  std::vector<StringRef> t = tokensOf(decl);
  if (t.empty() || !isWordChar(t.back()[0]) || t.back() == "struct" ||
      t.back() == "union" || t.back() == "enum")
    return "";
  return t.back();
}

std::string layoutShapeOf(StringRef line) {
  line = line.trim();
  std::string shape;
  size_t open = line.find("/*");
  StringRef decl = line.take_front(open);
  if (open != StringRef::npos) {
    StringRef comment = line.drop_front(open + 2);
    for (StringRef word : llvm::split(comment.take_front(comment.find("*/")), ' '))
      if (!word.empty())
        shape += word.str() + " ";
  }
  // A function pointer: its name and return type, not its parameters.
  if (size_t fn = decl.find("(*"); fn != StringRef::npos) {
    shape += "fn " + decl.drop_front(fn + 2).take_while(isWordChar).str() + " ";
    decl = decl.take_front(fn);
  } else if (StringRef name = memberName(decl); !name.empty()) {
    shape += name.str() + " ";
  }
  std::vector<StringRef> t = tokensOf(decl);
  for (size_t i = 0; i < t.size(); ++i) {
    StringRef word = t[i], next = i + 1 < t.size() ? t[i + 1] : "";
    if ((word == "struct" || word == "union" || word == "enum") &&
        !next.empty() && isWordChar(next[0])) {
      shape += word.str() + " " + next.str() + " ";
      ++i;
    } else if (word == "*" || word == "{" || word == "}" ||
               ((word == "struct" || word == "union") && next == "{")) {
      shape += word.str() + " ";
    } else if (word == ":" && !next.empty() && isdigit(uint8_t(next[0]))) {
      shape += ":" + next.str() + " ";
      ++i;
    } else if (word == "__aligned__" && next == "(" && i + 2 < t.size()) {
      shape += "aligned " + t[i + 2].str() + " ";
      i += 2;
    }
  }
  return shape;
}

// A type's text as the shapes of its lines.
static std::string layoutShape(StringRef text) {
  std::string shape;
  for (StringRef line : llvm::split(text, '\n'))
    if (!line.trim().empty())
      shape += layoutShapeOf(line) + "\n";
  return shape;
}

// Each structure and union of OBJECT's debug information, as its shape.
static llvm::Expected<std::map<std::string, std::string>>
shapesOf(const std::string &object) {
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
  std::map<std::string, std::string> shapes = layoutsOf(r->output);
  for (auto &[name, text] : shapes)
    text = layoutShape(text);
  return shapes;
}

llvm::Expected<std::map<std::string, std::map<std::string, uint64_t>>>
enumsOf(const std::string &object) {
  auto file = llvm::object::ObjectFile::createObjectFile(object);
  if (!file)
    return fail("cannot read the debug information of '" + object +
                "': " + llvm::toString(file.takeError()));
  std::unique_ptr<llvm::DWARFContext> dwarf =
      llvm::DWARFContext::create(*file->getBinary());
  std::map<std::string, std::map<std::string, uint64_t>> enums;
  for (const auto &unit : dwarf->compile_units())
    for (const llvm::DWARFDebugInfoEntry &entry : unit->dies()) {
      llvm::DWARFDie die(unit.get(), &entry);
      if (die.getTag() != llvm::dwarf::DW_TAG_enumeration_type)
        continue;
      const char *name = die.getShortName();
      if (!name || !*name)
        continue;  // anonymous: its enumerators are plain constants
      auto &values = enums["enum " + std::string(name)];
      for (llvm::DWARFDie e : die.children()) {
        if (e.getTag() != llvm::dwarf::DW_TAG_enumerator || !e.getShortName())
          continue;
        auto v = e.find(llvm::dwarf::DW_AT_const_value);
        if (!v)
          continue;
        if (auto u = v->getAsUnsignedConstant())
          values[e.getShortName()] = *u;
        else if (auto i = v->getAsSignedConstant())
          values[e.getShortName()] = uint64_t(*i);
      }
    }
  return enums;
}

// An enumerator both sides name with another value.
static bool valuesDiffer(const std::map<std::string, uint64_t> &a,
                         const std::map<std::string, uint64_t> &b) {
  for (const auto &[name, value] : a)
    if (auto it = b.find(name); it != b.end() && it->second != value)
      return true;
  return false;
}

llvm::Expected<std::vector<std::string>>
changedLayouts(const std::string &pre, const std::string &post) {
  auto before = shapesOf(pre);
  if (!before)
    return before.takeError();
  auto after = shapesOf(post);
  if (!after)
    return after.takeError();
  std::vector<std::string> changed;
  for (const auto &[name, shape] : *before)
    if (auto it = after->find(name); it != after->end() && it->second != shape)
      changed.push_back(name);
  auto enumsBefore = enumsOf(pre);
  if (!enumsBefore)
    return enumsBefore.takeError();
  auto enumsAfter = enumsOf(post);
  if (!enumsAfter)
    return enumsAfter.takeError();
  for (const auto &[name, values] : *enumsBefore)
    if (auto it = enumsAfter->find(name);
        it != enumsAfter->end() && valuesDiffer(values, it->second))
      changed.push_back(name);
  return changed;
}

} // namespace ksplice
