#include "cardd/personalization/card_profile.h"
#include "cardd/common/error_category.h"
#include "cardd/common/hex.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "cardd/common/toml_reader.h"
#include "data_items.h"

namespace cardd::personalization {
namespace {

std::string_view to_string(ProfileError e) {
  switch (e) {
    case ProfileError::unreadable:
      return "unreadable";
    case ProfileError::invalid:
      return "invalid";
  }
  return {};
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename T>
std::optional<T> one_of(TomlReader& r, const toml::table& t, std::string_view key,
                        std::string_view where, bool required,
                        std::initializer_list<std::pair<std::string_view, T>> choices) {
  auto s = r.string(t, key, where, required);
  if (!s) return std::nullopt;
  for (const auto& [name, value] : choices)
    if (*s == name) return value;
  std::string names;
  for (const auto& [name, value] : choices)
    names += (names.empty() ? "" : ", ") + std::string(name);
  r.problem(TomlReader::join(where, key), "must be one of " + names, t.get(key));
  return std::nullopt;
}

// An integer in [lo, hi], or nothing (the problem is reported).
std::optional<std::int64_t> ranged(TomlReader& r, const toml::table& t, std::string_view key,
                                   std::string_view where, bool required, std::int64_t lo,
                                   std::int64_t hi) {
  auto v = r.integer(t, key, where, required);
  if (v && (*v < lo || *v > hi)) {
    r.problem(TomlReader::join(where, key),
              "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", t.get(key));
    return std::nullopt;
  }
  return v;
}

std::optional<Diversification> diversification(TomlReader& r, const toml::table& t,
                                               std::string_view where) {
  return one_of<Diversification>(r, t, "diversification", where, true,
                                 {{"sp800-108-cmac", Diversification::sp800_108_cmac},
                                  {"emv-cpg", Diversification::emv_cpg},
                                  {"pboc", Diversification::pboc},
                                  {"kdf3", Diversification::kdf3}});
}

class ProfileParser {
 public:
  CardProfile parse(const toml::table& root) {
    r_.only_keys(root, "",
                 {"name", "final_life_cycle", "issuer", "secure_channel", "applications"});
    p_.name = r_.string(root, "name", "", true).value_or("");
    if (auto v = ranged(r_, root, "final_life_cycle", "", false, 0x0F, 0x7F))
      p_.final_life_cycle = static_cast<std::uint8_t>(*v);
    if (const auto* t = r_.table(root, "issuer", "", true)) parse_issuer(*t);
    if (const auto* t = r_.table(root, "secure_channel", "", true)) parse_secure_channel(*t);
    const auto apps = r_.tables(root, "applications", "", true);
    std::set<card::Bytes> aids;
    for (std::size_t i = 0; i < apps.size(); ++i) {
      ApplicationSpec a = parse_application(*apps[i], TomlReader::index("applications", i));
      if (!a.aid.empty() && !aids.insert(a.aid).second)
        r_.problem(TomlReader::index("applications", i) + ".aid", "used twice", apps[i]);
      p_.applications.push_back(std::move(a));
    }
    if (apps.empty() && root.get("applications") != nullptr)
      r_.problem("applications", "at least one application is needed", &root);
    return std::move(p_);
  }
  const std::vector<std::string>& problems() const { return r_.problems(); }

 private:
  std::string text(const toml::table& t, std::string_view key, std::string_view where,
                   std::size_t length, bool digits) {
    auto s = r_.string(t, key, where, true);
    if (!s) return {};
    if (s->size() != length || (digits && !all_digits(*s)))
      r_.problem(TomlReader::join(where, key),
                 "must be " + std::to_string(length) + (digits ? " digits" : " characters"),
                 t.get(key));
    return *s;
  }

  card::Bytes hex_bytes(const toml::table& t, std::string_view key, std::string_view where,
                        std::size_t length) {
    auto s = r_.string(t, key, where, true);
    if (!s) return {};
    auto bytes = from_hex(*s);
    if (!bytes || bytes->size() != length) {
      r_.problem(TomlReader::join(where, key),
                 "must be " + std::to_string(length) + " bytes of hex", t.get(key));
      return {};
    }
    return *bytes;
  }

  void parse_issuer(const toml::table& t) {
    const std::string w = "issuer";
    r_.only_keys(t, w,
                 {"card_type", "spec_version", "issuer_org", "identification_rid",
                  "identification_tail", "validity_years", "expiry", "card_number_prefix",
                  "card_number_first", "card_number_last", "service_code"});
    IssuerSpec& s = p_.issuer;
    s.card_type = text(t, "card_type", w, 1, false);
    s.spec_version = text(t, "spec_version", w, 4, false);
    s.issuer_org = text(t, "issuer_org", w, 24, true);
    s.identification_rid = hex_bytes(t, "identification_rid", w, 5);
    s.identification_tail =
        one_of<IdentificationTail>(r_, t, "identification_tail", w, true,
                                   {{"chip_id", IdentificationTail::chip_id},
                                    {"ic_serial", IdentificationTail::ic_serial}})
            .value_or(IdentificationTail::chip_id);
    s.service_code = text(t, "service_code", w, 3, true);
    s.validity_years =
        static_cast<int>(ranged(r_, t, "validity_years", w, true, 1, 50).value_or(10));
    s.expiry = one_of<ExpiryRule>(r_, t, "expiry", w, true,
                                  {{"anniversary", ExpiryRule::anniversary},
                                   {"day_before", ExpiryRule::day_before}})
                   .value_or(ExpiryRule::anniversary);
    s.card_number_prefix = r_.string(t, "card_number_prefix", w, true).value_or("");
    if (s.card_number_prefix.size() > 3 ||
        !std::all_of(s.card_number_prefix.begin(), s.card_number_prefix.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }))
      r_.problem(w + ".card_number_prefix", "must be at most 3 digits or capital letters",
                 t.get("card_number_prefix"));
    const auto first = ranged(r_, t, "card_number_first", w, true, 0, 999'999'999);
    const auto last = ranged(r_, t, "card_number_last", w, true, 0, 999'999'999);
    if (first && last) {
      s.card_number_first = *first;
      s.card_number_last = *last;
      std::int64_t limit = 1;
      for (std::size_t i = 0; i < s.card_number_digits(); ++i) limit *= 10;
      if (*first > *last || *last >= limit)
        r_.problem(w + ".card_number_last",
                   "the range must be non-empty and fit " + std::to_string(s.card_number_digits()) +
                       " digits after the prefix",
                   t.get("card_number_last"));
    }
  }

  void parse_secure_channel(const toml::table& t) {
    const std::string w = "secure_channel";
    r_.only_keys(t, w,
                 {"protocol", "option", "algorithm", "key_version", "security_level", "master_key",
                  "diversification"});
    SecureChannelSpec& s = p_.secure_channel;
    s.protocol = one_of<ScpProtocol>(r_, t, "protocol", w, true,
                                     {{"scp02", ScpProtocol::scp02}, {"scp03", ScpProtocol::scp03}})
                     .value_or(ScpProtocol::scp03);
    s.option = static_cast<std::uint8_t>(ranged(r_, t, "option", w, true, 0, 255).value_or(0));
    if (auto a = r_.string(t, "algorithm", w, true)) {
      if (auto alg = hsm::algorithm_from_string(*a))
        s.algorithm = *alg;
      else
        r_.problem(w + ".algorithm", "unknown algorithm", t.get("algorithm"));
    }
    s.key_version =
        static_cast<std::uint8_t>(ranged(r_, t, "key_version", w, true, 1, 0x7F).value_or(1));
    s.security_level =
        static_cast<std::uint8_t>(ranged(r_, t, "security_level", w, true, 0, 0x33).value_or(0));
    s.master_key = r_.string(t, "master_key", w, true).value_or("");
    s.diversification = diversification(r_, t, w).value_or(Diversification::sp800_108_cmac);
    const bool des = hsm::is_des(s.algorithm);
    if (s.protocol == ScpProtocol::scp02) {
      if (s.algorithm != hsm::Algorithm::des3_2key)
        r_.problem(w + ".algorithm", "SCP02 uses 3des-2key", t.get("algorithm"));
      if (s.option != 0x15 && s.option != 0x55)
        r_.problem(w + ".option", "SCP02 supports i = 0x15 and 0x55", t.get("option"));
      if (s.diversification != Diversification::emv_cpg)
        r_.problem(w + ".diversification", "SCP02 card keys use emv-cpg", t.get("diversification"));
      if ((s.security_level & 0x30) != 0)
        r_.problem(w + ".security_level", "SCP02 has no R-MAC/R-ENCRYPTION here",
                   t.get("security_level"));
    } else {
      if (des || (s.algorithm != hsm::Algorithm::aes128 && s.algorithm != hsm::Algorithm::sm4))
        r_.problem(w + ".algorithm", "SCP03 uses aes128 or sm4", t.get("algorithm"));
      if (s.option != 0x70) r_.problem(w + ".option", "SCP03 supports i = 0x70", t.get("option"));
      if (s.diversification != Diversification::sp800_108_cmac &&
          s.diversification != Diversification::kdf3)
        r_.problem(w + ".diversification", "SCP03 card keys use sp800-108-cmac or kdf3",
                   t.get("diversification"));
    }
    if ((s.security_level & 0x01) == 0)
      r_.problem(w + ".security_level", "personalization needs at least C-MAC (bit 0x01)",
                 t.get("security_level"));
  }

  ApplicationSpec parse_application(const toml::table& t, const std::string& w) {
    r_.only_keys(t, w, {"name", "aid", "final_life_cycle", "pin", "keys", "files"});
    ApplicationSpec a;
    a.name = r_.string(t, "name", w, true).value_or("");
    if (auto v = ranged(r_, t, "final_life_cycle", w, false, 0x0F, 0x7F)) {
      if ((*v & 0x07) != 0x07)
        r_.problem(w + ".final_life_cycle",
                   "an application-specific state keeps bits b3-b1 set (e.g. 0x0F)",
                   t.get("final_life_cycle"));
      a.final_life_cycle = static_cast<std::uint8_t>(*v);
    }
    if (auto s = r_.string(t, "aid", w, true)) {
      auto aid = from_hex(*s);
      if (!aid || aid->size() < 5 || aid->size() > 16)
        r_.problem(w + ".aid", "must be 5 to 16 bytes of hex", t.get("aid"));
      else
        a.aid = *aid;
    }
    if (const auto* pin = r_.table(t, "pin", w, false)) {
      r_.only_keys(*pin, w + ".pin", {"initial", "try_limit", "accept_shared_initial"});
      PinSpec ps;
      ps.initial = r_.string(*pin, "initial", w + ".pin", true).value_or("");
      if (!all_digits(ps.initial) || ps.initial.size() < 4 || ps.initial.size() > 12)
        r_.problem(w + ".pin.initial", "must be 4 to 12 digits", pin->get("initial"));
      ps.shared_initial_accepted =
          r_.boolean(*pin, "accept_shared_initial", w + ".pin").value_or(false);
      if (!ps.shared_initial_accepted)
        r_.problem(w + ".pin.accept_shared_initial",
                   "must be true: pin.initial gives every card the same PIN, a decision the "
                   "profile must name",
                   pin->get("accept_shared_initial"));
      ps.try_limit =
          static_cast<int>(ranged(r_, *pin, "try_limit", w + ".pin", true, 1, 15).value_or(3));
      a.pin = ps;
    }
    const auto keys = r_.tables(t, "keys", w, false);
    std::set<int> refs;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const std::string kw = TomlReader::index(w + ".keys", i);
      r_.only_keys(*keys[i], kw, {"reference", "role", "master_key", "diversification"});
      AppKeySpec k;
      k.reference = static_cast<std::uint8_t>(
          ranged(r_, *keys[i], "reference", kw, true, 1, 0xFF).value_or(0));
      k.role = r_.string(*keys[i], "role", kw, true).value_or("");
      k.master_key = r_.string(*keys[i], "master_key", kw, true).value_or("");
      k.diversification =
          diversification(r_, *keys[i], kw).value_or(Diversification::sp800_108_cmac);
      const bool des = hsm::is_des(p_.secure_channel.algorithm);
      if (k.diversification == Diversification::emv_cpg ||
          k.diversification == Diversification::kdf3 ||
          (k.diversification == Diversification::pboc) != des)
        r_.problem(kw + ".diversification",
                   des ? "3DES cards diversify application keys with pboc"
                       : "AES/SM4 cards diversify application keys with sp800-108-cmac",
                   keys[i]->get("diversification"));
      if (k.reference != 0 && !refs.insert(k.reference).second)
        r_.problem(kw + ".reference", "used twice", keys[i]->get("reference"));
      a.keys.push_back(std::move(k));
    }
    const auto files = r_.tables(t, "files", w, false);
    std::set<int> sfis, fids;
    for (std::size_t i = 0; i < files.size(); ++i) {
      FileSpec f = parse_file(*files[i], TomlReader::index(w + ".files", i));
      f.access.read =
          access(*files[i], "read", TomlReader::index(w + ".files", i), a, AccessCondition{});
      f.access.update = access(*files[i], "update", TomlReader::index(w + ".files", i), a,
                               AccessCondition{AccessCondition::Kind::never, 0, {}});
      if (f.sfi != 0 && !sfis.insert(f.sfi).second)
        r_.problem(TomlReader::index(w + ".files", i) + ".sfi", "used twice", files[i]);
      if (f.fid != 0 && !fids.insert(f.fid).second)
        r_.problem(TomlReader::index(w + ".files", i) + ".fid", "used twice", files[i]);
      a.files.push_back(std::move(f));
    }
    return a;
  }

  // "free", "pin", "never" or "key:<role>" (a key of the application).
  AccessCondition access(const toml::table& t, std::string_view key, const std::string& w,
                         const ApplicationSpec& app, AccessCondition fallback) {
    auto s = r_.string(t, key, w, false);
    if (!s) return fallback;
    using Kind = AccessCondition::Kind;
    if (*s == "free") return {Kind::free, 0, {}};
    if (*s == "pin") {
      if (!app.pin) r_.problem(TomlReader::join(w, key), "the application has no PIN", t.get(key));
      return {Kind::pin, 0, {}};
    }
    if (*s == "never") return {Kind::never, 0, {}};
    constexpr std::string_view kKey = "key:";
    if (s->starts_with(kKey)) {
      const std::string role = s->substr(kKey.size());
      for (const auto& k : app.keys)
        if (k.role == role) return {Kind::key, k.reference, role};
      r_.problem(TomlReader::join(w, key), "the application has no key with role \"" + role + "\"",
                 t.get(key));
      return fallback;
    }
    r_.problem(TomlReader::join(w, key), "must be free, pin, never or key:<role>", t.get(key));
    return fallback;
  }

  FileSpec parse_file(const toml::table& t, const std::string& w) {
    r_.only_keys(
        t, w, {"name", "fid", "sfi", "type", "addressing", "read", "update", "records", "content"});
    FileSpec f;
    f.name = r_.string(t, "name", w, true).value_or("");
    f.fid = static_cast<std::uint16_t>(ranged(r_, t, "fid", w, true, 0x0001, 0xFFFE).value_or(0));
    f.sfi = static_cast<std::uint8_t>(ranged(r_, t, "sfi", w, true, 1, 30).value_or(0));
    f.type =
        one_of<FileType>(r_, t, "type", w, true,
                         {{"records", FileType::records}, {"transparent", FileType::transparent}})
            .value_or(FileType::records);
    if (f.type == FileType::transparent) {
      if (t.get("records") != nullptr)
        r_.problem(w + ".records", "a transparent file has no records");
      if (const auto* c = r_.table(t, "content", w, true))
        f.content = parse_element(*c, w + ".content", false);
      if (f.content && f.content->length > kMaxTransparent)
        r_.problem(w + ".content.length",
                   "at most " + std::to_string(kMaxTransparent) + " bytes (READ BINARY offsets)",
                   &t);
      return f;
    }
    f.addressing = one_of<Addressing>(r_, t, "addressing", w, true,
                                      {{"tag", Addressing::tag}, {"number", Addressing::number}})
                       .value_or(Addressing::tag);
    const toml::node* records = t.get("records");
    const toml::array* arr = records != nullptr ? records->as_array() : nullptr;
    if (arr == nullptr || arr->empty()) {
      r_.problem(w + ".records", "must be a non-empty array of records", records ? records : &t);
      return f;
    }
    std::set<card::Tag> tags;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string rw = TomlReader::index(w + ".records", i);
      const toml::table* rt = (*arr)[i].as_table();
      if (rt == nullptr) {
        r_.problem(rw, "must be a table", &(*arr)[i]);
        continue;
      }
      RecordSpec rec = parse_record(*rt, rw);
      if (f.addressing == Addressing::tag && rec.tag != 0 && !tags.insert(rec.tag).second)
        r_.problem(rw + ".tag", "records addressed by tag need distinct tags", rt);
      f.records.push_back(std::move(rec));
    }
    return f;
  }

  RecordSpec parse_record(const toml::table& t, const std::string& w) {
    r_.only_keys(t, w, {"tag", "item", "encoding", "length", "pad", "optional", "elements"});
    RecordSpec rec;
    rec.where = w;
    rec.tag = static_cast<card::Tag>(ranged(r_, t, "tag", w, true, 1, 0xFF).value_or(0));
    rec.optional = r_.boolean(t, "optional", w).value_or(false);
    if (const toml::node* e = t.get("elements")) {
      rec.constructed = true;
      if (t.get("item") != nullptr) r_.problem(w, "a record has either item or elements", &t);
      if ((rec.tag & 0x20) == 0 && rec.tag != 0)
        r_.problem(w + ".tag", "a template needs a constructed tag (bit 6 set, e.g. 0x70)", &t);
      const toml::array* arr = e->as_array();
      if (arr == nullptr || arr->empty()) {
        r_.problem(w + ".elements", "must be a non-empty array", e);
        return rec;
      }
      for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string ew = TomlReader::index(w + ".elements", i);
        if (const toml::table* et = (*arr)[i].as_table())
          rec.elements.push_back(parse_element(*et, ew, true));
        else
          r_.problem(ew, "must be a table", &(*arr)[i]);
      }
    } else {
      ElementSpec el = parse_element(t, w, false);
      el.tag = rec.tag;
      rec.elements.push_back(std::move(el));
    }
    std::size_t size = 0;
    for (const auto& el : rec.elements) size += el.length + 5;
    if (size + 4 > kMaxDgiValue)
      r_.problem(w,
                 "the record is longer than one STORE DATA block allows (" +
                     std::to_string(kMaxDgiValue) + " bytes)",
                 &t);
    return rec;
  }

  ElementSpec parse_element(const toml::table& t, const std::string& w, bool own_tag) {
    if (own_tag) r_.only_keys(t, w, {"tag", "item", "encoding", "length", "pad"});
    ElementSpec e;
    if (own_tag)
      e.tag = static_cast<card::Tag>(ranged(r_, t, "tag", w, true, 1, 0xFFFF).value_or(0));
    e.item = r_.string(t, "item", w, true).value_or("");
    e.encoding = one_of<Encoding>(r_, t, "encoding", w, true,
                                  {{"an", Encoding::an},
                                   {"ans", Encoding::ans},
                                   {"cn", Encoding::cn},
                                   {"gb18030", Encoding::gb18030},
                                   {"binary", Encoding::binary}})
                     .value_or(Encoding::an);
    e.length = static_cast<std::size_t>(ranged(r_, t, "length", w, true, 1, 32768).value_or(0));
    if (t.get("pad") != nullptr) {
      // GB 18030 never uses 00 or FF, so either pads text unambiguously.
      const auto pad = ranged(r_, t, "pad", w, false, 0, 0xFF);
      if (e.encoding != Encoding::gb18030 || (pad && *pad != 0x00 && *pad != 0xFF))
        r_.problem(w + ".pad", "only gb18030 text is padded, with 0x00 or 0xFF", t.get("pad"));
      e.pad = static_cast<std::uint8_t>(pad.value_or(0));
    }
    if (e.item.empty()) return e;
    const DataItem* item = find_data_item(e.item);
    if (item == nullptr) {
      r_.problem(w + ".item", "unknown data item \"" + e.item + "\"", t.get("item"));
    } else if (t.get("encoding") != nullptr && item->encoding != e.encoding) {
      r_.problem(w + ".encoding", "\"" + e.item + "\" cannot be written with this encoding",
                 t.get("encoding"));
    } else if (item->fixed_length != 0 && e.length != 0 && e.length != item->fixed_length) {
      r_.problem(
          w + ".length",
          "\"" + e.item + "\" takes exactly " + std::to_string(item->fixed_length) + " bytes",
          t.get("length"));
    }
    return e;
  }

  // A DGI (2-byte tag, up to 3-byte length) must fit the 239 data bytes a
  // protected short STORE DATA carries.
  static constexpr std::size_t kMaxDgiValue = 234;
  // READ BINARY reaches offsets up to 32767 (15 bits).
  static constexpr std::size_t kMaxTransparent = 32768;

  TomlReader r_;
  CardProfile p_;
};

}  // namespace

const std::error_category& profile_category() {
  static const ErrorCategory<ProfileError> c("profile", to_string);
  return c;
}

std::string_view to_string(Diversification d) {
  switch (d) {
    case Diversification::sp800_108_cmac:
      return "sp800-108-cmac";
    case Diversification::emv_cpg:
      return "emv-cpg";
    case Diversification::pboc:
      return "pboc";
    case Diversification::kdf3:
      return "kdf3";
  }
  return "?";
}

const BankSpec* IssuerSpec::bank(std::string_view code) const {
  for (const auto& b : banks)
    if (b.code == code) return &b;
  return nullptr;
}

Result<CardProfile> parse_card_profile(std::string_view toml_text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    return make_error(ProfileError::unreadable, std::string(source_name) + ":" +
                                                    std::to_string(e.source().begin.line) + ": " +
                                                    std::string(e.description()));
  }
  ProfileParser parser;
  CardProfile profile = parser.parse(root);
  if (!parser.problems().empty()) {
    std::string message =
        std::string(source_name) + ": " + std::to_string(parser.problems().size()) + " problem(s)";
    for (const auto& p : parser.problems()) message += "\n  " + p;
    return make_error(ProfileError::invalid, message);
  }
  return profile;
}

Result<CardProfile> load_card_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ProfileError::unreadable, "cannot read card profile " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_card_profile(text.str(), path);
}

hsm::KeySpec application_master_key_spec(std::string name, hsm::Algorithm algorithm) {
  hsm::KeySpec spec{std::move(name), algorithm, {hsm::Usage::derive}, 1};
  spec.derives = hsm::DeriveTemplate{{hsm::Usage::encrypt}, true};
  return spec;
}

std::vector<std::string> profile_decisions(const CardProfile& profile) {
  std::vector<std::string> out;
  for (const auto& app : profile.applications)
    if (app.pin && app.pin->shared_initial_accepted)
      out.push_back(app.name +
                    ": every card gets the same initial PIN (pin.accept_shared_initial = true); "
                    "the holder changes it at the bank");
  return out;
}

std::vector<hsm::Requirement> hsm_requirements(const CardProfile& profile) {
  const auto& sc = profile.secure_channel;
  const hsm::Algorithm a = sc.algorithm;
  // Card keys and PIN blocks are wrapped by ECB; when a key is one block (AES-128,
  // SM4) CBC with a zero IV gives the same bytes, and is what the HSM must offer.
  const char* wrap = hsm::key_length(a) == hsm::block_size(a) ? "wrap_cbc" : "wrap_ecb";
  std::vector<hsm::Requirement> out = {{a, "ecb"}, {a, "cbc"}, {a, wrap}};
  const auto derive = [&](Diversification d) {
    return hsm::Requirement{
        a, d == Diversification::sp800_108_cmac ? "derive_sp800_108" : "derive_encrypt_data"};
  };
  out.push_back(derive(sc.diversification));
  if (sc.protocol == ScpProtocol::scp03) {
    out.push_back({a, "cmac"});
  } else {
    out.push_back({a, "derive_encrypt_data"});  // SCP02 session keys
    out.push_back({a, "retail_mac"});
    if (sc.option == 0x55) out.push_back({a, "des_k1_mac"});
  }
  for (const auto& app : profile.applications)
    for (const auto& key : app.keys) out.push_back(derive(key.diversification));
  std::vector<hsm::Requirement> unique;
  for (const auto& r : out)
    if (std::find(unique.begin(), unique.end(), r) == unique.end()) unique.push_back(r);
  return unique;
}

}  // namespace cardd::personalization
