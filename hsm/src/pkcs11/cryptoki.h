// The PKCS#11 (Cryptoki 2.40) declarations the pkcs11 backend uses: p11-kit's
// header in its GNU naming (lower-case struct members, no generic macros such
// as `value` or `count` leaking into C++ code), plus the few PKCS#11 3.0
// definitions that header lacks (SP 800-108 KDF). Private to hsm/src/pkcs11.
#pragma once

#ifndef CRYPTOKI_GNU
#define CRYPTOKI_GNU 1
#endif
#include <p11-kit/pkcs11.h>

namespace cardd::hsm::p11 {

using FunctionList = struct ck_function_list;
using Attribute = struct ck_attribute;
using Mechanism = struct ck_mechanism;
using MechanismInfo = struct ck_mechanism_info;
using ObjectHandle = ck_object_handle_t;
using SessionHandle = ck_session_handle_t;
using SlotId = ck_slot_id_t;
using Rv = ck_rv_t;

inline constexpr unsigned char kTrue = 1;
inline constexpr unsigned char kFalse = 0;

// PKCS#11 3.0, section 2.42 (SP 800-108 key derivation). Layouts as in the
// OASIS pkcs11t.h.
inline constexpr ck_mechanism_type_t kCkmSp800108CounterKdf = 0x3acUL;
inline constexpr unsigned long kSp800108IterationVariable = 0x1UL;
inline constexpr unsigned long kSp800108DkmLength = 0x3UL;
inline constexpr unsigned long kSp800108ByteArray = 0x4UL;
inline constexpr unsigned long kSp800108DkmLengthSumOfKeys = 0x1UL;

struct PrfDataParam {
  unsigned long type;
  void* value;
  unsigned long value_len;
};
struct Sp800108CounterFormat {
  unsigned char little_endian;
  unsigned long width_in_bits;
};
struct Sp800108DkmLengthFormat {
  unsigned long method;
  unsigned char little_endian;
  unsigned long width_in_bits;
};
struct Sp800108KdfParams {
  ck_mechanism_type_t prf_type;
  unsigned long number_of_data_params;
  PrfDataParam* data_params;
  unsigned long additional_derived_keys;
  void* additional_derived_keys_ptr;
};

}  // namespace cardd::hsm::p11
