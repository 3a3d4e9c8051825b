// What a run must never write down in the clear, as byte strings to search
// files and logs for: an application's personal data in the forms it takes
// on its way (UTF-8, GB 18030, hex as in an APDU trace, the images' bytes and
// their base64 text).
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/base64.h"
#include "cardd/personalization/card_data.h"

namespace cardd::test {

struct Needle {
  std::string what;
  std::string bytes;
};

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline std::string upper_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : bytes) {
    out += kHex[static_cast<unsigned char>(c) >> 4];
    out += kHex[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

// Shorter strings would turn up in unrelated bytes by chance.
inline constexpr std::size_t kShortestNeedle = 6;

inline void add_needle(std::vector<Needle>& to, std::string what, std::string bytes) {
  if (bytes.size() >= kShortestNeedle) to.push_back({std::move(what), std::move(bytes)});
}

// A window from the middle of an image, raw and as the bureau's base64 text.
inline void add_image(std::vector<Needle>& to, const std::string& what, const nlohmann::json& v) {
  if (!v.is_string()) return;
  const std::string text = v.get<std::string>();
  if (text.size() < 256) return;
  add_needle(to, what + " (base64)", text.substr(text.size() / 2 & ~std::size_t{3}, 40));
  if (const auto raw = base64_decode(text); raw && raw->size() > 64)
    add_needle(to, what, raw->substr(raw->size() / 2, 32));
}

// The personal data of one application as the bureau sent it. Tolerates the
// broken applications a test batch holds: a field that is not a string is
// left out.
inline std::vector<Needle> personal_data_of(const nlohmann::json& app) {
  std::vector<Needle> out;
  const auto text = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  const auto add_name = [&](const std::string& what, const std::string& name) {
    add_needle(out, what, name);
    if (auto gb = personalization::to_gb18030(name); gb) {
      const std::string bytes(gb->begin(), gb->end());
      add_needle(out, what + " (GB 18030)", bytes);
      add_needle(out, what + " (GB 18030, hex)", upper_hex(bytes));
    }
  };
  add_name("name", text(app, "name"));
  const std::string id = text(app, "id_number");
  add_needle(out, "ID number", id);
  add_needle(out, "ID number (hex, as on the chip)", upper_hex(id));
  add_needle(out, "mobile", text(app, "mobile"));
  add_needle(out, "residence address", text(app, "residence_address"));
  if (app.contains("recipient") && app["recipient"].is_object()) {
    const auto& r = app["recipient"];
    add_name("recipient name", text(r, "name"));
    add_needle(out, "recipient mobile", text(r, "mobile"));
    add_needle(out, "recipient address", text(r, "address"));
  }
  for (const char* image : {"photo", "id_front", "id_back"})
    if (app.contains(image)) add_image(out, image, app[image]);
  return out;
}

// The needles found in `haystack`, one line each, naming `where`.
inline std::string found_in(const std::string& where, std::string_view haystack,
                            const std::vector<Needle>& needles) {
  std::string out;
  for (const auto& n : needles)
    if (haystack.find(n.bytes) != std::string_view::npos) out += n.what + " in " + where + "\n";
  return out;
}

}  // namespace cardd::test
