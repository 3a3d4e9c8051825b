// A keep-alive HTTP/1.1 client for tests of cardd's API on 127.0.0.1, plain
// or over TLS: requests with an optional bearer token, or raw bytes; the
// answer's status and JSON body.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

namespace cardd::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct Answer {
  unsigned status = 0;
  nlohmann::json body;
  std::string raw;
  bool keep_alive = false;
  std::map<std::string, std::string> headers;  // by lower-case name
};

// One keep-alive connection to the server; over TLS when `trusted_ca` names
// the CA of the server's certificate (a failed handshake throws).
class Client {
 public:
  explicit Client(std::uint16_t port, const std::string& trusted_ca = {}) : socket_(ioc_) {
    tcp::resolver resolver(ioc_);
    net::connect(socket_, resolver.resolve("127.0.0.1", std::to_string(port)));
    if (trusted_ca.empty()) return;
    tls_context_.emplace(ssl::context::tls_client);
    tls_context_->load_verify_file(trusted_ca);
    tls_context_->set_verify_mode(ssl::verify_peer);
    tls_.emplace(socket_, *tls_context_);
    tls_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    tls_->handshake(ssl::stream_base::client);
  }

  Answer send(http::verb method, const std::string& target, const std::string& token = {},
              const std::string& body = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    on_stream([&req](auto& stream) { http::write(stream, req); });
    return read();
  }

  // Raw bytes, then the answer.
  Answer send_raw(const std::string& bytes) {
    on_stream([&bytes](auto& stream) { net::write(stream, net::buffer(bytes)); });
    return read();
  }

 private:
  template <class F>
  void on_stream(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(socket_);
  }

  Answer read() {
    http::response<http::string_body> res;
    on_stream([this, &res](auto& stream) { http::read(stream, buffer_, res); });
    Answer a{res.result_int(),
             nlohmann::json::parse(res.body(), nullptr, false),
             res.body(),
             res.keep_alive(),
             {}};
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      a.headers[name] = std::string(field.value());
    }
    return a;
  }

  net::io_context ioc_;
  tcp::socket socket_;
  std::optional<ssl::context> tls_context_;
  std::optional<ssl::stream<tcp::socket&>> tls_;
  beast::flat_buffer buffer_;
};

// GET `target` until it answers other than `while_status` (a token cache
// answers from what it saw for up to a second), for at most `limit`: the
// last status.
inline unsigned status_after_change(Client& client, const std::string& target,
                                    const std::string& token, unsigned while_status,
                                    std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  unsigned status = client.send(http::verb::get, target, token).status;
  while (status == while_status && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = client.send(http::verb::get, target, token).status;
  }
  return status;
}

}  // namespace cardd::test
