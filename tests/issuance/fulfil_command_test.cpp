// cardctl fulfil …, the operator's commands for mail and branch steps, on a
// store whose applications passed QC.
#include <gtest/gtest.h>

#include <sstream>

#include "issuance_fixture.h"

namespace cardd::test {
namespace {

class FulfilCommand : public IssuanceFixture {
 protected:
  // Applications moved to QC_PASSED, split by how they are collected.
  void passed_qc(int count) {
    const auto ids = import_applications(count);
    auto st = store();
    for (const auto& id : ids) {
      for (db::AppState s : {db::AppState::queued, db::AppState::prepared, db::AppState::encoding,
                             db::AppState::encoded, db::AppState::printing, db::AppState::printed,
                             db::AppState::qc_passed})
        ASSERT_TRUE(st->transition(id, s, "line-1", "").ok()) << id;
      const auto collection = st->status(id)->collection;
      (collection == CollectionMethod::mail ? mail_ : branch_).push_back(id);
    }
  }

  RunResult fulfil(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {bin_path("cardctl"), "fulfil", "--db", db_path()});
    for (auto& a : hsm_args()) args.push_back(std::move(a));
    return run_command(args, input, std::chrono::seconds(120));
  }

  db::AppState state(const std::string& id) { return store()->status(id)->state; }

  std::vector<std::string> mail_, branch_;
};

TEST_F(FulfilCommand, MailAndBranchCardsReachTheirHolders) {
  passed_qc(20);
  ASSERT_FALSE(mail_.empty());
  ASSERT_FALSE(branch_.empty());

  auto packed = fulfil({"pack"});
  ASSERT_EQ(packed.exit_code, 0) << packed.err;
  std::istringstream packs(packed.out);
  std::string pack_id, line;
  std::vector<std::string> tracking;
  while (std::getline(packs, line)) {
    if (line.rfind("PK", 0) != 0) continue;
    pack_id = line.substr(0, line.find(' '));
    auto shipped = fulfil({"ship", pack_id});
    ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
    std::istringstream rows(shipped.out);
    std::string id, courier, number;
    while (rows >> id >> courier >> number) tracking.push_back(number);
  }
  ASSERT_EQ(tracking.size(), mail_.size());
  for (const auto& id : mail_) EXPECT_EQ(state(id), db::AppState::shipped) << id;

  ASSERT_EQ(fulfil({"courier-event", tracking[0], "returned", "--detail", "moved"}).exit_code, 0);
  auto unknown = fulfil({"courier-event", "EA999999995CN", "delivered"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("fulfilment.unknown_tracking_number"), std::string::npos)
      << unknown.err;
  auto bad_event = fulfil({"courier-event", tracking[0], "lost"});
  EXPECT_EQ(bad_event.exit_code, 2) << "not an event the courier reports";

  auto dispatched = fulfil({"dispatch"});
  ASSERT_EQ(dispatched.exit_code, 0) << dispatched.err;
  for (const auto& id : branch_) EXPECT_EQ(state(id), db::AppState::dispatched) << id;

  const std::string id = branch_.front();
  ASSERT_EQ(fulfil({"branch-receipt", id, "--clerk", "clerk Li"}).exit_code, 0);
  const std::string holder_id = store()->sensitive(id, "test", "test")->id_number;
  auto wrong = fulfil({"collect", id, "--clerk", "clerk Li"}, "110101194001010000\n");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("fulfilment.id_mismatch"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find("110101194001010000"), std::string::npos) << "no ID number in output";
  EXPECT_EQ(state(id), db::AppState::ready_for_pickup);
  auto right = fulfil({"collect", id, "--clerk", "clerk Li"}, holder_id + "\n");
  ASSERT_EQ(right.exit_code, 0) << right.err;
  EXPECT_EQ(state(id), db::AppState::collected);
}

}  // namespace
}  // namespace cardd::test
