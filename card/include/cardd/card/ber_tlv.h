// BER-TLV as ISO/IEC 7816-4 and EMV use it: multi-byte tags, short and long
// definite lengths, primitive and constructed objects. Parsing is strict: it
// never reads past the end, refuses indefinite lengths, limits nesting, and
// reports where the input went wrong.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cardd/card/apdu_error.h"
#include "cardd/common/result.h"

namespace cardd::card {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// A tag as its encoded bytes read big-endian ("9F7F" → 0x9F7F).
using Tag = std::uint32_t;

// Bit 6 of the tag's first byte marks a constructed object.
bool is_constructed(Tag tag);

struct Tlv {
  Tag tag = 0;
  Bytes value;                // primitive objects: the value
  std::vector<Tlv> children;  // constructed objects: the parsed value

  static Tlv primitive(Tag tag, Bytes value) { return Tlv{tag, std::move(value), {}}; }
  static Tlv constructed(Tag tag, std::vector<Tlv> children) {
    return Tlv{tag, {}, std::move(children)};
  }

  // The first child (at any depth, depth-first) with this tag, or nullptr.
  const Tlv* find(Tag wanted) const;
};

struct TlvParseOptions {
  std::size_t max_depth = 8;
  // ISO 7816-4 allows 00 and FF bytes between objects in some files.
  bool skip_padding = false;
};

// Parses a sequence of objects filling `data` exactly.
Result<std::vector<Tlv>> parse_tlv(ByteView data, TlvParseOptions options = {});

// Encodes, choosing the shortest length form.
Bytes encode_tlv(const Tlv& tlv);
Bytes encode_tlvs(std::span<const Tlv> tlvs);
void append_tag(Bytes& out, Tag tag);
void append_length(Bytes& out, std::size_t length);

const Tlv* find_tlv(std::span<const Tlv> tlvs, Tag wanted);

}  // namespace cardd::card
