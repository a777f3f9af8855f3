// ksplice-undo's and ksplice-view's transactions (update/undo.h,
// update/list.h) in-process, on a fake host.
#include "undo.h"

#include <gtest/gtest.h>

#include <memory>

#include "cli.h"
#include "fake_host.h"
#include "fs.h"
#include "list.h"

using namespace ksplice;
using namespace ksplice::test;

namespace {

class UndoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("undo_test.");
    ASSERT_TRUE(t) << t.message();
    tmp_ = std::move(*t);
    host_ = std::make_unique<FakeHost>(tmp_.path() + "/run");
    in_ = tmp_.path() + "/in";
    ASSERT_TRUE(makeDirectories(in_));
    ASSERT_TRUE(writeFile(in_ + "/manifest", "format ksplice-update 1\n"));
    ASSERT_TRUE(writeFile(in_ + "/patch", "--- a\n+++ b\n"));
  }
  // An applied update with its record (sequence in call order).
  FakeUpdate &applied(const std::string &id, const std::string &module) {
    auto rec = host_->records().add(id, in_ + "/manifest", in_ + "/patch",
                                    module, 100);
    EXPECT_TRUE(rec) << rec.message();
    return host_->addUpdate(id, "applied", module);
  }
  UndoReport undo(const std::string &id) { return undoUpdates(*host_, {id}); }
  UndoReport undoAll() { return undoUpdates(*host_, {"", true}); }
  Printed text(const UndoReport &r, bool raw = false) {
    return printUndo("ksplice-undo", r, raw);
  }

  TempDir tmp_;
  std::unique_ptr<FakeHost> host_;
  std::string in_;
};

}  // namespace

TEST_F(UndoTest, UndoesUnloadsAndForgets) {
  applied("fix", "ksplice_fix_mod").pauseNs = 0;
  UndoReport r = undo("fix");
  ASSERT_EQ(r.updates.size(), 1u);
  EXPECT_EQ(r.updates[0].outcome, UndoResult::Undone);
  EXPECT_EQ(r.updates[0].module, "ksplice_fix_mod");  // from the record
  EXPECT_EQ(r.updates[0].pauseNs, 1000u);
  EXPECT_EQ(host_->log, (std::vector<std::string>{"write fix/stage undo",
                                                  "unload ksplice_fix_mod"}));
  EXPECT_FALSE(host_->records().get("fix"));
  EXPECT_EQ(host_->loaded, std::set<std::string>{"ksplice"});  // core stays
  Printed p = text(r);
  EXPECT_EQ(p.out, "undid update 'fix'\n");
  EXPECT_EQ(p.err, "");
  EXPECT_EQ(p.status, 0);
}

TEST_F(UndoTest, RefusedByTheLoaderKeepsEverything) {
  applied("fix", "ksplice_fix");
  LoaderAnswer &a = host_->loader.answers["fix/undo"];
  a.cause = "dependent_update";
  a.detail = "'later' replaces code of 'fix'\n";
  UndoReport r = undo("fix");
  const Failure *f = r.firstFailure();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->token, "dependent_update");
  EXPECT_EQ(host_->log, std::vector<std::string>{"write fix/stage undo"});
  EXPECT_TRUE(host_->loaded.count("ksplice_fix"));
  EXPECT_TRUE(host_->records().get("fix"));
  Printed p = text(r, true);
  EXPECT_EQ(p.status, 1);
  EXPECT_EQ(p.err, "dependent_update\n"
                   "ksplice-undo: error: dependent_update: " +
                       causeSentence("dependent_update") +
                       "\nksplice-undo: note: the loader refused to undo "
                       "update 'fix'\n"
                       "ksplice-undo: note: 'later' replaces code of 'fix'\n");
}

TEST_F(UndoTest, UndoWriteFailsWithoutACause) {
  applied("fix", "ksplice_fix");
  host_->loader.answers["fix/undo"].writeFails = true;
  UndoReport r = undo("fix");
  ASSERT_TRUE(r.firstFailure());
  EXPECT_EQ(r.firstFailure()->token, "other");
  EXPECT_EQ(r.firstFailure()->message,
            "writing 'undo' to '/fake/sys/kernel/ksplice/fix/stage' failed: "
            "Invalid argument");
  EXPECT_TRUE(host_->loaded.count("ksplice_fix"));
}

TEST_F(UndoTest, UnloadFailsIsModuleBusy) {
  applied("fix", "ksplice_fix");
  host_->unloadFails["ksplice_fix"] =
      Status::error("cannot unload module 'ksplice_fix': it is in use");
  UndoReport r = undo("fix");
  const Failure *f = r.firstFailure();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->token, "module_busy");
  EXPECT_EQ(f->message, "update 'fix' is undone, but cannot unload module "
                        "'ksplice_fix': it is in use; unload it later with "
                        "'ksplice-undo fix'");
  EXPECT_EQ(host_->loader.updates["fix"].stage, "reversed");
  EXPECT_TRUE(host_->records().get("fix"));  // the next undo unloads it

  host_->unloadFails.clear();
  host_->log.clear();
  UndoReport again = undo("fix");
  EXPECT_FALSE(again.firstFailure());
  EXPECT_EQ(again.updates[0].outcome, UndoResult::Unloaded);
  EXPECT_EQ(text(again).out, "update 'fix' was not applied (reversed); "
                             "unloaded its module 'ksplice_fix'\n");
  EXPECT_EQ(host_->log, std::vector<std::string>{"unload ksplice_fix"});
}

TEST_F(UndoTest, RecordThatCannotBeRemovedIsAWarning) {
  applied("fix", "ksplice_fix");
  host_->fakeRecords.removeFails = Status::error("cannot remove '/run/x': EROFS");
  UndoReport r = undo("fix");
  EXPECT_FALSE(r.firstFailure());
  Printed p = text(r, true);
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.out, "undid update 'fix'\n");
  EXPECT_EQ(p.err, "ksplice-undo: warning: cannot remove '/run/x': EROFS\n");
}

TEST_F(UndoTest, WithoutARecordTheModuleNameIsDerived) {
  host_->addUpdate("cmdline-fix", "applied", "ksplice_cmdline_fix");
  UndoReport r = undo("cmdline-fix");
  EXPECT_FALSE(r.firstFailure());
  EXPECT_EQ(host_->log,
            (std::vector<std::string>{"write cmdline-fix/stage undo",
                                      "unload ksplice_cmdline_fix"}));
}

TEST_F(UndoTest, StaleRecordsAndUnknownIds) {
  ASSERT_TRUE(host_->records().add("gone", in_ + "/manifest", in_ + "/patch",
                                   "ksplice_gone", 5));
  UndoReport r = undo("gone");
  EXPECT_FALSE(r.firstFailure());
  EXPECT_EQ(r.updates[0].outcome, UndoResult::StaleRecordRemoved);
  EXPECT_EQ(text(r).out, "update 'gone' is not loaded in the kernel "
                         "(rebooted?); removed its stale record\n");
  EXPECT_FALSE(host_->records().get("gone"));

  UndoReport none = undo("gone");
  ASSERT_TRUE(none.firstFailure());
  EXPECT_EQ(text(none, true).err,
            "other\nksplice-undo: error: update 'gone' is not loaded in the "
            "kernel; 'ksplice-view' lists the loaded updates\n");

  ASSERT_TRUE(host_->records().add("gone", in_ + "/manifest", in_ + "/patch",
                                   "ksplice_gone", 5));
  host_->fakeRecords.removeFails = Status::error("cannot remove 'x': EROFS");
  UndoReport stuck = undo("gone");
  ASSERT_TRUE(stuck.firstFailure());
  EXPECT_EQ(stuck.firstFailure()->message, "cannot remove 'x': EROFS");

  UndoReport bad = undo("../x");
  ASSERT_TRUE(bad.firstFailure());
  EXPECT_EQ(bad.firstFailure()->message,
            "'../x' is not an update id ([A-Za-z0-9_.-], at most 64); "
            "'ksplice-view' lists the ids");
  EXPECT_TRUE(host_->log.empty());
}

TEST_F(UndoTest, AllGoesNewestFirstAndStopsAtAFailure) {
  applied("first", "ksplice_first");
  applied("second", "ksplice_second");
  host_->addUpdate("manual", "loaded", "ksplice_manual");  // no record
  host_->loader.answers["first/undo"].cause = "code_busy";
  UndoReport r = undoAll();
  ASSERT_EQ(r.updates.size(), 2u);
  EXPECT_EQ(r.updates[0].id, "second");
  EXPECT_EQ(r.updates[1].id, "first");
  ASSERT_TRUE(r.firstFailure());
  EXPECT_EQ(r.firstFailure()->token, "code_busy");
  EXPECT_TRUE(host_->loaded.count("ksplice_manual"));  // not reached
  EXPECT_EQ(text(r).out, "undid update 'second'\n");

  host_->loader.answers.clear();
  UndoReport rest = undoAll();
  EXPECT_FALSE(rest.firstFailure());
  EXPECT_EQ(text(rest).out, "undid update 'first'\n"
                            "update 'manual' was not applied (loaded); "
                            "unloaded its module 'ksplice_manual'\n");
  UndoReport nothing = undoAll();
  EXPECT_TRUE(nothing.nothingToUndo);
  EXPECT_EQ(text(nothing).out, "no updates are loaded; nothing to undo\n");
}

TEST_F(UndoTest, LockFails) {
  applied("fix", "ksplice_fix");
  host_->fakeRecords.lockFails = Status::error("cannot lock 'x': EIO");
  UndoReport r = undo("fix");
  ASSERT_TRUE(r.firstFailure());
  EXPECT_EQ(text(r).err, "ksplice-undo: error: cannot lock 'x': EIO\n");
  EXPECT_TRUE(host_->log.empty());
  ASSERT_EQ(r.phases.size(), 1u);
  EXPECT_EQ(r.phases[0].name, "lock");
  EXPECT_GT(r.phases[0].ns, 0u);
}

TEST_F(UndoTest, Json) {
  applied("fix", "ksplice_fix");
  Printed p = undoJson(undo("fix"));
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.out,
            "{\"outcome\":\"undone\",\"token\":null,\"sentence\":null,"
            "\"message\":null,\"detail\":[],\"conflicts\":[],"
            "\"conflicts_truncated\":false,\"notes\":[],\"updates\":[{\"id\":"
            "\"fix\",\"outcome\":\"undone\",\"stage\":\"applied\",\"module\":"
            "\"ksplice_fix\",\"token\":null,\"sentence\":null,\"message\":null,"
            "\"detail\":[],\"conflicts\":[],\"conflicts_truncated\":false,"
            "\"notes\":[],\"pause_ns\":1000,\"loader_timings\":[{\"name\":"
            "\"collect\",\"ns\":100},{\"name\":\"match\",\"ns\":200},"
            "{\"name\":\"stop\",\"ns\":300}],\"warnings\":[]}],\"phases\":["
            "{\"name\":\"lock\",\"ns\":1000},{\"name\":\"undo\",\"ns\":1000},"
            "{\"name\":\"unload\",\"ns\":1000}]}\n");

  applied("fix", "ksplice_fix");
  host_->loader.answers["fix/undo"].cause = "code_busy";
  host_->loader.answers["fix/undo"].conflicts = "1 init cmdline_proc_show\n";
  Printed f = undoJson(undo("fix"));
  EXPECT_EQ(f.status, 1);
  EXPECT_EQ(f.out.rfind("{\"outcome\":\"failed\",\"token\":\"code_busy\","
                        "\"sentence\":\"" + causeSentence("code_busy") +
                            "\",\"message\":\"code_busy: " +
                            causeSentence("code_busy") +
                            "\",\"detail\":[],\"conflicts\":[{\"pid\":1,"
                            "\"comm\":\"init\",\"state\":\"in_function\","
                            "\"function\":\"cmdline_proc_show\"}],",
                        0),
            0u)
      << f.out;
}

TEST_F(UndoTest, ListAndViewNewestFirst) {
  applied("old", "ksplice_old");
  applied("new", "ksplice_new");
  host_->addUpdate("manual", "loaded", "ksplice_manual");
  ASSERT_TRUE(host_->records().add("stale", in_ + "/manifest", in_ + "/patch",
                                   "ksplice_stale", 1));
  auto order = updatesNewestFirst(*host_);
  ASSERT_TRUE(order) << order.message();
  EXPECT_EQ(*order,
            (std::vector<std::string>{"stale", "new", "old", "manual"}));
  auto views = listUpdates(*host_);
  ASSERT_TRUE(views) << views.message();
  ASSERT_EQ(views->size(), 4u);
  EXPECT_EQ((*views)[0].stage, "not-loaded");
  EXPECT_EQ((*views)[1].stage, "applied");
  EXPECT_FALSE((*views)[1].patch);
  auto one = viewUpdate(*host_, "new");
  ASSERT_TRUE(one) << one.message();
  EXPECT_EQ(one->patch, std::optional<std::string>("--- a\n+++ b\n"));
  EXPECT_FALSE(viewUpdate(*host_, "../x"));

  host_->loader.unreadable.insert("new/functions");
  auto broken = listUpdates(*host_);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.message().find("new/functions"), std::string::npos);
}
