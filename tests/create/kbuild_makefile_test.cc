// KbuildMakefile: the subset of GNU make kbuild object lists use, and
// uncertainty (never a guess) for the rest.
#include "kbuild_makefile.h"

#include <gtest/gtest.h>

using namespace ksplice;

namespace {

struct Eval {
  std::map<std::string, std::string> config = {{"CONFIG_Y", "y"},
                                               {"CONFIG_M", "m"},
                                               {"CONFIG_STR", "\"abc\""}};
  std::map<std::string, std::string> files;
  KbuildMakefile mk;
  explicit Eval(const std::string &text,
                std::map<std::string, std::string> vars = {{"obj", "d"}},
                std::map<std::string, std::string> inc = {})
      : files(std::move(inc)),
        mk(std::move(vars), &config, [this](const std::string &p) {
          auto it = files.find(p);
          return it == files.end() ? std::nullopt
                                   : std::optional<std::string>(it->second);
        }) {
    mk.eval(text);
  }
  std::string operator[](const std::string &v) const { return mk.value(v).text; }
  bool uncertain(const std::string &v) const { return mk.value(v).uncertain; }
};

TEST(KbuildMakefile, ConfigSuffixes) {
  Eval e("obj-$(CONFIG_Y) += a.o\n"
         "obj-$(CONFIG_M) += b.o\n"
         "obj-$(CONFIG_OFF) += c.o\n"
         "obj-y += d.o\n");
  EXPECT_EQ(e["obj-y"], "a.o d.o");
  EXPECT_EQ(e["obj-m"], "b.o");
  EXPECT_EQ(e["obj-"], "c.o");
  EXPECT_FALSE(e.uncertain("obj-y"));
}

TEST(KbuildMakefile, Flavors) {
  Eval e("a = $(b) x\n"
         "s := $(b) x\n"
         "b = late\n"
         "a += more\n"
         "s += $(b)\n"
         "q ?= first\n"
         "q ?= second\n");
  EXPECT_EQ(e["a"], "late x more"); // recursive: expanded when read
  EXPECT_EQ(e["s"], " x late");     // simple: expanded when assigned
  EXPECT_EQ(e["q"], "first");
}

TEST(KbuildMakefile, ContinuationsAndComments) {
  Eval e("proc-y := a.o \\\n"
         "\tb.o \\\n"
         "   c.o # not d.o\n"
         "# proc-y += e.o\n");
  EXPECT_EQ(e.mk.value("proc-y").words(),
            (std::vector<std::string>{"a.o", "b.o", "c.o"}));
}

TEST(KbuildMakefile, Conditionals) {
  Eval e("ifdef CONFIG_Y\n"
         "obj-y += y.o\n"
         "else\n"
         "obj-y += not-y.o\n"
         "endif\n"
         "ifeq ($(CONFIG_M),y)\n"
         "obj-y += m-is-y.o\n"
         "else ifeq ($(CONFIG_M),m)\n"
         "obj-y += m-is-m.o\n"
         "else\n"
         "obj-y += m-is-other.o\n"
         "endif\n"
         "ifneq ($(CONFIG_OFF),)\n"
         "obj-y += off.o\n"
         "  ifdef CONFIG_Y\n"
         "  obj-y += nested-in-false.o\n"
         "  endif\n"
         "endif\n"
         "ifndef CONFIG_OFF\n"
         "\tobj-y += tab-indented.o\n"
         "endif\n"
         "ifeq \"$(CONFIG_STR)\" \"\"abc\"\"\n"
         "endif\n");
  EXPECT_EQ(e["obj-y"], "y.o m-is-m.o tab-indented.o");
}

TEST(KbuildMakefile, UnknownConditionTakesBothBranches) {
  Eval e("ifeq ($(shell uname),Linux)\n"
         "obj-y += a.o\n"
         "else\n"
         "obj-y += b.o\n"
         "endif\n");
  EXPECT_EQ(e["obj-y"], "a.o b.o");
}

TEST(KbuildMakefile, Functions) {
  Eval e("x := $(subst m,y,$(CONFIG_M))\n"
         "p := $(patsubst %.c,%.o,a.c b.c c.h)\n"
         "r := $(CONFIG_M:m=y)\n"
         "files := a.o b.o\n"
         "s := $(files:.o=.s)\n"
         "pre := $(addprefix sub/,$(files))\n"
         "f := $(filter %.o,$(files) x.c)\n"
         "fo := $(filter-out a.o,$(files))\n"
         "srt := $(sort c b a b)\n"
         "fe := $(foreach f,$(files),lib-$(f))\n"
         "i := $(if $(CONFIG_Y),yes,no) $(if $(CONFIG_OFF),yes,no)\n"
         "nd := $(notdir sub/x.o) $(basename sub/x.o) $(dir sub/x.o)\n"
         "obj-$(x) += hv/\n");
  EXPECT_EQ(e["x"], "y");
  EXPECT_EQ(e["p"], "a.o b.o c.h");
  EXPECT_EQ(e["r"], "y");
  EXPECT_EQ(e["s"], "a.s b.s");
  EXPECT_EQ(e["pre"], "sub/a.o sub/b.o");
  EXPECT_EQ(e["f"], "a.o b.o");
  EXPECT_EQ(e["fo"], "b.o");
  EXPECT_EQ(e["srt"], "a b c");
  EXPECT_EQ(e["fe"], "lib-a.o lib-b.o");
  EXPECT_EQ(e["i"], "yes no");
  EXPECT_EQ(e["nd"], "x.o sub/x sub/");
  EXPECT_EQ(e["obj-y"], "hv/");
}

TEST(KbuildMakefile, ComputedNames) {
  Eval e("proc-y := nommu.o\n"
         "proc-$(CONFIG_Y) := mmu.o\n"
         "sfp-obj-$(CONFIG_Y) += sfp-bus.o\n"
         "obj-y += $(sfp-obj-y) $(sfp-obj-m)\n");
  EXPECT_EQ(e["proc-y"], "mmu.o");
  EXPECT_EQ(e.mk.value("obj-y").words(), (std::vector<std::string>{"sfp-bus.o"}));
  // An undefined lower-case variable is the Makefile's own: empty, certain.
  EXPECT_FALSE(e.uncertain("obj-y"));
}

TEST(KbuildMakefile, UnknownsAreUncertain) {
  Eval e("obj-y += a.o $(call cc-option,x.o)\n"
         "obj-m += $(shell ls *.o)\n"
         "obj-$(KBUILD_SOMETHING) += b.o\n"
         "lib-y += $(FROM_THE_PARENT)\n"
         "ok-y := $(obj)/x.o\n");
  EXPECT_TRUE(e.uncertain("obj-y"));
  EXPECT_TRUE(e.uncertain("obj-m"));
  EXPECT_TRUE(e.uncertain("lib-y"));
  EXPECT_EQ(e["obj-?"], "b.o"); // configuration not known
  EXPECT_FALSE(e.uncertain("ok-y"));
  EXPECT_EQ(e["ok-y"], "d/x.o");
}

TEST(KbuildMakefile, RulesRecipesAndDefinesAreSkipped) {
  Eval e("$(obj)/x.c: $(src)/gen.sh\n"
         "\tobj-y += recipe.o\n"
         "obj-y += real.o\n"
         "define cmd_thing\n"
         "  obj-y += in-define.o\n"
         "endef\n"
         "foo.o: CFLAGS += -O0\n"
         "export KBUILD_X := 1\n"
         "obj-y += after.o\n");
  EXPECT_EQ(e["obj-y"], "real.o after.o");
  EXPECT_EQ(e["KBUILD_X"], "1");
}

TEST(KbuildMakefile, Includes) {
  Eval e("include $(srctree)/d/Makefile.inc\n"
         "-include $(srctree)/d/missing\n"
         "obj-y += b.o\n",
         {{"srctree", "."}, {"obj", "d"}},
         {{"d/Makefile.inc", "obj-y += a.o\n"}});
  EXPECT_EQ(e["obj-y"], "a.o b.o");
  EXPECT_FALSE(e.mk.incomplete());
  Eval missing("include $(srctree)/d/missing\n", {{"srctree", "."}});
  EXPECT_TRUE(missing.mk.incomplete());
}

TEST(KbuildMakefile, EvalOfObjectListsIsIncomplete) {
  Eval flags("$(foreach f,a.o,$(eval CFLAGS_$(f) = -I x))\n");
  EXPECT_FALSE(flags.mk.incomplete());
  Eval objs("$(foreach f,a,$(eval obj-y += $(f).o))\n");
  EXPECT_TRUE(objs.mk.incomplete());
}

} // namespace
