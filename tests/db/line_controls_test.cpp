// Line and slot pause flags and slot heartbeats, through the repository
// interface: what `cardctl line` writes and the daemon reads.
#include <gtest/gtest.h>

#include "cardd/db/line_control_repository.h"
#include "raw_sql.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

TEST_F(StoreTest, APausedLineOrSlotIsSeenWithWhoAndWhenAndAudited) {
  LineControlRepository& lines = *store_;
  ASSERT_TRUE(lines.line_controls()->empty());
  ASSERT_TRUE(lines.set_paused("line-1", "", true, "alice@host").ok());
  ASSERT_TRUE(lines.set_paused("line-2", "Virtual PCD 00 01", true, "bob@host").ok());

  auto controls = lines.line_controls();
  ASSERT_TRUE(controls.ok());
  ASSERT_EQ(controls->size(), 2u);
  EXPECT_EQ((*controls)[0].line, "line-1");
  EXPECT_EQ((*controls)[0].slot, "");
  EXPECT_EQ((*controls)[0].changed_by, "alice@host");
  EXPECT_FALSE((*controls)[0].changed_at.empty());
  EXPECT_TRUE(paused(*controls, "line-1", "Virtual PCD 00 00"));
  EXPECT_TRUE(paused(*controls, "line-2", "Virtual PCD 00 01"));
  EXPECT_FALSE(paused(*controls, "line-2", "Virtual PCD 00 00"));
  EXPECT_FALSE(paused(*controls, "line-3", "Virtual PCD 00 01"));

  EXPECT_EQ(text(path(),
                 "SELECT actor || ' ' || action || ' ' || subject FROM audit_log ORDER BY seq DESC "
                 "LIMIT 1"),
            "bob@host line.pause line-2/Virtual PCD 00 01");
  auto report = store_->verify_audit_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
}

TEST_F(StoreTest, ResumingAWholeLineResumesItsSlotsToo) {
  LineControlRepository& lines = *store_;
  ASSERT_TRUE(lines.set_paused("line-1", "S0", true, "a").ok());
  ASSERT_TRUE(lines.set_paused("line-1", "", true, "a").ok());
  ASSERT_TRUE(lines.set_paused("line-2", "S0", true, "a").ok());
  ASSERT_TRUE(lines.set_paused("line-1", "", false, "b").ok());
  auto controls = lines.line_controls();
  ASSERT_TRUE(controls.ok());
  EXPECT_FALSE(paused(*controls, "line-1", "S0"));
  EXPECT_TRUE(paused(*controls, "line-2", "S0")) << "another line keeps its pause";
  // Resuming one slot of a paused line leaves the line paused.
  ASSERT_TRUE(lines.set_paused("line-2", "", true, "a").ok());
  ASSERT_TRUE(lines.set_paused("line-2", "S0", false, "a").ok());
  EXPECT_TRUE(paused(*lines.line_controls(), "line-2", "S0"));
  EXPECT_EQ(text(path(), "SELECT count(*) FROM audit_log WHERE action LIKE 'line.%'"), "6");
}

TEST_F(StoreTest, APauseNeedsTheAuditKey) {
  store_.reset();
  StoreOptions options;
  options.sealer = &sealer_;
  auto unkeyed = Store::open(path(), options);
  ASSERT_TRUE(unkeyed.ok());
  auto s = (*unkeyed)->set_paused("line-1", "", true, "a");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, DbError::no_audit_signer);
  EXPECT_TRUE((*unkeyed)->line_controls()->empty()) << "nothing half written";
}

TEST_F(StoreTest, SlotReportsReplaceTheSlotsLastWord) {
  LineControlRepository& lines = *store_;
  SlotReport r;
  r.line = "line-1";
  r.slot = "S0";
  r.reader = "Virtual PCD 00 00";
  r.activity = "encoding";
  r.application = "A1";
  r.made = 3;
  r.reporter = "host/42";
  ASSERT_TRUE(lines.report_slots({r}).ok());
  r.activity = "paused";
  r.application.clear();
  r.paused = true;
  r.made = 4;
  SlotReport other = r;
  other.slot = "S1";
  ASSERT_TRUE(lines.report_slots({r, other}).ok());
  auto reports = lines.slot_reports();
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 2u);
  EXPECT_EQ((*reports)[0].slot, "S0");
  EXPECT_EQ((*reports)[0].activity, "paused");
  EXPECT_TRUE((*reports)[0].paused);
  EXPECT_EQ((*reports)[0].made, 4);
  EXPECT_EQ((*reports)[0].reporter, "host/42");
  EXPECT_FALSE((*reports)[0].reported_at.empty());
  EXPECT_EQ((*reports)[1].slot, "S1");
}

}  // namespace
}  // namespace cardd::db::test
