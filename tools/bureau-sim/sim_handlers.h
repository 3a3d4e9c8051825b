// The bureau simulator's behaviour, without sockets.
//
// `Bureau::handle_request` turns one HTTP request into one HTTP response; the
// server (sim_server.h) only moves bytes and applies injected faults. Tests
// build Requests by hand and call it directly.
//
// API (all error bodies are {"error":{"code":"...","message":"..."}}):
//   GET  /v1/approved-applications?after=CURSOR&limit=N
//        200 {"applications":[<application objects>...],"next":"CURSOR2"}
//        Applications 0..count-1 from cardd::testdata::Generator, in order.
//        A cursor is "c" + the index of the next application (no leading
//        zeros); a missing or empty `after` starts at 0. When caught up,
//        "applications" is empty and "next" is the cursor given. `limit`
//        defaults to 100 and is clamped to 1..max_limit. A malformed cursor,
//        or one past the end, is 400 cursor.invalid; a non-numeric limit is
//        400 limit.invalid.
//   POST /v1/status      body: a JSON object with at least application_id,
//        state (non-empty strings) and event_id (non-empty string or integer).
//        200 {"accepted":true}; recorded once per Idempotency-Key header
//        (else per event_id), in arrival order; a repeat is answered the same
//        and counted as a duplicate; a "seq" below the application's last
//        is counted out of order.
//   GET  /v1/status-log  200 {"events":[<recorded objects, as received>...],
//        "duplicates":N,"out_of_order":M}
//   GET  /healthz        200 "ok" (text/plain)
//   Unknown path 404 not_found; wrong method 405 method_not_allowed.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/testdata/generator.h"
#include "sim_security.h"

namespace cardd::bureau_sim {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Deliberately bad pages, for the client's tests. Applied to non-empty pages
// before signing, so the signature is good and only the fault is wrong.
enum class PageFault {
  none,
  stuck_cursor,      // "next" is the cursor sent ("c0" for none): it never moves
  rewinding_cursor,  // "next" is "c0" on every page after the first: a cycle
  oversized_cursor,  // "next" is fault_bytes long
  oversized_body,    // the page padded with whitespace to at least fault_bytes
};

struct BureauOptions {
  std::uint64_t count = 100;  // applications 0..count-1 are approved
  std::uint64_t seed = 1;
  double invalid_rate = 0.0;      // passed to the generator
  std::uint64_t max_limit = 500;  // largest page size served
  // The region whose applications are served (required).
  std::shared_ptr<const testdata::RegionPlaces> places;
  PageFault page_fault = PageFault::none;
  std::uint64_t fault_bytes = 32u * 1024u * 1024u;
  std::shared_ptr<const PageSigner> signer;  // pages are signed when set
};

// The simulated bureau: approved applications (generated on demand, nothing
// kept in memory) and the log of status changes pushed by the bank.
// Thread safety: handle_request may be called from several threads at once.
class Bureau {
 public:
  explicit Bureau(const BureauOptions& options);

  Response handle_request(const Request& request);

  // "status messages received: N (duplicates D, out of order O)".
  std::string status_summary() const;

 private:
  Response approved_applications(const Request& request, std::string_view query) const;
  Response post_status(const Request& request);
  Response status_log(const Request& request) const;

  BureauOptions options_;
  testdata::Generator generator_;
  mutable std::mutex mutex_;                      // guards events_ and event_ids_
  std::vector<nlohmann::ordered_json> events_;    // as received, in arrival order
  std::set<std::string> event_ids_;               // idempotency key of every recorded event
  std::map<std::string, std::int64_t> last_seq_;  // per application
  std::int64_t duplicates_ = 0;                   // messages received again
  std::int64_t out_of_order_ = 0;                 // a seq below its application's last
};

enum class Fault { none, fail, hang };

// Decides which requests get an injected fault. The n-th call of next()
// answers the same for the same seed and rates, whatever the timing, so a
// test driving requests one after another sees reproducible failures.
// Thread safe.
class FaultPlan {
 public:
  FaultPlan(std::uint64_t seed, double fail_rate, double hang_rate);

  Fault next();

 private:
  std::uint64_t seed_;
  double fail_rate_;
  double hang_rate_;
  std::atomic<std::uint64_t> counter_{0};
};

// Whether faults apply to this request: the bureau API proper
// (/v1/approved-applications and /v1/status), not /healthz or /v1/status-log,
// so readiness checks and test inspection stay reliable.
bool is_fault_target(const Request& request);

// A JSON error response, {"error":{"code":code,"message":message}}, matching
// the request's HTTP version and keep-alive.
Response error_response(const Request& request, boost::beast::http::status status,
                        std::string_view code, std::string_view message);

// The same for a request that could not be parsed: HTTP/1.1, connection closed.
Response error_response(boost::beast::http::status status, std::string_view code,
                        std::string_view message);

}  // namespace cardd::bureau_sim
