#include "package.h"
#include "format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "fs.h"
#include "sha256.h"
#include "subprocess.h"
#include "signature.h"

namespace ksplice {
namespace {

constexpr size_t kBlock = 512;

void putOctal(char *field, size_t width, uint64_t value) {
  // width-1 octal digits, NUL-terminated, zero-padded.
  snprintf(field, width, "%0*llo", int(width - 1), (unsigned long long)value);
}

// One ustar header.  Names are short (validated), so no prefix field.
std::string tarHeader(const std::string &name, char type, unsigned mode,
                      uint64_t size) {
  std::string h(kBlock, '\0');
  char *b = h.data();
  memcpy(b, name.data(), name.size());
  putOctal(b + 100, 8, mode);
  putOctal(b + 108, 8, 0);  // uid
  putOctal(b + 116, 8, 0);  // gid
  putOctal(b + 124, 12, size);
  putOctal(b + 136, 12, 0);  // mtime
  memset(b + 148, ' ', 8);
  b[156] = type;
  memcpy(b + 257, "ustar", 6);  // magic "ustar\0"
  memcpy(b + 263, "00", 2);     // version
  memcpy(b + 265, "root", 4);   // uname
  memcpy(b + 297, "root", 4);   // gname
  unsigned sum = 0;
  for (unsigned char c : h)
    sum += c;
  snprintf(b + 148, 8, "%06o", sum);  // six digits, NUL, space
  b[155] = ' ';
  return h;
}

void padBlock(std::string &out) {
  if (out.size() % kBlock)
    out.append(kBlock - out.size() % kBlock, '\0');
}

Result<uint64_t> parseOctal(const char *field, size_t width) {
  uint64_t v = 0;
  size_t i = 0;
  while (i < width && field[i] == ' ')
    i++;
  bool any = false;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; i++) {
    if (v >> 60)
      return Status::error("number too large");
    v = v * 8 + uint64_t(field[i] - '0');
    any = true;
  }
  for (; i < width; i++)
    if (field[i] != ' ' && field[i] != '\0')
      return Status::error("bad octal number");
  if (!any)
    return Status::error("empty number");
  return v;
}

std::string fieldString(const char *field, size_t width) {
  return std::string(field, strnlen(field, width));
}

// Runs gzip with `args`, stdin from `inPath` and stdout to `outPath`; fails
// unless it exits 0.  With maxOutputBytes, gzip may not write more than
// that (it is killed by SIGXFSZ).
Status gzip(std::vector<std::string> args, const std::string &inPath,
            const std::string &outPath, uint64_t maxOutputBytes = 0) {
  Command cmd;
  cmd.argv = {"gzip"};
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  cmd.stdinPath = inPath;
  cmd.stdoutPath = outPath;
  cmd.maxOutputBytes = maxOutputBytes;
  auto res = runProcess(cmd);
  if (!res)
    return Status::error(res.message() + " (gzip is in the Debian package "
                                         "'gzip')");
  if (res->status == 0)
    return okStatus();
  return Status::error("'" + describe(cmd) + "' failed (" +
                       (res->status < 128
                            ? "exit status " + std::to_string(res->status)
                            : "signal " + std::to_string(res->status - 128)) +
                       ")");
}

}  // namespace

Status writePackage(const std::string &inputDir, Manifest m,
                    const std::string &outPath, const ManifestSigner &sign) {
  auto names = listDirectory(inputDir);
  if (!names)
    return names.status();
  std::map<std::string, std::string> contents;
  m.files.clear();
  for (const auto &n : *names) {
    if (n == "manifest" || n == kSignatureFile)
      continue;
    std::string p = inputDir + "/" + n;
    struct stat st;
    if (lstat(p.c_str(), &st) != 0)
      return Status::error("cannot stat '" + p + "': " + strerror(errno));
    if (!S_ISREG(st.st_mode))
      return Status::error(quoted(p) + " is not a regular file; a package holds "
                                  "only plain files: remove it from " +
                           quoted(inputDir));
    if (!isPlainFileName(n))
      return Status::error("file name " + quoted(n) + " in " + quoted(inputDir) +
                           " cannot be packaged (no whitespace, at most 99 "
                           "characters)");
    auto data = readFile(p);
    if (!data)
      return data.status();
    m.files.push_back({sha256Hex(*data), n});
    contents[n] = std::move(*data);
  }
  std::sort(m.functions.begin(), m.functions.end());
  std::sort(m.newFunctions.begin(), m.newFunctions.end());
  if (Status s = validateManifest(m); !s)
    return s.context("cannot write package " + quoted(outPath));
  std::string manifest = serializeManifest(m);
  contents["manifest"] = manifest;
  if (sign) {
    auto sig = sign(manifest);
    if (!sig)
      return Status(sig.status()).context("cannot sign package " + quoted(outPath));
    contents[kSignatureFile] = std::move(*sig);
  }

  const std::string top = "ksplice-" + m.id + "/";
  std::string tar = tarHeader(top, '5', 0755, 0);
  for (const auto &[name, data] : contents) {  // std::map: sorted by name
    tar += tarHeader(top + name, '0', 0644, data.size());
    tar += data;
    padBlock(tar);
  }
  tar.append(2 * kBlock, '\0');
  padBlock(tar);
  // GNU tar pads to a 10240-byte record; do the same for familiarity.
  if (tar.size() % 10240)
    tar.append(10240 - tar.size() % 10240, '\0');

  std::string tmpTar = outPath + ".tar.tmp";
  std::string tmpGz = outPath + ".tmp";
  if (Status s = writeFile(tmpTar, tar); !s)
    return s;
  Status s = gzip({"-n", "-9", "-c"}, tmpTar, tmpGz);
  unlink(tmpTar.c_str());
  if (!s) {
    unlink(tmpGz.c_str());
    return s.context("cannot compress package " + quoted(outPath));
  }
  if (rename(tmpGz.c_str(), outPath.c_str()) != 0) {
    int e = errno;
    unlink(tmpGz.c_str());
    return Status::error("cannot create " + quoted(outPath) + ": " + strerror(e));
  }
  return okStatus();
}

Result<PackageContents> readPackageTar(std::string_view tar,
                                       const std::string &label) {
  auto fail = [&](const std::string &what) {
    return Status::error(quoted(label) + ": " + what);
  };

  std::string top;  // "ksplice-<id>"
  std::map<std::string, std::string> files;
  size_t off = 0;
  bool ended = false;
  while (off + kBlock <= tar.size()) {
    const char *h = tar.data() + off;
    if (std::all_of(h, h + kBlock, [](char c) { return c == 0; })) {
      ended = true;
      break;
    }
    std::string where = "archive entry at offset " + std::to_string(off);
    unsigned sum = 0;
    for (size_t i = 0; i < kBlock; i++)
      sum += (i >= 148 && i < 156) ? ' ' : (unsigned char)h[i];
    auto chk = parseOctal(h + 148, 8);
    if (!chk || *chk != sum)
      return fail(where + " has a bad header checksum; the file is corrupt");
    auto size = parseOctal(h + 124, 12);
    if (!size || *size > tar.size())
      return fail(where + " has a bad size");
    std::string name = fieldString(h, 100);
    std::string prefix =
        memcmp(h + 257, "ustar", 5) == 0 ? fieldString(h + 345, 155) : "";
    if (!prefix.empty())
      name = prefix + "/" + name;
    char type = h[156];
    off += kBlock;
    size_t dataOff = off;
    off += (*size + kBlock - 1) / kBlock * kBlock;
    if (off > tar.size())
      return fail(where + " (" + quoted(name) + ") is truncated");

    size_t slash = name.find('/');
    std::string first = name.substr(0, slash);
    if (first.rfind("ksplice-", 0) != 0 ||
        !isValidUpdateId(first.substr(8)))
      return fail("unexpected entry " + quoted(name) +
                  "; a package holds only the directory 'ksplice-<id>/'");
    if (top.empty())
      top = first;
    else if (first != top)
      return fail("entry " + quoted(name) + " is outside the package directory " +
                  quoted(top + "/"));
    std::string rest = slash == std::string::npos ? "" : name.substr(slash + 1);
    if (type == '5') {
      if (!rest.empty())
        return fail("unexpected subdirectory " + quoted(name));
      continue;
    }
    if (type != '0' && type != '\0')
      return fail("entry " + quoted(name) +
                  " is not a regular file (links and devices are refused)");
    if (!isPlainFileName(rest))
      return fail("entry " + quoted(name) +
                  " has an unsafe path (path traversal or subdirectory)");
    if (files.count(rest))
      return fail("entry " + quoted(name) + " appears twice");
    files[rest] = tar.substr(dataOff, *size);
  }
  if (!ended && off != tar.size())
    return fail("archive is truncated");
  if (top.empty())
    return fail("archive is empty");

  auto mtext = files.find("manifest");
  if (mtext == files.end())
    return fail("no " + quoted(top + "/manifest") + "; not an update package");
  auto manifest = parseManifest(mtext->second);
  if (!manifest)
    return fail(manifest.message());
  if ("ksplice-" + manifest->id != top)
    return fail("manifest id " + quoted(manifest->id) +
                " does not match the directory " + quoted(top + "/"));
  PackageContents out;
  if (auto sig = files.find(kSignatureFile); sig != files.end()) {
    out.signature = std::move(sig->second);
    files.erase(sig);
  }
  for (const auto &[name, data] : files) {
    if (name == "manifest")
      continue;
    const ManifestFile *f = manifest->file(name);
    if (!f)
      return fail("unexpected file " + quoted(top + "/" + name) +
                  " is not listed in the manifest");
    if (sha256Hex(data) != f->sha256)
      return fail("sha256 of " + quoted(top + "/" + name) +
                  " does not match the manifest; the package is damaged or "
                  "was modified: get a fresh copy");
  }
  for (const auto &f : manifest->files)
    if (!files.count(f.name))
      return fail("file " + quoted(top + "/" + f.name) +
                  " listed in the manifest is missing");
  out.top = top;
  out.manifestText = mtext->second;
  out.manifest = std::move(*manifest);
  out.files = std::move(files);
  return out;

}

Result<OpenedPackage> openPackage(const std::string &path,
                                  const std::string &unpackRoot,
                                  uint64_t maxTarBytes) {
  auto fail = [&](const std::string &what) {
    return Status::error(quoted(path) + ": " + what);
  };
  if (access(path.c_str(), R_OK) != 0)
    return Status::error("cannot read package " + quoted(path) + ": " +
                         strerror(errno));
  std::string tarPath = unpackRoot + "/.package.tar";
  Status unzipped =
      gzip({"-d", "-c"}, path, tarPath, maxTarBytes + 1);
  struct stat st;
  if (stat(tarPath.c_str(), &st) == 0 && uint64_t(st.st_size) > maxTarBytes) {
    unlink(tarPath.c_str());
    return fail("decompresses to more than " + std::to_string(maxTarBytes) +
                " bytes; not an update package");
  }
  if (!unzipped) {
    unlink(tarPath.c_str());
    return fail("not a gzip-compressed update package (" +
                unzipped.message() +
                "); pass the ksplice-<id>.tar.gz that ksplice-create wrote");
  }
  auto tarData = readFile(tarPath);
  unlink(tarPath.c_str());
  if (!tarData)
    return tarData.status();
  auto contents = readPackageTar(*tarData, path);
  if (!contents)
    return contents.status();
  OpenedPackage out;
  out.dir = unpackRoot + "/" + contents->top;
  if (mkdir(out.dir.c_str(), 0700) != 0)
    return Status::error("cannot create " + quoted(out.dir) + ": " +
                         strerror(errno));
  for (const auto &[name, data] : contents->files)
    if (Status s = writeFile(out.dir + "/" + name, data, 0600); !s)
      return s;
  out.manifest = std::move(contents->manifest);
  out.manifestText = std::move(contents->manifestText);
  out.signature = std::move(contents->signature);
  return out;
}

}  // namespace ksplice
