// A line's one printer, shared by its slots: one card at a time goes
// through the print station (render, submit, follow the job).
//
// Thread safety: print() may be called from every slot of the line, ready()
// from any thread (it asks the printer through a connection of its own, so
// a long print never holds up a readiness check).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "cardd/db/store.h"
#include "cardd/printer/face_renderer.h"
#include "cardd/printer/printer.h"
#include "cardd/server/print_station.h"

namespace cardd::server {

class LinePrinter {
 public:
  // The printer at `uri` (not contacted yet) and the region's face template.
  static Result<std::unique_ptr<LinePrinter>> open(const std::string& uri, db::Store& store,
                                                   const region::Region& region, std::string actor);

  LinePrinter(std::unique_ptr<printer::Printer> printer, printer::FaceRenderer faces,
              db::Store& store, const region::Region& region, std::string actor);

  Result<PrintResult> print(std::string_view application_id);
  // Whether the printer answers and takes jobs; asked at most every 5 s.
  Status ready();

 private:
  Status ask_printer();

  std::mutex mutex_;
  std::unique_ptr<printer::Printer> printer_;
  printer::FaceRenderer faces_;
  std::unique_ptr<PrintStation> station_;
  std::set<int> shells_seen_;  // job shells at the printer on the last failed print

  std::mutex probe_mutex_;
  std::unique_ptr<printer::Printer> probe_;  // opened on the first check
  std::optional<std::chrono::steady_clock::time_point> probed_at_;
  Status last_probe_;
};

}  // namespace cardd::server
