// docs/user-guide.md's table of abort causes is causeTable(): the tokens and
// sentences of loader-kmod/include/ksplice/errors.h and the tools' own.
// When errors.h changes, paste the table this test prints into the guide.
#include <gtest/gtest.h>

#include "causes.h"
#include "fs.h"

using namespace ksplice;

TEST(CausesDoc, UserGuideTableIsErrorsH) {
  const std::string begin = "<!-- BEGIN causes table:";
  const std::string end = "<!-- END causes table -->";
  auto guide = readFile(KSPLICE_SOURCE_DIR "/docs/user-guide.md");
  ASSERT_TRUE(guide) << guide.message();
  size_t b = guide->find(begin);
  ASSERT_NE(b, std::string::npos) << "no '" << begin << "' in the guide";
  b = guide->find('\n', b) + 1;
  size_t e = guide->find(end, b);
  ASSERT_NE(e, std::string::npos) << "no '" << end << "' in the guide";
  EXPECT_EQ(guide->substr(b, e - b), causeTable())
      << "docs/user-guide.md's cause table differs from errors.h; it "
         "should read:\n"
      << causeTable();
}

TEST(CausesDoc, TableHasEveryToken) {
  std::string table = causeTable();
  for (const std::string &token : knownCauses())
    EXPECT_NE(table.find("| `" + token + "` | " + causeSentence(token) +
                         " |\n"),
              std::string::npos)
        << token;
  EXPECT_NE(table.find("| `missing_prerequisite` | " +
                       toolCauseSentence("missing_prerequisite") + " |\n"),
            std::string::npos);
}
