// The HTTP API of spec/api.md over Boost.Beast: routes, bearer tokens with
// roles (api_tokens.h), every refusal audited, TLS when [api] names a
// certificate and key. Errors are {"error": {"code", "message"}} with the
// status the code means. Routes not built yet answer 404 like any unknown
// path; `GET /api/v1/openapi.json` lists exactly the routes served.
//
// Thread safety: open/start/stop from one thread; requests are served on the
// server's own threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/store.h"
#include "cardd/hsm/hsm.h"
#include "cardd/intake/validator.h"
#include "cardd/server/fulfilment.h"
#include "cardd/server/service_config.h"

namespace cardd::server {

class ProductionLines;

// What the routes work on; not owned, must outlive the server.
struct ApiContext {
  db::Store* store = nullptr;
  hsm::Hsm* hsm = nullptr;                   // null: readiness does not check one
  ProductionLines* lines = nullptr;          // null: no production lines here
  std::vector<LineConfig> line_configs;      // names the line routes accept
  intake::ValidatorOptions validation;       // the region's rules, for pushed applications
  FulfilmentOptions fulfilment;              // the courier, for its events
  std::function<Status()> bureau_reachable;  // empty: readiness does not ask
  std::string actor = "cardd api";           // in the audit log, with the token id
  // The card face of an application as PNG (its back when `back`), the
  // holder's data read as `actor`; empty: faces are not served.
  std::function<Result<std::string>(const std::string& application_id, bool back,
                                    const std::string& actor)>
      card_face;
  // Set by ApiServer::open: connections of its own for the busiest reads.
  std::vector<db::Store*> readers;
};

class ApiServer {
 public:
  // Binds config.listen ("host:port"; port 0 picks a free one). Errors:
  // config.invalid (listen unusable or in use, certificate or key).
  static Result<std::unique_ptr<ApiServer>> open(const ApiConfig& config, ApiContext context);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  std::uint16_t port() const;
  bool tls() const;
  void start();
  void stop();

  // Method and path pattern of every route, in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const;
  // The OpenAPI 3 document served at /api/v1/openapi.json.
  const std::string& openapi() const;

 private:
  struct Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardd::server
