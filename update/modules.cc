#include "modules.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs.h"

namespace ksplice {

Result<std::string> moduleNameFromImage(std::string_view img,
                                        const std::string &koPath) {
  auto bad = [&](const char *what) {
    return Status::error("'" + koPath + "' is not a kernel module: " + what);
  };
  if (img.size() < sizeof(Elf64_Ehdr) || memcmp(img.data(), ELFMAG, SELFMAG))
    return bad("no ELF header");
  Elf64_Ehdr eh;
  memcpy(&eh, img.data(), sizeof(eh));
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return bad("not a 64-bit little-endian ELF file");
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > img.size() ||
      uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr) > img.size() - eh.e_shoff ||
      eh.e_shstrndx >= eh.e_shnum)
    return bad("bad section header table");
  auto shdr = [&](unsigned i) {
    Elf64_Shdr s;
    memcpy(&s, img.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(s));
    return s;
  };
  auto inImage = [&](const Elf64_Shdr &s) {
    return s.sh_type == SHT_NOBITS ||
           (s.sh_offset <= img.size() && s.sh_size <= img.size() - s.sh_offset);
  };
  Elf64_Shdr strs = shdr(eh.e_shstrndx);
  if (!inImage(strs))
    return bad("bad section name table");
  std::string_view names = img.substr(strs.sh_offset, strs.sh_size);
  for (unsigned i = 0; i < eh.e_shnum; i++) {
    Elf64_Shdr s = shdr(i);
    if (s.sh_name >= names.size())
      continue;
    std::string_view n = names.substr(s.sh_name);
    n = n.substr(0, n.find('\0'));
    if (n != ".modinfo" || s.sh_type == SHT_NOBITS || !inImage(s))
      continue;
    std::string_view info = img.substr(s.sh_offset, s.sh_size);
    while (!info.empty()) {
      size_t end = info.find('\0');
      std::string_view entry = info.substr(0, end);
      if (entry.substr(0, 5) == "name=" && entry.size() > 5)
        return std::string(entry.substr(5));
      if (end == std::string_view::npos)
        break;
      info.remove_prefix(end + 1);
    }
  }
  std::string base = koPath.substr(koPath.find_last_of('/') + 1);
  if (base.size() > 3 && base.compare(base.size() - 3, 3, ".ko") == 0)
    base.resize(base.size() - 3);
  for (char &c : base)
    if (c == '-')
      c = '_';
  return base;
}

Result<std::string> moduleNameOf(const std::string &koPath) {
  auto img = readFile(koPath);
  if (!img)
    return img.status();
  return moduleNameFromImage(*img, koPath);
}

Status loadModule(const std::string &koPath, const std::string &params) {
  int fd = open(koPath.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error("cannot open module '" + koPath + "': " +
                         strerror(errno));
  long rc = syscall(SYS_finit_module, fd, params.c_str(), 0);
  int e = errno;
  close(fd);
  if (rc == 0)
    return okStatus();
  std::string what = "cannot load module '" + koPath + "': ";
  switch (e) {
    case EPERM:
      return Status::error(what + "operation not permitted; run as root "
                                  "(or module loading is disabled: "
                                  "kernel.modules_disabled)");
    case EEXIST:
      return Status::error(what + "a module of that name is already loaded");
    case EKEYREJECTED:
    case EBADMSG:
      return Status::error(what + "its signature was rejected; sign the "
                                  "modules with a key the kernel trusts, or "
                                  "disable signature enforcement");
    case ENOEXEC:
      return Status::error(what + "the kernel refused its format; it was "
                                  "built for another kernel (see dmesg)");
    case ENOENT:
      return Status::error(what + "it needs symbols the kernel lacks (see "
                                  "dmesg); is the core module 'ksplice' "
                                  "loaded?");
    default:
      return Status::error(what + strerror(e) + " (see dmesg)");
  }
}

Status unloadModule(const std::string &name) {
  long rc = syscall(SYS_delete_module, name.c_str(), O_NONBLOCK);
  if (rc == 0)
    return okStatus();
  int e = errno;
  std::string what = "cannot unload module '" + name + "': ";
  switch (e) {
    case EPERM:
      return Status::error(what + "operation not permitted; run as root");
    case EWOULDBLOCK:
      return Status::error(what + "it is in use; undo the updates that use "
                                  "it first");
    case ENOENT:
      return Status::error(what + "it is not loaded");
    default:
      return Status::error(what + strerror(e));
  }
}

bool moduleLoaded(const std::string &name) {
  return isDirectory("/sys/module/" + name);
}

}  // namespace ksplice
