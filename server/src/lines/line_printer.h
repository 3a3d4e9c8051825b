// A line's one printer, shared by its slots: one card at a time goes
// through the print station (render, submit, follow the job).
//
// Thread safety: print() may be called from every slot of the line.
#pragma once

#include <memory>
#include <mutex>
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

 private:
  std::mutex mutex_;
  std::unique_ptr<printer::Printer> printer_;
  printer::FaceRenderer faces_;
  std::unique_ptr<PrintStation> station_;
};

}  // namespace cardd::server
