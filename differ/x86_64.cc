//===- x86_64.cc - The x86-64 facts the differ relies on ------------------===//
//
// A RIP-relative operand is ModRM mod=00 rm=101 followed by disp32, which is
// where the relocation sits; an immediate may follow it, and the CPU adds
// the displacement to the address of the *next* instruction.  Only the
// opcodes the kernel uses with a RIP-relative memory operand and an
// immediate are decoded; everything else ends with the displacement.
//
//===----------------------------------------------------------------------===//
#include "x86_64.h"

#include "llvm/BinaryFormat/ELF.h"

#include <algorithm>

namespace ksplice {

// Bytes of immediate after a RIP-relative disp32 whose ModRM is at M.
static int immediateAfter(llvm::ArrayRef<uint8_t> code, uint64_t m) {
  if (m < 1)
    return 0;
  uint8_t modrm = code[m], op = code[m - 1];
  unsigned reg = (modrm >> 3) & 7;
  bool two = m >= 2 && code[m - 2] == 0x0f;
  // Operand-size prefix: 66 before the opcode, possibly before a REX.
  bool p66 = (m >= 2 && code[m - 2] == 0x66) ||
             (m >= 3 && (code[m - 2] & 0xf0) == 0x40 && code[m - 3] == 0x66);
  if (two)
    return op == 0xba ? 1 : 0; // bt/bts/btr/btc $imm8
  switch (op) {
  case 0xc6: // mov $imm8
  case 0x80: // alu $imm8
  case 0x83: // alu $simm8
  case 0x6b: // imul $imm8
  case 0xc0: // shifts $imm8
  case 0xc1:
    return 1;
  case 0xc7: // mov $imm32
  case 0x81: // alu $imm32
  case 0x69: // imul $imm32
    return p66 ? 2 : 4;
  case 0xf6: // test $imm8 (reg 0/1); not/neg/mul/div have none
    return reg <= 1 ? 1 : 0;
  case 0xf7:
    return reg <= 1 ? (p66 ? 2 : 4) : 0;
  default:
    return 0;
  }
}

int64_t pcrelBias(const Section &sec, const Reloc &r) {
  if (!relocIsPcrel(r.type))
    return 0;
  if (!sec.isExec() || sec.data.empty())
    return 0;
  if (r.type == llvm::ELF::R_X86_64_PC32 && r.offset >= 2 &&
      (sec.data[r.offset - 1] & 0xc7) == 0x05)
    return 4 + immediateAfter(sec.data, r.offset - 1);
  return relocWidth(r.type);
}

unsigned branchLength(llvm::ArrayRef<uint8_t> code) {
  unsigned prefix = !code.empty() && code[0] == 0x2e; // CS
  llvm::ArrayRef<uint8_t> c = code.drop_front(prefix);
  if (c.empty())
    return 0;
  if (c[0] == 0xe8 || c[0] == 0xe9) // call/jmp rel32
    return prefix + 5;
  if (c.size() >= 2 && c[0] == 0x0f && (c[1] & 0xf0) == 0x80) // jcc rel32
    return prefix + 6;
  if (prefix)
    return 0;
  if (c[0] == 0xeb || (c.size() >= 2 && c[0] == 0x66 && c[1] == 0x90))
    return 2; // jmp rel8, nop2
  static const uint8_t nop5[] = {0x0f, 0x1f, 0x44, 0x00, 0x00};
  if (c.size() >= 5 && std::equal(nop5, nop5 + 5, c.begin()))
    return 5;
  return 0;
}

} // namespace ksplice
