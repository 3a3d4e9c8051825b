#include "cardd/region/region.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "cardd/common/toml_reader.h"

namespace cardd::region {
namespace {

class RegionCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "region"; }
  std::string message(int c) const override {
    switch (static_cast<RegionError>(c)) {
      case RegionError::unreadable:
        return "unreadable";
      case RegionError::invalid:
        return "invalid";
      case RegionError::not_found:
        return "not_found";
    }
    return "unknown";
  }
};

bool digits(std::string_view s, std::size_t min, std::size_t max) {
  return s.size() >= min && s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool bank_code_ok(std::string_view s) {
  return s.size() >= 2 && s.size() <= 16 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
         });
}

class RegionParser {
 public:
  Region parse(const toml::table& root) {
    r_.only_keys(root, "", {"region", "collection", "districts", "banks", "texts"});
    if (const auto* t = r_.table(root, "region", "", true)) parse_identity(*t);
    parse_districts(root);
    if (const auto* t = r_.table(root, "collection", "", true)) parse_collection(*t);
    parse_banks(root);
    if (const auto* t = r_.table(root, "texts", "", true)) parse_texts(*t);
    return std::move(region_);
  }
  const std::vector<std::string>& problems() const { return r_.problems(); }

 private:
  std::string required_text(const toml::table& t, std::string_view key, std::string_view where) {
    auto s = r_.string(t, key, where, true);
    if (s && s->empty()) r_.problem(TomlReader::join(where, key), "must not be empty", t.get(key));
    return s.value_or("");
  }

  void parse_identity(const toml::table& t) {
    const std::string w = "region";
    r_.only_keys(t, w, {"code", "name", "utc_offset", "vendor_code", "service_hotline", "courier"});
    region_.code = required_text(t, "code", w);
    if (!region_.code.empty() && (!digits(region_.code, 6, 6) || !region_.code.ends_with("0000")))
      r_.problem(w + ".code", "must be a province-level GB/T 2260 code (6 digits, xx0000)",
                 t.get("code"));
    region_.name = required_text(t, "name", w);
    if (auto z = r_.string(t, "utc_offset", w, true)) {
      if (auto offset = UtcOffset::parse(*z))
        region_.rules.utc_offset = *offset;
      else
        r_.problem(w + ".utc_offset", "must be a fixed offset such as \"+08:00\"",
                   t.get("utc_offset"));
    }
    region_.vendor_code = required_text(t, "vendor_code", w);
    if (!region_.vendor_code.empty() && region_.vendor_code.size() != 2)
      r_.problem(w + ".vendor_code", "must be 2 characters", t.get("vendor_code"));
    region_.service_hotline = required_text(t, "service_hotline", w);
    region_.courier = required_text(t, "courier", w);
  }

  void parse_districts(const toml::table& root) {
    const toml::table* t = r_.table(root, "districts", "", true);
    if (t == nullptr) return;
    if (t->empty()) r_.problem("districts", "at least one district is needed", t);
    for (const auto& [key, node] : *t) {
      const std::string w = TomlReader::join("districts", key.str());
      intake::District d;
      d.code = std::string(key.str());
      if (!digits(d.code, 6, 6))
        r_.problem(w, "the key must be a 6-digit GB/T 2260 code", &node);
      else if (region_.code.size() == 6 && d.code.substr(0, 2) != region_.code.substr(0, 2))
        r_.problem(w, "must lie in the region (start with " + region_.code.substr(0, 2) + ")",
                   &node);
      if (auto name = node.value_exact<std::string>(); name && !name->empty())
        d.name = *name;
      else
        r_.problem(w, "must be the district's name", &node);
      region_.rules.districts.push_back(std::move(d));
    }
  }

  std::vector<intake::Channel> channels(const toml::table& t, std::string_view key,
                                        std::string_view where) {
    std::vector<intake::Channel> out;
    const toml::node* n = t.get(key);
    const toml::array* a = n != nullptr ? n->as_array() : nullptr;
    if (a == nullptr) {
      r_.problem(TomlReader::join(where, key), n ? "must be an array of channel names" : "missing",
                 n ? n : &t);
      return out;
    }
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto name = (*a)[i].value_exact<std::string>();
      const auto c = name ? intake::channel_from_string(*name) : std::nullopt;
      if (!c)
        r_.problem(TomlReader::index(TomlReader::join(where, key), i),
                   "must be website, jingtong or minsheng", &(*a)[i]);
      else if (std::find(out.begin(), out.end(), *c) != out.end())
        r_.problem(TomlReader::index(TomlReader::join(where, key), i), "used twice", &(*a)[i]);
      else
        out.push_back(*c);
    }
    return out;
  }

  void parse_collection(const toml::table& t) {
    const std::string w = "collection";
    r_.only_keys(t, w, {"channels", "branch_channels", "postal_prefixes"});
    region_.rules.channels = channels(t, "channels", w);
    if (region_.rules.channels.empty() && t.get("channels") != nullptr)
      r_.problem(w + ".channels", "at least one channel is needed", t.get("channels"));
    region_.rules.branch_channels = channels(t, "branch_channels", w);
    for (const auto c : region_.rules.branch_channels)
      if (!region_.rules.accepts(c))
        r_.problem(w + ".branch_channels",
                   "\"" + std::string(intake::to_string(c)) + "\" is not in collection.channels",
                   t.get("branch_channels"));
    const toml::node* n = t.get("postal_prefixes");
    const toml::array* a = n != nullptr ? n->as_array() : nullptr;
    if (a == nullptr || a->empty()) {
      r_.problem(w + ".postal_prefixes",
                 n ? "must be a non-empty array of digit strings" : "missing", n ? n : &t);
      return;
    }
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto p = (*a)[i].value_exact<std::string>();
      if (!p || !digits(*p, 1, 6))
        r_.problem(TomlReader::index(w + ".postal_prefixes", i), "must be 1 to 6 digits", &(*a)[i]);
      else
        region_.rules.postal_prefixes.push_back(*p);
    }
  }

  void parse_banks(const toml::table& root) {
    const auto banks = r_.tables(root, "banks", "", true);
    if (banks.empty() && root.get("banks") != nullptr)
      r_.problem("banks", "at least one bank is needed", root.get("banks"));
    for (std::size_t i = 0; i < banks.size(); ++i) {
      const std::string w = TomlReader::index("banks", i);
      const toml::table& t = *banks[i];
      r_.only_keys(t, w, {"code", "name", "bin", "account_digits"});
      Bank b;
      b.code = required_text(t, "code", w);
      if (!b.code.empty() && !bank_code_ok(b.code))
        r_.problem(w + ".code", "must be 2 to 16 of A-Z 0-9", t.get("code"));
      b.name = required_text(t, "name", w);
      b.bin = required_text(t, "bin", w);
      if (!b.bin.empty() && !digits(b.bin, 6, 8))
        r_.problem(w + ".bin", "must be 6 to 8 digits", t.get("bin"));
      const auto account = r_.integer(t, "account_digits", w, true);
      if (account && (*account < 6 || *account > 12))
        r_.problem(w + ".account_digits", "must be in [6, 12]", t.get("account_digits"));
      else if (account)
        b.account_digits = static_cast<int>(*account);
      const std::size_t pan = b.bin.size() + static_cast<std::size_t>(b.account_digits) + 1;
      if (b.account_digits > 0 && !b.bin.empty() && (pan < 16 || pan > 19))
        r_.problem(w, "BIN + account digits + check digit must make 16 to 19 digits", &t);
      if (!b.code.empty() && region_.bank(b.code) != nullptr)
        r_.problem(w + ".code", "used twice", t.get("code"));
      region_.banks.push_back(std::move(b));
    }
  }

  // A text with only the placeholders `allowed` ("{bank}" ...).
  std::string text(const toml::table& t, std::string_view key,
                   std::initializer_list<std::string_view> allowed) {
    const std::string w = "texts";
    std::string s = required_text(t, key, w);
    for (std::size_t open = s.find('{'); open != std::string::npos; open = s.find('{', open + 1)) {
      const std::size_t close = s.find('}', open);
      const std::string name =
          close == std::string::npos ? "" : s.substr(open + 1, close - open - 1);
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string names;
        for (const auto a : allowed) names += (names.empty() ? "{" : ", {") + std::string(a) + "}";
        r_.problem(TomlReader::join(w, key),
                   "unknown placeholder; this text may use " + (names.empty() ? "none" : names),
                   t.get(key));
        break;
      }
    }
    return s;
  }

  void parse_texts(const toml::table& t) {
    r_.only_keys(t, "texts",
                 {"letter_title", "label_sender", "branch_recipient", "branch_address"});
    region_.texts.letter_title = text(t, "letter_title", {});
    region_.texts.label_sender = text(t, "label_sender", {"bank"});
    region_.texts.branch_recipient = text(t, "branch_recipient", {"bank", "branch"});
    region_.texts.branch_address = text(t, "branch_address", {"name"});
  }

  TomlReader r_;
  Region region_;
};

}  // namespace

const std::error_category& region_category() {
  static const RegionCategory c;
  return c;
}

const Bank* Region::bank(std::string_view bank_code) const {
  for (const auto& b : banks)
    if (b.code == bank_code) return &b;
  return nullptr;
}

std::string Region::bank_name(std::string_view bank_code) const {
  const Bank* b = bank(bank_code);
  return b != nullptr ? b->name : std::string(bank_code);
}

std::string fill(std::string_view text,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find('{', pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    const std::string_view key = text.substr(open + 1, close - open - 1);
    out.append(text.substr(pos, open - pos));
    const auto* v =
        std::find_if(values.begin(), values.end(), [&](const auto& kv) { return kv.first == key; });
    if (v != values.end())
      out.append(v->second);
    else
      out.append(text.substr(open, close - open + 1));
    pos = close + 1;
  }
  out.append(text.substr(std::min(pos, text.size())));
  return out;
}

Result<Region> parse_region(std::string_view toml_text, std::string_view source,
                            const std::filesystem::path& folder) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return make_error(RegionError::unreadable, std::string(source) + ":" +
                                                   std::to_string(e.source().begin.line) + ": " +
                                                   std::string(e.description()));
  }
  RegionParser parser;
  Region region = parser.parse(root);
  if (!parser.problems().empty()) {
    std::string message =
        std::string(source) + ": " + std::to_string(parser.problems().size()) + " problem(s)";
    for (const auto& p : parser.problems()) message += "\n  " + p;
    return make_error(RegionError::invalid, message);
  }
  region.folder = folder;
  region.id = folder.filename().string();
  return region;
}

Result<Region> load_region(const std::filesystem::path& folder) {
  const std::filesystem::path file = folder / "region.toml";
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(RegionError::unreadable, "cannot read " + file.string());
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return make_error(RegionError::unreadable, "cannot read " + file.string());
  return parse_region(text, file.string(), folder);
}

}  // namespace cardd::region
