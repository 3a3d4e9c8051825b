#include "cardd/server/api_server.h"

#include <spdlog/spdlog.h>

#include "cardd/common/civil_time.h"
#include "cardd/region/search_path.h"
#include "cardd/server/api_tokens.h"
#include "http_listener.h"
#include "routes.h"
#include "token_cache.h"
#include "web_files.h"

namespace cardd::server {

using api::Router;

namespace {

// "host:port" → address and port; an IPv6 address goes in brackets.
Result<api::ListenerOptions> listen_options(const ApiConfig& config) {
  const std::string& listen = config.listen;
  const std::size_t colon = listen.rfind(':');
  api::ListenerOptions o;
  if (colon == std::string::npos || colon + 1 == listen.size())
    return make_error(ConfigError::invalid, "api.listen '" + listen + "': expected HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535)
    return make_error(ConfigError::invalid, "api.listen '" + listen + "': bad port");
  o.address = host;
  o.port = static_cast<std::uint16_t>(port);
  o.tls_certificate_file = config.tls_certificate_file;
  o.tls_key_file = config.tls_key_file;
  o.max_connections = static_cast<std::size_t>(config.max_connections);
  o.max_connections_per_client = static_cast<std::size_t>(config.max_connections_per_client);
  o.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  return o;
}

// The pages of `web_root`; when it is not set, those installed beside the
// binary, and none (the API alone, said in the log) when there are none.
Result<api::WebFiles> load_web_files(const std::string& web_root) {
  if (!web_root.empty()) return api::WebFiles::load(web_root);
  const auto installed =
      (region::executable_dir() / ".." / "share" / "cardd" / "web").lexically_normal();
  auto web = api::WebFiles::load(installed);
  if (web) return web;
  spdlog::warn("api: no web pages ({}); the API is served alone", web.error().message);
  return api::WebFiles();
}

}  // namespace

struct ApiServer::Impl {
  std::vector<std::unique_ptr<db::Store>> readers;  // before the context that points at them
  ApiContext context;
  std::unique_ptr<Router> router;
  std::string openapi;
  api::WebFiles web;
  std::unique_ptr<api::HttpListener> listener;
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() { stop(); }

Result<std::unique_ptr<ApiServer>> ApiServer::open(const ApiConfig& config, ApiContext context) {
  auto options = listen_options(config);
  if (!options) return options.error();
  auto impl = std::make_unique<Impl>();
  impl->context = std::move(context);
  for (int i = 0; i < options->threads; ++i) {
    auto reader = impl->context.store->open_again();
    if (!reader) return reader.error();
    impl->context.readers.push_back(reader->get());
    impl->readers.push_back(std::move(*reader));
  }
  db::Store* store = impl->context.store;
  const std::string actor = impl->context.actor;
  auto tokens = std::make_shared<api::TokenCache>();
  impl->router = std::make_unique<Router>(
      [store, tokens](std::string_view token) -> Result<std::optional<api::Caller>> {
        const std::string hash = api_token_hash(token);
        const auto now = api::TokenCache::Clock::now();
        if (auto cached = tokens->find(hash, now)) return *cached;
        auto found = store->token_by_hash(hash);
        if (!found) return found.error();
        std::optional<api::Caller> caller;
        // RFC 3339 UTC strings of one format order like the times they name.
        if (const auto& t = *found;
            t && t->revoked_at.empty() &&
            (t->expires_at.empty() || t->expires_at > format_rfc3339_utc(unix_now())))
          caller = api::Caller{t->id, t->role, t->branch};
        tokens->put(hash, caller, now);
        return caller;
      },
      [store, actor](const api::Request& request, const api::Caller& caller,
                     std::string_view reason) {
        const std::string who =
            caller.token_id > 0 ? "token " + std::to_string(caller.token_id) : "no token";
        const std::size_t q = request.target.find('?');
        // The path only: a query may carry a name or an ID number.
        const std::string what = request.method + " " + request.target.substr(0, q);
        if (auto s = store->audit(actor, "api.refused", what, who + ": " + std::string(reason)); !s)
          spdlog::warn("api: refusal not audited: {}", s.error().describe());
      });
  impl->router->limit_rate(config.requests_per_second);
  api::add_health_routes(*impl->router, impl->context);
  api::add_application_routes(*impl->router, impl->context);
  api::add_line_routes(*impl->router, impl->context);
  api::add_stock_routes(*impl->router, impl->context);
  api::add_status_change_routes(*impl->router, impl->context);
  api::add_shipment_routes(*impl->router, impl->context);
  api::add_push_routes(*impl->router, impl->context);
  api::add_branch_routes(*impl->router, impl->context);
  api::add_metrics_routes(*impl->router, impl->context);
  api::add_center_routes(*impl->router, impl->context);
  Router& router = *impl->router;
  std::string* openapi = &impl->openapi;
  router.add({"GET", "/api/v1/openapi.json", {}, "This document", [openapi](const api::Call&) {
                return Result<api::Response>(api::json_response(200, *openapi));
              }});
  impl->openapi = api::openapi_document(router);
  if (auto web = load_web_files(config.web_root); web)
    impl->web = std::move(*web);
  else
    return web.error();
  const api::WebFiles& pages = impl->web;
  auto listener = api::HttpListener::open(*options, [&router, &pages](const api::Request& r) {
    if (auto page = pages.serve(r.method, r.target)) return std::move(*page);
    return router.handle(r);
  });
  if (!listener) return listener.error();
  impl->listener = std::move(*listener);
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

std::uint16_t ApiServer::port() const { return impl_->listener->port(); }
bool ApiServer::tls() const { return impl_->listener->tls(); }
void ApiServer::start() { impl_->listener->start(); }
void ApiServer::stop() {
  if (impl_ && impl_->listener) impl_->listener->stop();
}

std::vector<std::pair<std::string, std::string>> ApiServer::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : impl_->router->routes()) out.emplace_back(r.method, r.pattern);
  return out;
}

const std::string& ApiServer::openapi() const { return impl_->openapi; }

}  // namespace cardd::server
