// The service configuration (spec/service.md): defaults, every kind of
// mistake named by key and line, secrets refused, the soft-backend policy,
// and print → load giving back the same configuration.
#include "cardd/server/service_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "child_process.h"

namespace cardd::server {
namespace {

// A file must allow the soft backend itself; most tests are not about that.
const std::string kAllowSoft = "[hsm]\nallow_soft_backend = true\n";

std::string problem_of(const std::string& text) {
  auto c = parse_service_config(text, "test.toml");
  EXPECT_FALSE(c.ok()) << text;
  return c.ok() ? std::string() : c.error().describe();
}

TEST(ServiceConfigTest, DefaultsAreTheSimulatedCenterOfTheSpec) {
  const ServiceConfig c = default_service_config();
  EXPECT_EQ(c.center.region, "beijing");
  EXPECT_TRUE(c.center.profile_path.empty());
  EXPECT_EQ(c.database.url, "sqlite:///var/lib/cardd/cardd.db");
  EXPECT_EQ(c.database.sqlite_path(), "/var/lib/cardd/cardd.db");
  EXPECT_EQ(c.hsm.backend, "soft");
  EXPECT_TRUE(c.hsm.allow_soft_backend) << "the embedded defaults are a simulated center";
  EXPECT_EQ(c.bureau.url, "http://127.0.0.1:8700");
  EXPECT_EQ(c.bureau.pull_interval_ms, 5000);
  EXPECT_EQ(c.bureau.page_size, 200);
  EXPECT_TRUE(c.bureau.push);
  EXPECT_EQ(c.api.listen, "127.0.0.1:8443");
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(c.lines[0].name, "line-1");
  EXPECT_EQ(c.lines[0].slots, (std::vector<std::string>{"Virtual PCD 00 00", "Virtual PCD 00 01"}));
  EXPECT_EQ(c.fulfilment.courier, "ems");
  EXPECT_EQ(c.fulfilment.tracking_first, "EA000000001CN");
  EXPECT_EQ(c.fulfilment.pack_batch, 50);
  EXPECT_EQ(c.fulfilment.paper_printer, "dir:///var/spool/cardd/paper");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, "text");
}

TEST(ServiceConfigTest, AFileNamesOnlyWhatDiffers) {
  auto c = parse_service_config(kAllowSoft +
                                    "[bureau]\npage_size = 50\n[log]\nformat = \"json\"\n"
                                    "[[lines]]\nname = \"a\"\nslots = [\"R1\"]\n"
                                    "printer = \"dir:///tmp/out\"\n",
                                "test.toml");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  ServiceConfig expected = default_service_config();
  expected.bureau.page_size = 50;
  expected.log.format = "json";
  expected.lines = {LineConfig{"a", {"R1"}, "dir:///tmp/out"}};
  EXPECT_EQ(*c, expected) << "the file's lines replace the default ones";
}

struct BadValue {
  std::string text;  // follows kAllowSoft, so its first line is line 3
  std::string key;
  int line;
};

TEST(ServiceConfigTest, EveryMistakeNamesItsKeyAndLine) {
  const std::vector<BadValue> cases{
      {"[bureau]\npull_interval_ms = 0\n", "bureau.pull_interval_ms", 4},
      {"[bureau]\npull_interval_ms = -5\n", "bureau.pull_interval_ms", 4},
      {"[bureau]\npull_interval_ms = \"5000\"\n", "bureau.pull_interval_ms", 4},
      {"[bureau]\n\npage_size = 100000\n", "bureau.page_size", 5},
      {"[bureau]\npage_size = 0\n", "bureau.page_size", 4},
      {"[bureau]\npush = \"yes\"\n", "bureau.push", 4},
      {"[bureau]\nurl = \"ftp://x:1\"\n", "bureau.url", 4},
      {"[api]\nlisten = \"127.0.0.1\"\n", "api.listen", 4},
      {"[api]\nlisten = \"127.0.0.1:99999\"\n", "api.listen", 4},
      {"[api]\ntls_certificate_file = \"/etc/c.pem\"\n", "api.tls_key_file", 4},
      {"[log]\nformat = \"xml\"\n", "log.format", 4},
      {"[log]\nlevel = \"loud\"\n", "log.level", 4},
      {"[center]\nregion = \"../etc\"\n", "center.region", 4},
      {"[center]\nprofile_path = [\"a\", 3]\n", "center.profile_path[1]", 4},
      {"[database]\nurl = \"/var/lib/cardd.db\"\n", "database.url", 4},
      {"[fulfilment]\ntracking_first = \"EA000000001C\"\n", "fulfilment.tracking_first", 4},
      {"[fulfilment]\ntracking_first = \"EA500000001CN\"\ntracking_last = \"EA400000001CN\"\n",
       "fulfilment.tracking_last", 5},
      {"[fulfilment]\ntracking_last = \"RR999999999CN\"\n", "fulfilment.tracking_last", 4},
      {"[fulfilment]\ncourier = \"pigeon\"\n", "fulfilment.courier", 4},
      {"[fulfilment]\npack_batch = 0\n", "fulfilment.pack_batch", 4},
      {"[fulfilment]\npaper_printer = \"/var/spool/paper\"\n", "fulfilment.paper_printer", 4},
      {"[[lines]]\nname = \"a\"\nslots = []\nprinter = \"ipp://p/ipp/print\"\n", "lines[0].slots",
       5},
      {"[[lines]]\nname = \"a\"\nprinter = \"ipp://p/ipp/print\"\n", "lines[0].slots", 3},
      {"[[lines]]\nname = \"a\"\nslots = [\"R\"]\nprinter = \"lpt1\"\n", "lines[0].printer", 6},
      {"[[lines]]\nname = \"a\"\nslots = [\"R\"]\nprinter = \"ipp://p/ipp/print\"\n"
       "[[lines]]\nname = \"a\"\nslots = [\"S\"]\nprinter = \"ipp://p/ipp/print\"\n",
       "lines[1].name", 8},
      {"lines = 3\n", "lines", 3},
      {"[retention]\nimage_days = -1\n", "retention.image_days", 4},
      {"[retention]\nimage_days = 4000\n", "retention.image_days", 4},
      {"[retention]\ninterval_ms = 10\n", "retention.interval_ms", 4},
      {"[api]\nweb_root = 3\n", "api.web_root", 4},
      // These continue kAllowSoft's [hsm] table.
      {"backend = \"pkcs11\"\ntoken_label = \"\"\n", "hsm.token_label", 4},
      {"keystore = \"\"\n", "hsm.keystore", 3},
  };
  for (const auto& bad : cases) {
    const std::string message = problem_of(kAllowSoft + bad.text);
    EXPECT_NE(message.find("config.invalid"), std::string::npos) << message;
    EXPECT_NE(message.find(bad.key + ":"), std::string::npos) << bad.text << " → " << message;
    EXPECT_NE(message.find("(line " + std::to_string(bad.line) + ")"), std::string::npos)
        << bad.text << " → " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  }
}

TEST(ServiceConfigTest, WrongBackendNamesItsLine) {
  const std::string message = problem_of("[hsm]\n\nbackend = \"tpm\"\n");
  EXPECT_NE(message.find("hsm.backend: must be soft or pkcs11 (line 3)"), std::string::npos)
      << message;
}

TEST(ServiceConfigTest, UnknownKeysAreRefusedWhereverTheyAre) {
  EXPECT_NE(problem_of(kAllowSoft + "[bureau]\nurll = \"http://a:1\"\n")
                .find("bureau.urll: unknown key (line 4)"),
            std::string::npos);
  EXPECT_NE(problem_of(kAllowSoft + "[printers]\n").find("printers: unknown key (line 3)"),
            std::string::npos);
  EXPECT_NE(problem_of(kAllowSoft + "[[lines]]\nname = \"a\"\nslots = [\"R\"]\n"
                                    "printer = \"ipp://p/x\"\nspeed = 3\n")
                .find("lines[0].speed: unknown key (line 7)"),
            std::string::npos);
}

TEST(ServiceConfigTest, ASecretInTheFileIsRefusedWithoutRepeatingIt) {
  for (const std::string key : {"passphrase", "pin"}) {
    const std::string message =
        problem_of("[hsm]\nallow_soft_backend = true\n" + key + " = \"Tr0ub4dor&3\"\n");
    EXPECT_NE(message.find("hsm." + key + ": unknown key (line 3)"), std::string::npos) << message;
    EXPECT_EQ(message.find("Tr0ub4dor"), std::string::npos) << "the secret is not echoed";
  }
}

TEST(ServiceConfigTest, SoftBackendNeedsToBeAllowedExplicitly) {
  const std::string named = problem_of("[hsm]\nbackend = \"soft\"\n");
  EXPECT_NE(named.find("hsm.backend: soft is for development"), std::string::npos) << named;
  EXPECT_NE(named.find("allow_soft_backend = true"), std::string::npos) << named;
  EXPECT_NE(named.find("(line 2)"), std::string::npos) << named;

  const std::string by_default = problem_of("[log]\nlevel = \"debug\"\n");
  EXPECT_NE(by_default.find("hsm.backend: soft (the default) is for development"),
            std::string::npos)
      << by_default;

  EXPECT_FALSE(parse_service_config("[hsm]\nallow_soft_backend = false\n", "t").ok());
  EXPECT_TRUE(parse_service_config(kAllowSoft, "t").ok());
  auto pkcs11 = parse_service_config("[hsm]\nbackend = \"pkcs11\"\n", "t");
  ASSERT_TRUE(pkcs11.ok()) << pkcs11.error().describe();
  EXPECT_FALSE(pkcs11->hsm.allow_soft_backend);
}

TEST(ServiceConfigTest, TheBureauLinkIsMutualTlsUnlessItStaysOnThisHost) {
  const std::string plain = problem_of(kAllowSoft + "[bureau]\nurl = \"http://10.1.2.3:8700\"\n");
  EXPECT_NE(plain.find("bureau.url: http:// sends ID numbers and photos in the clear"),
            std::string::npos)
      << plain;
  EXPECT_NE(plain.find("(line 4)"), std::string::npos) << plain;
  EXPECT_TRUE(
      parse_service_config(
          kAllowSoft + "[bureau]\nurl = \"http://10.1.2.3:8700\"\nallow_plain_http = true\n", "t")
          .ok());
  for (const char* local : {"http://127.0.0.1:8700", "http://localhost:8700", "http://[::1]:8700"})
    EXPECT_TRUE(parse_service_config(kAllowSoft + "[bureau]\nurl = \"" + local + "\"\n", "t").ok())
        << local;
  const std::string tls = problem_of(kAllowSoft +
                                     "[bureau]\nurl = \"https://bureau.example:443\"\n"
                                     "ca_file = \"/etc/cardd/bureau-ca.pem\"\n");
  EXPECT_EQ(tls.find("bureau.ca_file"), std::string::npos) << tls;
  EXPECT_NE(tls.find("bureau.certificate_file: https:// needs"), std::string::npos) << tls;
  EXPECT_NE(tls.find("bureau.key_file"), std::string::npos) << tls;
  EXPECT_TRUE(parse_service_config(kAllowSoft + "[bureau]\nurl = \"https://bureau.example:443\"\n"
                                                "ca_file = \"/a\"\ncertificate_file = \"/b\"\n"
                                                "key_file = \"/c\"\nmax_page_mib = 8\n",
                                   "t")
                  .ok());
  EXPECT_NE(problem_of(kAllowSoft + "[bureau]\nmax_page_mib = 0\n").find("bureau.max_page_mib"),
            std::string::npos);
}

TEST(ServiceConfigTest, AllProblemsAreReportedAtOnce) {
  const std::string message =
      problem_of(kAllowSoft + "[bureau]\npage_size = 0\n[log]\nformat = \"xml\"\n");
  EXPECT_NE(message.find("bureau.page_size"), std::string::npos) << message;
  EXPECT_NE(message.find("log.format"), std::string::npos) << message;
}

TEST(ServiceConfigTest, SyntaxErrorsNameTheLine) {
  auto c = parse_service_config("[bureau]\npage_size = = 3\n", "bad.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ConfigError::syntax);
  EXPECT_NE(c.error().message.find("bad.toml:2:"), std::string::npos) << c.error().message;
}

TEST(ServiceConfigTest, PrintedDefaultsLoadBackEqual) {
  const ServiceConfig defaults = default_service_config();
  const std::string text = to_toml(defaults);
  for (const char* key : {"allow_soft_backend = true", "pull_interval_ms = 5000", "[[lines]]",
                          "tracking_last = \"EA999999999CN\"", "format = \"text\""})
    EXPECT_NE(text.find(key), std::string::npos) << key << " in\n" << text;
  auto back = parse_service_config(text, "printed");
  ASSERT_TRUE(back.ok()) << back.error().describe() << "\n" << text;
  EXPECT_EQ(*back, defaults);
}

TEST(ServiceConfigTest, PrintedNonDefaultsLoadBackEqual) {
  ServiceConfig c = default_service_config();
  c.center.region = "shanghai";
  c.center.profile_path = {"/opt/a \"quoted\"", "C:\\back\\slash", "tab\there", "汉字"};
  c.database.url = "sqlite://relative/cardd.db";
  c.hsm = HsmSection{"pkcs11", "", "", "/usr/lib/x.so", "token #2", "", false};
  c.bureau = BureauConfig{"https://bureau.example:443/api",
                          1,
                          1000,
                          false,
                          "/ca.pem",
                          "/client.pem",
                          "/client.key",
                          "/bureau.pub",
                          64,
                          false};
  c.api = ApiConfig{"[::1]:9443", "/etc/cardd/api.crt", "/etc/cardd/api.key", 7, 99, 9,
                    1500,         "/srv/pages"};
  c.lines = {LineConfig{"l1", {"A"}, "ipps://p:631/x"},
             LineConfig{"l2", {"B", "C", "D"}, "dir:///tmp/faces"}};
  c.fulfilment =
      FulfilmentConfig{"ems", "RR123456780CN", "RR123456999CN", 1, "ipp://paper:631/ipp/print"};
  c.log = LogConfig{"trace", "json", "/var/log/cardd.log"};
  c.retention = RetentionConfig{30, 3'600'000};
  auto back = parse_service_config(to_toml(c), "printed");
  ASSERT_TRUE(back.ok()) << back.error().describe() << "\n" << to_toml(c);
  EXPECT_EQ(*back, c);

  c.lines.clear();
  c.hsm.backend = "soft";
  c.hsm.keystore = "/k";
  c.hsm.allow_soft_backend = true;
  auto no_lines = parse_service_config(to_toml(c), "printed");
  ASSERT_TRUE(no_lines.ok()) << no_lines.error().describe() << "\n" << to_toml(c);
  EXPECT_EQ(*no_lines, c);
}

TEST(ServiceConfigTest, LoadingAFile) {
  const test::TempDir dir;
  const auto path = (dir.path() / "cardd.toml").string();
  EXPECT_EQ(load_service_config(path).error().code, ConfigError::unreadable);
  std::ofstream(path) << kAllowSoft << "[bureau]\npage_size = 0\n";
  auto bad = load_service_config(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(path + ": bureau.page_size"), std::string::npos)
      << bad.error().message;
  std::ofstream(path) << kAllowSoft << "[bureau]\npage_size = 7\n";
  auto good = load_service_config(path);
  ASSERT_TRUE(good.ok()) << good.error().describe();
  EXPECT_EQ(good->bureau.page_size, 7);
}

}  // namespace
}  // namespace cardd::server
