#include "cardd/db/state.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace cardd::db {
namespace {

constexpr AppState kAll[] = {AppState::received,         AppState::validated, AppState::rejected,
                             AppState::queued,           AppState::prepared,  AppState::encoding,
                             AppState::encoded,          AppState::printing,  AppState::printed,
                             AppState::qc_passed,        AppState::packed,    AppState::shipped,
                             AppState::delivered,        AppState::returned,  AppState::dispatched,
                             AppState::ready_for_pickup, AppState::collected};

TEST(State, NamesRoundTrip) {
  for (const AppState s : kAll) EXPECT_EQ(state_from_string(to_string(s)), s);
  EXPECT_EQ(to_string(AppState::qc_passed), "QC_PASSED");
  EXPECT_FALSE(state_from_string("validated").has_value());
}

TEST(State, ExactlyTheDesignedTransitionsAreLegal) {
  using S = AppState;
  using M = CollectionMethod;
  const std::set<std::pair<S, S>> both = {
      {S::received, S::validated}, {S::received, S::rejected}, {S::validated, S::queued},
      {S::queued, S::prepared},    {S::prepared, S::encoding}, {S::prepared, S::queued},
      {S::encoding, S::encoded},   {S::encoding, S::queued},   {S::encoded, S::printing},
      {S::encoded, S::queued},     {S::printing, S::printed},  {S::printing, S::queued},
      {S::printed, S::qc_passed},  {S::printed, S::queued}};
  const std::set<std::pair<S, S>> mail = {{S::qc_passed, S::packed},
                                          {S::packed, S::shipped},
                                          {S::shipped, S::delivered},
                                          {S::shipped, S::returned},
                                          {S::returned, S::dispatched}};
  const std::set<std::pair<S, S>> branch = {{S::qc_passed, S::dispatched},
                                            {S::dispatched, S::ready_for_pickup},
                                            {S::ready_for_pickup, S::collected}};
  // Only the step out of QC_PASSED and a returned card's way to its branch
  // look at the collection method; the other steps cannot be reached on the
  // other route anyway.
  const std::pair qc_to_packed{S::qc_passed, S::packed};
  const std::pair returned_to_branch{S::returned, S::dispatched};
  const std::pair qc_to_dispatched{S::qc_passed, S::dispatched};
  for (const S from : kAll)
    for (const S to : kAll) {
      const std::pair p{from, to};
      const bool common = both.count(p) > 0;
      const bool mail_leg = mail.count(p) > 0, branch_leg = branch.count(p) > 0;
      EXPECT_EQ(is_legal_transition(from, to, M::mail),
                common || mail_leg || (branch_leg && p != qc_to_dispatched))
          << to_string(from) << "->" << to_string(to);
      EXPECT_EQ(is_legal_transition(from, to, M::branch),
                common || branch_leg || (mail_leg && p != qc_to_packed && p != returned_to_branch))
          << to_string(from) << "->" << to_string(to);
    }
}

TEST(State, TerminalStatesGoNowhere) {
  for (const AppState from : {AppState::rejected, AppState::delivered, AppState::collected}) {
    EXPECT_TRUE(is_terminal(from));
    for (const AppState to : kAll)
      EXPECT_FALSE(is_legal_transition(from, to, CollectionMethod::mail));
  }
}

TEST(State, AReturnedCardOnlyGoesToItsBranch) {
  EXPECT_FALSE(is_terminal(AppState::returned));
  for (const AppState to : kAll)
    EXPECT_EQ(is_legal_transition(AppState::returned, to, CollectionMethod::mail),
              to == AppState::dispatched)
        << to_string(to);
}

}  // namespace
}  // namespace cardd::db
