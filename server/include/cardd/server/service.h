// The `cardd` service: everything a center runs all day, built from one
// ServiceConfig. open() acquires what every worker shares (the HSM, its keys,
// the store, the region) and fails early with the reason; start() launches
// the workers, stop() asks them to take no new work and waits until the card
// in hand is finished or parked and everything is flushed.
//
// Workers run in threads of their own: the bureau pull loop, the status
// pusher (when bureau.push is set; it stops last, so that its final flush
// sees every change the others made), the production lines
// (server/production_lines.h) and the fulfilment worker (packs, ships and
// dispatches what passed QC). The HTTP API (api_server.h) listens from the
// end of start() to the beginning of stop().
//
// Thread safety: open/start/stop from one thread (the daemon's main); the
// shared parts are handed to workers, each documenting its own.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/hsm/factory.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/region/region.h"
#include "cardd/server/api_server.h"
#include "cardd/server/bureau_client.h"
#include "cardd/server/production_lines.h"
#include "cardd/server/sealed_store.h"
#include "cardd/server/service_config.h"
#include "cardd/server/worker.h"

namespace cardd::server {

// The HSM configuration of the [hsm] section. A service never creates a
// keystore: a missing one is an error, not a new empty store.
hsm::HsmConfig hsm_config(const HsmSection& section);

// The bureau client options of the [bureau] section: one attempt per
// request (the workers back off themselves) within `timeout`.
BureauOptions bureau_options(const BureauConfig& section, std::chrono::milliseconds timeout);

class FacePreview;

class Service {
 public:
  // Opens the region profile, the HSM, the storage and audit keys and the
  // database (database.url, sqlite:// only; the file must exist). Errors
  // carry the failing part's code and say which part it was.
  static Result<std::unique_ptr<Service>> open(const ServiceConfig& config);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Starts the workers. Called once, after open(). `timings` and
  // `open_reader` are for tests (defaults: the production ones, PC/SC).
  Status start(LineTimings timings = {}, ProductionLines::ReaderOpener open_reader = {});
  // No new work; returns when every worker has stopped. Idempotent; the
  // destructor calls it.
  void stop();

  // A state changed: the status pusher wakes (no effect without one). Any
  // thread; for workers that write outbox messages.
  void status_changed();

  const ServiceConfig& config() const { return config_; }
  const region::Region& region() const { return region_; }
  db::Store& store() { return *parts_.store; }
  // Null before start().
  ProductionLines* lines() { return lines_.get(); }
  ApiServer* api() { return api_.get(); }

 private:
  Service(ServiceConfig config, region::Region region);

  ServiceConfig config_;
  region::Region region_;
  SealedStore parts_;
  std::optional<personalization::CardProfile> profile_;
  std::unique_ptr<ProductionLines> lines_;
  std::vector<std::unique_ptr<Worker>> workers_;  // started in order, stopped in reverse
  Worker* pusher_ = nullptr;                      // in workers_ when bureau.push
  std::unique_ptr<FacePreview> face_preview_;     // the API's card faces
  std::unique_ptr<ApiServer> api_;
  bool running_ = false;
};

}  // namespace cardd::server
