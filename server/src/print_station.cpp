#include "cardd/server/print_station.h"

#include <fmt/format.h>

#include "cardd/common/metrics.h"
#include "cardd/server/card_documents.h"

namespace cardd::server {

PrintStation::PrintStation(IssuanceRepositories store, printer::Printer& printer,
                           printer::FaceRenderer& faces, const region::Region& region,
                           printer::RetryPolicy retry, std::string actor, Clock clock)
    : store_(store),
      printer_(printer),
      faces_(faces),
      region_(region),
      retry_(std::move(retry)),
      actor_(std::move(actor)),
      clock_(std::move(clock)) {}

Result<PrintResult> PrintStation::print(std::string_view id) {
  auto status = store_.applications.status(id);
  if (!status) return status.error();
  if (status->state != db::AppState::encoded && status->state != db::AppState::printing)
    return make_error(db::DbError::illegal_transition,
                      fmt::format("application {} is {}: only an ENCODED card is printed", id,
                                  to_string(status->state)));
  auto encoded = encoded_chip(store_.cards, id);
  if (!encoded) return encoded.error();
  const std::string& chip = *encoded;
  auto documents = card_documents(store_.applications, store_.cards, id, region_, actor_, clock_());
  if (!documents) return documents.error();
  auto rendered = faces_.render(documents->face);
  if (!rendered) return rendered.error();

  if (status->state == db::AppState::encoded) {
    if (auto s = store_.applications.transition(id, db::AppState::printing, actor_,
                                                fmt::format("card {} to the printer", chip));
        !s)
      return s.error();
  }
  // Already PRINTING: a cardd killed while printing may have sent a side.
  printer::RetryPolicy retry = retry_;
  retry.maybe_sent_before = status->state == db::AppState::printing;
  PrintResult result;
  for (const auto& face :
       {std::pair<const char*, const std::string*>{"card-front", &rendered->front_png},
        {"card-back", &rendered->back_png}}) {
    const char* side = face.first;  // a variable, not a binding: lambdas capture it in clang 14
    const std::string* png = face.second;
    const printer::Job job{printer::make_job_name(id, side, chip), "image/png", *png};
    auto printed = [&] {
      const metrics::ScopedTimer timer(metrics::histogram(
          "cardd_print_seconds", "A card face from submission to printed, retries included",
          {{"side", side}}));
      return printer::print_with_retry(printer_, job, retry);
    }();
    if (!printed) {
      // Stays PRINTING: nothing lost, and the next attempt finds this job.
      (void)store_.audit_log.audit(actor_, "print.failed", id, printed.error().describe());
      return printed.error();
    }
    result.submissions += printed->submissions;
    result.attempts += printed->attempts;
  }
  if (auto s = store_.applications.transition(id, db::AppState::printed, actor_,
                                              fmt::format("printed on {}", printer_.uri()));
      !s)
    return s.error();
  return result;
}

}  // namespace cardd::server
