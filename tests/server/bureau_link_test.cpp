// The bureau link against a real bureau-sim process on 127.0.0.1: mutual TLS
// (CA pinned, host name checked, our certificate required), the limits on a
// page and its cursor, and signed pages. Certificates are made for the test
// (bureau_pki.h).
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "../db/raw_sql.h"
#include "bureau_pki.h"
#include "bureau_sim_process.h"
#include "cardd/server/puller.h"
#include "child_process.h"
#include "regions.h"
#include "soft_sealer.h"
#include "test_places.h"

namespace cardd::server {
namespace {

using test::BureauPki;
using test::SimProcess;

class BureauLinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new BureauPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  static std::vector<std::string> sim_args(std::vector<std::string> extra,
                                           const BureauPki::Pair* server = nullptr) {
    std::vector<std::string> args{"--count", "60", "--seed", "3", "--log-level", "warn"};
    for (const auto& arg : pki_->sim_tls_args(server ? *server : pki_->server()))
      args.push_back(arg);
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  static BureauOptions options(const std::string& url) {
    BureauOptions o{url, std::chrono::milliseconds(5000), 3, std::chrono::milliseconds(10),
                    std::chrono::milliseconds(50)};
    o.ca_file = pki_->ca();
    o.certificate_file = pki_->client().cert;
    o.key_file = pki_->client().key;
    return o;
  }

  static BureauClient client(const BureauOptions& o) {
    auto c = BureauClient::create(o);
    EXPECT_TRUE(c.ok()) << c.error().describe();
    return std::move(*c);
  }

  PullResult pull(const BureauClient& bureau, std::int64_t max_pages = 0) {
    auto store = sealer_.open_store((dir_.path() / "cardd.db").string());
    Intake intake(*store, cardd::test::validator_options());
    PullOptions o;
    o.page_limit = 25;
    o.max_pages = max_pages;
    return pull_approved(bureau, intake, *store, o);
  }

  std::int64_t stored() {
    auto store = sealer_.open_store((dir_.path() / "cardd.db").string());
    const auto counts = store->count_by_state();
    EXPECT_TRUE(counts.ok());
    std::int64_t n = 0;
    for (const auto& [state, count] : *counts) n += count;
    return n;
  }

  std::optional<std::string> cursor() {
    auto store = sealer_.open_store((dir_.path() / "cardd.db").string());
    return store->cursor("bureau").value();
  }

  // A refused pull: the code, one attempt only (never retried), nothing stored.
  void expect_refused(const PullResult& result, BureauError code) {
    ASSERT_FALSE(result.status.ok()) << "pulled " << result.pages << " page(s)";
    EXPECT_EQ(result.status.error().code, code) << result.status.error().describe();
    EXPECT_EQ(result.pages, 0);
    EXPECT_EQ(stored(), 0);
    EXPECT_FALSE(cursor().has_value());
  }

  static BureauPki* pki_;
  test::TempDir dir_;
  test::SoftSealer sealer_{dir_.path()};
};

BureauPki* BureauLinkTest::pki_ = nullptr;

TEST_F(BureauLinkTest, PullsOverMutualTls) {
  SimProcess sim(sim_args({}));
  ASSERT_EQ(sim.url().rfind("https://", 0), 0u);
  const auto result = pull(client(options(sim.url())));
  ASSERT_TRUE(result.status.ok()) << result.status.error().describe();
  EXPECT_TRUE(result.caught_up);
  EXPECT_EQ(stored(), 60);
  EXPECT_EQ(cursor(), "c60");
}

TEST_F(BureauLinkTest, AHostNameIsResolvedAndCheckedAgainstTheCertificate) {
  SimProcess sim(sim_args({}));
  // "localhost" goes through name resolution, SNI and the DNS subjectAltName.
  const auto result = pull(client(options("https://localhost:" + std::to_string(sim.port()))));
  ASSERT_TRUE(result.status.ok()) << result.status.error().describe();
  EXPECT_EQ(stored(), 60);
}

TEST_F(BureauLinkTest, ABureauCertificateFromAnotherCaIsRefused) {
  SimProcess sim(sim_args({}));
  auto o = options(sim.url());
  o.ca_file = pki_->wrong_ca();  // we pin a CA that did not issue the bureau's certificate
  const auto result = pull(client(o));
  expect_refused(result, BureauError::tls);
  EXPECT_NE(result.status.error().message.find("1 attempt"), std::string::npos)
      << "a refused certificate is not retried: " << result.status.error().message;

  // The other way round: a server whose certificate our CA did not issue.
  SimProcess impostor(sim_args({}, &pki_->wrong_server()));
  expect_refused(pull(client(options(impostor.url()))), BureauError::tls);
}

TEST_F(BureauLinkTest, ACertificateForAnotherHostIsRefused) {
  // Issued by the right CA, but for bureau.invalid, not 127.0.0.1.
  SimProcess sim(sim_args({}, &pki_->other_name_server()));
  const auto result = pull(client(options(sim.url())));
  expect_refused(result, BureauError::tls);
  EXPECT_NE(result.status.error().message.find("certificate verify failed"), std::string::npos)
      << result.status.error().message;
}

TEST_F(BureauLinkTest, TheServerRefusesAClientCertificateFromAnotherCa) {
  SimProcess sim(sim_args({}));
  auto o = options(sim.url());
  o.certificate_file = pki_->wrong_client().cert;
  o.key_file = pki_->wrong_client().key;
  expect_refused(pull(client(o)), BureauError::tls);
}

// A TLS client that trusts the bureau's CA but shows no certificate: the
// bureau must not answer it. (BureauClient cannot be made without one.)
TEST_F(BureauLinkTest, TheServerRefusesAClientWithoutCertificate) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  SimProcess sim(sim_args({}));
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(pki_->ca());
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), sim.port()));
  beast::error_code ec;
  // TLS 1.3 lets the client finish its handshake before the server has
  // judged the client; the refusal then arrives as an alert on the first read.
  stream.handshake(asio::ssl::stream_base::client, ec);
  unsigned status = 0;
  if (!ec) {
    http::request<http::string_body> req{http::verb::get, "/v1/approved-applications?limit=5", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (!ec) http::read(stream, buffer, res, ec);
    if (!ec) status = res.result_int();
  }
  EXPECT_TRUE(ec) << "the bureau answered HTTP " << status << " without a client certificate";
  EXPECT_EQ(status, 0u);
}

TEST_F(BureauLinkTest, PlainHttpIsRefusedWithoutTheDevelopmentOption) {
  SimProcess plain({"--count", "5", "--log-level", "warn"});
  auto o = options(plain.url());
  ASSERT_EQ(plain.url().rfind("http://", 0), 0u);
  auto refused = BureauClient::create(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, BureauError::invalid_url);
  o.allow_plain_http = true;
  ASSERT_TRUE(pull(client(o)).status.ok());
  EXPECT_EQ(stored(), 5);
}

TEST_F(BureauLinkTest, ACursorThatDoesNotMoveForwardStopsThePullAndIsNotStored) {
  {
    SimProcess sim(sim_args({}));
    ASSERT_TRUE(pull(client(options(sim.url())), 1).status.ok());
  }
  ASSERT_EQ(stored(), 25);
  ASSERT_EQ(cursor(), "c25");
  // The same bureau, now answering every page with the cursor it was sent.
  SimProcess stuck(sim_args({"--page-fault", "stuck-cursor"}));
  const auto started = std::chrono::steady_clock::now();
  const auto result = pull(client(options(stuck.url())));
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(result.status.error().code, BureauError::bad_cursor);
  EXPECT_NE(result.status.error().message.find("does not move forward"), std::string::npos)
      << result.status.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(result.pages, 0);
  EXPECT_EQ(stored(), 25) << "the stuck page's applications are not stored";
  EXPECT_EQ(cursor(), "c25") << "the stored cursor is unchanged";
}

TEST_F(BureauLinkTest, ACursorThatReturnsToAnEarlierOneStopsThePull) {
  // c25, then back to c0, then c25 again: a cycle the pull would run forever.
  SimProcess sim(sim_args({"--page-fault", "rewinding-cursor"}));
  const auto result = pull(client(options(sim.url())));
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(result.status.error().code, BureauError::bad_cursor);
  EXPECT_NE(result.status.error().message.find("returns to an earlier cursor, page 3"),
            std::string::npos)
      << result.status.error().message;
  EXPECT_EQ(result.pages, 2);
  EXPECT_EQ(stored(), 50);
  EXPECT_EQ(cursor(), "c0") << "the cycle's third page did not move the cursor";
}

TEST_F(BureauLinkTest, AnOversizedCursorIsRefusedAndNothingStored) {
  SimProcess sim(sim_args({"--page-fault", "oversized-cursor", "--fault-bytes", "4096"}));
  const auto result = pull(client(options(sim.url())));
  expect_refused(result, BureauError::bad_cursor);
  EXPECT_NE(result.status.error().message.find("4096 bytes"), std::string::npos)
      << result.status.error().message;
}

TEST_F(BureauLinkTest, AnUnusableStoredCursorStopsThePullBeforeAnyRequest) {
  {
    SimProcess sim(sim_args({}));
    ASSERT_TRUE(pull(client(options(sim.url())), 1).status.ok());
  }
  // As an earlier version stored it from a bad bureau: 200 KB.
  db::test::exec((dir_.path() / "cardd.db").string(),
                 "UPDATE intake_cursors SET cursor = printf('%.*c', 200000, 'x')");
  const auto result = pull(client(options("https://127.0.0.1:9")));
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(result.status.error().code, BureauError::bad_cursor);
  EXPECT_NE(result.status.error().message.find("stored cursor is not usable: the cursor is "
                                               "200000 bytes"),
            std::string::npos)
      << result.status.error().message;
  EXPECT_EQ(stored(), 25);
}

TEST_F(BureauLinkTest, AnOversizedPageIsRefusedAndNothingStored) {
  // 20 MiB against the default 16 MiB limit.
  SimProcess sim(sim_args({"--page-fault", "oversized-body", "--fault-bytes", "20971520"}));
  expect_refused(pull(client(options(sim.url()))), BureauError::page_too_large);
  // A configured limit applies too: 2 MiB against 1 MiB.
  SimProcess smaller(sim_args({"--page-fault", "oversized-body", "--fault-bytes", "2097152"}));
  auto o = options(smaller.url());
  o.max_page_bytes = 1024 * 1024;
  const auto result = pull(client(o));
  expect_refused(result, BureauError::page_too_large);
  EXPECT_NE(result.status.error().message.find("1048576 bytes"), std::string::npos)
      << result.status.error().message;
}

TEST_F(BureauLinkTest, SignedPagesAreAcceptedWithTheBureausKey) {
  SimProcess sim(sim_args({"--sign-key", pki_->sign_key().private_key}));
  auto o = options(sim.url());
  o.signing_public_key_file = pki_->sign_key().public_key;
  const auto result = pull(client(o));
  ASSERT_TRUE(result.status.ok()) << result.status.error().describe();
  EXPECT_EQ(stored(), 60);
}

TEST_F(BureauLinkTest, ABadSignatureIsRefusedAndNothingStored) {
  SimProcess sim(sim_args({"--sign-key", pki_->sign_key().private_key}));
  auto o = options(sim.url());
  o.signing_public_key_file = pki_->other_sign_key().public_key;  // not the key that signed
  const auto result = pull(client(o));
  expect_refused(result, BureauError::bad_signature);
  EXPECT_NE(result.status.error().message.find("does not verify"), std::string::npos)
      << result.status.error().message;
}

TEST_F(BureauLinkTest, AMissingSignatureIsRefusedWhenTheBureauSigns) {
  SimProcess sim(sim_args({}));  // this bureau does not sign
  auto o = options(sim.url());
  o.signing_public_key_file = pki_->sign_key().public_key;
  const auto result = pull(client(o));
  expect_refused(result, BureauError::bad_signature);
  EXPECT_NE(result.status.error().message.find("X-Bureau-Signature"), std::string::npos)
      << result.status.error().message;
}

TEST_F(BureauLinkTest, ASigningKeyThatIsNotEd25519IsRefusedAtStart) {
  auto o = options("https://127.0.0.1:1");
  o.signing_public_key_file = pki_->ca();  // a certificate, not an Ed25519 public key
  auto c = BureauClient::create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, BureauError::invalid_config);
}

}  // namespace
}  // namespace cardd::server
