// Bad input: every malformed object is a clear error, never a crash.
#include "test_util.h"

#include "llvm/Object/ELF.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace ksplice;
using namespace ksplice::test;
using namespace llvm;
using ELFT = object::ELF64LE;

namespace {

std::string bytesOf(const std::string &caseName) {
  std::vector<uint8_t> v = readFile(casePath(caseName, "pre"));
  return std::string(v.begin(), v.end());
}

std::string parseError(const std::string &bytes) {
  auto obj = ObjectFile::parse(bytes, "bad.o");
  if (obj)
    return "";
  return toString(obj.takeError());
}

// Offset in the file of the section header table entry for NAME.
const ELFT::Shdr *findShdr(const std::string &bytes, const std::string &name) {
  auto file = cantFail(object::ELFFile<ELFT>::create(bytes));
  for (const auto &sh : cantFail(file.sections()))
    if (cantFail(file.getSectionName(sh)) == name)
      return &sh;
  return nullptr;
}

TEST(BadInput, EveryTruncationIsAnError) {
  std::string full = bytesOf("late-relocs");
  ASSERT_GT(full.size(), 1000u);
  ASSERT_EQ(parseError(full), "");
  // The section header table is at the end: every proper prefix must fail.
  for (size_t n = 0; n < full.size(); ++n) {
    std::string msg = parseError(full.substr(0, n));
    ASSERT_FALSE(msg.empty()) << "prefix of " << n << " bytes accepted";
    ASSERT_EQ(msg.rfind("bad.o: ", 0), 0u) << msg;
  }
}

TEST(BadInput, WrongArchitecture) {
  std::string b = bytesOf("reloc-only");
  uint16_t aarch64 = 183;
  std::memcpy(&b[18], &aarch64, 2);
  EXPECT_EQ(parseError(b), "bad.o: unsupported machine 183 (only x86-64)");
  std::string c = bytesOf("reloc-only");
  c[4] = 1; // ELFCLASS32
  EXPECT_EQ(parseError(c), "bad.o: not a 64-bit little-endian ELF file");
  EXPECT_EQ(parseError("hello world, not an object"),
            "bad.o: not an ELF file");
}

TEST(BadInput, RelocationSymbolOutOfRange) {
  std::string b = bytesOf("reloc-only");
  const ELFT::Shdr *rela = findShdr(b, ".rela.text.foo");
  ASSERT_TRUE(rela);
  uint64_t off = rela->sh_offset + 8; // r_info of the first entry
  uint64_t info;
  std::memcpy(&info, &b[off], 8);
  info = (info & 0xffffffffu) | (uint64_t(0x7fff) << 32);
  std::memcpy(&b[off], &info, 8);
  EXPECT_NE(parseError(b).find(
                "bad.o:(.text.foo+0x1): relocation symbol index 32767 out of "
                "range"),
            std::string::npos)
      << parseError(b);
}

TEST(BadInput, RelocationOutsideItsSection) {
  std::string b = bytesOf("reloc-only");
  const ELFT::Shdr *rela = findShdr(b, ".rela.text.foo");
  ASSERT_TRUE(rela);
  uint64_t bad = 0x10000;
  std::memcpy(&b[rela->sh_offset], &bad, 8);
  EXPECT_EQ(parseError(b),
            "bad.o: bad.o:(.text.foo+0x10000): relocation outside its "
            "section");
}

TEST(BadInput, SymbolSectionOutOfRange) {
  std::string b = bytesOf("reloc-only");
  const ELFT::Shdr *symtab = findShdr(b, ".symtab");
  ASSERT_TRUE(symtab);
  uint64_t count = symtab->sh_size / sizeof(ELFT::Sym);
  ASSERT_GT(count, 2u);
  // The last symbol; st_shndx is at offset 6.
  uint64_t off = symtab->sh_offset + (count - 1) * sizeof(ELFT::Sym) + 6;
  uint16_t shndx = 0xfe00;
  std::memcpy(&b[off], &shndx, 2);
  std::string msg = parseError(b);
  EXPECT_NE(msg.find("section index 65024 out of range"), std::string::npos)
      << msg;
}

// Found by the fuzzer: two globals with one name paired twice.
TEST(BadInput, DuplicateGlobalNamesStillEqualThemselves) {
  std::string b = bytesOf("inlined-callee");
  auto file = cantFail(object::ELFFile<ELFT>::create(b));
  const ELFT::Shdr *symtab = findShdr(b, ".symtab");
  ASSERT_TRUE(symtab);
  auto syms = cantFail(file.symbols(symtab));
  StringRef strtab = cantFail(file.getStringTableForSymtab(*symtab));
  int a = -1, c = -1;
  for (size_t i = 0; i < syms.size(); ++i) {
    StringRef n = cantFail(syms[i].getName(strtab));
    if (n == "user_a")
      a = i;
    if (n == "user_b")
      c = i;
  }
  ASSERT_GE(a, 0);
  ASSERT_GE(c, 0);
  uint32_t name = syms[a].st_name;
  std::memcpy(&b[symtab->sh_offset + c * sizeof(ELFT::Sym)], &name, 4);
  auto obj = ObjectFile::parse(b, "dup.o");
  ASSERT_TRUE(!!obj) << toString(obj.takeError());
  auto d = diffObjects(**obj, **obj, Exports());
  ASSERT_TRUE(!!d);
  EXPECT_EQ((*d)->verdict, Verdict::NoChange);
}

// Found by the fuzzer: a relocation against an STT_FILE symbol placed in a
// section is a reference to that place, not to a pairable symbol.
TEST(BadInput, RelocationAgainstFileSymbolEqualsItself) {
  std::string b = bytesOf("reloc-only");
  auto file = cantFail(object::ELFFile<ELFT>::create(b));
  const ELFT::Shdr *symtab = findShdr(b, ".symtab");
  const ELFT::Shdr *rela = findShdr(b, ".rela.text.foo");
  ASSERT_TRUE(symtab && rela);
  auto sections = cantFail(file.sections());
  uint16_t text = 0;
  for (size_t i = 0; i < sections.size(); ++i)
    if (cantFail(file.getSectionName(sections[i])) == ".text.foo")
      text = i;
  ASSERT_NE(text, 0);
  // Symbol 1 is the STT_FILE symbol; move it into .text.foo.
  std::memcpy(&b[symtab->sh_offset + sizeof(ELFT::Sym) + 6], &text, 2);
  uint64_t info;
  std::memcpy(&info, &b[rela->sh_offset + 8], 8);
  info = (info & 0xffffffffu) | (uint64_t(1) << 32);
  std::memcpy(&b[rela->sh_offset + 8], &info, 8);
  auto obj = ObjectFile::parse(b, "file.o");
  ASSERT_TRUE(!!obj) << toString(obj.takeError());
  auto d = diffObjects(**obj, **obj, Exports());
  ASSERT_TRUE(!!d);
  EXPECT_EQ((*d)->verdict, Verdict::NoChange);
}

// Found by the fuzzer: an unnamed object must not own its section.
TEST(BadInput, UnnamedObjectEqualsItself) {
  std::vector<uint8_t> v = readFile(casePath("new-data", "post"));
  std::string b(v.begin(), v.end());
  auto file = cantFail(object::ELFFile<ELFT>::create(b));
  const ELFT::Shdr *symtab = findShdr(b, ".symtab");
  ASSERT_TRUE(symtab);
  auto syms = cantFail(file.symbols(symtab));
  StringRef strtab = cantFail(file.getStringTableForSymtab(*symtab));
  int obj = -1;
  for (size_t i = 0; i < syms.size(); ++i)
    if (cantFail(syms[i].getName(strtab)) == "added_counter")
      obj = i;
  ASSERT_GE(obj, 0);
  uint32_t none = 0;
  std::memcpy(&b[symtab->sh_offset + obj * sizeof(ELFT::Sym)], &none, 4);
  auto o = ObjectFile::parse(b, "unnamed.o");
  ASSERT_TRUE(!!o) << toString(o.takeError());
  auto d = diffObjects(**o, **o, Exports());
  ASSERT_TRUE(!!d);
  EXPECT_EQ((*d)->verdict, Verdict::NoChange);
}

TEST(BadInput, RandomCorruptionNeverCrashes) {
  std::string full = bytesOf("extable-kept");
  std::mt19937 rng(12345);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = full;
    int flips = 1 + rng() % 8;
    for (int k = 0; k < flips; ++k)
      b[rng() % b.size()] = (char)rng();
    auto obj = ObjectFile::parse(b, "fuzz.o");
    if (!obj) {
      consumeError(obj.takeError());
      continue;
    }
    ++accepted;
    // A readable object must also diff against itself without trouble.
    auto d = diffObjects(**obj, **obj, Exports());
    if (d)
      EXPECT_NE((*d)->verdict, Verdict::Changed);
    else
      consumeError(d.takeError());
  }
  EXPECT_GT(accepted, 0);
}

} // namespace
