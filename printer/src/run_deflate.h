// A zlib stream (RFC 1950/1951) made in one pass, for filtered image rows:
// the only matches are runs of one byte (distance 1), coded with a dynamic
// Huffman code per block of input. A card face is mostly flat colour, which
// the PNG Sub filter turns into long runs of zeros; libdeflate 1.14 spends
// ~2.3 ms walking the runs of one blank 1011×638 side at its fastest levels
// (measured), this encoder a few hundred microseconds, and the face's cost is
// left to the photo's literals.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cardd::printer::detail {

// Literal bytes, end of block, lengths 3..258 (RFC 1951 3.2.5).
inline constexpr std::size_t kLitLenSymbols = 286;

// Streaming: begin(), then the input as bytes and runs of zeros in order,
// then end(). Reuses its buffers between streams; one thread at a time.
class RunDeflate {
 public:
  // A new Huffman code every 256 KiB (~85 rows of a card side): smaller
  // blocks fit the photo's statistics a little better and cost more codes.
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 18;

  // Starts a zlib stream that end() appends to `out`.
  void begin();
  // Byte by byte, after maybe_close_block() has been told how many follow.
  void byte(unsigned char b) {
    adler_a_ += b;
    adler_b_ += adler_a_;
    ++block_in_;
    if (b == last_) {
      ++pending_;
      return;
    }
    if (pending_ > 0) flush_run();
    literal(b);
  }
  // Three bytes as literals, whatever they are: a pixel unlike its left
  // neighbour. Inside a photo a run rarely reaches three bytes, and testing
  // each byte for one costs a mispredicted branch per byte (measured: a whole
  // card face ~12 % slower); the run it might have been is left to the
  // Huffman code (~3 % more bytes).
  void literals3(unsigned char b0, unsigned char b1, unsigned char b2) {
    adler_b_ += 3 * adler_a_ + 3 * std::uint64_t{b0} + 2 * std::uint64_t{b1} + b2;
    adler_a_ += std::uint64_t{b0} + b1 + b2;
    block_in_ += 3;
    if (pending_ > 0) flush_run();
    ++frequencies_[b0];
    ++frequencies_[b1];
    ++frequencies_[b2];
    std::uint16_t* t = tokens_.data() + n_tokens_;
    t[0] = b0;
    t[1] = b1;
    t[2] = b2;
    n_tokens_ += 3;
    last_ = b2;
  }
  // `count` zero bytes: the PNG Sub filter's output for a run of equal pixels.
  void zeros(std::size_t count);
  void bytes(std::span<const unsigned char> data);
  // Between pieces of input (a PNG row): closes the block once it holds a
  // block's worth, and makes room for the `more_input` bytes that follow.
  void maybe_close_block(std::size_t more_input) {
    if (block_in_ >= kBlockBytes) close_block(false);
    reserve(more_input);
  }
  void end(std::string& out);

  // The whole stream for `data` at once.
  void compress(std::span<const unsigned char> data, std::string& out) {
    begin();
    bytes(data);
    end(out);
  }

 private:
  void literal(unsigned char b) {
    ++frequencies_[b];
    tokens_[n_tokens_++] = b;
    last_ = b;
  }
  void reserve(std::size_t more_input);
  void flush_run();
  void close_block(bool last);
  void reduce_adler();

  std::vector<std::uint16_t> tokens_;
  std::size_t n_tokens_ = 0;
  std::array<std::uint32_t, kLitLenSymbols> frequencies_{};
  // The byte before the pending run (none at the start: a value no byte has).
  int last_ = -1;
  std::size_t pending_ = 0;  // bytes equal to last_ not yet tokenized
  std::size_t block_in_ = 0;
  std::uint64_t adler_a_ = 1, adler_b_ = 0;
  std::vector<unsigned char> bits_;
  std::size_t bit_bytes_ = 0;
  std::uint64_t bit_buffer_ = 0;
  unsigned bits_used_ = 0;
};

// Huffman code lengths for `frequencies` (0: symbol unused), none longer than
// `limit`, forming a complete code (a lone symbol gets a partner of length 1).
// Exposed for tests.
std::vector<std::uint8_t> huffman_code_lengths(std::span<const std::uint32_t> frequencies,
                                               int limit);

}  // namespace cardd::printer::detail
