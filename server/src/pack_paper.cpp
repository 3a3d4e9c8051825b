#include "cardd/server/pack_paper.h"

#include <fmt/format.h>

#include <vector>

#include "cardd/server/card_documents.h"

namespace cardd::server {

Result<PackPaper> PackPaper::create(FulfilmentRepositories store, const region::Region& region,
                                    const std::string& printer_uri, printer::RetryPolicy retry,
                                    std::string actor, Clock clock) {
  auto printer = printer::open_printer(printer_uri);
  if (!printer) return printer.error();
  auto renderer = printer::DocumentRenderer::create();
  if (!renderer) return renderer.error();
  return PackPaper(store, region, std::move(*printer), std::move(*renderer), std::move(retry),
                   std::move(actor), std::move(clock));
}

PackPaper::PackPaper(FulfilmentRepositories store, const region::Region& region,
                     std::unique_ptr<printer::Printer> printer, printer::DocumentRenderer renderer,
                     printer::RetryPolicy retry, std::string actor, Clock clock)
    : store_(store),
      region_(region),
      printer_(std::move(printer)),
      renderer_(std::move(renderer)),
      retry_(std::move(retry)),
      actor_(std::move(actor)),
      clock_(std::move(clock)) {}

PackPaper::PackPaper(PackPaper&&) noexcept = default;
PackPaper::~PackPaper() = default;

const std::string& PackPaper::printer_uri() const { return printer_->uri(); }

Status PackPaper::print(std::string_view pack_id) {
  auto contents = store_.fulfilment.pack_contents(pack_id);
  if (!contents) return contents.error();
  if (contents->empty())
    return make_error(db::DbError::not_found, fmt::format("no pack {}", pack_id));
  std::vector<printer::CarrierLetter> letters;
  std::vector<printer::MailingLabel> labels;
  for (const db::Shipment& s : *contents) {
    // Never a placeholder on paper that travels: only shipped cards.
    if (s.tracking_number.empty())
      return make_error(
          db::DbError::illegal_transition,
          fmt::format("pack {}: application {} is not shipped yet", pack_id, s.application_id));
    auto documents = card_documents(store_.applications, store_.cards, s.application_id, region_,
                                    actor_, clock_(), s.tracking_number);
    if (!documents) return documents.error();
    if (documents->placeholder_card_number)
      return make_error(
          db::DbError::illegal_transition,
          fmt::format("pack {}: application {} has no prepared card", pack_id, s.application_id));
    letters.push_back(std::move(documents->letter));
    labels.push_back(std::move(documents->label));
  }
  auto letters_pdf = renderer_.carrier_batch_pdf(letters);
  if (!letters_pdf) return letters_pdf.error();
  auto labels_pdf = renderer_.label_batch_pdf(labels);
  if (!labels_pdf) return labels_pdf.error();
  if (auto s = send(fmt::format("{}.letters", pack_id), std::move(*letters_pdf)); !s) return s;
  if (auto s = send(fmt::format("{}.labels", pack_id), std::move(*labels_pdf)); !s) return s;
  return store_.fulfilment.mark_documents_printed(pack_id);
}

// A retry after a partial print (letters out, labels not) finds the first
// job by its name instead of sending it again.
Status PackPaper::send(const std::string& name, std::string pdf) {
  if (auto found = printer_->find_jobs(name); found) {
    for (const printer::JobStatus& job : *found)
      if (job.state != printer::JobState::aborted && job.state != printer::JobState::cancelled)
        return {};
  }
  auto printed =
      printer::print_with_retry(*printer_, {name, "application/pdf", std::move(pdf)}, retry_);
  if (!printed) return printed.error();
  return {};
}

Result<std::size_t> PackPaper::print_pending(std::int64_t limit) {
  auto packs = store_.fulfilment.packs_awaiting_documents(limit);
  if (!packs) return packs.error();
  std::size_t printed = 0;
  for (const std::string& pack : *packs) {
    if (auto s = print(pack); !s) {
      Error e = s.error();
      e.message = fmt::format("pack {} paper: {}", pack, e.message);
      return e;
    }
    ++printed;
  }
  return printed;
}

}  // namespace cardd::server
