// cardctl as an operator runs it: real processes, real files, real bureau-sim.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bureau_pki.h"
#include "bureau_sim_process.h"
#include "cardd/testdata/generator.h"
#include "child_process.h"
#include "secret_file.h"
#include "test_places.h"
#include "text_file.h"

namespace cardd {
namespace {

using test::bin_path;
using test::run_command;
using test::RunResult;

class CardctlTest : public ::testing::Test {
 protected:
  RunResult cardctl(std::vector<std::string> args) {
    args.insert(args.begin(), bin_path("cardctl"));
    return run_command(args);
  }
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string db() const { return file("cardd.db"); }

  // The soft HSM holding the storage keys (`keys init-storage` on first use):
  // import and pull seal what they store.
  std::vector<std::string> sealed(std::vector<std::string> args) {
    const std::vector<std::string> hsm{"--keystore", file("keys.cks"), "--passphrase-file",
                                       file("passphrase")};
    if (!storage_keys_) {
      test::write_secret_file(file("passphrase"), "cardctl test keystore");
      std::vector<std::string> init{"keys", "init-storage", "--db", db(), "--create-keystore"};
      init.insert(init.end(), hsm.begin(), hsm.end());
      const RunResult r = cardctl(init);
      EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
      storage_keys_ = true;
    }
    args.insert(args.end(), hsm.begin(), hsm.end());
    return args;
  }
  bool storage_keys_ = false;

  std::vector<testdata::GeneratedApplication> generate(const std::string& name, int count,
                                                       double invalid, std::uint64_t seed = 21) {
    const RunResult r =
        cardctl({"gen", "--count", std::to_string(count), "--seed", std::to_string(seed), "--out",
                 file(name), "--invalid-rate", std::to_string(invalid)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const testdata::Generator gen(cardd::test::generator_options(seed, invalid, true, "BJ"));
    std::vector<testdata::GeneratedApplication> apps;
    for (int i = 0; i < count; ++i) apps.push_back(gen.make(static_cast<std::uint64_t>(i)));
    return apps;
  }

  static std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  test::TempDir dir_;
};

TEST_F(CardctlTest, ValidateJsonReportsEveryApplicationWithItsCodes) {
  const auto apps = generate("apps.jsonl", 60, 0.4);
  const RunResult r = cardctl({"validate", file("apps.jsonl"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), apps.size());
  int malformed = 0;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    const auto& line = lines[i];
    EXPECT_EQ(line["valid"], apps[i].expected_error.empty()) << i;
    EXPECT_EQ(line["application_id"], apps[i].application_id)
        << "ids are salvaged even from broken lines";
    if (!apps[i].expected_error.empty()) {
      bool found = false;
      for (const auto& e : line["errors"]) {
        found = found || e["code"] == apps[i].expected_error;
        EXPECT_TRUE(e.contains("field") && e.contains("message"));
      }
      EXPECT_TRUE(found) << apps[i].expected_error << " in " << line.dump();
      malformed += apps[i].expected_error == "json.malformed" ? 1 : 0;
    }
  }
  EXPECT_GT(malformed, 0) << "the run went on past malformed lines";
}

TEST_F(CardctlTest, ValidateExitsTwoWhenTheFileCannotBeRead) {
  EXPECT_EQ(cardctl({"validate", file("missing.jsonl")}).exit_code, 2);
  EXPECT_EQ(cardctl({"validate", dir_.path().string()}).exit_code, 2);
  EXPECT_EQ(cardctl({"validate"}).exit_code, 2);
}

TEST_F(CardctlTest, ValidateHumanOutputEndsWithASummary) {
  std::ofstream(file("two.jsonl")) << "{\"application_id\": \"X-1\"}\n\nnot json\n";
  const RunResult r = cardctl({"validate", file("two.jsonl")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("line 1: X-1: channel: channel.missing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 3: (no application_id): document: json.malformed"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 applications: 0 valid, 2 invalid"), std::string::npos) << r.out;
}

TEST_F(CardctlTest, ImportIsIdempotentAndReportsConflicts) {
  const auto apps = generate("apps.jsonl", 40, 0.25);
  const RunResult first = cardctl(sealed({"import", file("apps.jsonl"), "--db", db()}));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  int valid = 0;
  for (const auto& a : apps) valid += a.expected_error.empty() ? 1 : 0;
  EXPECT_NE(first.out.find("40 applications: " + std::to_string(valid) + " validated, " +
                           std::to_string(40 - valid) + " rejected, 0 duplicate"),
            std::string::npos)
      << first.out;

  const RunResult second = cardctl(sealed({"import", file("apps.jsonl"), "--db", db()}));
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("0 validated, 0 rejected, 40 duplicate"), std::string::npos)
      << second.out;

  auto changed = nlohmann::json::parse(apps[0].json);
  changed["residence_address"] = "北京市东城区东长安街1号";
  std::ofstream(file("changed.jsonl")) << changed.dump() << "\n";
  const RunResult third = cardctl(sealed({"import", file("changed.jsonl"), "--db", db()}));
  EXPECT_EQ(third.exit_code, 0);
  EXPECT_NE(third.out.find("conflict: " + apps[0].application_id), std::string::npos) << third.out;
  EXPECT_NE(third.out.find("1 conflict"), std::string::npos) << third.out;
}

TEST_F(CardctlTest, StatusShowsStateAndHistory) {
  const auto apps = generate("apps.jsonl", 12, 0.5);
  ASSERT_EQ(cardctl(sealed({"import", file("apps.jsonl"), "--db", db()})).exit_code, 0);
  for (const auto& app : apps) {
    if (app.expected_error == "json.malformed") continue;
    const RunResult r = cardctl({"status", app.application_id, "--db", db(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["state"], app.expected_error.empty() ? "VALIDATED" : "REJECTED");
    ASSERT_EQ(j["history"].size(), 2u);
    EXPECT_EQ(j["history"][0]["to"], "RECEIVED");
    EXPECT_EQ(j["errors"].empty(), app.expected_error.empty());
  }
  const RunResult human = cardctl({"status", apps[0].application_id, "--db", db()});
  EXPECT_NE(human.out.find("RECEIVED"), std::string::npos);
  const RunResult missing = cardctl({"status", "NO-SUCH-ID", "--db", db()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not_found"), std::string::npos);
}

TEST_F(CardctlTest, ReportSumsUpTheJourneyAndListShowsOneStateOfWork) {
  const auto apps = generate("apps.jsonl", 16, 0.5);
  const RunResult import = cardctl(sealed({"import", file("apps.jsonl"), "--db", db()}));
  ASSERT_EQ(import.exit_code, 0) << import.err;
  int validated = 0, rejected = 0;
  ASSERT_EQ(std::sscanf(import.out.substr(import.out.find("applications: ")).c_str(),
                        "applications: %d validated, %d rejected", &validated, &rejected),
            2)
      << import.out;
  const int stored = validated + rejected;
  std::set<std::string> valid;
  for (const auto& app : apps)
    if (app.expected_error.empty()) valid.insert(app.application_id);
  ASSERT_EQ(valid.size(), static_cast<std::size_t>(validated));
  const RunResult report = cardctl(sealed({"report", "--db", db()}));
  EXPECT_EQ(report.exit_code, 0) << report.out << report.err;
  EXPECT_NE(
      report.out.find(fmt::format("journey: received {}, rejected {}, issued 0", stored, rejected)),
      std::string::npos)
      << report.out;
  EXPECT_NE(report.out.find("cards spoiled: 0\n"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("received 0 = used 0 + spoiled 0 + in progress 0 + left 0; good "
                            "cards 0 for 0 applications past encoding: reconciled"),
            std::string::npos)
      << report.out;
  const std::size_t changes = 2 * static_cast<std::size_t>(stored);  // RECEIVED, then the verdict
  EXPECT_NE(
      report.out.find(fmt::format("status changes: {} recorded, {} waiting", changes, changes)),
      std::string::npos)
      << report.out;

  std::set<std::string> listed;
  for (const char* collection : {"mail", "branch"}) {
    const RunResult r =
        cardctl({"list", "--db", db(), "--state", "VALIDATED", "--collection", collection});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      EXPECT_NE(line.find("  branch "), std::string::npos) << line;
      listed.insert(line.substr(0, line.find(' ')));
    }
  }
  EXPECT_EQ(listed, valid);
  const RunResult limited = cardctl({"list", "--db", db(), "--state", "VALIDATED", "--limit", "1"});
  EXPECT_LE(std::count(limited.out.begin(), limited.out.end(), '\n'), 1);
  const RunResult unknown = cardctl({"list", "--db", db(), "--state", "SOMEWHERE"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown state SOMEWHERE"), std::string::npos) << unknown.err;
  const RunResult status = cardctl({"status", *valid.begin(), "--db", db(), "--json"});
  EXPECT_TRUE(nlohmann::json::parse(status.out)["shipment"].is_null()) << "not packed yet";
}

TEST_F(CardctlTest, HistoryNamesTheOperatorAndHost) {
  const auto apps = generate("apps.jsonl", 3, 0.0);
  ASSERT_EQ(cardctl(sealed({"import", file("apps.jsonl"), "--db", db()})).exit_code, 0);
  const RunResult r = cardctl({"status", apps[0].application_id, "--db", db(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string actor = nlohmann::json::parse(r.out)["history"][0]["actor"];
  const std::string user = run_command({"id", "-un"}).out;
  const std::string host = run_command({"hostname"}).out;
  ASSERT_FALSE(user.empty());
  ASSERT_FALSE(host.empty());
  // sudo names the person behind root.
  const char* sudo_user = std::getenv("SUDO_USER");
  const std::string who =
      sudo_user != nullptr && *sudo_user != '\0' ? sudo_user : user.substr(0, user.size() - 1);
  EXPECT_EQ(actor, who + "@" + host.substr(0, host.size() - 1) + " via cardctl import");
}

// Another socket name stands for a machine where pcscd is not running; the
// real pcscd (if any) is not disturbed.
TEST_F(CardctlTest, ReadersSayThatThePcscServiceIsNotRunning) {
  const RunResult r = run_command(
      {"env", "PCSCLITE_CSOCK_NAME=" + file("no-pcscd.comm"), bin_path("cardctl"), "readers"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("reader.no_service"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pcscd) is not running"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pcscd -f"), std::string::npos) << r.err;
}

TEST_F(CardctlTest, WithJsonEveryAnswerIsJsonErrorsIncluded) {
  const auto error_of = [](const RunResult& r) {
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << "stdout is one JSON document: " << r.out;
    return j.is_object() ? j["error"] : nlohmann::json();
  };
  const RunResult missing_db = cardctl({"status", "NOPE", "--db", db(), "--json"});
  EXPECT_EQ(missing_db.exit_code, 2);
  EXPECT_EQ(error_of(missing_db)["code"], "db.no_database");
  EXPECT_EQ(error_of(missing_db)["exit_code"], 2);

  generate("apps.jsonl", 2, 0.0);
  ASSERT_EQ(cardctl(sealed({"import", file("apps.jsonl"), "--db", db()})).exit_code, 0);
  const RunResult unknown = cardctl({"status", "NOPE", "--db", db(), "--json"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(error_of(unknown)["code"], "db.not_found");
  EXPECT_TRUE(unknown.err.empty()) << unknown.err;

  const RunResult usage = cardctl({"status", "--json", "--no-such-option"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_EQ(error_of(usage)["code"], "cardctl.usage");
  const RunResult unreadable = cardctl({"validate", file("missing.jsonl"), "--json"});
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_NE(error_of(unreadable)["message"].get<std::string>().find("missing.jsonl"),
            std::string::npos);
}

TEST_F(CardctlTest, ReadOnlyCommandsDoNotCreateAMistypedDatabase) {
  const std::string typo = file("cardd-typo.db");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"report", "--db", typo},
                                               {"status", "BJ-1-00000001", "--db", typo},
                                               {"stock", "--db", typo}}) {
    const RunResult r = cardctl(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(typo)) << args[0];
  }
}

TEST_F(CardctlTest, ImportWithoutStorageKeysFailsNamingTheCommand) {
  generate("apps.jsonl", 3, 0.0);
  test::write_secret_file(file("passphrase"), "cardctl test keystore");
  const std::vector<std::string> import{"import",
                                        file("apps.jsonl"),
                                        "--db",
                                        db(),
                                        "--keystore",
                                        file("keys.cks"),
                                        "--passphrase-file",
                                        file("passphrase")};
  RunResult r = cardctl(import);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("there is no keystore"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(file("keys.cks"))) << "never created unasked";
  r = cardctl({"keys", "generate", "--db", db(), "--name", "other", "--alg", "aes128", "--usage",
               "mac", "--keystore", file("keys.cks"), "--passphrase-file", file("passphrase"),
               "--create-keystore"});
  // The keystore is created; the key is not: key commands need the audit key first.
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no audit key"), std::string::npos) << r.err;
  ASSERT_TRUE(std::filesystem::exists(file("keys.cks")));
  r = cardctl(import);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cardctl keys init-storage"), std::string::npos) << r.err;
}

TEST_F(CardctlTest, APassphraseFileOthersCanReadIsRefused) {
  test::write_secret_file(file("passphrase"), "cardctl test keystore");
  std::filesystem::permissions(file("passphrase"), std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  const RunResult r = cardctl({"keys", "init-storage", "--db", db(), "--keystore", file("keys.cks"),
                               "--passphrase-file", file("passphrase"), "--create-keystore"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has mode 0640"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chmod 600 " + file("passphrase")), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(file("keys.cks")));
}

TEST_F(CardctlTest, InitStorageShowsTheKeysOnceAndReportChecksIntegrity) {
  const RunResult first = cardctl(sealed({"report", "--db", db()}));
  EXPECT_EQ(first.exit_code, 0) << "report checks the audit log with the HSM: " << first.err;
  const RunResult bare = cardctl({"report", "--db", db()});
  EXPECT_EQ(bare.exit_code, 1) << "no audit key, no audit verdict: " << bare.out;
  const std::vector<std::string> hsm{"--keystore", file("keys.cks"), "--passphrase-file",
                                     file("passphrase")};
  std::vector<std::string> again{"keys", "init-storage", "--db", db()};
  again.insert(again.end(), hsm.begin(), hsm.end());
  const RunResult r = cardctl(again);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cardd.storage.enc"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cardd.audit.mac.v1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exists already"), std::string::npos) << r.out;
  const RunResult report = cardctl(sealed({"report", "--db", db()}));
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("database integrity (quick_check): ok"), std::string::npos)
      << report.out;
  EXPECT_NE(report.out.find("audit chain: intact (4 entries)"), std::string::npos)
      << "the three storage keys and the audit key were audited: " << report.out;
}

TEST_F(CardctlTest, PullFromTheBureauSimulatorOverMutualTlsThenCaughtUp) {
  const test::BureauPki pki;
  std::vector<std::string> sim_args{"--count",        "70",  "--seed",      "4",
                                    "--invalid-rate", "0.1", "--log-level", "warn"};
  for (const auto& arg : pki.sim_tls_args(pki.server())) sim_args.push_back(arg);
  test::SimProcess sim(sim_args);
  const std::vector<std::string> tls{"--bureau-ca",     pki.ca(),       "--bureau-cert",
                                     pki.client().cert, "--bureau-key", pki.client().key};
  std::vector<std::string> pull{"pull", "--bureau", sim.url(), "--db", db(), "--limit", "20"};
  pull.insert(pull.end(), tls.begin(), tls.end());
  const RunResult r = cardctl(sealed(pull));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pulled 4 page(s): 70 applications"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("caught up"), std::string::npos);
  std::vector<std::string> again_args{"pull", "--bureau", sim.url(), "--db", db()};
  again_args.insert(again_args.end(), tls.begin(), tls.end());
  const RunResult again = cardctl(sealed(again_args));
  EXPECT_NE(again.out.find("pulled 0 page(s): 0 applications"), std::string::npos) << again.out;

  // Without our client certificate the pull does not start; a wrong CA is refused.
  const RunResult no_cert =
      cardctl(sealed({"pull", "--bureau", sim.url(), "--db", db(), "--bureau-ca", pki.ca()}));
  EXPECT_EQ(no_cert.exit_code, 2);
  EXPECT_NE(no_cert.err.find("bureau.invalid_config"), std::string::npos) << no_cert.err;
  const RunResult wrong_ca =
      cardctl(sealed({"pull", "--bureau", sim.url(), "--db", db(), "--bureau-ca", pki.wrong_ca(),
                      "--bureau-cert", pki.client().cert, "--bureau-key", pki.client().key}));
  EXPECT_EQ(wrong_ca.exit_code, 1);
  EXPECT_NE(wrong_ca.err.find("bureau.tls"), std::string::npos) << wrong_ca.err;
}

TEST_F(CardctlTest, PullAgainstNoBureauFailsClearly) {
  const RunResult r = cardctl(sealed({"pull", "--bureau", "http://127.0.0.1:9", "--db", db(),
                                      "--attempts", "1", "--bureau-insecure-http"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bureau.unreachable"), std::string::npos) << r.err;
  EXPECT_EQ(cardctl(sealed({"pull", "--bureau", "ftp://x", "--db", db()})).exit_code, 2);
  // Plain HTTP only when asked for by name.
  const RunResult plain =
      cardctl(sealed({"pull", "--bureau", "http://127.0.0.1:9", "--db", db(), "--attempts", "1"}));
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_NE(plain.err.find("https://"), std::string::npos) << plain.err;
}

TEST_F(CardctlTest, DebugLogsCarryNoPersonalData) {
  const auto apps = generate("apps.jsonl", 30, 0.5);
  const RunResult r = cardctl(sealed({"--log-level", "trace", "--log-file", file("cardd.log"),
                                      "import", file("apps.jsonl"), "--db", db()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(file("cardd.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "log files are created owner-only, whatever the umask";
  std::stringstream log;
  log << std::ifstream(file("cardd.log")).rdbuf() << r.err << r.out;
  ASSERT_NE(log.str().find("rejected"), std::string::npos) << "the log has content to check";
  for (const auto& app : apps) {
    const auto j = nlohmann::json::parse(app.json, nullptr, false);
    if (j.is_discarded()) continue;
    for (const char* field : {"id_number", "mobile"}) {
      const std::string value = j.value(field, std::string());
      if (value.size() >= 8) {
        EXPECT_EQ(log.str().find(value), std::string::npos) << field;
      }
    }
  }
}

TEST_F(CardctlTest, AnExistingLogFileOthersCanReadIsMadePrivate) {
  std::ofstream(file("old.log")) << "earlier lines\n";
  std::filesystem::permissions(file("old.log"), std::filesystem::perms::all,
                               std::filesystem::perm_options::add);
  const RunResult r =
      cardctl({"--log-file", file("old.log"), "gen", "--count", "1", "--out", file("one.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("log file " + file("old.log") + " had mode 0777; now 0600"),
            std::string::npos)
      << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(file("old.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(test::read_text(file("old.log")).rfind("earlier lines\n", 0), 0u) << "appended to";
}

}  // namespace
}  // namespace cardd
