//===- error.h - The create side's error and file helpers -----------------===//
//
// One way to make an error on the create side (llvm::Error with a message
// that says what, where and what to do), one way to read a whole file
// into a string with such an error when it cannot be read, and one to
// link a file elsewhere.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_ERROR_H
#define KSPLICE_CREATE_ERROR_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <string>

namespace ksplice {

/// An error carrying MSG.
inline llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg.str());
}

/// The bytes of PATH; WHAT names the file in the error ("the patch").
llvm::Expected<std::string> readFile(const std::string &path,
                                     const char *what);

/// FROM at TO too (its directories made): a hard link where the file
/// system allows one, else a copy.  TO is replaced.
llvm::Error linkFile(const std::string &from, const std::string &to);

} // namespace ksplice

#endif
