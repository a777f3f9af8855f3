// forEachParallel: every job once, on the workers asked for; the first
// error stops the hand-out and is returned.
#include "parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <vector>

using namespace ksplice;

TEST(Parallel, EveryJobOnceOnTheWorkersAsked) {
  std::mutex mu;
  std::vector<int> runs(50);
  std::set<unsigned> workers;
  llvm::Error err =
      forEachParallel(3, 50, 4, [&](size_t k, unsigned w) -> llvm::Error {
        std::lock_guard<std::mutex> lock(mu);
        runs[k]++;
        workers.insert(w);
        return llvm::Error::success();
      });
  ASSERT_FALSE(bool(err));
  for (size_t k = 0; k < runs.size(); k++)
    EXPECT_EQ(runs[k], k < 3 ? 0 : 1) << "job " << k;
  for (unsigned w : workers)
    EXPECT_LT(w, 4u);
}

TEST(Parallel, NoJobsAndZeroWorkers) {
  int n = 0;
  auto count = [&](size_t, unsigned) -> llvm::Error {
    n++;
    return llvm::Error::success();
  };
  EXPECT_FALSE(bool(forEachParallel(5, 5, 2, count)));
  EXPECT_FALSE(bool(forEachParallel(0, 3, 0, count))); // 0: the caller alone
  EXPECT_EQ(n, 3);
}

TEST(Parallel, FirstErrorStopsTheHandOut) {
  std::atomic<int> started{0};
  llvm::Error err =
      forEachParallel(0, 100, 1, [&](size_t k, unsigned) -> llvm::Error {
        started++;
        if (k == 7)
          return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                         "job 7 failed");
        return llvm::Error::success();
      });
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(llvm::toString(std::move(err)), "job 7 failed");
  EXPECT_EQ(started.load(), 8); // one worker: jobs 0..7, none after
}
