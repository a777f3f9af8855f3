//===- parallel.cc - A fixed pool of workers over numbered jobs -----------===//
#include "parallel.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace ksplice {

llvm::Error forEachParallel(
    size_t first, size_t last, unsigned workers,
    const std::function<llvm::Error(size_t k, unsigned worker)> &job) {
  std::mutex mu; // protects next and firstError
  size_t next = first;
  llvm::Error firstError = llvm::Error::success();
  auto work = [&](unsigned worker) {
    for (;;) {
      size_t k;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next >= last || firstError)
          return;
        k = next++;
      }
      llvm::Error err = job(k, worker);
      std::lock_guard<std::mutex> lock(mu);
      if (err && !firstError)
        firstError = std::move(err);
      else
        llvm::consumeError(std::move(err));
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < std::max(1u, workers); w++)
    threads.emplace_back(work, w);
  work(0);
  for (std::thread &t : threads)
    t.join();
  return firstError;
}

} // namespace ksplice
