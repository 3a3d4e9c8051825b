#include "cardd/server/service.h"

#include <spdlog/spdlog.h>

#include "cardd/db/error.h"
#include "cardd/region/search_path.h"
#include "cardd/server/region_profile.h"
#include "fulfilment_worker.h"
#include "periodic.h"
#include "progress_line.h"

namespace cardd::server {
namespace {

// Which part failed, in front of that part's own message.
Error in(std::string_view part, Error e) {
  e.message = std::string(part) + ": " + e.message;
  return e;
}

}  // namespace

hsm::HsmConfig hsm_config(const HsmSection& section) {
  hsm::HsmConfig c;
  c.backend = section.backend;
  c.soft.keystore_path = section.keystore;
  c.soft.create = false;
  c.soft.passphrase_file = section.passphrase_file;
  c.pkcs11.module_path = section.module;
  c.pkcs11.token_label = section.token_label;
  c.pkcs11.pin_file = section.pin_file;
  return c;
}

Service::Service(ServiceConfig config, region::Region region)
    : config_(std::move(config)), region_(std::move(region)) {}

Service::~Service() { stop(); }

Result<std::unique_ptr<Service>> Service::open(const ServiceConfig& config) {
  auto region = region::SearchPath::standard(config.center.profile_path).find(config.center.region);
  if (!region) return in("center.region", region.error());
  const std::string db_path = config.database.sqlite_path();
  if (db_path.empty())
    return make_error(ConfigError::invalid, "database.url: only sqlite:// is supported");

  std::unique_ptr<Service> service(new Service(config, std::move(*region)));
  auto opened = hsm::open_hsm(hsm_config(config.hsm));
  if (!opened) return in("hsm (" + config.hsm.backend + ")", opened.error());
  service->parts_.hsm = std::move(*opened);
  spdlog::info("hsm open: backend {}", config.hsm.backend);
  // The daemon creates nothing: the database and its keys come from
  // `cardctl keys init-storage` (a key ceremony), so a mistyped path fails.
  if (auto s = open_keyed_store(db_path, false, true, service->parts_); !s) {
    Error e = s.error();
    if (e.code == db::DbError::no_database)
      e.message += " (a center's database and keys are made by `cardctl keys init-storage`)";
    return in("store", std::move(e));
  }
  spdlog::info("database open: {}", db_path);
  return service;
}

Status Service::start(LineTimings timings, ProductionLines::ReaderOpener open_reader) {
  auto profile = load_region_profile(region_);
  if (!profile) return in("chip profile", profile.error());
  profile_ = std::move(*profile);
  auto lines = ProductionLines::create(*parts_.store, *parts_.hsm, *profile_, region_,
                                       config_.lines, timings, {}, std::move(open_reader));
  if (!lines) return in("lines", lines.error());
  lines_ = std::move(*lines);
  const FulfilmentConfig& f = config_.fulfilment;
  FulfilmentOptions options;
  options.courier = f.courier;
  options.tracking_first = f.tracking_first;
  options.tracking_last = f.tracking_last;
  options.pack_batch = static_cast<int>(f.pack_batch);
  auto fulfilment = Fulfilment::create(*parts_.store, options, "cardd fulfilment");
  if (!fulfilment) return in("fulfilment", fulfilment.error());
  fulfilment_ = std::make_unique<FulfilmentWorker>(
      *parts_.store, std::move(*fulfilment), f.pack_batch, timings.idle_poll * 2,
      [this] { return lines_->idle(); }, std::function<void()>{});
  progress_ = std::make_unique<Periodic>(std::chrono::seconds(5), [this] {
    if (auto counts = parts_.store->count_by_state(); counts)
      spdlog::info("{}", progress_line(*counts, lines_->status()));
  });
  running_ = true;
  lines_->start();
  fulfilment_->start();
  progress_->start();
  spdlog::info("production lines started: {} slots", lines_->status().size());
  return {};
}

void Service::stop() {
  if (!running_) return;
  running_ = false;
  // Every worker finishes or parks its card before the store closes.
  if (progress_) progress_->stop();
  if (lines_) lines_->stop();
  if (fulfilment_) fulfilment_->stop();
  spdlog::info("stopped");
}

}  // namespace cardd::server
