#include "cardd/server/service.h"

#include <spdlog/spdlog.h>

#include "cardd/db/error.h"
#include "cardd/region/search_path.h"
#include "cardd/server/pull_worker.h"
#include "cardd/server/push_worker.h"
#include "cardd/server/region_profile.h"
#include "face_preview.h"
#include "fulfilment_worker.h"
#include "lines/line_control_worker.h"
#include "progress_worker.h"
#include "retention_worker.h"

namespace cardd::server {
namespace {

constexpr std::chrono::milliseconds kBureauTimeout{10000};
// The pusher's last flush on stop: short, so a bureau that is down does not
// hold up a shutdown; what is left waits in the outbox for the next start.
constexpr std::chrono::milliseconds kFlushDeadline{4000};
constexpr std::chrono::milliseconds kFlushTimeout{2000};

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

BureauOptions bureau_options(const BureauConfig& section, std::chrono::milliseconds timeout) {
  BureauOptions o;
  o.url = section.url;
  o.timeout = timeout;
  o.max_attempts = 1;
  o.ca_file = section.ca_file;
  o.certificate_file = section.certificate_file;
  o.key_file = section.key_file;
  o.signing_public_key_file = section.signing_public_key_file;
  o.max_page_bytes = static_cast<std::size_t>(section.max_page_mib) * 1024u * 1024u;
  // The configuration's policy (service_config.h) already refused http://
  // to another host unless bureau.allow_plain_http says so.
  o.allow_plain_http = true;
  return o;
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
  const BureauConfig& bureau = config_.bureau;
  auto client = BureauClient::create(bureau_options(bureau, kBureauTimeout));
  if (!client) return in("bureau", client.error());
  const std::chrono::milliseconds interval(bureau.pull_interval_ms);
  if (bureau.push) {
    auto flush_client = BureauClient::create(bureau_options(bureau, kFlushTimeout));
    if (!flush_client) return in("bureau", flush_client.error());
    PushWorkerOptions push;
    push.interval = interval;
    push.flush_deadline = kFlushDeadline;
    // First in, last out: its final flush comes after every other worker.
    workers_.push_back(
        std::make_unique<PushWorker>(*client, std::move(*flush_client), store(), push));
    pusher_ = workers_.back().get();
  }
  intake::ValidatorOptions rules;
  rules.region = region_.rules;
  PullWorkerOptions pull;
  pull.interval = interval;
  pull.page_size = static_cast<int>(bureau.page_size);
  pull.on_stored = [this] { status_changed(); };
  auto puller = std::make_unique<PullWorker>(std::move(*client), store(), rules, pull);
  const PullWorker* pulling = puller.get();
  workers_.push_back(std::move(puller));

  auto profile = load_region_profile(region_);
  if (!profile) return in("chip profile", profile.error());
  profile_ = std::move(*profile);
  auto lines = ProductionLines::create(
      *parts_.store, *parts_.hsm, *profile_, region_, config_.lines, timings,
      [this] { status_changed(); }, std::move(open_reader));
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
  // Paper: short retries here; a printer that stays away is tried again
  // by the worker later (the pack stays SHIPPED).
  printer::RetryPolicy paper_retry;
  paper_retry.max_attempts = 2;
  auto paper =
      PackPaper::create(*parts_.store, region_, f.paper_printer, paper_retry, "cardd fulfilment");
  if (!paper) return in("fulfilment.paper_printer", paper.error());
  workers_.push_back(std::make_unique<FulfilmentWorker>(
      *parts_.store, std::move(*fulfilment), f.pack_batch, timings.idle_poll * 2,
      [this] { return lines_->idle(); }, [this] { status_changed(); },
      std::make_unique<PackPaper>(std::move(*paper))));
  workers_.push_back(std::make_unique<ProgressWorker>(
      *parts_.store, *lines_, std::chrono::milliseconds(config_.log.progress_interval_ms)));
  workers_.push_back(
      std::make_unique<RetentionWorker>(*parts_.store, config_.retention.image_days,
                                        std::chrono::milliseconds(config_.retention.interval_ms)));
  auto control = std::make_unique<LineControlWorker>(*parts_.store, *lines_, timings.control_poll);
  // A line the operator paused while the daemon was down takes no card.
  control->poll();
  workers_.push_back(std::move(control));

  ApiContext api;
  api.store = parts_.store.get();
  api.hsm = parts_.hsm.get();
  api.lines = lines_.get();
  api.line_configs = config_.lines;
  api.validation = rules;
  api.fulfilment = options;
  // The API stops before the workers: the pull worker outlives every call.
  api.bureau_reachable = [pulling] { return pulling->bureau_reachable(); };
  auto faces = FacePreview::create(*parts_.store, region_);
  if (!faces) return in("card faces", faces.error());
  face_preview_ = std::move(*faces);
  api.card_face = [preview = face_preview_.get()](const std::string& id, bool back,
                                                  const std::string& actor) {
    return preview->png(id, back, actor);
  };
  auto server = ApiServer::open(config_.api, std::move(api));
  if (!server) return in("api", server.error());
  api_ = std::move(*server);

  running_ = true;
  for (auto& worker : workers_) worker->start();
  lines_->start();
  api_->start();
  spdlog::info("api: listening on port {} ({})", api_->port(), api_->tls() ? "https" : "http");
  spdlog::info("production lines started: {} slots", lines_->status().size());
  spdlog::info("workers started: bureau pull every {} ms from {}, status push {}", interval.count(),
               bureau.url, bureau.push ? "on" : "off");
  return {};
}

void Service::status_changed() {
  if (pusher_ != nullptr) pusher_->notify();
}

void Service::stop() {
  if (!running_) return;
  running_ = false;
  // No new requests while the rest winds down.
  if (api_) api_->stop();
  // Lines first: the card in hand is finished or parked, then the others
  // stop in reverse order, the pusher (first) last.
  if (lines_) lines_->stop();
  // Before the store closes; the pusher (first) stops last.
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) (*it)->stop();
}

}  // namespace cardd::server
