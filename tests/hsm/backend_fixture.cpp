#include "backend_fixture.h"

#include "secret_file.h"

namespace cardd::hsm::test {

void HsmBackendTest::SetUp() {
  if (GetParam() == "pkcs11") token_.emplace();
  hsm_ = reopen();
  ASSERT_TRUE(hsm_) << "backend " << GetParam() << " did not open";
}

void HsmBackendTest::TearDown() { hsm_.reset(); }

HsmConfig HsmBackendTest::config() const {
  HsmConfig c;
  c.backend = GetParam();
  if (GetParam() == "soft") {
    const std::string secret = (dir_.path() / "passphrase").string();
    cardd::test::write_secret_file(secret, "correct horse battery staple");
    c.soft.keystore_path = (dir_.path() / "keys.cks").string();
    c.soft.create = !std::filesystem::exists(c.soft.keystore_path);  // the first open makes it
    c.soft.passphrase_file = secret;
  } else {
    c.pkcs11 = token_->config();
  }
  return c;
}

std::unique_ptr<Hsm> HsmBackendTest::reopen() {
  hsm_.reset();
  auto opened = open_hsm(config());
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().describe());
  return opened.ok() ? std::move(*opened) : nullptr;
}

KeyInfo HsmBackendTest::import_key(const std::string& name, Algorithm algorithm, UsageSet usage,
                                   std::string_view key_hex) {
  return import_key(KeySpec{name, algorithm, usage, 1}, key_hex);
}

KeyInfo HsmBackendTest::import_key(const KeySpec& spec, std::string_view key_hex) {
  const Algorithm algorithm = spec.algorithm;
  const std::string& name = spec.name;
  auto key = parse_key_hex(algorithm, key_hex);
  EXPECT_TRUE(key.ok());
  SecureBytes r(key_length(algorithm));
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(0x5A ^ (i * 37 + 11));
  SecureBytes other(key_length(algorithm));
  for (std::size_t i = 0; i < r.size(); ++i) other[i] = (*key)[i] ^ r[i];
  std::vector<SecureBytes> parts;
  parts.push_back(std::move(r));
  parts.push_back(std::move(other));
  auto info = hsm_->import_components(spec, parts);
  EXPECT_TRUE(info.ok()) << name << ": " << (info.ok() ? "" : info.error().describe());
  return info.ok() ? *info : KeyInfo{};
}

bool HsmBackendTest::supports(Algorithm algorithm, const std::string& operation) const {
  const Requirement need{algorithm, operation};
  return hsm_->unsupported(std::span(&need, 1)).empty();
}

std::string backend_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace cardd::hsm::test
