//===- data_layout.h - Structures whose layout a change alters ------------===//
//
// The differ compares code; a structure whose layout changes (a field
// added, removed, resized or moved) compiles into consistent new code that
// is wrong for every instance the running kernel already holds.  For a
// hand-written patch that is the author's to know (docs/patch-author.md,
// "What the tools cannot see").  A series is built with no author looking,
// so it checks: each object's debug information (DWARF, which the
// kernel's configuration has) shows every structure and union the object
// uses, with its members' offsets and sizes, as pahole prints them; a type
// whose members (by name) sit at other offsets, with other sizes or bit
// positions, or are or point to other structures, has another layout.  A
// member given another scalar type of the same size, or a function
// pointer another prototype, does not count: the instances hold the same
// bytes in the same places, read as the new code means them.  Types only
// on one side (new, or no longer used) do not count.
//
// Enumerations too (pahole does not print them; LLVM's DWARF reader
// does): an enumerator both sides have whose value differs means a number
// the running kernel already stored now means something else.  New
// enumerators alone do not count, nor do removed ones.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_DATA_LAYOUT_H
#define KSPLICE_CREATE_DATA_LAYOUT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace ksplice {

/// pahole's output split into its named types: "struct list_head" -> its
/// text.  Anonymous and nested types are part of their parent's text.
std::map<std::string, std::string> layoutsOf(llvm::StringRef paholeText);

/// An object's named enumerations, "enum state" -> enumerator -> value
/// (signed and unsigned values as their 64 bits).
llvm::Expected<std::map<std::string, std::map<std::string, uint64_t>>>
enumsOf(const std::string &object);

/// The layout one line of pahole's text states: the numbers of its
/// comment (offset, size, bit position; holes; the type's size and member
/// count), the member's name, a bit-field's width, the nesting, alignment,
/// and the structures, unions and enumerations the member is or points to
/// (with its pointer depth), but not a scalar type's name nor a function
/// pointer's parameters.  Two lines with the same shape describe the same
/// bytes.
std::string layoutShapeOf(llvm::StringRef line);

/// The named structures and unions both objects describe with different
/// layouts, then the named enumerations with an enumerator whose value
/// differs; each part sorted.  An Error when pahole cannot be run or fails,
/// or an object's debug information cannot be read.
llvm::Expected<std::vector<std::string>>
changedLayouts(const std::string &pre, const std::string &post);

} // namespace ksplice

#endif
