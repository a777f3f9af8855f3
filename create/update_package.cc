//===- update_package.cc - Patch objects to an update package -------------===//
#include "update_package.h"
#include "error.h"
#include "process.h"

#include "package.h"
#include "sha256.h"
#include "update_id.h"
#include "signature.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace ksplice {

static llvm::Error runTool(Command cmd, const std::string &what) {
  auto res = run(cmd);
  if (!res)
    return res.takeError();
  if (res->status != 0)
    return fail(what + " failed (" + describe(cmd) + "):\n" +
                tailLines(res->output, 20));
  return llvm::Error::success();
}

// Debug info and the build-id note carry the build directory's path: drop
// them, so the same inputs give byte-identical modules (and packages).
static llvm::Error stripModule(const std::string &ko) {
  return runTool({{"objcopy", "--strip-debug", "--remove-section",
                   ".note.gnu.build-id", ko}},
                 "stripping " + ko);
}

static std::string signFile(const std::string &headers) {
  return headers + "/scripts/sign-file";
}

llvm::Error checkSigning(const SigningOptions &signing,
                         const std::string &headers) {
  if (!signing.packageKey.empty()) {
    auto fp = keyFingerprint(signing.packageKey);
    if (!fp)
      return fail("--sign: " + fp.message());
  }
  if (signing.moduleKey.empty() != signing.moduleCert.empty())
    return fail("--module-key and --module-cert go together: the kernel "
                "checks the signature against the certificate's key");
  if (signing.moduleKey.empty())
    return llvm::Error::success();
  for (const std::string *f : {&signing.moduleKey, &signing.moduleCert})
    if (!fs::is_regular_file(*f))
      return fail("cannot read '" + *f + "' (module signing)");
  if (access(signFile(headers).c_str(), X_OK) != 0)
    return fail("'" + signFile(headers) + "' is missing: the headers package "
                "of the target has it (linux-headers-*); it signs modules "
                "with the kernel's own format");
  return llvm::Error::success();
}

// Appends the kernel's module signature to KO, as `make modules_sign`
// does (sha256, the key's certificate).
static llvm::Error signModule(const PackageSpec &spec, const std::string &ko) {
  return runTool({{signFile(spec.headers), "sha256", spec.signing.moduleKey,
                   spec.signing.moduleCert, ko}},
                 "signing " + ko);
}

llvm::Error hashFile(Sha256 &h, const std::string &name,
                     const std::string &path) {
  auto text = readFile(path, "an input");
  if (!text)
    return text.takeError();
  h.update(name + "\n" + std::to_string(text->size()) + "\n");
  h.update(*text);
  return llvm::Error::success();
}

llvm::Error hashPackagingInputs(Sha256 &h, const std::string &dataDir) {
  // What packaging/ installs as ksplice-create's data, no more.
  std::vector<std::string> files = {"scripts/build-module.sh",
                                    "scripts/build-patch-module.sh"};
  std::error_code ec;
  for (fs::recursive_directory_iterator it(fs::path(dataDir) / "loader-kmod", ec),
       end;
       !ec && it != end; it.increment(ec))
    if (it->is_regular_file())
      files.push_back(it->path().lexically_relative(dataDir).generic_string());
  if (ec)
    return fail("cannot read the loader's sources in '" + dataDir +
                "': " + ec.message());
  std::sort(files.begin() + 2, files.end());
  for (const std::string &f : files)
    if (auto err = hashFile(h, f, dataDir + "/" + f))
      return err;
  return llvm::Error::success();
}

// The core module depends only on the loader's sources and the target's
// headers, not on the patch: it is built once per (sources, headers) in
// CACHE/core/<digest>/ and reused (about 6 s a run saved).  Returns that
// directory, holding ksplice.ko and its Module.symvers.
static llvm::Expected<std::string> coreModule(const PackageSpec &spec,
                                              const Progress &progress) {
  Sha256 h;
  std::error_code ec;
  h.update(fs::absolute(spec.headers, ec).lexically_normal().string());
  if (auto err = hashPackagingInputs(h, spec.dataDir))
    return std::move(err);
  for (const char *f : {"Module.symvers", "include/generated/utsrelease.h"})
    if (auto err = hashFile(h, f, spec.headers + "/" + f))
      return std::move(err);
  std::string dir = spec.cacheDir + "/core/" + h.finishHex().substr(0, 16);
  if (fs::is_regular_file(dir + "/ksplice.ko") &&
      fs::is_regular_file(dir + "/Module.symvers"))
    return dir;

  progress("building the core module against " + spec.headers);
  std::string tmp = dir + ".tmp";
  fs::remove_all(tmp, ec);
  if (auto err = runTool({{spec.dataDir + "/loader-kmod/build-core.sh",
                           "--headers", spec.headers, tmp}},
                         "building ksplice.ko"))
    return err;
  fs::remove_all(dir, ec);
  fs::rename(tmp, dir, ec);
  if (ec)
    return fail("cannot move the core module to '" + dir +
                "': " + ec.message());
  return dir;
}

llvm::Error buildUpdatePackage(const PackageSpec &spec,
                               const Progress &progress) {
  std::string pkg = spec.workDir;
  std::string patchModule = patchModuleFile(spec.id);
  std::error_code ec;
  fs::remove_all(pkg, ec);
  fs::create_directories(pkg);

  auto release = targetRelease(spec.headers);
  if (!release)
    return release.takeError();
  auto coreDir = coreModule(spec, progress);
  if (!coreDir)
    return coreDir.takeError();
  const std::string &core = *coreDir;
  progress("building the patch module " + patchModule);
  Command build{{spec.dataDir + "/scripts/build-patch-module.sh", "--id",
                 spec.id, "--description", spec.description, "--headers",
                 spec.headers, "--core", core, "--klp-convert",
                 spec.klpConvert, "-o", pkg + "/" + patchModule}};
  build.argv.insert(build.argv.end(), spec.patchObjects.begin(),
                    spec.patchObjects.end());
  if (auto err = runTool(build, "building " + patchModule))
    return err;

  fs::copy_file(core + "/ksplice.ko", pkg + "/ksplice.ko",
                fs::copy_options::overwrite_existing, ec);
  if (ec)
    return fail("cannot copy ksplice.ko: " + ec.message());
  // build-patch-module.sh strips the patch module itself, before its
  // last step, which objcopy would undo.
  if (auto err = stripModule(pkg + "/ksplice.ko"))
    return err;
  if (!spec.signing.moduleKey.empty())
    for (const std::string &ko : {pkg + "/ksplice.ko", pkg + "/" + patchModule})
      if (auto err = signModule(spec, ko))
        return err;
  std::ofstream(pkg + "/patch", std::ios::binary) << spec.patchText;

  Manifest m;
  m.id = spec.id;
  m.description = spec.description;
  m.kernelRelease = *release;
  auto buildId = sha256File(spec.headers + "/Module.symvers");
  if (!buildId)
    return fail(buildId.message());
  m.kernelBuild = *buildId;
  m.patchModule = patchModule;
  m.after = spec.after;
  m.units = spec.units;
  m.functions = spec.functions;
  m.newFunctions = spec.newFunctions;
  progress("writing " + spec.output);
  ManifestSigner sign;
  if (!spec.signing.packageKey.empty())
    sign = [&](std::string_view manifest) {
      return signManifest(manifest, spec.signing.packageKey);
    };
  Status st = writePackage(pkg, m, spec.output, sign);
  if (!st)
    return fail(st.message());
  return llvm::Error::success();
}

llvm::Expected<std::string> targetRelease(const std::string &headers) {
  auto uts = readFile(headers + "/include/generated/utsrelease.h",
                      "the target's release");
  if (!uts)
    return uts.takeError();
  llvm::StringRef relText = llvm::StringRef(*uts).split("UTS_RELEASE \"").second;
  std::string rel = relText.split('"').first.str();
  if (rel.empty())
    return fail("no UTS_RELEASE in '" + headers +
                "/include/generated/utsrelease.h'");
  return rel;
}

std::string targetPackageId(const std::string &headers) {
  std::ifstream in(headers + "/include/generated/package.h");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  llvm::StringRef id = llvm::StringRef(text).split("LINUX_PACKAGE_ID \"").second;
  return id.split('"').first.str();
}

} // namespace ksplice
