// A shipped pack's paper: every card's carrier letter in one PDF and every
// mailing label in another (printer::DocumentRenderer's batch rendering,
// one page per card in the pack's order), with the real tracking numbers,
// sent to the paper printer as two jobs named "<pack>.letters" and
// "<pack>.labels". A pack is recorded as printed (db pack_documents) only
// once both jobs went through, so a failed print is retried later; a job the
// printer already holds under its name is not sent twice.
//
// Thread safety: one PackPaper per worker, used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/printer/documents.h"
#include "cardd/printer/print_retry.h"
#include "cardd/printer/printer.h"
#include "cardd/region/region.h"
#include "cardd/server/clock.h"
#include "cardd/server/fulfilment.h"

namespace cardd::server {

class PackPaper {
 public:
  // The store behind `store` needs a sealer (the holders' data is read,
  // audited as `actor`). `region` must outlive the PackPaper.
  // Errors: config_invalid (the printer URI), internal (no font map).
  static Result<PackPaper> create(FulfilmentRepositories store, const region::Region& region,
                                  const std::string& printer_uri, printer::RetryPolicy retry,
                                  std::string actor, Clock clock = system_clock());

  PackPaper(PackPaper&&) noexcept;
  ~PackPaper();

  // Renders and prints one pack's letters and labels and records it printed.
  // Errors: illegal_transition (a card of the pack has no tracking number or
  // no prepared card: paper never carries a placeholder),
  // the renderer's (naming the application, never the holder's data), the
  // printer's (naming the printer and the job), the store's.
  Status print(std::string_view pack_id);

  // Prints every shipped pack whose paper is not printed yet, oldest first,
  // at most `limit`; stops at the first failure (the printer is most likely
  // away) and returns it. Returns how many packs were printed.
  Result<std::size_t> print_pending(std::int64_t limit = 100);

  const std::string& printer_uri() const;

 private:
  PackPaper(FulfilmentRepositories store, const region::Region& region,
            std::unique_ptr<printer::Printer> printer, printer::DocumentRenderer renderer,
            printer::RetryPolicy retry, std::string actor, Clock clock);
  Status send(const std::string& name, std::string pdf);

  FulfilmentRepositories store_;
  const region::Region& region_;
  std::unique_ptr<printer::Printer> printer_;
  printer::DocumentRenderer renderer_;
  printer::RetryPolicy retry_;
  std::string actor_;
  Clock clock_;
};

}  // namespace cardd::server
