#include "cardd/testdata/region_places.h"

#include <cmath>
#include <fstream>
#include <iterator>

#include "cardd/common/toml_reader.h"

namespace cardd::testdata {
namespace {

std::vector<std::string> strings(TomlReader& r, const toml::table& t, std::string_view key,
                                 std::string_view where) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  const toml::array* a = n != nullptr ? n->as_array() : nullptr;
  if (a == nullptr || a->empty()) {
    r.problem(TomlReader::join(where, key), n ? "must be a non-empty array of strings" : "missing",
              n ? n : &t);
    return out;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    if (auto s = (*a)[i].value_exact<std::string>(); s && !s->empty())
      out.push_back(*s);
    else
      r.problem(TomlReader::index(TomlReader::join(where, key), i), "must be a non-empty string",
                &(*a)[i]);
  }
  return out;
}

}  // namespace

Result<RegionPlaces> load_region_places(const region::Region& region) {
  const std::string file = region.testdata().string();
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(region::RegionError::unreadable, "cannot read " + file);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return make_error(
        region::RegionError::unreadable,
        file + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  TomlReader r;
  RegionPlaces p;
  p.city = region.name;
  p.utc_offset = region.utc_offset().to_string();
  for (const auto& b : region.banks) p.banks.push_back(b.code);
  r.only_keys(root, "",
              {"id_prefix", "other_id_areas", "unknown_districts", "bad_postal_codes", "channels",
               "districts"});
  p.id_prefix = r.string(root, "id_prefix", "", true).value_or("");
  p.other_id_areas = strings(r, root, "other_id_areas", "");
  p.unknown_districts = strings(r, root, "unknown_districts", "");
  for (const auto& code : p.unknown_districts)
    if (region.rules.district(code) != nullptr)
      r.problem("unknown_districts", code + " is one of the region's districts",
                root.get("unknown_districts"));
  p.bad_postal_codes = strings(r, root, "bad_postal_codes", "");
  for (const auto& code : p.bad_postal_codes)
    if (region.rules.postal_code_ok(code))
      r.problem("bad_postal_codes", code + " is a valid postal code of the region",
                root.get("bad_postal_codes"));

  double total = 0;
  bool mail_only = false;
  const auto channels = r.tables(root, "channels", "", true);
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const std::string w = TomlReader::index("channels", i);
    r.only_keys(*channels[i], w, {"name", "share"});
    ChannelShare c;
    c.channel = r.string(*channels[i], "name", w, true).value_or("");
    const auto channel = intake::channel_from_string(c.channel);
    if (!c.channel.empty() && (!channel || !region.rules.accepts(*channel)))
      r.problem(w + ".name", "must be one of the region's collection.channels",
                channels[i]->get("name"));
    c.branch = channel && region.rules.allows_branch(*channel);
    mail_only = mail_only || (channel && !c.branch);
    c.share = r.number(*channels[i], "share", w, true).value_or(0);
    if (c.share <= 0 || c.share > 1)
      r.problem(w + ".share", "must be in (0, 1]", channels[i]->get("share"));
    total += c.share;
    p.channels.push_back(std::move(c));
  }
  if (!channels.empty() && std::abs(total - 1.0) > 1e-6)
    r.problem("channels", "the shares must add up to 1", root.get("channels"));
  if (!channels.empty() && !mail_only)
    r.problem("channels", "one channel must be mail-only (for collection.not_allowed_for_channel)",
              root.get("channels"));

  const toml::table* districts = r.table(root, "districts", "", true);
  for (const auto& d : region.rules.districts) {
    const std::string w = TomlReader::join("districts", d.code);
    const toml::table* t = districts ? r.table(*districts, d.code, "districts", true) : nullptr;
    if (t == nullptr) continue;
    r.only_keys(*t, w, {"postal_code", "streets"});
    PlaceDistrict pd{d.code, d.name, r.string(*t, "postal_code", w, true).value_or(""),
                     strings(r, *t, "streets", w)};
    if (!pd.postal_code.empty() && !region.rules.postal_code_ok(pd.postal_code))
      r.problem(w + ".postal_code", "is not a postal code of the region", t->get("postal_code"));
    p.districts.push_back(std::move(pd));
  }
  if (districts != nullptr)
    for (const auto& [key, node] : *districts)
      if (region.rules.district(key.str()) == nullptr)
        r.problem(TomlReader::join("districts", key.str()), "not a district of region.toml", &node);

  if (!r.problems().empty()) {
    std::string message = file + ": " + std::to_string(r.problems().size()) + " problem(s)";
    for (const auto& problem : r.problems()) message += "\n  " + problem;
    return make_error(region::RegionError::invalid, message);
  }
  return p;
}

}  // namespace cardd::testdata
