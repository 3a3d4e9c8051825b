// Client of the issuing authority's (HRSS bureau's) API: pulls approved
// applications page by page over HTTPS with mutual TLS.
//
// Trust: only the CA in `ca_file` is trusted (the system store is not), the
// certificate must name the URL's host (DNS name or IP address in
// subjectAltName), TLS 1.2 at least, and we present `certificate_file`.
// `http://` is refused unless `allow_plain_http` (tests, local development).
// Where the bureau signs its pages (`signing_public_key_file`), a page whose
// signature is missing or wrong is an error before anything is parsed.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cardd/common/result.h"

namespace cardd::server {

struct HttpRequest;  // http_client.h (private)
struct HttpResponse;
class HttpConnection;

enum class BureauError {
  invalid_url = 1,  // not https://host:port[/prefix] (or http:// when allowed)
  unreachable,      // connection refused, DNS failure, reset
  timeout,          // no complete answer within the timeout
  http_status,      // the bureau answered with an error status
  bad_response,     // the answer is not the documented JSON
  invalid_config,   // a CA, certificate, key or public-key file cannot be used
  tls,              // TLS refused: certificate or host name wrong, or our cert refused
  page_too_large,   // the answer is larger than max_page_bytes
  bad_cursor,       // `next` is oversized, malformed or does not move forward
  bad_signature,    // the page's signature is missing or does not verify
};
const std::error_category& bureau_category();
inline std::error_code make_error_code(BureauError e) {
  return {static_cast<int>(e), bureau_category()};
}

// Longest `next` cursor accepted; it is stored and sent back in a URL.
inline constexpr std::size_t kMaxCursorBytes = 1024;

// A usable cursor: 1..kMaxCursorBytes bytes of printable ASCII (no spaces or
// control characters). Errors: BureauError::bad_cursor, without the cursor.
Status check_cursor(std::string_view cursor);

struct BureauOptions {
  std::string url;                           // e.g. https://bureau.example:8700/api
  std::chrono::milliseconds timeout{10000};  // per request, name resolution included
  // Transient failures (unreachable, timeout, 5xx, 429) are retried with
  // exponential back-off; other errors are returned at once.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  // Mutual TLS (PEM files): the bureau's CA (the only one trusted), our
  // client certificate chain and its unencrypted private key. All three are
  // required for https://.
  std::string ca_file{};
  std::string certificate_file{};
  std::string key_file{};
  // The bureau's Ed25519 public key (PEM). When set, every page must carry
  // X-Bureau-Signature: base64(Ed25519 signature over the exact body bytes).
  std::string signing_public_key_file{};
  // Largest page accepted: an application with its photos is ~64 KB, so
  // 16 MiB holds a 200-application page with room to spare.
  std::size_t max_page_bytes = 16u * 1024u * 1024u;
  // Accept http:// (no TLS): for tests and local development only.
  bool allow_plain_http = false;
};

struct ApprovedPage {
  std::vector<std::string> applications;  // each one JSON object
  std::string next;  // cursor for the following page: 1..kMaxCursorBytes printable ASCII
};

// Thread safety: const methods may be called concurrently; copies share the
// TLS context and the signature key.
class BureauClient {
 public:
  // Errors: invalid_url, invalid_config (files are loaded here, once).
  static Result<BureauClient> create(BureauOptions options);

  // GET /v1/approved-applications?after=CURSOR&limit=N. The page is checked
  // before it is returned: size, signature (when configured), JSON shape,
  // and the `next` cursor's size and characters (bad_cursor). Whether the
  // cursor moves forward is the caller's check (it knows the history).
  Result<ApprovedPage> approved_applications(std::string_view after, int limit) const;

  // POST /v1/status with `payload` (a JSON object) and the header
  // Idempotency-Key: `key`; the bureau answers 2xx once it has it, a
  // duplicate too. Retried like a page.
  Status post_status(std::string_view payload, std::string_view key) const;

  // A series of requests over one kept-open connection (HTTP/1.1
  // keep-alive): one TCP and TLS handshake for a batch of status messages
  // instead of one each. A connection the bureau closed is replaced by the
  // next request. Not thread safe (one per thread); must not outlive its
  // client.
  class Session {
   public:
    ~Session();
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    // As BureauClient::post_status.
    Status post_status(std::string_view payload, std::string_view key);
    // Connections opened so far (measurements, tests).
    int connections_opened() const;

   private:
    friend class BureauClient;
    explicit Session(const BureauClient& client);
    const BureauClient* client_;
    std::unique_ptr<HttpConnection> connection_;
  };
  Session session() const;

 private:
  struct Security;  // TLS context and signature key, shared by copies
  BureauClient(BureauOptions options, std::string host, std::string port, std::string prefix,
               std::shared_ptr<Security> security);
  Result<ApprovedPage> read_page(const std::string& body, std::string_view signature) const;
  // One exchange, retried on transient failures; a 2xx answer or the error.
  // `attempts`: how many it took.
  Result<HttpResponse> exchange(HttpConnection& connection, HttpRequest& request,
                                std::string_view what, int& attempts) const;
  BureauOptions options_;
  std::string host_;
  std::string port_;
  std::string prefix_;
  std::shared_ptr<Security> security_;
};

}  // namespace cardd::server

template <>
struct std::is_error_code_enum<cardd::server::BureauError> : std::true_type {};
