#include "state_file.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cardd::vcard {
namespace {

std::string hex(const Bytes& b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const auto v : b) {
    out += kDigits[v >> 4];
    out += kDigits[v & 15];
  }
  return out;
}

std::optional<Bytes> unhex(const std::string& s) {
  if (s.size() % 2 != 0) return std::nullopt;
  Bytes out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = digit(s[i]), lo = digit(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace

std::optional<CardState> load_state(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = path + " is not a card state (JSON)";
    return std::nullopt;
  }
  try {
    CardState s;
    const auto field = [&](const char* name) -> Bytes {
      auto b = unhex(j.at(name).get<std::string>());
      if (!b) throw std::invalid_argument(std::string(name) + " is not hex");
      return *b;
    };
    s.serial = field("serial");
    const std::string cipher = j.value("cipher", "aes");
    s.keys.cipher = cipher == "sm4" ? Cipher::sm4 : cipher == "des3" ? Cipher::des3 : Cipher::aes;
    s.keys.scp02_i = j.value("scp02_i", std::uint8_t{0x55});
    s.keys.enc = field("enc");
    s.keys.mac = field("mac");
    s.keys.dek = field("dek");
    s.keys.version = j.at("kvn").get<std::uint8_t>();
    s.life_cycle = static_cast<LifeCycle>(j.at("life_cycle").get<std::uint8_t>());
    s.sequence = j.at("sequence").get<std::uint32_t>();
    for (const auto& [dgi, value] : j.at("dgis").items()) {
      auto b = unhex(value.get<std::string>());
      if (!b) throw std::invalid_argument("DGI " + dgi + " is not hex");
      s.dgis[static_cast<std::uint16_t>(std::stoul(dgi, nullptr, 16))] = *b;
    }
    if (s.serial.size() != 4) throw std::invalid_argument("serial must be 4 bytes");
    return s;
  } catch (const std::exception& e) {
    error = path + ": " + e.what();
    return std::nullopt;
  }
}

bool save_state(const std::string& path, const CardState& s, std::string& error) {
  nlohmann::json dgis = nlohmann::json::object();
  for (const auto& [dgi, value] : s.dgis) {
    char name[5];
    std::snprintf(name, sizeof(name), "%04X", dgi);
    dgis[name] = hex(value);
  }
  const nlohmann::json j = {{"serial", hex(s.serial)},
                            {"cipher", s.keys.cipher == Cipher::sm4    ? "sm4"
                                       : s.keys.cipher == Cipher::des3 ? "des3"
                                                                       : "aes"},
                            {"scp02_i", s.keys.scp02_i},
                            {"enc", hex(s.keys.enc)},
                            {"mac", hex(s.keys.mac)},
                            {"dek", hex(s.keys.dek)},
                            {"kvn", s.keys.version},
                            {"life_cycle", static_cast<int>(s.life_cycle)},
                            {"sequence", s.sequence},
                            {"dgis", dgis}};
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out.flush()) {
      error = "cannot write " + tmp;
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot replace " + path;
    return false;
  }
  return true;
}

}  // namespace cardd::vcard
