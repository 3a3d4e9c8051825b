// The cardd daemon as a center starts it: the real binary, a real SQLite
// file and a soft keystore made by `cardctl keys init-storage`.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cardd/server/service_config.h"
#include "cardd_process.h"
#include "child_process.h"
#include "http_test_client.h"
#include "secret_file.h"

namespace cardd {
namespace {

using test::bin_path;
using test::run_command;
using test::RunResult;

class CarddTest : public ::testing::Test {
 protected:
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }

  // cardd run in the test's directory (where ./cardd.toml is looked for).
  RunResult cardd(const std::string& args) {
    return run_command(
        {"sh", "-c",
         "cd '" + dir_.path().string() + "' && exec " + bin_path("cardd") + " " + args});
  }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(file(name)) << text;
  }

  // A database with its storage and audit keys in a new soft keystore, as
  // the key ceremony leaves them; returns a configuration that uses them.
  std::string initialised_center(const std::string& log_format) {
    test::write_secret_file(file("passphrase"), "cardd daemon test keystore");
    const RunResult r = run_command({bin_path("cardctl"), "keys", "init-storage", "--db",
                                     file("cardd.db"), "--keystore", file("keys.cks"),
                                     "--passphrase-file", file("passphrase"), "--create-keystore"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    // No production line: the daemon must not take cards from other tests' readers.
    return "lines = []\n[database]\nurl = \"sqlite://" + file("cardd.db") +
           "\"\n"
           "[hsm]\nbackend = \"soft\"\nallow_soft_backend = true\nkeystore = \"" +
           file("keys.cks") + "\"\npassphrase_file = \"" + file("passphrase") +
           "\"\n"
           // The workers start: no bureau of anyone else's (port 1 refuses).
           "[bureau]\nurl = \"http://127.0.0.1:1\"\n"
           "[api]\nlisten = \"127.0.0.1:0\"\n[log]\nformat = \"" +
           log_format + "\"\n";
  }

  // Polls until the child has exited (a zombie), up to `limit`.
  static bool exits_within(const test::ChildProcess& child, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream stat("/proc/" + std::to_string(child.pid()) + "/stat");
      std::string pid, comm, state;
      stat >> pid >> comm >> state;
      if (!stat || state == "Z") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  static bool stderr_has(const test::ChildProcess& child, const std::string& text,
                         std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (child.stderr_text().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  test::TempDir dir_;
};

TEST_F(CarddTest, PrintedConfigurationIsTheDefaultsAndLoadsBack) {
  const RunResult r = cardd("--print-config");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto back = server::parse_service_config(r.out, "printed");
  ASSERT_TRUE(back.ok()) << back.error().describe() << "\n" << r.out;
  EXPECT_EQ(*back, server::default_service_config());
}

TEST_F(CarddTest, ReadsCarddTomlInTheWorkingDirectoryWhenNoConfigIsGiven) {
  write("cardd.toml", "[hsm]\nbackend = \"pkcs11\"\n[log]\nlevel = \"debug\"\n");
  const RunResult r = cardd("--print-config");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("level = \"debug\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("allow_soft_backend = false"), std::string::npos) << r.out;

  const RunResult checked = cardd("--check-config");
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("cardd.toml: configuration valid"), std::string::npos) << checked.out;
}

// --check-config loads the region as the daemon would and names the folder,
// so an installation shows which profiles it uses.
TEST_F(CarddTest, CheckConfigLoadsTheRegionAndNamesItsFolder) {
  write("cardd.toml", "[center]\nregion = \"tianjin\"\n[hsm]\nallow_soft_backend = true\n");
  const RunResult found = cardd("--check-config");
  EXPECT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("region tianjin from "), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("share/cardd/profiles/tianjin"), std::string::npos) << found.out;

  write("cardd.toml", "[center]\nregion = \"atlantis\"\n[hsm]\nallow_soft_backend = true\n");
  const RunResult missing = cardd("--check-config");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.err.find("share/cardd/profiles/atlantis"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  EXPECT_TRUE(missing.out.empty()) << missing.out;
}

TEST_F(CarddTest, ABadConfigurationStopsTheStartNamingKeyAndLine) {
  write("bad.toml", "[hsm]\nbackend = \"pkcs11\"\n[bureau]\npage_size = 0\n");
  for (const std::string mode : {"", "--check-config", "--print-config"}) {
    const RunResult r = cardd("--config bad.toml " + mode);
    EXPECT_EQ(r.exit_code, 2) << mode << ": " << r.err;
    EXPECT_NE(r.err.find("bureau.page_size"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("(line 4)"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  const RunResult missing = cardd("--config nowhere.toml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read nowhere.toml"), std::string::npos) << missing.err;
}

TEST_F(CarddTest, TheSoftBackendIsRefusedUnlessTheFileAllowsIt) {
  write("soft.toml", "[hsm]\nbackend = \"soft\"\n");
  const RunResult r = cardd("--config soft.toml");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("hsm.backend: soft is for development"), std::string::npos) << r.err;
}

TEST_F(CarddTest, AMissingDatabaseIsAStartUpErrorOnOneLine) {
  std::string config = initialised_center("text");
  std::filesystem::remove(file("cardd.db"));
  write("cardd.toml", config);
  const RunResult r = cardd("");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("db.no_database"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(file("cardd.db"))) << "the daemon creates no database";
}

TEST_F(CarddTest, StartsReadyAndStopsOnSigterm) {
  write("cardd.toml", initialised_center("text"));
  auto child = test::ChildProcess::start({bin_path("cardd"), "--config", file("cardd.toml")});
  ASSERT_TRUE(stderr_has(child, "ready", std::chrono::seconds(60))) << child.stderr_text();
  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  ASSERT_TRUE(exits_within(child, std::chrono::seconds(20))) << child.stderr_text();
  EXPECT_EQ(child.wait(), 0) << child.stderr_text();
  const std::string err = child.stderr_text();
  EXPECT_NE(err.find("stopping: SIGTERM"), std::string::npos) << err;
  EXPECT_NE(err.find("stopped"), std::string::npos) << err;
}

TEST_F(CarddTest, LogsJsonLinesAndStopsOnSigint) {
  write("cardd.toml", initialised_center("json"));
  auto child = test::ChildProcess::start({bin_path("cardd"), "--config", file("cardd.toml")});
  ASSERT_TRUE(stderr_has(child, "ready", std::chrono::seconds(60))) << child.stderr_text();
  ASSERT_EQ(::kill(child.pid(), SIGINT), 0);
  ASSERT_TRUE(exits_within(child, std::chrono::seconds(20))) << child.stderr_text();
  EXPECT_EQ(child.wait(), 0) << child.stderr_text();

  std::istringstream lines(child.stderr_text());
  std::vector<std::string> messages;
  for (std::string line; std::getline(lines, line);) {
    const auto json = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << "not a JSON line: " << line;
    ASSERT_TRUE(json.contains("time") && json.contains("level")) << line;
    messages.push_back(json.at("msg").get<std::string>());
  }
  ASSERT_FALSE(messages.empty());
  EXPECT_TRUE(std::any_of(messages.begin(), messages.end(),
                          [](const std::string& m) { return m.starts_with("ready"); }));
  EXPECT_EQ(messages.back(), "stopped");
  EXPECT_NE(child.stderr_text().find("stopping: SIGINT"), std::string::npos);
}

// The API as an integrator meets it: the daemon listening, a token made by
// `cardctl tokens create`, requests over a real socket, then a clean stop.
TEST_F(CarddTest, ServesItsApiToATokenMadeByCardctl) {
  write("cardd.toml", initialised_center("text"));
  auto cardd = test::CarddProcess::start(file("cardd.toml"));
  const std::uint16_t port = cardd.port();
  ASSERT_NE(port, 0) << cardd.log();
  test::ChildProcess& child = cardd.child();

  const RunResult made = run_command({bin_path("cardctl"), "tokens", "create", "--config",
                                      file("cardd.toml"), "--role", "operator", "--label", "test"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string token = made.out.substr(0, made.out.find('\n'));
  ASSERT_TRUE(token.starts_with("cardd_")) << made.out;
  EXPECT_EQ(made.err.find(token), std::string::npos) << "the token is printed once, on stdout";

  test::Client client(port);
  EXPECT_EQ(client.send(test::http::verb::get, "/healthz").status, 200u);
  auto lines = client.send(test::http::verb::get, "/api/v1/lines", token);
  EXPECT_EQ(lines.status, 200u) << lines.raw;
  EXPECT_TRUE(lines.body["lines"].is_array()) << lines.raw;
  EXPECT_EQ(client.send(test::http::verb::get, "/api/v1/lines").status, 401u);

  // The bureau of this test refuses every connection: after a few failed
  // pulls the daemon says it is not ready, and why.
  test::Answer ready;
  for (int i = 0; i < 300; ++i) {
    ready = client.send(test::http::verb::get, "/readyz");
    if (ready.status != 200u) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(ready.status, 503u) << ready.raw;
  EXPECT_EQ(ready.body["checks"]["database"], "ok") << ready.raw;
  EXPECT_NE(ready.body["checks"]["bureau"].get<std::string>().find("bureau"), std::string::npos)
      << ready.raw;

  const RunResult listed =
      run_command({bin_path("cardctl"), "tokens", "list", "--config", file("cardd.toml")});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("operator"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(token), std::string::npos) << "never shown again";
  ASSERT_EQ(
      run_command({bin_path("cardctl"), "tokens", "revoke", "1", "--config", file("cardd.toml")})
          .exit_code,
      0);
  test::Client after(port);
  EXPECT_EQ(test::status_after_change(after, "/api/v1/lines", token, 200u, std::chrono::seconds(3)),
            401u)
      << "refused within the token cache's second";

  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  ASSERT_TRUE(exits_within(child, std::chrono::seconds(20))) << child.stderr_text();
  EXPECT_EQ(child.wait(), 0) << child.stderr_text();
}

}  // namespace
}  // namespace cardd
