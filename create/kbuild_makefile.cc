//===- kbuild_makefile.cc - Evaluate one kbuild Makefile -------------------===//
#include "kbuild_makefile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <set>

namespace ksplice {

using llvm::StringRef;

static constexpr unsigned kMaxDepth = 40;

std::vector<std::string> MakeValue::words() const {
  std::vector<std::string> out;
  llvm::SmallVector<StringRef, 16> parts;
  StringRef(text).split(parts, ' ', -1, false);
  for (StringRef p : parts) {
    llvm::SmallVector<StringRef, 4> sub;
    p.split(sub, '\t', -1, false);
    for (StringRef s : sub)
      if (!s.trim().empty())
        out.push_back(s.trim().str());
  }
  return out;
}

static std::vector<std::string> splitWords(StringRef s) {
  return MakeValue{s.str(), false}.words();
}

static std::string joinWords(const std::vector<std::string> &words) {
  std::string out;
  for (const std::string &w : words) {
    if (!out.empty())
      out += ' ';
    out += w;
  }
  return out;
}

// The index of the parenthesis closing the one at OPEN, or npos.
static size_t matchingClose(StringRef s, size_t open) {
  char o = s[open], c = o == '(' ? ')' : '}';
  int depth = 0;
  for (size_t i = open; i < s.size(); i++) {
    if (s[i] == o)
      depth++;
    else if (s[i] == c && --depth == 0)
      return i;
  }
  return StringRef::npos;
}

// Splits S at its top-level commas, at most MAX pieces (the last takes the
// rest, commas and all).
static std::vector<StringRef> splitArgs(StringRef s, size_t max) {
  std::vector<StringRef> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); i++) {
    char ch = s[i];
    if (ch == '(' || ch == '{')
      depth++;
    else if (ch == ')' || ch == '}')
      depth--;
    else if (ch == ',' && depth == 0 && out.size() + 1 < max) {
      out.push_back(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push_back(s.drop_front(start));
  return out;
}

// make's pattern match: PAT has at most one '%', matching any stem.
static bool patternMatch(StringRef pat, StringRef word, StringRef *stem) {
  size_t pct = pat.find('%');
  if (pct == StringRef::npos) {
    if (stem)
      *stem = StringRef();
    return pat == word;
  }
  StringRef pre = pat.take_front(pct), post = pat.drop_front(pct + 1);
  if (word.size() < pre.size() + post.size() || !word.startswith(pre) ||
      !word.endswith(post))
    return false;
  if (stem)
    *stem = word.slice(pre.size(), word.size() - post.size());
  return true;
}

static std::string patSubst(StringRef pat, StringRef repl, StringRef text) {
  std::vector<std::string> out;
  size_t rpct = repl.find('%');
  for (const std::string &w : splitWords(text)) {
    StringRef stem;
    if (!patternMatch(pat, w, &stem)) {
      out.push_back(w);
      continue;
    }
    if (pat.find('%') == StringRef::npos || rpct == StringRef::npos)
      out.push_back(repl.str());
    else
      out.push_back(repl.take_front(rpct).str() + stem.str() +
                    repl.drop_front(rpct + 1).str());
  }
  return joinWords(out);
}

KbuildMakefile::KbuildMakefile(std::map<std::string, std::string> vars,
                               const std::map<std::string, std::string> *config,
                               Reader reader)
    : config_(config), reader_(std::move(reader)) {
  for (auto &[k, v] : vars)
    vars_[k] = Var{v, false, false};
}

bool KbuildMakefile::isDefined(const std::string &var) const {
  if (vars_.count(var))
    return true;
  return StringRef(var).startswith("CONFIG_") && config_ &&
         config_->count(var);
}

std::vector<std::string> KbuildMakefile::assigned() const {
  std::vector<std::string> out;
  for (auto &kv : vars_)
    out.push_back(kv.first);
  return out;
}

MakeValue KbuildMakefile::value(const std::string &var) const {
  MakeValue v;
  if (!isDefined(var))
    return v;
  v.text = readVar(var, v.uncertain, 0);
  return v;
}

MakeValue KbuildMakefile::expand(StringRef text) const {
  MakeValue v;
  expandInto(text, v.text, v.uncertain, 0);
  return v;
}

std::string KbuildMakefile::readVar(const std::string &name, bool &uncertain,
                                    unsigned depth) const {
  for (auto it = loopVars_.rbegin(); it != loopVars_.rend(); ++it)
    if (it->first == name)
      return it->second;
  auto it = vars_.find(name);
  if (it != vars_.end()) {
    uncertain |= it->second.uncertain;
    if (!it->second.recursive)
      return it->second.value;
    std::string out;
    expandInto(it->second.value, out, uncertain, depth + 1);
    return out;
  }
  if (name.find(kUnknownWord) != std::string::npos) {
    uncertain = true;
    return kUnknownWord;
  }
  if (StringRef(name).startswith("CONFIG_")) {
    if (config_) {
      auto c = config_->find(name);
      if (c != config_->end())
        return c->second;
    }
    return "";
  }
  // A lower-case name is the Makefile's own (sfp-obj-m, foo-objs): not
  // assigned, it is empty.  An upper-case one may come from the kbuild
  // machinery or the parent make (CC, KBUILD_EXTMOD): not known here.
  if (llvm::none_of(name, [](char c) { return c >= 'a' && c <= 'z'; })) {
    uncertain = true;
    return kUnknownWord;
  }
  return "";
}

void KbuildMakefile::expandInto(StringRef text, std::string &out,
                                bool &uncertain, unsigned depth) const {
  if (depth > kMaxDepth) {
    uncertain = true;
    out += kUnknownWord;
    return;
  }
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 >= text.size())
      break;
    char n = text[i + 1];
    if (n == '$') {
      out += '$';
      i++;
      continue;
    }
    if (n == '(' || n == '{') {
      size_t close = matchingClose(text, i + 1);
      if (close == StringRef::npos) {
        uncertain = true;
        out += kUnknownWord;
        return;
      }
      out += expandRef(text.slice(i + 2, close), uncertain, depth + 1);
      i = close;
      continue;
    }
    out += readVar(std::string(1, n), uncertain, depth + 1);
    i++;
  }
}

static const std::set<std::string> &knownFunctions() {
  static const std::set<std::string> fns = {
      // supported
      "subst", "patsubst", "addprefix", "addsuffix", "filter", "filter-out",
      "strip", "sort", "firstword", "lastword", "notdir", "dir", "basename",
      "suffix", "if", "or", "and", "foreach",
      // recognised, not evaluated: the value is uncertain
      "shell", "call", "wildcard", "eval", "origin", "flavor", "value",
      "realpath", "abspath", "file", "word", "words", "wordlist", "join",
      "info", "warning", "error", "guile"};
  return fns;
}

std::string KbuildMakefile::expandRef(StringRef ref, bool &uncertain,
                                      unsigned depth) const {
  size_t sp = ref.find_first_of(" \t");
  if (sp != StringRef::npos && knownFunctions().count(ref.take_front(sp).str()))
    return callFunction(ref.take_front(sp), ref.drop_front(sp + 1).ltrim(),
                        uncertain, depth);
  // A substitution reference $(var:a=b): a top-level ':' then '='.
  int nest = 0;
  for (size_t i = 0; i < ref.size(); i++) {
    char ch = ref[i];
    if (ch == '(' || ch == '{')
      nest++;
    else if (ch == ')' || ch == '}')
      nest--;
    else if (ch == ':' && nest == 0) {
      StringRef rest = ref.drop_front(i + 1);
      size_t eq = rest.find('=');
      if (eq == StringRef::npos)
        break;
      std::string name, from, to;
      expandInto(ref.take_front(i), name, uncertain, depth + 1);
      expandInto(rest.take_front(eq), from, uncertain, depth + 1);
      expandInto(rest.drop_front(eq + 1), to, uncertain, depth + 1);
      std::string val = readVar(StringRef(name).trim().str(), uncertain, depth);
      if (from.find('%') == std::string::npos) {
        from = "%" + from;
        to = "%" + to;
      }
      return patSubst(from, to, val);
    }
  }
  std::string name;
  expandInto(ref, name, uncertain, depth + 1);
  return readVar(StringRef(name).trim().str(), uncertain, depth);
}

std::string KbuildMakefile::callFunction(StringRef name, StringRef args,
                                         bool &uncertain,
                                         unsigned depth) const {
  auto arg = [&](StringRef a) {
    std::string out;
    expandInto(a, out, uncertain, depth + 1);
    return out;
  };
  auto words = [&](StringRef a) { return splitWords(arg(a)); };
  if (name == "subst" || name == "patsubst") {
    auto a = splitArgs(args, 3);
    if (a.size() != 3) {
      uncertain = true;
      return kUnknownWord;
    }
    std::string from = arg(a[0]), to = arg(a[1]), text = arg(a[2]);
    if (name == "patsubst")
      return patSubst(StringRef(from).trim(), StringRef(to).trim(), text);
    if (from.empty())
      return text;
    std::string out;
    for (size_t pos = 0;;) {
      size_t hit = text.find(from, pos);
      if (hit == std::string::npos) {
        out += text.substr(pos);
        break;
      }
      out += text.substr(pos, hit - pos) + to;
      pos = hit + from.size();
    }
    return out;
  }
  if (name == "addprefix" || name == "addsuffix") {
    auto a = splitArgs(args, 2);
    if (a.size() != 2) {
      uncertain = true;
      return kUnknownWord;
    }
    std::string fix = arg(a[0]);
    std::vector<std::string> out;
    for (const std::string &w : words(a[1]))
      out.push_back(name == "addprefix" ? fix + w : w + fix);
    return joinWords(out);
  }
  if (name == "filter" || name == "filter-out") {
    auto a = splitArgs(args, 2);
    if (a.size() != 2) {
      uncertain = true;
      return kUnknownWord;
    }
    std::vector<std::string> pats = words(a[0]), out;
    for (const std::string &w : words(a[1])) {
      bool hit = llvm::any_of(
          pats, [&](const std::string &p) { return patternMatch(p, w, nullptr); });
      if (hit == (name == "filter"))
        out.push_back(w);
    }
    return joinWords(out);
  }
  if (name == "strip")
    return joinWords(words(args));
  if (name == "sort") {
    std::vector<std::string> w = words(args);
    std::sort(w.begin(), w.end());
    w.erase(std::unique(w.begin(), w.end()), w.end());
    return joinWords(w);
  }
  if (name == "firstword" || name == "lastword") {
    std::vector<std::string> w = words(args);
    if (w.empty())
      return "";
    return name == "firstword" ? w.front() : w.back();
  }
  if (name == "notdir" || name == "dir" || name == "basename" ||
      name == "suffix") {
    std::vector<std::string> out;
    for (const std::string &w : words(args)) {
      StringRef s(w);
      size_t slash = s.rfind('/');
      StringRef file = slash == StringRef::npos ? s : s.drop_front(slash + 1);
      size_t dot = file.rfind('.');
      if (name == "notdir")
        out.push_back(file.str());
      else if (name == "dir")
        out.push_back(slash == StringRef::npos ? "./"
                                               : s.take_front(slash + 1).str());
      else if (name == "basename")
        out.push_back(dot == StringRef::npos
                          ? w
                          : s.take_front(s.size() - file.size() + dot).str());
      else if (dot != StringRef::npos)
        out.push_back(file.drop_front(dot).str());
    }
    return joinWords(out);
  }
  if (name == "if") {
    auto a = splitArgs(args, 3);
    bool condUncertain = false;
    std::string cond;
    expandInto(a[0], cond, condUncertain, depth + 1);
    std::string then = a.size() > 1 ? arg(a[1]) : "";
    std::string otherwise = a.size() > 2 ? arg(a[2]) : "";
    if (condUncertain) {
      uncertain = true;
      return then + " " + otherwise;
    }
    return StringRef(cond).trim().empty() ? otherwise : then;
  }
  if (name == "or" || name == "and") {
    std::string last;
    for (StringRef a : splitArgs(args, ~size_t(0))) {
      bool u = false;
      std::string v;
      expandInto(a, v, u, depth + 1);
      if (u) {
        uncertain = true;
        return kUnknownWord;
      }
      bool empty = StringRef(v).trim().empty();
      if (name == "or" && !empty)
        return v;
      if (name == "and" && empty)
        return "";
      last = v;
    }
    return name == "or" ? "" : last;
  }
  if (name == "foreach") {
    auto a = splitArgs(args, 3);
    if (a.size() != 3) {
      uncertain = true;
      return kUnknownWord;
    }
    std::string var = StringRef(arg(a[0])).trim().str();
    std::vector<std::string> out;
    for (const std::string &w : words(a[1])) {
      loopVars_.push_back({var, w});
      std::string v;
      expandInto(a[2], v, uncertain, depth + 1);
      loopVars_.pop_back();
      out.push_back(v);
    }
    return joinWords(out);
  }
  uncertain = true; // shell, call, wildcard, ...
  return kUnknownWord;
}

bool KbuildMakefile::active() const {
  return llvm::all_of(conds_, [](const Cond &c) { return c.state != Cond::False; });
}

KbuildMakefile::Cond::State KbuildMakefile::test(StringRef directive,
                                                 StringRef args) const {
  args = args.trim();
  if (directive == "ifdef" || directive == "ifndef") {
    MakeValue name = expand(args);
    if (name.uncertain)
      return Cond::Unknown;
    std::string n = StringRef(name.text).trim().str();
    bool set = false;
    auto it = vars_.find(n);
    if (it != vars_.end())
      set = !StringRef(it->second.value).trim().empty();
    else if (StringRef(n).startswith("CONFIG_") && config_)
      set = config_->count(n) && !config_->at(n).empty();
    return set == (directive == "ifdef") ? Cond::True : Cond::False;
  }
  // ifeq (a,b) | ifeq "a" "b" | ifeq 'a' 'b'
  StringRef a, b;
  if (args.startswith("(") && args.endswith(")")) {
    auto parts = splitArgs(args.drop_front().drop_back(), 2);
    if (parts.size() != 2)
      return Cond::Unknown;
    a = parts[0];
    b = parts[1];
  } else if (!args.empty() && (args[0] == '"' || args[0] == '\'')) {
    size_t end1 = args.find(args[0], 1);
    if (end1 == StringRef::npos)
      return Cond::Unknown;
    a = args.slice(1, end1);
    StringRef rest = args.drop_front(end1 + 1).trim();
    if (rest.size() < 2 || (rest[0] != '"' && rest[0] != '\'') ||
        rest.back() != rest[0])
      return Cond::Unknown;
    b = rest.drop_front().drop_back();
  } else {
    return Cond::Unknown;
  }
  MakeValue x = expand(a), y = expand(b);
  if (x.uncertain || y.uncertain)
    return Cond::Unknown;
  bool eq = StringRef(x.text).trim() == StringRef(y.text).trim();
  return eq == (directive == "ifeq") ? Cond::True : Cond::False;
}

void KbuildMakefile::eval(StringRef text) { evalText(text, 0); }

// Joins continuation lines; each logical line goes to evalLine.
void KbuildMakefile::evalText(StringRef text, unsigned depth) {
  std::string logical;
  while (!text.empty()) {
    StringRef line;
    std::tie(line, text) = text.split('\n');
    if (line.endswith("\r"))
      line = line.drop_back();
    size_t bs = 0;
    while (bs < line.size() && line[line.size() - 1 - bs] == '\\')
      bs++;
    if (bs % 2 == 1) {
      logical += (logical.empty() ? line : line.ltrim()).drop_back().str();
      logical += ' ';
      continue;
    }
    logical += (logical.empty() ? line : line.ltrim()).str();
    evalLine(logical, depth);
    logical.clear();
  }
  if (!logical.empty())
    evalLine(logical, depth);
}

// The text of LINE before its comment ('#' not escaped as "\#").
static StringRef stripComment(StringRef line) {
  for (size_t i = 0; i < line.size(); i++)
    if (line[i] == '#' && (i == 0 || line[i - 1] != '\\'))
      return line.take_front(i);
  return line;
}

void KbuildMakefile::evalLine(StringRef raw, unsigned depth) {
  if (inDefine_) {
    StringRef t = raw.trim();
    if (t == "endef" || t.startswith("endef ") || t.startswith("endef\t"))
      inDefine_ = false;
    return;
  }
  if (raw.startswith("\t") && inRecipe_)
    return;
  StringRef line = stripComment(raw).trim();
  if (line.empty())
    return;
  StringRef word = line.take_until([](char c) { return c == ' ' || c == '\t'; });
  StringRef rest = line.drop_front(word.size()).ltrim();

  // Conditionals are tracked even inside inactive branches.
  if (word == "ifeq" || word == "ifneq" || word == "ifdef" || word == "ifndef") {
    if (!active()) {
      conds_.push_back({Cond::False, true});
      return;
    }
    Cond::State s = test(word, rest);
    conds_.push_back({s, s == Cond::True});
    return;
  }
  if (word == "else") {
    if (conds_.empty())
      return;
    Cond &c = conds_.back();
    bool parentActive = true;
    for (size_t i = 0; i + 1 < conds_.size(); i++)
      parentActive &= conds_[i].state != Cond::False;
    StringRef inner = rest.take_until([](char ch) { return ch == ' ' || ch == '\t'; });
    Cond::State next = Cond::True;
    if (inner == "ifeq" || inner == "ifneq" || inner == "ifdef" ||
        inner == "ifndef")
      next = parentActive ? test(inner, rest.drop_front(inner.size()))
                          : Cond::False;
    if (c.seenTrue || !parentActive)
      next = Cond::False;
    else if (c.state == Cond::Unknown && next == Cond::True)
      next = Cond::Unknown; // the earlier branch may have been taken
    c.state = next;
    c.seenTrue |= next == Cond::True;
    return;
  }
  if (word == "endif") {
    if (!conds_.empty())
      conds_.pop_back();
    return;
  }
  if (!active())
    return;
  if (!raw.startswith("\t"))
    inRecipe_ = false;

  if (word == "define") {
    inDefine_ = true;
    return;
  }
  if (word == "endef" || word == "vpath" || word == "unexport")
    return;
  if (word == "include" || word == "-include" || word == "sinclude") {
    MakeValue files = expand(rest);
    if (files.uncertain && word == "include")
      incomplete_ = true;
    for (std::string f : files.words()) {
      while (StringRef(f).startswith("./"))
        f = f.substr(2);
      std::optional<std::string> text;
      if (reader_ && f != kUnknownWord && depth < 8)
        text = reader_(f);
      if (!text) {
        if (word == "include")
          incomplete_ = true;
        continue;
      }
      evalText(*text, depth + 1);
    }
    return;
  }
  if (word == "export" || word == "override" || word == "private") {
    if (rest.empty())
      return;
    line = rest;
  }

  // Find the assignment operator (or the ':' of a rule) at the top level.
  int nest = 0;
  size_t opPos = StringRef::npos, opLen = 0;
  char kind = 0; // '=', ':', '+', '?', '!'
  for (size_t i = 0; i < line.size(); i++) {
    char ch = line[i];
    if (ch == '(' || ch == '{') {
      nest++;
      continue;
    }
    if (ch == ')' || ch == '}') {
      nest--;
      continue;
    }
    if (nest)
      continue;
    if (ch == ':') {
      if (line.drop_front(i).startswith("::=")) {
        opPos = i, opLen = 3, kind = ':';
      } else if (line.drop_front(i).startswith(":=")) {
        opPos = i, opLen = 2, kind = ':';
      } else {
        inRecipe_ = true; // a rule (or a target-specific variable)
        return;
      }
      break;
    }
    if (ch == '=') {
      char prev = i ? line[i - 1] : 0;
      if (prev == '+' || prev == '?' || prev == '!')
        opPos = i - 1, opLen = 2, kind = prev;
      else
        opPos = i, opLen = 1, kind = '=';
      break;
    }
  }
  if (opPos == StringRef::npos) {
    // $(eval ...) (in a foreach) may assign anything; it matters when it
    // could assign an object list (CFLAGS_$(file) = ... does not).
    if ((line.contains("$(eval") || line.contains("${eval")) &&
        (line.contains("obj-") || line.contains("lib-") ||
         line.contains("-y") || line.contains("-m") ||
         line.contains("-objs") || line.contains("$(call")))
      incomplete_ = true;
    return;
  }
  MakeValue lhs = expand(line.take_front(opPos));
  std::string name = StringRef(lhs.text).trim().str();
  if (name.empty())
    return;
  StringRef rhs = line.drop_front(opPos + opLen).ltrim();
  switch (kind) {
  case '=':
    vars_[name] = Var{rhs.str(), true, false};
    break;
  case ':': {
    MakeValue v = expand(rhs);
    vars_[name] = Var{v.text, false, v.uncertain};
    break;
  }
  case '?':
    if (!vars_.count(name))
      vars_[name] = Var{rhs.str(), true, false};
    break;
  case '!':
    vars_[name] = Var{kUnknownWord, false, true};
    break;
  case '+': {
    auto it = vars_.find(name);
    if (it == vars_.end()) {
      vars_[name] = Var{rhs.str(), true, false};
    } else if (it->second.recursive) {
      it->second.value += " " + rhs.str();
    } else {
      MakeValue v = expand(rhs);
      it->second.value += " " + v.text;
      it->second.uncertain |= v.uncertain;
    }
    break;
  }
  }
}

} // namespace ksplice
