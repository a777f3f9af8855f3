//===- kbuild_makefile.h - Evaluate one kbuild Makefile --------------------===//
//
// Enough of GNU make to read the object lists of a kbuild Makefile (obj-y,
// obj-m, lib-y, composite foo-y/foo-objs, subdirectories) under a kernel
// configuration, without running make:
//
//   * assignments =, :=, ::=, +=, ?= with make's recursive and simple
//     flavors (a recursive variable is expanded when read);
//   * $(VAR), ${VAR}, $(VAR:a=b), computed names ($(proc-$(CONFIG_MMU)));
//   * the text functions object lists use: subst, patsubst, addprefix,
//     addsuffix, filter, filter-out, strip, sort, firstword, lastword,
//     notdir, dir, basename, suffix, if, or, and, foreach;
//   * ifeq/ifneq/ifdef/ifndef/else/endif, include/-include/sinclude;
//   * line continuations, comments, rule and recipe lines (skipped),
//     define...endef blocks (skipped).
//
// Nothing is guessed: a construct outside that subset ($(shell), $(call),
// $(wildcard), $(eval), an upper-case variable the Makefile does not
// assign and that is not a CONFIG_ symbol (CC, KBUILD_EXTMOD: the kbuild
// machinery's), an include that cannot be read) expands to the marker "?" and
// makes the value *uncertain*; a conditional whose test is uncertain takes
// both branches.  Callers must read uncertainty as "may be built".
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_KBUILD_MAKEFILE_H
#define KSPLICE_CREATE_KBUILD_MAKEFILE_H

#include "llvm/ADT/StringRef.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ksplice {

/// The text an unsupported construct expands to.
inline constexpr const char *kUnknownWord = "?";

struct MakeValue {
  std::string text;
  bool uncertain = false;
  /// The whitespace-separated words of TEXT.
  std::vector<std::string> words() const;
};

class KbuildMakefile {
public:
  /// Reads an included file by the path the Makefile names (relative to
  /// the tree, "./" stripped); nullopt when there is none.
  using Reader = std::function<std::optional<std::string>(const std::string &)>;

  /// VARS are simple variables defined before the Makefile (obj, src,
  /// srctree, SRCARCH, ...); CONFIG are the configuration's symbols
  /// (CONFIG_X -> "y"), read for any CONFIG_ variable the Makefile does
  /// not assign.  A CONFIG_ symbol absent from CONFIG is empty, as in
  /// kbuild's auto.conf.
  KbuildMakefile(std::map<std::string, std::string> vars,
                 const std::map<std::string, std::string> *config,
                 Reader reader = nullptr);

  /// Evaluates TEXT (a whole Makefile) on top of what was evaluated before.
  void eval(llvm::StringRef text);

  /// VAR fully expanded.  An undefined variable is empty (and certain: the
  /// Makefile does not have it) -- ask isDefined first when that matters.
  MakeValue value(const std::string &var) const;
  bool isDefined(const std::string &var) const;
  /// Every variable the Makefile assigned, in name order.
  std::vector<std::string> assigned() const;
  /// Whether a directive was not understood (an include that cannot be
  /// read, $(eval) at top level, ...): the variables may be incomplete.
  bool incomplete() const { return incomplete_; }

  /// Expands TEXT in the Makefile's current state.
  MakeValue expand(llvm::StringRef text) const;

private:
  struct Var {
    std::string value;
    bool recursive = false;
    bool uncertain = false; // a simple variable expanded with unknowns
  };
  struct Cond {
    enum State { True, False, Unknown } state;
    bool seenTrue; // some branch of the chain was certainly taken
  };

  void evalText(llvm::StringRef text, unsigned depth);
  void evalLine(llvm::StringRef line, unsigned depth);
  bool active() const;
  Cond::State test(llvm::StringRef directive, llvm::StringRef args) const;
  void expandInto(llvm::StringRef text, std::string &out, bool &uncertain,
                  unsigned depth) const;
  std::string expandRef(llvm::StringRef ref, bool &uncertain,
                        unsigned depth) const;
  std::string callFunction(llvm::StringRef name, llvm::StringRef args,
                           bool &uncertain, unsigned depth) const;
  std::string readVar(const std::string &name, bool &uncertain,
                      unsigned depth) const;

  std::map<std::string, Var> vars_;
  const std::map<std::string, std::string> *config_;
  Reader reader_;
  std::vector<Cond> conds_;
  bool inRecipe_ = false, inDefine_ = false, incomplete_ = false;
  // foreach loop variables, innermost last (mutable: bound while expanding)
  mutable std::vector<std::pair<std::string, std::string>> loopVars_;
};

} // namespace ksplice

#endif
