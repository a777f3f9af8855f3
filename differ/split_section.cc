//===- split_section.cc - One section per function, after the fact --------===//
#include "split_section.h"
#include "special_sections.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCDisassembler/MCDisassembler.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCInstrAnalysis.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

namespace ksplice {

using namespace llvm;

static Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

namespace {

// LLVM's x86-64 disassembler, made once.  The differ runs on several
// threads (a series' workers) and X86's getInstruction() stores its
// comment stream in the disassembler: users hold `lock`.
struct Decoder {
  std::mutex lock; // serialises the use of everything below
  std::unique_ptr<MCRegisterInfo> regs;
  std::unique_ptr<MCAsmInfo> asmInfo;
  std::unique_ptr<MCSubtargetInfo> subtarget;
  std::unique_ptr<MCInstrInfo> instrs;
  std::unique_ptr<MCContext> context;
  std::unique_ptr<MCDisassembler> disassembler;
  std::unique_ptr<MCInstrAnalysis> analysis;
  std::string error;

  Decoder() {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86Disassembler();
    const char *triple = "x86_64-unknown-linux-gnu";
    const Target *t = TargetRegistry::lookupTarget(triple, error);
    if (!t)
      return;
    regs.reset(t->createMCRegInfo(triple));
    asmInfo.reset(t->createMCAsmInfo(*regs, triple, MCTargetOptions()));
    subtarget.reset(t->createMCSubtargetInfo(triple, "", ""));
    instrs.reset(t->createMCInstrInfo());
    context = std::make_unique<MCContext>(Triple(triple), asmInfo.get(),
                                          regs.get(), subtarget.get());
    disassembler.reset(t->createMCDisassembler(*subtarget, *context));
    analysis.reset(t->createMCInstrAnalysis(instrs.get()));
    if (!disassembler || !analysis)
      error = "LLVM has no x86-64 disassembler";
  }
};

Decoder &decoder() {
  static Decoder d; // (a function-local static: made once, thread-safe)
  return d;
}

int32_t read32(ArrayRef<uint8_t> b, uint64_t at) {
  return int32_t(uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 |
                 uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24);
}

} // namespace

// Where in the instruction INSN (at OFF of CODE, SIZE bytes) the 32-bit
// field lies that makes it refer to TARGET: the last 4 bytes of a branch;
// the disp32 after a RIP-relative ModRM (mod 00, rm 101) of an operand.
static int64_t fieldOf(ArrayRef<uint8_t> code, uint64_t off, uint64_t size,
                       uint64_t target, bool branch) {
  int64_t value = int64_t(target) - int64_t(off + size);
  if (branch)
    return size > 4 && read32(code, off + size - 4) == value ? size - 4 : -1;
  int64_t found = -1;
  for (uint64_t p = 1; p + 4 <= size; ++p)
    if ((code[off + p - 1] & 0xc7) == 0x05 && read32(code, off + p) == value) {
      if (found >= 0)
        return -1; // two candidates: not sure which
      found = p;
    }
  return found;
}

Expected<std::vector<Reloc>> unrelocatedReferences(const ObjectFile &obj,
                                                   uint32_t si) {
  Decoder &d = decoder();
  if (!d.error.empty())
    return fail(d.error);
  std::lock_guard<std::mutex> held(d.lock);
  const Section &sec = obj.section(si);
  std::vector<std::pair<uint64_t, uint32_t>> fns = obj.functionStarts(si);
  std::vector<bool> relocated(sec.size, false);
  for (const Reloc &r : sec.relocs)
    for (unsigned i = 0; i < relocWidth(r.type); ++i)
      relocated[r.offset + i] = true;
  // The function holding OFF: [its start, the next start).
  auto groupOf = [&](uint64_t off) -> int {
    int k = -1;
    for (size_t i = 0; i < fns.size() && fns[i].first <= off; ++i)
      k = i;
    return off < sec.size ? k : -1;
  };
  std::vector<Reloc> refs;
  for (size_t k = 0; k < fns.size(); ++k) {
    // Up to the next function, not the symbol's size: an asm symbol may
    // have none, and padding decodes (or the split is given up).
    uint64_t end = k + 1 < fns.size() ? fns[k + 1].first : sec.size;
    for (uint64_t off = fns[k].first; off < end;) {
      MCInst insn;
      uint64_t size = 0;
      if (d.disassembler->getInstruction(insn, size, sec.data.slice(off, end - off),
                                         off, nulls()) !=
              MCDisassembler::Success ||
          size == 0)
        return fail(obj.where(sec, off) + ": cannot decode the instruction");
      uint64_t target = 0;
      bool branch = d.analysis->evaluateBranch(insn, off, size, target);
      if (!branch) {
        Optional<uint64_t> a = d.analysis->evaluateMemoryOperandAddress(
            insn, d.subtarget.get(), off, size);
        target = a ? *a : UINT64_MAX;
      }
      int to = groupOf(target);
      bool covered = false;
      for (uint64_t i = off; i < off + size; ++i)
        covered |= relocated[i];
      if (to >= 0 && to != (int)k && !covered) {
        int64_t field = fieldOf(sec.data, off, size, target, branch);
        if (field < 0)
          return fail(formatv("{0}: a reference to '{1}' with no 32-bit "
                              "field to relocate",
                              obj.where(sec, off),
                              obj.symbol(fns[to].second).name));
        Reloc r;
        r.offset = off + field;
        r.type = branch ? ELF::R_X86_64_PLT32 : ELF::R_X86_64_PC32;
        r.sym = fns[to].second;
        r.addend = int64_t(target - fns[to].first) - int64_t(size - field);
        refs.push_back(r);
      }
      off += size;
    }
  }
  return refs;
}

// Splits section I of OBJ, a data section, by object; one that cannot be
// split stays whole (its objects are then refused as sharing it).
static void splitData(ObjectFile &obj, uint32_t i) {
  if (obj.objectStarts(i).size() < 2)
    return;
  if (Error e = obj.splitByObject(i))
    consumeError(std::move(e));
}

// The same for a text section, by function.
static void splitText(ObjectFile &obj, uint32_t i) {
  if (obj.functionStarts(i).size() < 2)
    return;
  auto refs = unrelocatedReferences(obj, i);
  if (!refs) {
    consumeError(refs.takeError());
    return;
  }
  if (Error e = obj.splitByFunction(i, std::move(*refs)))
    consumeError(std::move(e));
}

Expected<std::unique_ptr<ObjectFile>>
openUnitObject(StringRef path, StringRef target, StringRef name) {
  auto obj = ObjectFile::open(path, name);
  if (!obj)
    return obj.takeError();
  bool builtIn = target == "vmlinux";
  for (uint32_t i = 0, n = (*obj)->sections().size(); i < n; ++i) {
    const Section &sec = (*obj)->section(i);
    if (!isSplitWhenRead(sec.name, builtIn))
      continue;
    if (sec.isExec())
      splitText(**obj, i);
    else
      splitData(**obj, i);
  }
  return obj;
}

} // namespace ksplice
