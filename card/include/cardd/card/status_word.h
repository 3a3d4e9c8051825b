// ISO/IEC 7816-4 and GlobalPlatform status words, by name, with meanings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cardd::card {

class StatusWord {
 public:
  constexpr StatusWord() = default;
  constexpr explicit StatusWord(std::uint16_t value) : value_(value) {}
  constexpr StatusWord(std::uint8_t sw1, std::uint8_t sw2)
      : value_(static_cast<std::uint16_t>(sw1 << 8 | sw2)) {}

  constexpr std::uint16_t value() const { return value_; }
  constexpr std::uint8_t sw1() const { return static_cast<std::uint8_t>(value_ >> 8); }
  constexpr std::uint8_t sw2() const { return static_cast<std::uint8_t>(value_); }
  constexpr bool ok() const { return value_ == 0x9000; }
  // 61xx: xx more bytes to fetch with GET RESPONSE (T=0).
  constexpr bool bytes_remaining() const { return sw1() == 0x61; }
  // 6Cxx: wrong Le, resend with Le = xx (T=0).
  constexpr bool wrong_le() const { return sw1() == 0x6C; }
  // 63Cx: verification failed, x tries left.
  constexpr bool verify_failed() const { return (value_ & 0xFFF0) == 0x63C0; }
  constexpr unsigned tries_left() const { return value_ & 0x0F; }

  // "6985 (conditions of use not satisfied)".
  std::string to_string() const;
  std::string_view meaning() const;

  friend constexpr bool operator==(StatusWord, StatusWord) = default;

 private:
  std::uint16_t value_ = 0;
};

namespace sw {
inline constexpr StatusWord kSuccess{0x9000};
inline constexpr StatusWord kWarningNoInformation{0x6200};
inline constexpr StatusWord kMemoryFailure{0x6581};
inline constexpr StatusWord kWrongLength{0x6700};
inline constexpr StatusWord kLogicalChannelNotSupported{0x6881};
inline constexpr StatusWord kSecureMessagingNotSupported{0x6882};
inline constexpr StatusWord kCommandIncompatible{0x6981};
inline constexpr StatusWord kSecurityNotSatisfied{0x6982};
inline constexpr StatusWord kAuthenticationBlocked{0x6983};
inline constexpr StatusWord kReferenceDataNotUsable{0x6984};
inline constexpr StatusWord kConditionsNotSatisfied{0x6985};
inline constexpr StatusWord kCommandNotAllowed{0x6986};
inline constexpr StatusWord kSecureMessagingDataMissing{0x6987};
inline constexpr StatusWord kSecureMessagingDataIncorrect{0x6988};
inline constexpr StatusWord kWrongData{0x6A80};
inline constexpr StatusWord kFunctionNotSupported{0x6A81};
inline constexpr StatusWord kFileNotFound{0x6A82};
inline constexpr StatusWord kRecordNotFound{0x6A83};
inline constexpr StatusWord kNotEnoughMemory{0x6A84};
inline constexpr StatusWord kIncorrectP1P2{0x6A86};
inline constexpr StatusWord kReferencedDataNotFound{0x6A88};
inline constexpr StatusWord kWrongP1P2{0x6B00};
inline constexpr StatusWord kInsNotSupported{0x6D00};
inline constexpr StatusWord kClaNotSupported{0x6E00};
inline constexpr StatusWord kNoPreciseDiagnosis{0x6F00};
}  // namespace sw

}  // namespace cardd::card
