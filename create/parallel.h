//===- parallel.h - A fixed pool of workers over numbered jobs ------------===//
//
// ksplice-create runs independent jobs (a series' files, self-match
// packages) on a few threads, each job mostly waiting for a child process
// (a compiler, kbuild).  One loop hands the jobs out; it stops handing
// them out at the first error, which it returns.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_PARALLEL_H
#define KSPLICE_CREATE_PARALLEL_H

#include "llvm/Support/Error.h"

#include <cstddef>
#include <functional>

namespace ksplice {

/// Calls JOB(K, WORKER) once for each K in [FIRST, LAST), started in
/// increasing order of K, on WORKERS threads (WORKER 0 is the calling
/// thread; each worker is one of [0, WORKERS)).  After a job fails no
/// other starts; the first error is returned once the running jobs end.
llvm::Error forEachParallel(
    size_t first, size_t last, unsigned workers,
    const std::function<llvm::Error(size_t k, unsigned worker)> &job);

} // namespace ksplice

#endif
