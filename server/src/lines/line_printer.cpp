#include "line_printer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cardd/printer/error.h"
#include "cardd/printer/face_template.h"
#include "cardd/printer/print_retry.h"

namespace cardd::server {
namespace {

constexpr auto kProbeEvery = std::chrono::seconds(5);

}  // namespace

Result<std::unique_ptr<LinePrinter>> LinePrinter::open(const std::string& uri, db::Store& store,
                                                       const region::Region& region,
                                                       std::string actor) {
  auto printer = printer::open_printer(uri);
  if (!printer) return printer.error();
  auto tpl = printer::load_face_template(region.face_template().string());
  if (!tpl) return tpl.error();
  auto faces = printer::FaceRenderer::create(std::move(*tpl));
  if (!faces) return faces.error();
  return std::make_unique<LinePrinter>(std::move(*printer), std::move(*faces), store, region,
                                       std::move(actor));
}

LinePrinter::LinePrinter(std::unique_ptr<printer::Printer> printer, printer::FaceRenderer faces,
                         db::Store& store, const region::Region& region, std::string actor)
    : printer_(std::move(printer)), faces_(std::move(faces)) {
  // A few quick attempts: the slot keeps the card and comes back, so that a
  // printer that stays away never holds up a stop.
  printer::RetryPolicy retry;
  retry.max_attempts = 3;
  retry.initial_backoff = std::chrono::milliseconds(200);
  retry.max_backoff = std::chrono::milliseconds(1000);
  station_ =
      std::make_unique<PrintStation>(store, *printer_, faces_, region, retry, std::move(actor));
}

Result<PrintResult> LinePrinter::print(std::string_view application_id) {
  std::lock_guard lock(mutex_);
  auto printed = station_->print(application_id);
  // A printer that stays busy may be holding a job shell that a killed
  // cardd left (Create-Job, then no document): cancelled once it is still
  // there at the next failed print, a retry interval later.
  if (!printed && printer::is_transient(printed.error().code)) {
    auto cancelled = printer::cancel_orphaned_shells(*printer_, shells_seen_);
    if (cancelled && *cancelled > 0)
      spdlog::warn("printer {}: cancelled {} job(s) left waiting for a document", printer_->uri(),
                   *cancelled);
  }
  return printed;
}

}  // namespace cardd::server

namespace cardd::server {

Status LinePrinter::ready() {
  std::lock_guard lock(probe_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!probed_at_ || now - *probed_at_ >= kProbeEvery) {
    probed_at_ = now;
    last_probe_ = ask_printer();
  }
  return last_probe_;
}

Status LinePrinter::ask_printer() {
  if (!probe_) {
    auto opened = printer::open_printer(printer_->uri());
    if (!opened) return opened.error();
    probe_ = std::move(*opened);
  }
  auto status = probe_->status();
  if (!status) return status.error();
  if (status->state == printer::PrinterState::stopped || !status->accepting_jobs)
    return make_error(printer::PrinterError::printer_unavailable,
                      fmt::format("{} is {}{}", printer_->uri(), to_string(status->state),
                                  status->accepting_jobs ? "" : " and not accepting jobs"));
  return {};
}

}  // namespace cardd::server
