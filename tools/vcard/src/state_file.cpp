#include "cardd/vcard/state_file.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cardd/common/hex.h"

namespace cardd::vcard {
namespace {

constexpr int kFormat = 3;

std::string hex(const Bytes& b) { return to_hex(b, HexCase::upper); }

Bytes unhex(const std::string& s, const std::string& what) {
  auto out = from_hex(s);
  if (!out) throw std::invalid_argument(what + " is not hex");
  return std::move(*out);
}

std::string byte_name(std::uint8_t b) { return hex(Bytes{b}); }

std::uint8_t byte_of(const std::string& name) {
  const Bytes b = unhex(name, "key " + name);
  if (b.size() != 1) throw std::invalid_argument("key " + name + " is not one byte");
  return b[0];
}

nlohmann::json to_json(const ApplicationData& a) {
  nlohmann::json records = nlohmann::json::object(), binaries = nlohmann::json::object(),
                 keys = nlohmann::json::object();
  for (const auto& [sfi, file] : a.records) {
    nlohmann::json r = nlohmann::json::object();
    for (const auto& [number, record] : file) r[byte_name(number)] = hex(record);
    records[byte_name(sfi)] = r;
  }
  for (const auto& [sfi, content] : a.binaries) binaries[byte_name(sfi)] = hex(content);
  for (const auto& [reference, key] : a.keys) keys[byte_name(reference)] = hex(key);
  nlohmann::json access = nlohmann::json::object();
  for (const auto& [sfi, rule] : a.access)
    access[byte_name(sfi)] =
        hex(Bytes{static_cast<std::uint8_t>(rule.read.kind), rule.read.key,
                  static_cast<std::uint8_t>(rule.update.kind), rule.update.key});
  nlohmann::json j = {{"life_cycle", a.life_cycle},
                      {"access", access},
                      {"records", records},
                      {"binaries", binaries},
                      {"keys", keys}};
  if (a.pin) {
    std::string digits;
    for (const auto d : a.pin->digits) digits += static_cast<char>('0' + d);
    j["pin"] = {{"digits", digits}, {"limit", a.pin->limit}, {"tries", a.pin->tries}};
  }
  return j;
}

ApplicationData application_from_json(const nlohmann::json& j) {
  ApplicationData a;
  a.life_cycle = j.at("life_cycle").get<std::uint8_t>();
  for (const auto& [sfi, rule] : j.at("access").items()) {
    const Bytes b = unhex(rule.get<std::string>(), "access rule " + sfi);
    if (b.size() != 4) throw std::invalid_argument("access rule " + sfi + " is not 4 bytes");
    a.access[byte_of(sfi)] = {{static_cast<AccessCondition::Kind>(b[0]), b[1]},
                              {static_cast<AccessCondition::Kind>(b[2]), b[3]}};
  }
  for (const auto& [sfi, file] : j.at("records").items())
    for (const auto& [number, record] : file.items())
      a.records[byte_of(sfi)][byte_of(number)] = unhex(record.get<std::string>(), "record");
  for (const auto& [sfi, content] : j.at("binaries").items())
    a.binaries[byte_of(sfi)] = unhex(content.get<std::string>(), "file " + sfi);
  for (const auto& [reference, key] : j.at("keys").items())
    a.keys[byte_of(reference)] = unhex(key.get<std::string>(), "key " + reference);
  if (j.contains("pin")) {
    Pin p;
    for (const char c : j["pin"].at("digits").get<std::string>()) {
      if (c < '0' || c > '9') throw std::invalid_argument("PIN digits must be decimal");
      p.digits.push_back(static_cast<std::uint8_t>(c - '0'));
    }
    p.limit = j["pin"].at("limit").get<std::uint8_t>();
    p.tries = j["pin"].at("tries").get<std::uint8_t>();
    a.pin = p;
  }
  return a;
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
  if (j.value("format", 0) != kFormat) {
    error = path + " is a card state of an older vcard; delete it to make a new card";
    return std::nullopt;
  }
  try {
    CardState s;
    s.serial = unhex(j.at("serial").get<std::string>(), "serial");
    const auto cipher = cipher_from_string(j.at("cipher").get<std::string>());
    if (!cipher) throw std::invalid_argument("cipher must be aes, sm4 or des3");
    s.keys.cipher = *cipher;
    s.keys.scp02_i = j.at("scp02_i").get<std::uint8_t>();
    s.keys.enc = unhex(j.at("enc").get<std::string>(), "enc");
    s.keys.mac = unhex(j.at("mac").get<std::string>(), "mac");
    s.keys.dek = unhex(j.at("dek").get<std::string>(), "dek");
    s.keys.version = j.at("kvn").get<std::uint8_t>();
    s.life_cycle = static_cast<LifeCycle>(j.at("life_cycle").get<std::uint8_t>());
    s.sequence = j.at("sequence").get<std::uint32_t>();
    s.auth_failures = j.at("auth_failures").get<std::uint8_t>();
    s.auth_limit = j.at("auth_limit").get<std::uint8_t>();
    s.ssse = application_from_json(j.at("applications").at("SSSE"));
    s.fin = application_from_json(j.at("applications").at("FIN"));
    if (s.serial.size() != 4) throw std::invalid_argument("serial must be 4 bytes");
    return s;
  } catch (const std::exception& e) {
    error = path + ": " + e.what();
    return std::nullopt;
  }
}

bool save_state(const std::string& path, const CardState& s, std::string& error) {
  const nlohmann::json j = {{"format", kFormat},
                            {"serial", hex(s.serial)},
                            {"cipher", std::string(to_string(s.keys.cipher))},
                            {"scp02_i", s.keys.scp02_i},
                            {"enc", hex(s.keys.enc)},
                            {"mac", hex(s.keys.mac)},
                            {"dek", hex(s.keys.dek)},
                            {"kvn", s.keys.version},
                            {"life_cycle", static_cast<int>(s.life_cycle)},
                            {"sequence", s.sequence},
                            {"auth_failures", s.auth_failures},
                            {"auth_limit", s.auth_limit},
                            {"applications", {{"SSSE", to_json(s.ssse)}, {"FIN", to_json(s.fin)}}}};
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
