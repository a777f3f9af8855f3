// Load-time references: the patch object's KlpRecords, and their conversion
// into the kernel's livepatch relocation sections (livepatch_relocs.h).
#include "test_util.h"

#include "livepatch_relocs.h"
#include "llvm/Object/ELF.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

using namespace ksplice;
using namespace ksplice::test;
using namespace llvm;
using ELFT = object::ELF64LE;

namespace {

const char *kSymvers = "0x1\t_printk\tvmlinux\tEXPORT_SYMBOL\n"
                       "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
                       "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n"
                       "0x4\tsource\tvmlinux\tEXPORT_SYMBOL\n";

std::vector<uint8_t> patchOf(const std::string &name) {
  Case c = runCase(name, kSymvers);
  EXPECT_TRUE(c.error.empty()) << c.error;
  PatchOptions opts;
  opts.unitName = name + ".o";
  auto bytes = writePatch(*c.diff, opts);
  EXPECT_TRUE(!!bytes);
  return bytes ? *bytes : std::vector<uint8_t>();
}

// A temporary file holding BYTES, removed with the object.
struct TempFile {
  std::string path;
  explicit TempFile(const std::vector<uint8_t> &bytes) {
    char tmpl[] = "/tmp/ksplice-klp-test.XXXXXX";
    int fd = mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, bytes.data(), bytes.size()), (ssize_t)bytes.size());
    close(fd);
    path = tmpl;
  }
  ~TempFile() { unlink(path.c_str()); }
};

struct Rela {
  std::string section; // the relocation section's name
  uint64_t flags;
  std::string target; // the section it applies to
  uint64_t offset;
  uint32_t type;
  int64_t addend;
  std::string sym;
  uint16_t symShndx;
  uint8_t symBind;
};

// Every relocation of the object, with its section's flags and symbol.
std::vector<Rela> relocationsOf(const std::vector<uint8_t> &bytes) {
  StringRef buf(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  auto file = cantFail(object::ELFFile<ELFT>::create(buf));
  auto sections = cantFail(file.sections());
  const ELFT::Shdr *symtab = nullptr;
  for (const auto &sh : sections)
    if (sh.sh_type == ELF::SHT_SYMTAB)
      symtab = &sh;
  auto syms = cantFail(file.symbols(symtab));
  StringRef strtab = cantFail(file.getStringTableForSymtab(*symtab));
  std::vector<Rela> out;
  for (const auto &sh : sections) {
    if (sh.sh_type != ELF::SHT_RELA)
      continue;
    std::string name = cantFail(file.getSectionName(sh)).str();
    std::string target =
        cantFail(file.getSectionName(sections[sh.sh_info])).str();
    for (const auto &r : cantFail(file.relas(sh))) {
      const auto &s = syms[r.getSymbol(false)];
      out.push_back({name, sh.sh_flags, target, r.r_offset, r.getType(false),
                     r.r_addend, cantFail(s.getName(strtab)).str(),
                     s.st_shndx, s.getBinding()});
    }
  }
  return out;
}

TEST(LoadTime, StaticKeyBecomesARecordNotARelocation) {
  std::vector<uint8_t> bytes = patchOf("jump-label-unexported");
  std::vector<Rela> rel = relocationsOf(bytes);
  int inTable = 0, where = 0, name = 0;
  for (const Rela &r : rel) {
    // The key field (entry +8) has no ordinary relocation: the module
    // loader would have to resolve an unexported name.
    if (r.target == "__jump_table" && r.offset == 8)
      ++inTable;
    if (r.target == kKlpRelocsSection && r.offset == 0) {
      ++where;
      EXPECT_EQ(r.type, ELF::R_X86_64_64);
      EXPECT_EQ(r.addend, 8); // __jump_table+8 (a section symbol)
    }
    if (r.target == kKlpRelocsSection && r.offset == 8) {
      ++name;
      EXPECT_EQ(r.addend, 0); // the first name in .ksplice.klp_names
    }
  }
  EXPECT_EQ(inTable, 0);
  EXPECT_EQ(where, 1);
  EXPECT_EQ(name, 1);
}

TEST(LoadTime, ConversionWritesTheKernelsLivepatchRelocations) {
  TempFile f(patchOf("jump-label-unexported"));
  auto names = convertLivepatchRelocs(f.path);
  ASSERT_TRUE(!!names) << toString(names.takeError());
  EXPECT_EQ(*names, Names{"private_key"});

  std::vector<Rela> rel = relocationsOf(readFile(f.path));
  std::vector<Rela> klp;
  for (const Rela &r : rel)
    if (StringRef(r.section).startswith(".klp.rela."))
      klp.push_back(r);
  ASSERT_EQ(klp.size(), 1u);
  const Rela &r = klp[0];
  EXPECT_EQ(r.section, ".klp.rela.vmlinux.__jump_table");
  EXPECT_EQ(r.target, "__jump_table");
  EXPECT_TRUE(r.flags & 0x00100000) << "SHF_RELA_LIVEPATCH";
  EXPECT_EQ(r.offset, 8u);
  EXPECT_EQ(r.type, ELF::R_X86_64_PC64); // .quad key + 1 - .
  EXPECT_EQ(r.addend, 1);
  EXPECT_EQ(r.sym, ".klp.sym.vmlinux.private_key,0");
  EXPECT_EQ(r.symShndx, 0xff20) << "SHN_LIVEPATCH";
  EXPECT_EQ(r.symBind, ELF::STB_GLOBAL);

  // A second conversion refuses.
  auto twice = convertLivepatchRelocs(f.path);
  ASSERT_FALSE(!!twice);
  EXPECT_NE(toString(twice.takeError()).find("already has livepatch"),
            std::string::npos);
}

TEST(LoadTime, ReplacementCallIsConverted) {
  TempFile f(patchOf("alternative-late-reloc"));
  auto names = convertLivepatchRelocs(f.path);
  ASSERT_TRUE(!!names) << toString(names.takeError());
  EXPECT_EQ(*names, Names{"hidden_a"});
  int found = 0;
  for (const Rela &r : relocationsOf(readFile(f.path)))
    if (r.section == ".klp.rela.vmlinux..altinstr_replacement") {
      ++found;
      EXPECT_EQ(r.type, ELF::R_X86_64_PLT32);
      EXPECT_EQ(r.sym, ".klp.sym.vmlinux.hidden_a,0");
    }
  EXPECT_EQ(found, 1);
}

TEST(LoadTime, NothingToConvertLeavesTheFile) {
  std::vector<uint8_t> bytes = patchOf("late-relocs");
  TempFile f(bytes);
  auto names = convertLivepatchRelocs(f.path);
  ASSERT_TRUE(!!names) << toString(names.takeError());
  EXPECT_TRUE(names->empty());
  EXPECT_EQ(readFile(f.path), bytes);
}

TEST(LoadTime, NonZeroFieldIsRefused) {
  std::vector<uint8_t> bytes = patchOf("jump-label-unexported");
  // Find the __jump_table key field and break it.
  StringRef buf(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  auto file = cantFail(object::ELFFile<ELFT>::create(buf));
  for (const auto &sh : cantFail(file.sections()))
    if (cantFail(file.getSectionName(sh)) == "__jump_table")
      bytes[sh.sh_offset + 8] = 1;
  TempFile f(bytes);
  auto names = convertLivepatchRelocs(f.path);
  ASSERT_FALSE(!!names);
  std::string msg = toString(names.takeError());
  EXPECT_NE(msg.find("(__jump_table+0x8): the field of the load-time "
                     "relocation to 'private_key' is not zero"),
            std::string::npos)
      << msg;
}

} // namespace
