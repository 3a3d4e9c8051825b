#include "run_deflate.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace cardd::printer::detail {
namespace {

constexpr std::size_t kMinRun = 3, kMaxRun = 258;
constexpr std::uint16_t kRun = 256;  // token = kRun + length; below: a literal byte
constexpr std::size_t kEndOfBlock = 256;
constexpr std::uint64_t kAdlerBase = 65521;
constexpr int kMaxCodeLength = 15, kMaxCodeLengthCodeLength = 7;

struct LengthCode {
  std::uint16_t symbol = 0;
  std::uint8_t extra_bits = 0;
  std::uint16_t extra = 0;
};

// RFC 1951 3.2.5: length symbols 257..285.
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                       15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};

constexpr std::array<LengthCode, kMaxRun + 1> make_length_codes() {
  std::array<LengthCode, kMaxRun + 1> out{};
  std::size_t code = 0;
  for (std::size_t length = kMinRun; length <= kMaxRun; ++length) {
    while (code + 1 < kLengthBase.size() && kLengthBase[code + 1] <= length) ++code;
    out[length] = {static_cast<std::uint16_t>(257 + code), kLengthExtra[code],
                   static_cast<std::uint16_t>(length - kLengthBase[code])};
  }
  return out;
}
constexpr auto kLengthCodes = make_length_codes();

// The order in which the code-length code's lengths are sent.
constexpr std::array<std::uint8_t, 19> kCodeLengthOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                           11, 4,  12, 3, 13, 2, 14, 1, 15};

// Writes into a buffer with room for the block and 8 bytes more: each put
// stores 8 bytes and keeps fewer than 8 bits back, without a branch.
class BitWriter {
 public:
  BitWriter(unsigned char* out, std::uint64_t buffer, unsigned used)
      : out_(out), buffer_(buffer), used_(used) {}

  // LSB first; count <= 56 (fewer than 8 bits are held back).
  void put(std::uint64_t bits, unsigned count) {
    buffer_ |= bits << used_;
    used_ += count;
    std::memcpy(out_, &buffer_, sizeof buffer_);
    out_ += used_ >> 3;
    buffer_ >>= used_ & ~7U;
    used_ &= 7U;
  }

  unsigned char* out() const { return out_; }
  std::uint64_t buffer() const { return buffer_; }
  unsigned used() const { return used_; }

 private:
  unsigned char* out_;
  std::uint64_t buffer_;
  unsigned used_;
};

// Canonical codes (RFC 1951 3.2.2), bit-reversed for an LSB-first stream.
std::vector<std::uint16_t> canonical_codes(const std::vector<std::uint8_t>& lengths) {
  std::array<std::uint16_t, kMaxCodeLength + 2> count{}, next{};
  for (auto l : lengths) ++count[l];
  count[0] = 0;
  for (std::size_t bits = 1, code = 0; bits <= kMaxCodeLength; ++bits) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = static_cast<std::uint16_t>(code);
  }
  std::vector<std::uint16_t> codes(lengths.size());
  for (std::size_t s = 0; s < lengths.size(); ++s) {
    if (lengths[s] == 0) continue;
    const std::uint16_t code = next[lengths[s]]++;
    unsigned reversed = 0;
    for (unsigned b = 0; b < lengths[s]; ++b)
      reversed |= ((code >> b) & 1U) << (lengths[s] - 1 - b);
    codes[s] = static_cast<std::uint16_t>(reversed);
  }
  return codes;
}

struct Code {
  std::vector<std::uint8_t> lengths;
  std::vector<std::uint16_t> codes;

  Code(std::span<const std::uint32_t> frequencies, int limit)
      : lengths(huffman_code_lengths(frequencies, limit)), codes(canonical_codes(lengths)) {}

  void put(BitWriter& w, std::size_t symbol) const { w.put(codes[symbol], lengths[symbol]); }
};

// Code-length symbols (RFC 1951 3.2.7) with their extra bits.
struct CodeLengthToken {
  std::uint8_t symbol;
  std::uint8_t extra;
};

std::vector<CodeLengthToken> code_length_tokens(const std::vector<std::uint8_t>& lengths) {
  std::vector<CodeLengthToken> out;
  for (std::size_t i = 0; i < lengths.size();) {
    std::size_t same = 1;
    while (i + same < lengths.size() && lengths[i + same] == lengths[i]) ++same;
    if (lengths[i] == 0 && same >= 11) {
      same = std::min<std::size_t>(same, 138);
      out.push_back({18, static_cast<std::uint8_t>(same - 11)});
    } else if (lengths[i] == 0 && same >= 3) {
      out.push_back({17, static_cast<std::uint8_t>(same - 3)});
    } else if (lengths[i] != 0 && same >= 4) {
      same = std::min<std::size_t>(same, 7);
      out.push_back({lengths[i], 0});
      out.push_back({16, static_cast<std::uint8_t>(same - 4)});
    } else {
      same = 1;
      out.push_back({lengths[i], 0});
    }
    i += same;
  }
  return out;
}

// Bits and their count for a token: a literal's code, or a run's length
// code, its extra bits and distance symbol 0 (distance 1) in one.
struct TokenBits {
  std::uint32_t bits;
  unsigned count;
};

void write_block(BitWriter& w, std::span<const std::uint16_t> tokens,
                 std::array<std::uint32_t, kLitLenSymbols>& frequencies, bool last) {
  frequencies[kEndOfBlock] = 1;
  const Code litlen(frequencies, kMaxCodeLength);

  // Every run has distance 1: distance symbols 0 and 1 get one bit each
  // (a complete code, which every inflater accepts); only 0 is used.
  std::size_t hlit = kLitLenSymbols;
  while (hlit > 257 && litlen.lengths[hlit - 1] == 0) --hlit;
  std::vector<std::uint8_t> all(litlen.lengths.begin(),
                                litlen.lengths.begin() + static_cast<std::ptrdiff_t>(hlit));
  all.push_back(1);
  all.push_back(1);
  const auto cl_tokens = code_length_tokens(all);
  std::array<std::uint32_t, 19> cl_frequencies{};
  for (const auto& t : cl_tokens) ++cl_frequencies[t.symbol];
  const Code cl(cl_frequencies, kMaxCodeLengthCodeLength);
  std::size_t hclen = kCodeLengthOrder.size();
  while (hclen > 4 && cl.lengths[kCodeLengthOrder[hclen - 1]] == 0) --hclen;

  w.put(last ? 1 : 0, 1);
  w.put(2, 2);  // dynamic Huffman
  w.put(static_cast<std::uint32_t>(hlit - 257), 5);
  w.put(1, 5);  // two distance codes
  w.put(static_cast<std::uint32_t>(hclen - 4), 4);
  for (std::size_t i = 0; i < hclen; ++i) w.put(cl.lengths[kCodeLengthOrder[i]], 3);
  for (const auto& t : cl_tokens) {
    cl.put(w, t.symbol);
    if (t.symbol == 16) w.put(t.extra, 2);
    if (t.symbol == 17) w.put(t.extra, 3);
    if (t.symbol == 18) w.put(t.extra, 7);
  }

  std::array<TokenBits, kRun + kMaxRun + 1> table{};
  for (std::size_t t = 0; t < kRun; ++t) table[t] = {litlen.codes[t], litlen.lengths[t]};
  for (std::size_t length = kMinRun; length <= kMaxRun; ++length) {
    const LengthCode& l = kLengthCodes[length];
    const unsigned code_bits = litlen.lengths[l.symbol];
    table[kRun + length] = {litlen.codes[l.symbol] | std::uint32_t{l.extra} << code_bits,
                            code_bits + l.extra_bits + 1};  // + the distance bit, 0
  }
  // Two tokens a put (at most 2 × 21 bits): half the steps through the
  // writer's chain of shifts.
  std::size_t i = 0;
  for (; i + 1 < tokens.size(); i += 2) {
    const TokenBits& a = table[tokens[i]];
    const TokenBits& b = table[tokens[i + 1]];
    w.put(a.bits | std::uint64_t{b.bits} << a.count, a.count + b.count);
  }
  if (i < tokens.size()) w.put(table[tokens[i]].bits, table[tokens[i]].count);
  litlen.put(w, kEndOfBlock);
}

}  // namespace

std::vector<std::uint8_t> huffman_code_lengths(std::span<const std::uint32_t> frequencies,
                                               int limit) {
  std::vector<std::uint8_t> lengths(frequencies.size(), 0);
  struct Leaf {
    std::uint32_t weight;
    std::size_t symbol;
  };
  std::vector<Leaf> leaves;
  for (std::size_t s = 0; s < frequencies.size(); ++s)
    if (frequencies[s] > 0) leaves.push_back({frequencies[s], s});
  if (leaves.empty()) return lengths;
  if (leaves.size() == 1) {
    lengths[leaves[0].symbol] = 1;
    lengths[leaves[0].symbol == 0 ? 1 : 0] = 1;
    return lengths;
  }
  const std::size_t n = leaves.size();
  std::vector<std::uint64_t> weight(2 * n - 1);
  std::vector<std::size_t> parent(2 * n - 1), depth(2 * n - 1);
  for (;;) {
    std::sort(leaves.begin(), leaves.end(), [](const Leaf& a, const Leaf& b) {
      return a.weight != b.weight ? a.weight < b.weight : a.symbol < b.symbol;
    });
    for (std::size_t i = 0; i < n; ++i) weight[i] = leaves[i].weight;
    // Two queues: the sorted leaves, and the merged nodes (made in rising weight).
    std::size_t next_leaf = 0, next_node = n;
    const auto take = [&](std::size_t made) {
      if (next_leaf < n && (next_node >= made || weight[next_leaf] <= weight[next_node]))
        return next_leaf++;
      return next_node++;
    };
    for (std::size_t made = n; made < 2 * n - 1; ++made) {
      const std::size_t a = take(made), b = take(made);
      weight[made] = weight[a] + weight[b];
      parent[a] = parent[b] = made;
    }
    depth[2 * n - 2] = 0;
    std::size_t deepest = 0;
    for (std::size_t i = 2 * n - 2; i-- > 0;) {
      depth[i] = depth[parent[i]] + 1;
      deepest = std::max(deepest, depth[i]);
    }
    if (deepest <= static_cast<std::size_t>(limit)) break;
    // Flatten the distribution and build again: a little longer output,
    // never a code a decoder refuses.
    for (auto& leaf : leaves) leaf.weight = leaf.weight / 2 + 1;
  }
  for (std::size_t i = 0; i < n; ++i)
    lengths[leaves[i].symbol] = static_cast<std::uint8_t>(depth[i]);
  return lengths;
}

void RunDeflate::begin() {
  n_tokens_ = 0;
  frequencies_.fill(0);
  last_ = -1;
  pending_ = 0;
  block_in_ = 0;
  adler_a_ = 1;
  adler_b_ = 0;
  bits_.resize(std::max<std::size_t>(bits_.size(), 2 + 16));
  bits_[0] = 0x78;  // deflate, 32 KiB window
  bits_[1] = 0x01;  // no dictionary; (0x78 << 8 | 0x01) % 31 == 0
  bit_bytes_ = 2;
  bit_buffer_ = 0;
  bits_used_ = 0;
}

void RunDeflate::reserve(std::size_t more_input) {
  // At most a token per byte, and a few to finish a pending run.
  const std::size_t need = n_tokens_ + more_input + pending_ / kMaxRun + 4;
  if (tokens_.size() < need) tokens_.resize(std::max(need, kBlockBytes + 4096));
}

void RunDeflate::flush_run() {
  for (; pending_ >= kMinRun;) {
    const std::size_t take = std::min(pending_, kMaxRun);
    ++frequencies_[kLengthCodes[take].symbol];
    tokens_[n_tokens_++] = static_cast<std::uint16_t>(kRun + take);
    pending_ -= take;
  }
  // One or two left over go as literals.
  for (; pending_ > 0; --pending_) literal(static_cast<unsigned char>(last_));
}

void RunDeflate::reduce_adler() {
  adler_a_ %= kAdlerBase;
  adler_b_ %= kAdlerBase;
}

void RunDeflate::zeros(std::size_t count) {
  if (count == 0) return;
  reduce_adler();
  adler_b_ += (count % kAdlerBase) * adler_a_;  // a is unchanged by zeros
  block_in_ += count;
  if (last_ != 0) {
    flush_run();
    literal(0);
    --count;
  }
  pending_ += count;
}

void RunDeflate::bytes(std::span<const unsigned char> data) {
  constexpr std::size_t kPiece = 4096;
  for (std::size_t at = 0; at < data.size(); at += kPiece) {
    const std::size_t n = std::min(kPiece, data.size() - at);
    maybe_close_block(n);
    for (std::size_t i = 0; i < n; ++i) byte(data[at + i]);
    reduce_adler();
  }
}

void RunDeflate::close_block(bool last) {
  flush_run();
  reduce_adler();
  // Worst case: 21 bits a token (15 + 5 extra + the distance bit), a header
  // of < 400 bytes, the end-of-block code and 8 bytes for the last store.
  const std::size_t need = bit_bytes_ + n_tokens_ * 21 / 8 + 400 + 16 + 8;
  if (bits_.size() < need) bits_.resize(std::max(need, bits_.size() * 2));
  BitWriter w(bits_.data() + bit_bytes_, bit_buffer_, bits_used_);
  write_block(w, std::span(tokens_.data(), n_tokens_), frequencies_, last);
  bit_bytes_ = static_cast<std::size_t>(w.out() - bits_.data());
  bit_buffer_ = w.buffer();
  bits_used_ = w.used();
  n_tokens_ = 0;
  frequencies_.fill(0);
  block_in_ = 0;
}

void RunDeflate::end(std::string& out) {
  close_block(true);
  if (bits_used_ > 0) bits_[bit_bytes_++] = static_cast<unsigned char>(bit_buffer_);
  const auto adler = static_cast<std::uint32_t>(adler_b_ << 16 | adler_a_);
  out.append(reinterpret_cast<const char*>(bits_.data()), bit_bytes_);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(adler >> shift));
}

}  // namespace cardd::printer::detail
