// identity: check that functions compiled in the prepared tree are the
// Debian kernel's own code, byte for byte apart from relocated fields.
//
//   identity VMLINUX KALLSYMS OBJECT...
//
// VMLINUX is the image extracted from vmlinuz (stripped: no symbol table),
// KALLSYMS a /proc/kallsyms read from the same kernel booted with nokaslr.
// For every defined function symbol of each OBJECT, the bytes at the
// kallsyms address in VMLINUX must equal the object's bytes outside the
// fields its relocations cover.  A name with several kallsyms entries
// (static functions of other files) passes when one of them matches.
// Weak functions are skipped (the image may hold another file's strong
// definition), and so are functions in .init/.exit sections: the image no longer
// holds what the kernel freed, and these are never patched.
//
// Prints one line per function and a summary; exits 1 on any mismatch or
// when no function was compared.
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Elf_File {
  int fd = -1;
  Elf *elf = nullptr;
  explicit Elf_File(const char *path) {
    fd = open(path, O_RDONLY);
    if (fd >= 0)
      elf = elf_begin(fd, ELF_C_READ, nullptr);
  }
  ~Elf_File() {
    if (elf)
      elf_end(elf);
    if (fd >= 0)
      close(fd);
  }
};

// The image's loadable segments: virtual address -> bytes.
struct Image {
  std::vector<std::pair<GElf_Phdr, Elf_Data *>> segs;
  std::vector<char> bytes;

  bool read(const char *path) {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
    return !bytes.empty();
  }
  const uint8_t *at(Elf *elf, uint64_t addr, uint64_t size) const {
    size_t n;
    if (elf_getphdrnum(elf, &n))
      return nullptr;
    for (size_t i = 0; i < n; i++) {
      GElf_Phdr ph;
      if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
        continue;
      if (addr >= ph.p_vaddr && addr + size <= ph.p_vaddr + ph.p_filesz &&
          ph.p_offset + (addr - ph.p_vaddr) + size <= bytes.size())
        return reinterpret_cast<const uint8_t *>(bytes.data()) +
               ph.p_offset + (addr - ph.p_vaddr);
    }
    return nullptr;
  }
};

std::multimap<std::string, uint64_t> read_kallsyms(const char *path) {
  std::multimap<std::string, uint64_t> syms;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string addr, type, name, mod;
    if (!(ls >> addr >> type >> name) || (ls >> mod))
      continue;  // module symbols carry a [module] column
    if (type != "t" && type != "T")
      continue;
    syms.emplace(name, std::stoull(addr, nullptr, 16));
  }
  return syms;
}

// Byte ranges of a section that relocations cover.
std::set<uint64_t> relocated_bytes(Elf *elf, size_t shndx) {
  std::set<uint64_t> covered;
  Elf_Scn *scn = nullptr;
  while ((scn = elf_nextscn(elf, scn))) {
    GElf_Shdr sh;
    gelf_getshdr(scn, &sh);
    if (sh.sh_type != SHT_RELA || sh.sh_info != shndx)
      continue;
    Elf_Data *d = elf_getdata(scn, nullptr);
    for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
      GElf_Rela r;
      gelf_getrela(d, i, &r);
      unsigned width = 4;
      switch (GELF_R_TYPE(r.r_info)) {
      case R_X86_64_64:
      case R_X86_64_PC64:
        width = 8;
        break;
      case R_X86_64_NONE:
        width = 0;
        break;
      }
      for (unsigned b = 0; b < width; b++)
        covered.insert(r.r_offset + b);
    }
  }
  return covered;
}

struct Totals {
  int same = 0, differ = 0, missing = 0;
};

void check_object(const char *path, Elf *vml, const Image &img,
                  const std::multimap<std::string, uint64_t> &ksyms,
                  Totals &t) {
  Elf_File obj(path);
  if (!obj.elf) {
    std::printf("%s: cannot read: %s\n", path, elf_errmsg(-1));
    t.differ++;
    return;
  }
  size_t shstrndx;
  elf_getshdrstrndx(obj.elf, &shstrndx);
  Elf_Scn *scn = nullptr;
  while ((scn = elf_nextscn(obj.elf, scn))) {
    GElf_Shdr sh;
    gelf_getshdr(scn, &sh);
    if (sh.sh_type != SHT_SYMTAB)
      continue;
    Elf_Data *d = elf_getdata(scn, nullptr);
    for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
      GElf_Sym s;
      gelf_getsym(d, i, &s);
      if (GELF_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF ||
          s.st_shndx >= SHN_LORESERVE || s.st_size == 0 ||
          GELF_ST_BIND(s.st_info) == STB_WEAK)
        continue;  // a weak default may be overridden elsewhere
      std::string name = elf_strptr(obj.elf, sh.sh_link, s.st_name);
      Elf_Scn *text = elf_getscn(obj.elf, s.st_shndx);
      GElf_Shdr tsh;
      gelf_getshdr(text, &tsh);
      std::string sec = elf_strptr(obj.elf, shstrndx, tsh.sh_name);
      if (sec.rfind(".init", 0) == 0 || sec.rfind(".exit", 0) == 0)
        continue;
      Elf_Data *td = elf_getdata(text, nullptr);
      if (!td || !td->d_buf || s.st_value + s.st_size > td->d_size)
        continue;
      const auto *mine = static_cast<const uint8_t *>(td->d_buf) + s.st_value;
      std::set<uint64_t> covered = relocated_bytes(obj.elf, s.st_shndx);

      auto range = ksyms.equal_range(name);
      if (range.first == range.second) {
        std::printf("%s: %s: not in kallsyms\n", path, name.c_str());
        t.missing++;
        continue;
      }
      bool ok = false;
      uint64_t first_diff = 0;
      for (auto it = range.first; it != range.second && !ok; ++it) {
        const uint8_t *live = img.at(vml, it->second, s.st_size);
        if (!live)
          continue;
        ok = true;
        for (uint64_t b = 0; b < s.st_size; b++) {
          if (covered.count(s.st_value + b) || live[b] == mine[b])
            continue;
          ok = false;
          first_diff = b;
          break;
        }
      }
      if (ok) {
        t.same++;
        std::printf("%s: %s: identical (%llu bytes)\n", path, name.c_str(),
                    (unsigned long long)s.st_size);
      } else {
        t.differ++;
        std::printf("%s:(%s+0x%llx): %s differs from the kernel image\n",
                    path, sec.c_str(),
                    (unsigned long long)(s.st_value + first_diff),
                    name.c_str());
      }
    }
  }
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: identity VMLINUX KALLSYMS OBJECT...\n");
    return 2;
  }
  elf_version(EV_CURRENT);
  Elf_File vml(argv[1]);
  Image img;
  if (!vml.elf || !img.read(argv[1])) {
    std::fprintf(stderr, "identity: cannot read %s\n", argv[1]);
    return 1;
  }
  auto ksyms = read_kallsyms(argv[2]);
  if (ksyms.empty()) {
    std::fprintf(stderr, "identity: no symbols in %s\n", argv[2]);
    return 1;
  }
  Totals t;
  for (int i = 3; i < argc; i++)
    check_object(argv[i], vml.elf, img, ksyms, t);
  std::printf("identity: %d identical, %d differ, %d not in kallsyms\n",
              t.same, t.differ, t.missing);
  return (t.differ || t.same == 0) ? 1 : 0;
}
