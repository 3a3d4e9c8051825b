#include "text_rules.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

namespace cardd::intake {
namespace {

constexpr char32_t kMiddleDot = 0x00B7;

template <typename F>
void for_each_code_point(std::string_view s, F&& f) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < n) {
    UChar32 c = 0;
    U8_NEXT(p, i, n, c);
    if (!f(static_cast<char32_t>(c < 0 ? 0xFFFD : c))) return;
  }
}

bool is_ascii(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

}  // namespace

NormalizedText normalize_nfc(std::string_view utf8) {
  NormalizedText out;
  if (is_ascii(utf8)) {  // ASCII is always NFC
    out.utf8 = std::string(utf8);
    out.code_points = utf8.size();
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  if (U_SUCCESS(status) && nfc->quickCheck(text, status) != UNORM_YES && U_SUCCESS(status)) {
    const icu::UnicodeString normalized = nfc->normalize(text, status);
    if (U_SUCCESS(status)) {
      normalized.toUTF8String(out.utf8);
      out.code_points = static_cast<std::size_t>(normalized.countChar32());
      return out;
    }
  }
  out.utf8 = std::string(utf8);
  out.code_points = static_cast<std::size_t>(text.countChar32());
  return out;
}

NameCheck check_name(std::string_view nfc_utf8) {
  NameCheck result;
  std::size_t position = 0;
  bool previous_was_separator = true;  // so a leading separator is caught
  char32_t last = 0;
  for_each_code_point(nfc_utf8, [&](char32_t c) {
    ++position;
    last = c;
    const bool separator = c == kMiddleDot || c == U' ';
    if (separator) {
      if (previous_was_separator) {
        result = {NameProblem::separator, c, position};
        return false;
      }
      previous_was_separator = true;
      return true;
    }
    previous_was_separator = false;
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(static_cast<UChar32>(c), &status);
    const bool han = script == USCRIPT_HAN;
    const bool latin = script == USCRIPT_LATIN && u_isalpha(static_cast<UChar32>(c));
    if (U_FAILURE(status) || !(han || latin)) {
      result = {NameProblem::invalid_character, c, position};
      return false;
    }
    return true;
  });
  if (result.problem == NameProblem::none && position > 0 && (last == kMiddleDot || last == U' '))
    result = {NameProblem::separator, last, position};
  return result;
}

bool has_control_character(std::string_view utf8) {
  bool found = false;
  for_each_code_point(utf8, [&](char32_t c) {
    found = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029;
    return !found;
  });
  return found;
}

}  // namespace cardd::intake
