// The card face of one application as the printer would get it, for the
// pages: rendered on request from the stored data (never kept), one render
// at a time so a burst of views cannot take the line's CPU.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "cardd/common/result.h"
#include "cardd/db/store.h"
#include "cardd/printer/face_renderer.h"
#include "cardd/region/region.h"

namespace cardd::server {

class FacePreview {
 public:
  // Errors: the region's face template or its fonts.
  static Result<std::unique_ptr<FacePreview>> create(db::Store& store,
                                                     const region::Region& region);
  FacePreview(db::Store& store, const region::Region& region, printer::FaceRenderer faces);

  // PNG of the front (the back when `back`); the holder's data is read as
  // `actor`, audited. Errors: not_found, a rejected application, the store's.
  Result<std::string> png(const std::string& application_id, bool back, const std::string& actor);

 private:
  db::Store& store_;
  const region::Region& region_;
  std::mutex mutex_;
  printer::FaceRenderer faces_;
};

}  // namespace cardd::server
