// GB 18030 through ICU's converter, with the STOP callbacks: a character that
// cannot be converted is an error, never a substitute byte on a card.
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>

#include <memory>

#include "cardd/personalization/card_data.h"

namespace cardd::personalization {
namespace {

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using Converter = std::unique_ptr<UConverter, ConverterCloser>;

Result<Converter> open_converter() {
  UErrorCode status = U_ZERO_ERROR;
  Converter c(ucnv_open("GB18030", &status));
  if (U_FAILURE(status) || !c)
    return make_error(PrepareError::unencodable_text, "no GB 18030 converter in ICU");
  ucnv_setFromUCallBack(c.get(), UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  ucnv_setToUCallBack(c.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  return c;
}

}  // namespace

Result<card::Bytes> to_gb18030(std::string_view utf8) {
  auto conv = open_converter();
  if (!conv) return conv.error();
  // UTF-8 → UTF-16 → GB 18030; both steps stop at the first bad character.
  UErrorCode status = U_ZERO_ERROR;
  UConverter* utf8_conv = ucnv_open("UTF-8", &status);
  Converter utf8_owner(utf8_conv);
  if (U_FAILURE(status))
    return make_error(PrepareError::unencodable_text, "no UTF-8 converter in ICU");
  ucnv_setToUCallBack(utf8_conv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::u16string utf16(utf8.size() + 1, u'\0');
  const int32_t n16 = ucnv_toUChars(utf8_conv, reinterpret_cast<UChar*>(utf16.data()),
                                    static_cast<int32_t>(utf16.size()), utf8.data(),
                                    static_cast<int32_t>(utf8.size()), &status);
  if (U_FAILURE(status))
    return make_error(PrepareError::unencodable_text, "the text is not valid UTF-8");
  card::Bytes out(static_cast<std::size_t>(n16) * 4 + 4);
  const int32_t n = ucnv_fromUChars(conv->get(), reinterpret_cast<char*>(out.data()),
                                    static_cast<int32_t>(out.size()),
                                    reinterpret_cast<const UChar*>(utf16.data()), n16, &status);
  if (U_FAILURE(status))
    return make_error(
        PrepareError::unencodable_text,
        "a character cannot be encoded in GB 18030 (" + std::string(u_errorName(status)) + ")");
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> from_gb18030(card::ByteView bytes) {
  auto conv = open_converter();
  if (!conv) return conv.error();
  UErrorCode status = U_ZERO_ERROR;
  std::u16string utf16(bytes.size() + 1, u'\0');
  const int32_t n16 = ucnv_toUChars(
      conv->get(), reinterpret_cast<UChar*>(utf16.data()), static_cast<int32_t>(utf16.size()),
      reinterpret_cast<const char*>(bytes.data()), static_cast<int32_t>(bytes.size()), &status);
  if (U_FAILURE(status))
    return make_error(PrepareError::bad_value, "bytes that are not GB 18030 text");
  UConverter* utf8_conv = ucnv_open("UTF-8", &status);
  Converter utf8_owner(utf8_conv);
  std::string out(static_cast<std::size_t>(n16) * 3 + 4, '\0');
  const int32_t n = ucnv_fromUChars(utf8_conv, out.data(), static_cast<int32_t>(out.size()),
                                    reinterpret_cast<const UChar*>(utf16.data()), n16, &status);
  if (U_FAILURE(status))
    return make_error(PrepareError::bad_value, "text not convertible to UTF-8");
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace cardd::personalization
