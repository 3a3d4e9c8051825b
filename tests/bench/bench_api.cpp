// The HTTP API under load: GET /api/v1/applications/{id} with keep-alive at
// 1 and 100 connections against cardd's API server over a store of 100,000
// applications, and in the same run against a bare Beast server that answers
// a fixed body of the same size on as many threads. Each request asks for a
// different application. Prints req/s, p50 and p99, and the ratio.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_store.h"
#include "bench_support.h"
#include "cardd/server/api_server.h"
#include "cardd/server/api_tokens.h"
#include "regions.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kApplications = 100'000;
constexpr std::size_t kBatch = 2'000;
constexpr auto kWarmUp = std::chrono::milliseconds(500);
constexpr auto kMeasure = std::chrono::seconds(3);

std::string application_id(std::size_t i) {
  char id[32];
  std::snprintf(id, sizeof id, "BENCH-%08zu", i);
  return id;
}

cardd::db::NewApplication application(std::size_t i) {
  cardd::db::NewApplication a;
  a.application_id = application_id(i);
  a.content_hash = "hash-" + a.application_id;
  a.details.collection = cardd::db::CollectionMethod::mail;
  a.details.birth_date = cardd::CivilDate{1950, 1, 1};
  a.details.issuing_bank = "ICBC";
  a.details.issuing_branch = "0101";
  a.details.recipient_postal_code = "100020";
  a.personal.name = "王小明";
  a.personal.id_number = "110105195001011234";
  a.personal.mobile = "13811112222";
  a.personal.residence_address = "北京市朝阳区某街1号";
  return a;
}

// cardd's side: a store of kApplications and its API server.
struct Cardd {
  std::filesystem::path path = cardd::bench::fresh_path("api-db");
  std::unique_ptr<cardd::db::Store> store;
  std::unique_ptr<cardd::server::ApiServer> server;
  std::string token;

  Cardd() {
    store = std::move(*cardd::db::Store::open(path.string(), cardd::bench::sealed_store_options()));
    std::vector<cardd::db::NewApplication> batch;
    for (std::size_t i = 0; i < kApplications; i += kBatch) {
      batch.clear();
      for (std::size_t j = i; j < std::min(kApplications, i + kBatch); ++j)
        batch.push_back(application(j));
      if (auto r = store->ingest({batch, "bench", "bench", std::nullopt, "", {}}); !r)
        std::fprintf(stderr, "ingest failed: %s\n", r.error().describe().c_str());
    }
    checkpoint();
    std::printf("store: %.0f MB\n",
                static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0));
    token = cardd::server::create_api_token(*store, "bureau", "", "bench", "", "bench")->token;
    cardd::server::ApiContext context;
    context.store = store.get();
    context.hsm = &cardd::bench::soft_hsm();
    context.validation = cardd::test::validator_options();
    cardd::server::ApiConfig config;
    config.listen = "127.0.0.1:0";
    config.requests_per_second = 0;  // one token drives all the load
    server = std::move(*cardd::server::ApiServer::open(config, context));
    server->start();
  }
  // A daemon checkpoints its WAL as it goes: the measured reads find their
  // pages in the database file, not in a WAL holding the whole fill.
  void checkpoint() const {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.string().c_str(), &db) == SQLITE_OK)
      sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }

  ~Cardd() {
    server.reset();
    store.reset();
    cardd::bench::remove_db(path);
  }
};

// The baseline: Beast, keep-alive, two threads (as cardd's listener), one
// fixed body; no routing, no authentication, no database.
class BareServer {
 public:
  explicit BareServer(std::string body) : body_(std::move(body)), acceptor_(ioc_) {
    const tcp::endpoint at(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(at.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen();
    accept();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~BareServer() {
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  BareServer(const BareServer&) = delete;
  BareServer& operator=(const BareServer&) = delete;
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket s, const std::string& b) : stream(std::move(s)), body(b) {}
    void read() {
      request = {};
      http::async_read(stream, buffer, request,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (!ec) self->write();
                       });
    }
    void write() {
      response = http::response<http::string_body>(http::status::ok, request.version());
      response.set(http::field::content_type, "application/json");
      response.keep_alive(request.keep_alive());
      response.body() = body;
      response.prepare_payload();
      http::async_write(stream, response,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          if (!ec) self->read();
                        });
    }
    beast::tcp_stream stream;
    const std::string& body;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<Session>(std::move(s), body_)->read();
      accept();
    });
  }

  std::string body_;
  net::io_context ioc_{2};
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

struct LoadResult {
  std::size_t requests = 0;
  std::size_t failures = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// The load: `connections` keep-alive connections on one thread, each sending
// its next request as soon as the answer is read.
class Load {
 public:
  Load(std::uint16_t port, std::string token, int connections) : token_(std::move(token)) {
    const tcp::endpoint at(net::ip::make_address("127.0.0.1"), port);
    for (int i = 0; i < connections; ++i) {
      auto c = std::make_shared<Connection>(ioc_, *this, static_cast<unsigned>(i));
      c->socket.connect(at);
      connections_.push_back(std::move(c));
    }
  }

  LoadResult run() {
    start_ = Clock::now();
    measure_from_ = start_ + kWarmUp;
    stop_at_ = measure_from_ + kMeasure;
    for (auto& c : connections_) c->send();
    ioc_.run();
    LoadResult r;
    r.requests = latencies_.size();
    r.failures = failures_;
    r.seconds = std::chrono::duration<double>(kMeasure).count();
    if (!latencies_.empty()) {
      std::sort(latencies_.begin(), latencies_.end());
      const auto at = [&](double q) {
        return latencies_[static_cast<std::size_t>(q * static_cast<double>(latencies_.size() - 1))];
      };
      r.p50_ms = at(0.50) * 1e3;
      r.p99_ms = at(0.99) * 1e3;
    }
    return r;
  }

 private:
  struct Connection : std::enable_shared_from_this<Connection> {
    Connection(net::io_context& ioc, Load& l, unsigned seed) : socket(ioc), load(l), random(seed) {}
    void send() {
      request = {http::verb::get,
                 "/api/v1/applications/" + application_id(random() % kApplications), 11};
      request.set(http::field::host, "127.0.0.1");
      if (!load.token_.empty()) request.set(http::field::authorization, "Bearer " + load.token_);
      request.keep_alive(true);
      sent = Clock::now();
      http::async_write(
          socket, request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->load.fail();
            self->response = {};
            http::async_read(self->socket, self->buffer, self->response,
                             [self](beast::error_code e, std::size_t) { self->answered(e); });
          });
    }
    void answered(beast::error_code ec) {
      if (ec) return load.fail();
      const auto now = Clock::now();
      if (now >= load.measure_from_ && now < load.stop_at_) {
        load.latencies_.push_back(std::chrono::duration<double>(now - sent).count());
        if (response.result() != http::status::ok) ++load.failures_;
      }
      if (now < load.stop_at_) send();
    }
    tcp::socket socket;
    Load& load;
    std::minstd_rand random;
    beast::flat_buffer buffer;
    http::request<http::empty_body> request;
    http::response<http::string_body> response;
    Clock::time_point sent;
  };

  void fail() { ++failures_; }

  net::io_context ioc_{1};
  std::string token_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<double> latencies_;
  std::size_t failures_ = 0;
  Clock::time_point start_, measure_from_, stop_at_;
};

Cardd& cardd_server() {
  static Cardd c;
  return c;
}

// One answer of cardd's, for the bare server to send as its fixed body.
std::string sample_body() {
  Cardd& c = cardd_server();
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), c.server->port()));
  http::request<http::empty_body> req{http::verb::get, "/api/v1/applications/BENCH-00000001", 11};
  req.set(http::field::authorization, "Bearer " + c.token);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.body();
}

BareServer& bare_server() {
  static BareServer b(sample_body());
  return b;
}

void report(benchmark::State& state, const LoadResult& r) {
  state.SetIterationTime(r.seconds);
  state.SetItemsProcessed(static_cast<std::int64_t>(r.requests));
  state.counters["p50_ms"] = r.p50_ms;
  state.counters["p99_ms"] = r.p99_ms;
  state.counters["failed"] = static_cast<double>(r.failures);
}

void CarddApi(benchmark::State& state) {
  Cardd& c = cardd_server();
  for (auto _ : state)
    report(state, Load(c.server->port(), c.token, static_cast<int>(state.range(0))).run());
}

void BareBeast(benchmark::State& state) {
  BareServer& b = bare_server();
  for (auto _ : state) report(state, Load(b.port(), "", static_cast<int>(state.range(0))).run());
}

BENCHMARK(CarddApi)->Arg(1)->Arg(100)->Iterations(1)->UseManualTime()->Unit(
    benchmark::kMillisecond);
BENCHMARK(BareBeast)->Arg(1)->Arg(100)->Iterations(1)->UseManualTime()->Unit(
    benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  std::printf("filling a store with %zu applications...\n", kApplications);
  (void)bare_server();  // cardd's store and both servers before anything is timed
  const auto rates = cardd::bench::run_benchmarks(argc, argv);
  std::printf("\nGET /api/v1/applications/{id}, keep-alive, %zu applications:\n", kApplications);
  cardd::bench::print_ratio(rates, "CarddApi/1", "BareBeast/1", 0.7);
  cardd::bench::print_ratio(rates, "CarddApi/100", "BareBeast/100", 0.7);
  return 0;
}
