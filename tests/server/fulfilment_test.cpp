// Mail and branch fulfilment on a real SQLite store.
#include "cardd/server/fulfilment.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "cardd/common/pii.h"

#include "../db/raw_sql.h"
#include "../db/store_fixture.h"

namespace cardd::server {
namespace {

using db::AppState;
using db::CollectionMethod;

class FulfilmentTest : public db::test::StoreTest {
 protected:
  // An application that passed QC, collected as asked.
  void passed_qc(const std::string& id, CollectionMethod collection,
                 const std::string& postal_code = "100020") {
    db::NewApplication a = db::test::sample(id, id);
    a.details.collection = collection;
    a.details.recipient_postal_code = postal_code;
    a.details.issuing_branch = "0101";
    ingest({a});
    for (AppState s : {AppState::queued, AppState::prepared, AppState::encoding, AppState::encoded,
                       AppState::printing, AppState::printed, AppState::qc_passed})
      ASSERT_TRUE(store_->transition(id, s, "line-1", "").ok()) << id << " " << to_string(s);
  }

  Fulfilment make(FulfilmentOptions options = {}) {
    auto f = Fulfilment::create(*store_, std::move(options), "clerk@host via test");
    EXPECT_TRUE(f.ok()) << f.error().describe();
    return std::move(*f);
  }

  AppState state(const std::string& id) { return store_->status(id)->state; }

  // The newest outbox message of an application.
  nlohmann::json last_message(const std::string& id) {
    auto pending = store_->pending_outbox(100000);
    nlohmann::json last;
    for (const auto& m : *pending)
      if (m.application_id == id) last = nlohmann::json::parse(m.payload);
    return last;
  }
};

// The document the API serves, as read from the rows it is made of: the
// stored copy must say the same after every kind of change.
nlohmann::json document_from_rows(db::Store& store, const std::string& id) {
  auto s = store.status(id);
  auto shipment = store.shipment(id);
  EXPECT_TRUE(s.ok() && shipment.ok());
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : s->history)
    history.push_back({{"seq", e.seq},
                       {"from", e.from ? nlohmann::json(to_string(*e.from)) : nlohmann::json()},
                       {"to", to_string(e.to)},
                       {"at", e.at},
                       {"actor", e.actor},
                       {"reason", e.reason}});
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& r : s->rejection)
    errors.push_back({{"field", r.field}, {"code", r.code}, {"message", r.message}});
  nlohmann::json pack;
  if (const auto& p = *shipment)
    pack = {{"pack", p->pack_id},
            {"postal_area", p->postal_area},
            {"courier", p->courier},
            {"tracking_number", p->tracking_number}};
  return {{"application_id", id},
          {"state", to_string(s->state)},
          {"card_number",
           s->card_number.empty() ? nlohmann::json() : nlohmann::json(mask_tail4(s->card_number))},
          {"collection", to_string(s->collection)},
          {"issuing_branch", s->details ? nlohmann::json(s->details->issuing_branch) : nullptr},
          {"created_at", s->created_at},
          {"updated_at", s->updated_at},
          {"errors", errors},
          {"history", history},
          {"shipment", pack}};
}

TEST_F(FulfilmentTest, TheStoredDocumentFollowsEveryChange) {
  const auto expect_current = [&](const std::string& id, const char* after) {
    auto stored = store_->application_document(id);
    ASSERT_TRUE(stored.ok()) << after << ": " << stored.error().describe();
    EXPECT_EQ(nlohmann::json::parse(*stored), document_from_rows(*store_, id)) << after;
  };
  ingest({db::test::sample("R1", "r", true)});
  expect_current("R1", "rejected at intake");
  EXPECT_EQ(nlohmann::json::parse(*store_->application_document("R1"))["errors"][0]["code"],
            "mobile.format");
  db::NewApplication a = db::test::sample("M1", "m");
  a.details.issuing_branch = "0101";
  ingest({a});
  expect_current("M1", "received");
  ASSERT_TRUE(store_->transition("M1", AppState::queued, "line-1", "").ok());
  db::PreparedRecord card;
  card.profile = "p";
  card.card_number = "621700001234567";
  card.pan = "6217000012345678901";
  card.issue_date = CivilDate{2026, 12, 1};
  card.expiry_date = CivilDate{2036, 12, 1};
  card.bank = "ICBC";
  card.data = "{}";
  ASSERT_TRUE(store_->save_prepared("M1", card, "line-1").ok());
  expect_current("M1", "prepared");
  EXPECT_EQ(nlohmann::json::parse(*store_->application_document("M1"))["card_number"],
            "***********4567");
  for (AppState s : {AppState::encoding, AppState::encoded, AppState::printing, AppState::printed,
                     AppState::qc_passed})
    ASSERT_TRUE(store_->transition("M1", s, "line-1", "").ok()) << to_string(s);
  expect_current("M1", "passed QC");
  FulfilmentOptions options;
  options.tracking_first = "EA100000000CN";
  options.tracking_last = "EA100000099CN";
  Fulfilment f = make(options);
  auto packs = f.pack_mail();
  ASSERT_TRUE(packs.ok() && packs->size() == 1u);
  expect_current("M1", "packed");
  ASSERT_TRUE(f.ship(packs->front().pack_id).ok());
  expect_current("M1", "shipped");
  EXPECT_EQ(nlohmann::json::parse(*store_->application_document("M1"))["shipment"]["courier"],
            "ems");
  auto unknown = store_->application_document("NOPE");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, db::DbError::not_found);
}

TEST_F(FulfilmentTest, MailIsPackedPerPostalAreaInBatches) {
  passed_qc("M1", CollectionMethod::mail, "100020");
  passed_qc("M2", CollectionMethod::mail, "100021");
  passed_qc("M3", CollectionMethod::mail, "100029");
  passed_qc("M4", CollectionMethod::mail, "102600");
  passed_qc("B1", CollectionMethod::branch);
  FulfilmentOptions options;
  options.pack_batch = 2;
  Fulfilment f = make(options);
  auto packs = f.pack_mail();
  ASSERT_TRUE(packs.ok()) << packs.error().describe();
  ASSERT_EQ(packs->size(), 3u);
  std::multiset<std::pair<std::string, std::size_t>> shape;
  for (const Pack& p : *packs) shape.insert({p.postal_area, p.application_ids.size()});
  EXPECT_EQ(shape, (std::multiset<std::pair<std::string, std::size_t>>{
                       {"1000", 2}, {"1000", 1}, {"1026", 1}}));
  for (const char* id : {"M1", "M2", "M3", "M4"}) EXPECT_EQ(state(id), AppState::packed) << id;
  EXPECT_EQ(state("B1"), AppState::qc_passed);
  EXPECT_TRUE(f.pack_mail()->empty());  // nothing left to pack
}

TEST_F(FulfilmentTest, ShippingGivesEachCardItsOwnValidNumberOnce) {
  for (const char* id : {"M1", "M2", "M3"}) passed_qc(id, CollectionMethod::mail);
  FulfilmentOptions options;
  options.tracking_first = "EA100000000CN";
  options.tracking_last = "EA100000099CN";
  Fulfilment f = make(options);
  auto packs = f.pack_mail();
  ASSERT_EQ(packs->size(), 1u);
  auto shipped = f.ship(packs->front().pack_id);
  ASSERT_TRUE(shipped.ok()) << shipped.error().describe();
  std::set<std::string> numbers;
  for (const db::Shipment& s : *shipped) {
    auto n = parse_s10(s.tracking_number);  // the check digit must be right
    ASSERT_TRUE(n.ok()) << s.tracking_number;
    EXPECT_GE(n->serial, 10000000);
    EXPECT_EQ(s.courier, "ems");
    numbers.insert(s.tracking_number);
    EXPECT_EQ(state(s.application_id), AppState::shipped);
    EXPECT_EQ(last_message(s.application_id).value("tracking_number", ""), s.tracking_number);
    EXPECT_EQ(store_->shipment(s.application_id)->value().tracking_number, s.tracking_number);
  }
  EXPECT_EQ(numbers.size(), 3u);
  // Shipping the pack again changes nothing: the same numbers, none new.
  auto again = f.ship(packs->front().pack_id);
  ASSERT_TRUE(again.ok());
  for (std::size_t i = 0; i < again->size(); ++i)
    EXPECT_EQ((*again)[i].tracking_number, (*shipped)[i].tracking_number);
  // A number is never given to a second card, whoever asks.
  passed_qc("M4", CollectionMethod::mail);
  ASSERT_EQ(f.pack_mail()->size(), 1u);
  auto reuse = store_->ship("M4", "ems", *numbers.begin(), "someone");
  ASSERT_FALSE(reuse.ok());
  EXPECT_EQ(reuse.error().code, db::DbError::conflict);
  EXPECT_EQ(state("M4"), AppState::packed);
}

// A run stopped between packing and shipping: the store names the pack
// still to ship, and shipping it later gives its cards their numbers.
TEST_F(FulfilmentTest, APackNotShippedIsFoundAndShippedLater) {
  for (const char* id : {"M1", "M2"}) passed_qc(id, CollectionMethod::mail);
  Fulfilment f = make();
  auto packs = f.pack_mail();
  ASSERT_TRUE(packs.ok() && packs->size() == 1u);
  auto unshipped = store_->packs_to_ship(10);
  ASSERT_TRUE(unshipped.ok()) << unshipped.error().describe();
  EXPECT_EQ(*unshipped, std::vector<std::string>{packs->front().pack_id});
  ASSERT_TRUE(f.ship(packs->front().pack_id).ok());
  EXPECT_EQ(state("M1"), AppState::shipped);
  EXPECT_EQ(state("M2"), AppState::shipped);
  EXPECT_TRUE(store_->packs_to_ship(10)->empty());
}

TEST_F(FulfilmentTest, AnExhaustedRangeStopsShippingWithoutLosingCards) {
  for (const char* id : {"M1", "M2", "M3"}) passed_qc(id, CollectionMethod::mail);
  FulfilmentOptions options;
  options.tracking_first = "EA000000100CN";
  options.tracking_last = "EA000000110CN";  // serials 10 and 11
  Fulfilment f = make(options);
  auto packs = f.pack_mail();
  auto shipped = f.ship(packs->front().pack_id);
  ASSERT_FALSE(shipped.ok());
  EXPECT_EQ(shipped.error().code, db::DbError::exhausted);
  int in_post = 0, waiting = 0;
  for (const char* id : {"M1", "M2", "M3"}) {
    in_post += state(id) == AppState::shipped;
    waiting += state(id) == AppState::packed;
  }
  EXPECT_EQ(in_post, 2);
  EXPECT_EQ(waiting, 1);
}

TEST_F(FulfilmentTest, CourierEventsEndTheJourneyAndReturnedCardsGoToTheBranch) {
  for (const char* id : {"M1", "M2"}) passed_qc(id, CollectionMethod::mail);
  Fulfilment f = make();
  auto packs = f.pack_mail();
  auto shipped = f.ship(packs->front().pack_id);
  ASSERT_TRUE(shipped.ok());
  const db::Shipment& first = (*shipped)[0];
  const db::Shipment& second = (*shipped)[1];
  const auto report = [](std::string id, const std::string& tracking, CourierEvent e,
                         std::string detail) {
    return CourierReport{std::move(id), tracking, e, "2026-12-01T08:00:00Z", std::move(detail)};
  };
  auto moving = f.courier_event(report("e0", first.tracking_number, CourierEvent::in_transit, ""));
  ASSERT_TRUE(moving.ok()) << moving.error().describe();
  EXPECT_EQ(state(first.application_id), AppState::shipped) << "in transit changes nothing";
  ASSERT_TRUE(
      f.courier_event(report("e1", first.tracking_number, CourierEvent::delivered, "signed")).ok());
  ASSERT_TRUE(
      f.courier_event(report("e2", second.tracking_number, CourierEvent::returned, "moved")).ok());
  EXPECT_EQ(state(first.application_id), AppState::delivered);
  EXPECT_EQ(state(second.application_id), AppState::returned);
  EXPECT_EQ(last_message(first.application_id).value("tracking_number", ""), first.tracking_number);

  auto again =
      f.courier_event(report("e1", first.tracking_number, CourierEvent::delivered, "signed"));
  ASSERT_TRUE(again.ok()) << "the same event twice is no error";
  EXPECT_EQ(*again, db::EventOutcome::duplicate);
  EXPECT_EQ(store_->status(first.application_id)->history.size(),
            store_->status(second.application_id)->history.size())
      << "and moves nothing a second time";
  auto reused = f.courier_event(report("e1", first.tracking_number, CourierEvent::returned, ""));
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, db::DbError::conflict);
  auto late = f.courier_event(report("e3", first.tracking_number, CourierEvent::returned, ""));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, db::DbError::illegal_transition);
  EXPECT_EQ(store_->courier_events(first.tracking_number)->size(), 2u)
      << "the refused report is not kept";

  auto unknown = f.courier_event(report("e4", "EA999999995CN", CourierEvent::delivered, ""));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, FulfilmentError::unknown_tracking_number);

  auto dispatched = f.dispatch_to_branches();
  ASSERT_TRUE(dispatched.ok()) << dispatched.error().describe();
  EXPECT_EQ(*dispatched, std::vector<std::string>{second.application_id});
  EXPECT_EQ(state(second.application_id), AppState::dispatched);
  EXPECT_NE(store_->status(second.application_id)->history.back().reason.find("branch 0101"),
            std::string::npos);
}

TEST_F(FulfilmentTest, BranchHandOverChecksTheFullIdNumber) {
  passed_qc("B1", CollectionMethod::branch);
  Fulfilment f = make();
  ASSERT_EQ(*f.dispatch_to_branches(), std::vector<std::string>{"B1"});
  ASSERT_TRUE(f.branch_received("B1", "teller 7").ok());
  EXPECT_EQ(state("B1"), AppState::ready_for_pickup);

  auto wrong = f.collect("B1", "110105194912310011", "teller 7");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, FulfilmentError::id_mismatch);
  EXPECT_EQ(state("B1"), AppState::ready_for_pickup);
  const std::string refused = db::test::text(
      path(), "SELECT detail FROM audit_log WHERE action = 'collect.refused' AND subject = 'B1'");
  EXPECT_NE(refused.find("teller 7"), std::string::npos);
  EXPECT_EQ(refused.find("110105194912310011"), std::string::npos) << refused;

  // The holder's number, with the check character typed in lower case.
  ASSERT_TRUE(f.collect("B1", "11010519491231002x", "teller 7").ok());
  EXPECT_EQ(state("B1"), AppState::collected);
  EXPECT_EQ(store_->status("B1")->history.back().reason, "handed over by teller 7");
}

TEST_F(FulfilmentTest, ImpossibleSettingsAreRefused) {
  FulfilmentOptions bad_range;
  bad_range.tracking_last = "EB999999999CN";
  auto r = Fulfilment::create(*store_, bad_range, "t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, FulfilmentError::bad_configuration);
  EXPECT_NE(r.error().message.find("fulfilment.tracking_first/last"), std::string::npos);
  FulfilmentOptions no_batch;
  no_batch.pack_batch = 0;
  EXPECT_EQ(Fulfilment::create(*store_, no_batch, "t").error().code,
            FulfilmentError::bad_configuration);
}

}  // namespace
}  // namespace cardd::server
