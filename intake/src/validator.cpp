#include "cardd/intake/validator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "cardd/common/sha256.h"
#include "field_reader.h"
#include "image_rules.h"
#include "text_rules.h"

namespace cardd::intake {
namespace {

constexpr std::size_t kMaxNameLength = 30;
constexpr std::size_t kMaxAddressLength = 120;
constexpr std::size_t kMaxEchoedIdLength = 128;

// GB/T 6565 major categories, by name; "retired" (离退休人员) is the default.
constexpr std::array<std::string_view, 9> kOccupations = {
    "retired",     "state_organ_leader",       "professional", "clerk", "commerce_and_service",
    "agriculture", "production_and_transport", "military",     "other"};

bool matches(std::string_view s, std::size_t min, std::size_t max, bool (*allowed)(char)) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), allowed);
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper_alnum(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z'); }
bool is_id_char(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

bool is_mobile(std::string_view s) {
  return s.size() == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' &&
         std::all_of(s.begin(), s.end(), is_digit);
}

bool is_ethnicity(std::string_view s) {
  if (s.size() != 2 || !is_digit(s[0]) || !is_digit(s[1])) return false;
  const int code = (s[0] - '0') * 10 + (s[1] - '0');
  return (code >= 1 && code <= 56) || code == 97 || code == 98;
}

std::string channel_names(const std::vector<Channel>& channels) {
  std::string out;
  for (const Channel c : channels) out += (out.empty() ? "" : ", ") + std::string(to_string(c));
  return out.empty() ? "(no channel configured)" : out;
}

std::string describe(char32_t c) { return fmt::format("U+{:04X}", static_cast<std::uint32_t>(c)); }

// Checks a person's name (holder or mail recipient) and returns it in NFC.
std::optional<std::string> read_name(FieldReader& f, std::string_view field) {
  const auto raw = f.required_string(field);
  if (!raw) return std::nullopt;
  NormalizedText name = normalize_nfc(*raw);
  if (name.code_points == 0 || name.code_points > kMaxNameLength) {
    f.fail(field, "length", fmt::format("must be 1 to {} characters", kMaxNameLength));
    return std::nullopt;
  }
  const NameCheck check = check_name(name.utf8);
  switch (check.problem) {
    case NameProblem::none:
      return std::move(name.utf8);
    case NameProblem::invalid_character:
      f.fail(field, "invalid_character",
             fmt::format("character {} at position {} is not allowed in a name",
                         describe(check.character), check.position));
      return std::nullopt;
    case NameProblem::separator:
      f.fail(field, "separator",
             fmt::format("{} at position {} must stand between two parts of the name",
                         describe(check.character), check.position));
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> read_address(FieldReader& f, std::string_view field) {
  const auto raw = f.required_string(field);
  if (!raw) return std::nullopt;
  NormalizedText address = normalize_nfc(*raw);
  bool ok = true;
  if (address.code_points == 0 || address.code_points > kMaxAddressLength) {
    f.fail(field, "length", fmt::format("must be 1 to {} characters", kMaxAddressLength));
    ok = false;
  }
  if (has_control_character(address.utf8)) {
    f.fail(field, "invalid_character", "must not contain control characters");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return std::move(address.utf8);
}

std::optional<CivilDate> read_date(FieldReader& f, std::string_view field) {
  const auto raw = f.required_string(field);
  if (!raw) return std::nullopt;
  const auto date = CivilDate::parse_iso(*raw);
  if (!date) f.fail(field, "format", "must be a calendar date YYYY-MM-DD");
  return date;
}

std::optional<std::string> read_matching(FieldReader& f, std::string_view field, std::size_t min,
                                         std::size_t max, bool (*allowed)(char),
                                         std::string_view what) {
  const auto raw = f.required_string(field);
  if (!raw) return std::nullopt;
  if (!matches(*raw, min, max, allowed)) {
    f.fail(field, "format", std::string(what));
    return std::nullopt;
  }
  return std::string(*raw);
}

class Checker {
 public:
  Checker(simdjson::dom::object object, ValidationResult& result, UnixSeconds now, UnixSeconds skew,
          const RegionRules& region)
      : root_(object, "", result.errors),
        result_(result),
        region_(region),
        now_(now),
        skew_(skew),
        today_(local_date(now, region.utc_offset)) {}

  void run() {
    Application& a = app_;
    read_identity(a);
    read_contact(a);
    read_banking(a);
    read_collection(a);
    auto photo = read_image(root_, "photo", ImageKind::card_photo);
    auto front = read_image(root_, "id_front", ImageKind::id_card);
    auto back = read_image(root_, "id_back", ImageKind::id_card);
    read_consents();
    if (result_.errors.empty() && photo && front && back) {
      a.photo = std::move(*photo);
      a.id_front = std::move(*front);
      a.id_back = std::move(*back);
      result_.application = std::move(a);
    }
  }

 private:
  void read_identity(Application& a) {
    if (auto id = root_.required_string("application_id")) {
      result_.application_id = std::string(id->substr(0, kMaxEchoedIdLength));
      if (matches(*id, 1, 64, is_id_char))
        a.application_id = std::string(*id);
      else
        root_.fail("application_id", "format", "must be 1 to 64 of A-Z a-z 0-9 _ -");
    }
    if (auto ch = root_.required_string("channel")) {
      channel_ = channel_from_string(*ch);
      if (channel_ && !region_.accepts(*channel_)) channel_.reset();
      if (channel_)
        a.channel = *channel_;
      else
        root_.fail("channel", "unknown_value", "must be one of " + channel_names(region_.channels));
    }
    if (auto at = root_.required_string("submitted_at")) {
      a.submitted_at = std::string(*at);
      if (auto t = parse_rfc3339(*at)) {
        a.submitted_at_unix = *t;
        if (*t > now_ + skew_) root_.fail("submitted_at", "in_future", "must not be in the future");
      } else {
        root_.fail("submitted_at", "format", "must be an RFC 3339 date-time with offset");
      }
    }
    if (auto name = read_name(root_, "name")) a.name = std::move(*name);

    bool resident_id = false;
    if (auto type = root_.required_string("id_type")) {
      resident_id = *type == "resident_id";
      if (!resident_id) {
        if (*type == "hk_macao_permit" || *type == "foreign_permanent_resident_id")
          root_.fail("id_type", "unsupported",
                     "only resident_id (居民身份证) is supported for this card");
        else
          root_.fail("id_type", "unknown_value", "must be resident_id");
      }
    }
    std::optional<IdNumber> id;
    if (auto number = root_.required_string("id_number"); number && resident_id)
      id = read_id_number(*number);
    if (id) a.id_number = *id;

    const auto birth = read_date(root_, "birth_date");
    if (birth) {
      a.birth_date = *birth;
      if (id && id->birth_date() != *birth)
        result_.errors.push_back({"birth_date", "id_number.birth_date_mismatch",
                                  "does not agree with the birth date in the ID number"});
    }
    if (auto g = root_.required_string("gender")) {
      if (auto gender = gender_from_string(*g)) {
        a.gender = *gender;
        if (id && id->is_male() != (*gender == Gender::male))
          root_.fail("gender", "mismatch", "does not agree with the ID number's sequence digit");
      } else {
        root_.fail("gender", "unknown_value", "must be male or female");
      }
    }
    read_id_validity(a, id ? std::optional<CivilDate>(id->birth_date()) : birth);

    a.nationality = std::string(root_.optional_string("nationality").value_or("CHN"));
    if (!matches(a.nationality, 3, 3, is_upper))
      root_.fail("nationality", "format", "must be an ISO 3166-1 alpha-3 code");
    if (auto e = root_.required_string("ethnicity")) {
      if (is_ethnicity(*e))
        a.ethnicity = std::string(*e);
      else
        root_.fail("ethnicity", "unknown_value", "must be a GB/T 3304 code (01-56, 97, 98)");
    }
    a.occupation = std::string(root_.optional_string("occupation").value_or("retired"));
    if (std::find(kOccupations.begin(), kOccupations.end(), a.occupation) == kOccupations.end())
      root_.fail("occupation", "unknown_value",
                 "must be a GB/T 6565 category name such as retired");
  }

  std::optional<IdNumber> read_id_number(std::string_view number) {
    switch (IdNumber::check(number)) {
      case IdNumberProblem::none:
        break;
      case IdNumberProblem::format:
        root_.fail("id_number", "format", "must be 17 digits and a check digit or X");
        return std::nullopt;
      case IdNumberProblem::area_code:
        root_.fail("id_number", "area_code", "does not start with a valid area code");
        return std::nullopt;
      case IdNumberProblem::birth_date:
        root_.fail("id_number", "birth_date", "does not contain a valid birth date");
        return std::nullopt;
      case IdNumberProblem::checksum:
        root_.fail("id_number", "checksum", "check character is wrong (ISO 7064 MOD 11-2)");
        return std::nullopt;
    }
    IdNumber id = IdNumber::from_checked(number);
    if (id.birth_date() > today_) {
      root_.fail("id_number", "birth_date", "contains a birth date in the future");
      return std::nullopt;
    }
    return id;
  }

  void read_id_validity(Application& a, std::optional<CivilDate> birth) {
    const auto from = read_date(root_, "id_valid_from");
    if (from) {
      a.id_valid_from = *from;
      if (*from > today_) root_.fail("id_valid_from", "in_future", "must not be in the future");
      if (birth && *from < *birth)
        root_.fail("id_valid_from", "before_birth", "must not be before the birth date");
    }
    const auto to = root_.optional_string("id_valid_to");
    if (!to) return;
    if (*to == "长期") {
      a.id_valid_long_term = true;
    } else if (auto date = CivilDate::parse_iso(*to)) {
      a.id_valid_to = *date;
      if (from && *date < *from)
        root_.fail("id_valid_to", "before_valid_from", "must not be before id_valid_from");
    } else {
      root_.fail("id_valid_to", "format", "must be a date YYYY-MM-DD or 长期");
    }
  }

  void read_contact(Application& a) {
    if (auto d = root_.required_string("residence_district")) {
      if (region_.district(*d) != nullptr)
        a.residence_district = std::string(*d);
      else
        root_.fail("residence_district", "unknown_value", district_rule());
    }
    if (auto address = read_address(root_, "residence_address"))
      a.residence_address = std::move(*address);
    if (auto m = root_.required_string("mobile")) {
      if (is_mobile(*m))
        a.mobile = std::string(*m);
      else
        root_.fail("mobile", "format", "must be a mainland mobile number (11 digits, 13x-19x)");
    }
  }

  void read_banking(Application& a) {
    constexpr auto bank_rule = "must be 2 to 16 of A-Z 0-9";
    constexpr auto branch_rule = "must be 1 to 32 of A-Z a-z 0-9 _ -";
    auto issuing_bank = read_matching(root_, "issuing_bank", 2, 16, is_upper_alnum, bank_rule);
    auto issuing_branch = read_matching(root_, "issuing_branch", 1, 32, is_id_char, branch_rule);
    auto pension_bank = read_matching(root_, "pension_bank", 2, 16, is_upper_alnum, bank_rule);
    auto pension_branch = read_matching(root_, "pension_branch", 1, 32, is_id_char, branch_rule);
    const auto first = root_.required_bool("first_application");
    if (first && *first) {
      if (issuing_bank && pension_bank && *issuing_bank != *pension_bank)
        root_.fail("issuing_bank", "must_equal_pension_bank",
                   "a retiree's first card must be issued by the pension bank");
      if (issuing_branch && pension_branch && *issuing_branch != *pension_branch)
        root_.fail("issuing_branch", "must_equal_pension_branch",
                   "a retiree's first card must be applied for at the pension branch");
    }
    a.first_application = first.value_or(false);
    a.issuing_bank = issuing_bank.value_or("");
    a.issuing_branch = issuing_branch.value_or("");
    a.pension_bank = pension_bank.value_or("");
    a.pension_branch = pension_branch.value_or("");
  }

  void read_collection(Application& a) {
    const auto c = root_.required_string("collection");
    if (!c) return;
    const auto collection = collection_from_string(*c);
    if (!collection) {
      root_.fail("collection", "unknown_value", "must be mail or branch");
      return;
    }
    a.collection = *collection;
    if (*collection == Collection::branch && channel_ && !region_.allows_branch(*channel_))
      root_.fail(
          "collection", "not_allowed_for_channel",
          fmt::format("{} applications can only be collected by mail", to_string(*channel_)));
    if (*collection != Collection::mail) return;
    if (!root_.present("recipient")) {
      root_.fail("recipient", "missing", "is required when the card is mailed");
      return;
    }
    const auto object = root_.required_object("recipient");
    if (!object) return;
    FieldReader r(*object, "recipient.", result_.errors);
    Recipient recipient;
    if (auto name = read_name(r, "name")) recipient.name = std::move(*name);
    if (auto m = r.required_string("mobile")) {
      if (is_mobile(*m))
        recipient.mobile = std::string(*m);
      else
        r.fail("mobile", "format", "must be a mainland mobile number (11 digits, 13x-19x)");
    }
    if (auto d = r.required_string("district")) {
      if (region_.district(*d) != nullptr)
        recipient.district = std::string(*d);
      else
        r.fail("district", "unknown_value", district_rule());
    }
    if (auto p = r.required_string("postal_code")) {
      if (region_.postal_code_ok(*p))
        recipient.postal_code = std::string(*p);
      else
        r.fail("postal_code", "format",
               fmt::format("must be a postal code of the region (6 digits starting with {})",
                           fmt::join(region_.postal_prefixes, " or ")));
    }
    if (auto address = read_address(r, "address")) recipient.address = std::move(*address);
    a.recipient = std::move(recipient);
  }

  void read_consents() {
    const auto object = root_.required_object("consents");
    if (!object) return;
    FieldReader c(*object, "consents.", result_.errors);
    const auto disclaimer = c.required_bool("disclaimer_agreed");
    const auto declaration = c.required_bool("declaration_agreed");
    if (disclaimer && !*disclaimer)
      root_.fail("consents", "disclaimer_not_agreed", "the applicant must agree to the disclaimer");
    if (declaration && !*declaration)
      root_.fail("consents", "declaration_not_agreed",
                 "the applicant must agree to the declaration");
  }

  std::string district_rule() const {
    return fmt::format("must be one of the region's {} district codes", region_.districts.size());
  }

  FieldReader root_;
  ValidationResult& result_;
  const RegionRules& region_;
  Application app_;
  std::optional<Channel> channel_;
  UnixSeconds now_;
  UnixSeconds skew_;
  CivilDate today_;
};

// A document that is not JSON (truncated in transit, say) can still name its
// application; with the id it can be stored as rejected and reported back to
// the bureau instead of vanishing. Only the top-level key counts (a nested
// "application_id" names nothing), only once, and only a well-formed id.
std::string salvage_application_id(std::string_view json) {
  constexpr std::string_view kKey = "application_id";
  int depth = 0;
  bool top_is_object = false;
  bool expect_key = false;  // inside an object, before a key
  std::optional<std::string_view> found;
  for (std::size_t pos = 0; pos < json.size(); ++pos) {
    const char c = json[pos];
    if (c == '{') {
      if (depth == 0) top_is_object = true;
      ++depth;
      expect_key = true;
    } else if (c == '[') {
      if (depth == 0) top_is_object = false;
      ++depth;
      expect_key = false;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',') {
      expect_key = true;  // approximate inside arrays, harmless: only depth 1 keys are used
    } else if (c == '"') {
      const std::size_t begin = pos + 1;
      std::size_t end = begin;
      while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2u : 1u;
      if (end >= json.size()) break;  // truncated inside a string: keep what was found
      const std::string_view text = json.substr(begin, end - begin);
      pos = end;
      if (!(depth == 1 && top_is_object && expect_key && text == kKey)) {
        expect_key = false;
        continue;
      }
      expect_key = false;
      std::size_t v = json.find_first_not_of(" \t\r\n", pos + 1);
      if (v == std::string_view::npos || json[v] != ':') return {};
      v = json.find_first_not_of(" \t\r\n", v + 1);
      if (v == std::string_view::npos || json[v] != '"') return {};
      const auto close = json.find('"', v + 1);
      if (close == std::string_view::npos) return {};
      if (found) return {};  // named twice: it names nothing for sure
      found = json.substr(v + 1, close - v - 1);
      pos = close;
    }
  }
  if (!found || !matches(*found, 1, 64, is_id_char)) return {};
  return std::string(*found);
}

// Parsers disagree on which of two equal keys wins (simdjson the first, most
// others the last), so a document that has any is refused whole. Returns the
// path of the first repeated key.
std::optional<std::string> find_duplicate_key(simdjson::dom::element element,
                                              const std::string& path) {
  if (simdjson::dom::object object; element.get_object().get(object) == simdjson::SUCCESS) {
    std::vector<std::string_view> keys;
    for (auto field : object) {
      const std::string child =
          path.empty() ? std::string(field.key) : path + "." + std::string(field.key);
      if (std::find(keys.begin(), keys.end(), field.key) != keys.end()) return child;
      keys.push_back(field.key);
      if (auto dup = find_duplicate_key(field.value, child)) return dup;
    }
  } else if (simdjson::dom::array array; element.get_array().get(array) == simdjson::SUCCESS) {
    std::size_t index = 0;
    for (auto item : array)
      if (auto dup = find_duplicate_key(item, fmt::format("{}[{}]", path, index++))) return dup;
  }
  return std::nullopt;
}

}  // namespace

struct ApplicationValidator::Impl {
  ValidatorOptions options;
  simdjson::dom::parser parser;
  std::string minified;

  std::string content_hash(std::string_view json) {
    minified.resize(json.size());
    std::size_t length = 0;
    if (simdjson::minify(json.data(), json.size(), minified.data(), length) != simdjson::SUCCESS)
      return to_hex(sha256(json));
    return to_hex(sha256(std::string_view(minified.data(), length)));
  }
};

ApplicationValidator::ApplicationValidator(ValidatorOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
ApplicationValidator::~ApplicationValidator() = default;

ValidationResult ApplicationValidator::validate(std::string_view json) {
  ValidationResult result;
  auto reject = [&](std::string code, std::string message) {
    result.errors.push_back({"", std::move(code), std::move(message)});
    return std::move(result);
  };
  if (json.size() > impl_->options.max_document_bytes) {
    result.content_hash = to_hex(sha256(json));
    result.application_id = salvage_application_id(json.substr(0, 4096));
    return reject("json.too_large", fmt::format("document is larger than {} bytes",
                                                impl_->options.max_document_bytes));
  }
  result.content_hash = impl_->content_hash(json);
  simdjson::dom::element root;
  const auto error = impl_->parser.parse(json.data(), json.size(), true).get(root);
  if (error != simdjson::SUCCESS) result.application_id = salvage_application_id(json);
  if (error == simdjson::UTF8_ERROR)
    return reject("json.invalid_utf8", "document is not valid UTF-8");
  if (error != simdjson::SUCCESS)
    return reject("json.malformed",
                  std::string("document is not valid JSON: ") + simdjson::error_message(error));
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS)
    return reject("json.not_object", "an application must be a JSON object");
  if (auto duplicate = find_duplicate_key(root, "")) {
    result.application_id = salvage_application_id(json);
    return reject("json.duplicate_key",
                  fmt::format("key {} appears more than once in its object", *duplicate));
  }
  Checker(object, result, impl_->options.clock(), impl_->options.clock_skew_seconds,
          impl_->options.region)
      .run();
  return result;
}

}  // namespace cardd::intake
