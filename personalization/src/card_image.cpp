#include "card_image.h"

namespace cardd::personalization {

void append_dgi(card::Bytes& out, std::uint16_t dgi, card::ByteView value) {
  out.push_back(static_cast<std::uint8_t>(dgi >> 8));
  out.push_back(static_cast<std::uint8_t>(dgi));
  if (value.size() < 0xFF) {
    out.push_back(static_cast<std::uint8_t>(value.size()));
  } else {
    out.push_back(0xFF);
    out.push_back(static_cast<std::uint8_t>(value.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(value.size()));
  }
  out.insert(out.end(), value.begin(), value.end());
}

Result<std::vector<ApplicationImage>> build_card_image(const CardProfile& profile,
                                                       const PreparedCard& card) {
  const auto item = [&](const ElementSpec& e) -> const card::Bytes* {
    const auto it = card.items.find(e.item);
    return it == card.items.end() ? nullptr : &it->second;
  };
  const auto missing = [](const std::string& where, const std::string& name) {
    return make_error(PrepareError::bad_value, where + ": no value for " + name);
  };
  std::vector<ApplicationImage> apps;
  for (const auto& app : profile.applications) {
    ApplicationImage ai{&app, {}};
    for (const auto& file : app.files) {
      FileImage fi{&file, {}, {}};
      if (file.content) {
        const card::Bytes* v = item(*file.content);
        if (v == nullptr) return missing(file.name, file.content->item);
        fi.content = *v;
      }
      for (const auto& rec : file.records) {
        std::vector<card::Tlv> elements;
        bool absent = false;
        for (const auto& el : rec.elements) {
          const card::Bytes* v = item(el);
          if (v == nullptr && rec.optional) {
            absent = true;
            break;
          }
          if (v == nullptr) return missing(rec.where, el.item);
          elements.push_back(card::Tlv::primitive(el.tag, *v));
        }
        if (absent)
          fi.records.emplace_back(std::nullopt);
        else if (rec.constructed)
          fi.records.emplace_back(
              card::encode_tlv(card::Tlv::constructed(rec.tag, std::move(elements))));
        else
          fi.records.emplace_back(card::encode_tlv(elements.front()));
      }
      ai.files.push_back(std::move(fi));
    }
    apps.push_back(std::move(ai));
  }
  return apps;
}

}  // namespace cardd::personalization
