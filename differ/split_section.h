//===- split_section.h - One section per function, after the fact ---------===//
//
// The kernel's __init and __exit functions are put in .init.text and
// .exit.text by a section attribute, which wins over -ffunction-sections:
// every one of a unit's __init functions shares one section.  The differ
// replaces functions section by section, so a changed one of them could
// not be replaced alone.  Split such a section as -ffunction-sections
// would have compiled it: the only thing the assembler did differently is
// resolve the references from one of the section's functions to another
// (a call to a static helper, a RIP-relative address) without a
// relocation.  Those are found by decoding the section's code and become
// relocations (ObjectFile::splitByFunction()).
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_SPLIT_SECTION_H
#define KSPLICE_DIFFER_SPLIT_SECTION_H

#include "object_file.h"

namespace ksplice {

/// The references of section SEC of OBJ from one of its functions to
/// another that have no relocation, as relocations against the function
/// referred to (R_X86_64_PLT32 for a branch, R_X86_64_PC32 for an operand).
/// An Error if a byte of a function does not decode, or such a reference
/// is a branch of 8 bits (it cannot reach another section).
llvm::Expected<std::vector<Reloc>> unrelocatedReferences(const ObjectFile &obj,
                                                         uint32_t sec);

/// Opens the object at PATH (ObjectFile::open()) of a unit linked into
/// TARGET ("vmlinux" or a module) and splits each section that
/// isSplitWhenRead() names and that holds several functions or objects.
/// A section that cannot be split stays whole: its functions or objects
/// are then refused as sharing it, as before.
llvm::Expected<std::unique_ptr<ObjectFile>>
openUnitObject(llvm::StringRef path, llvm::StringRef target,
               llvm::StringRef name = "");

} // namespace ksplice

#endif
