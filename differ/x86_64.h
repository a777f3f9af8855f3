//===- x86_64.h - The x86-64 facts the differ relies on -------------------===//
#ifndef KSPLICE_DIFFER_X86_64_H
#define KSPLICE_DIFFER_X86_64_H

#include "object_file.h"

namespace ksplice {

/// For a PC-relative relocation R in section SEC, the distance from the
/// field to the place P the CPU measures from, so that the referenced
/// address is S + A + pcrelBias.  In code, P is the end of the instruction:
/// 4 for branches and plain RIP-relative operands, more when an immediate
/// follows the displacement (`movl $1, x(%rip)`: 8).  In data (`.long x -
/// .`), P is the field itself: 0.  Not PC-relative: 0.
int64_t pcrelBias(const Section &sec, const Reloc &r);

/// The length of the branch or nop at the start of CODE, in the forms the
/// kernel's site tables name with no length of their own: `call/jmp rel32`
/// (5), with a CS prefix (6, -mindirect-branch-cs-prefix), `jcc rel32` (6,
/// 7 with the prefix), `jmp rel8` (2), nop2 and nop5.  0 for anything else.
unsigned branchLength(llvm::ArrayRef<uint8_t> code);

} // namespace ksplice

#endif
