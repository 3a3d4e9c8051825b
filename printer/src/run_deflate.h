// A zlib stream (RFC 1950/1951) made in one pass, for filtered image rows:
// the only matches are runs of one byte (distance 1), coded with a dynamic
// Huffman code per block of input. A card face is mostly flat colour, which
// the PNG Sub filter turns into long runs of zeros; libdeflate 1.14 spends
// ~2.3 ms walking the runs of one blank 1011×638 side at its fastest levels
// (measured), this encoder a few hundred microseconds, and the face's cost is
// left to the photo's literals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cardd::printer::detail {

// Reuses its buffers between calls; one thread at a time.
class RunDeflate {
 public:
  // Appends the zlib stream of `data` to `out`.
  void compress(std::span<const unsigned char> data, std::string& out);

 private:
  std::vector<std::uint16_t> tokens_;
  std::vector<unsigned char> bits_;
};

// Huffman code lengths for `frequencies` (0: symbol unused), none longer than
// `limit`, forming a complete code (a lone symbol gets a partner of length 1).
// Exposed for tests.
std::vector<std::uint8_t> huffman_code_lengths(std::span<const std::uint32_t> frequencies,
                                               int limit);

}  // namespace cardd::printer::detail
