// Synthetic card photos and ID card images, already JPEG-encoded.
#pragma once

#include <cstdint>
#include <string>

namespace cardd::testdata {

inline constexpr int kPhotoWidth = 358;
inline constexpr int kPhotoHeight = 441;
inline constexpr std::size_t kPhotoMinBytes = 20480;

// A head-and-shoulders portrait, 358×441, baseline colour JPEG, at least
// kPhotoMinBytes (texture is added until it is). Different seeds give
// different people and backgrounds.
std::string make_photo(std::uint64_t seed);

// Broken photos, each failing exactly one photo rule:
// a colour JPEG >= kPhotoMinBytes but not 358×441;
std::string make_photo_wrong_dimensions(std::uint64_t seed);
// a 358×441 colour JPEG under kPhotoMinBytes;
std::string make_photo_too_small(std::uint64_t seed);
// bytes that are not a JPEG at all (a PNG signature and junk);
std::string make_photo_not_jpeg(std::uint64_t seed);
// a 358×441 greyscale (one component) JPEG >= kPhotoMinBytes.
std::string make_photo_greyscale(std::uint64_t seed);

// Photos of the two sides of a resident ID card, 428×270 colour JPEGs.
std::string make_id_front(std::uint64_t seed);
std::string make_id_back(std::uint64_t seed);

}  // namespace cardd::testdata
