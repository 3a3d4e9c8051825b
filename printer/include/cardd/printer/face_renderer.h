// Renders card faces from a FaceTemplate and FaceData: cairo + Pango
// (HarfBuzz shaping, fontconfig fallback), PNG output at the template's
// resolution (300 dpi: 1011 × 638 px for CR80), opaque RGB.
//
// Quality control happens before anything is drawn, for both sides when both
// are asked for: every printed field present; valid UTF-8 without control
// characters; every character drawn by an installed font (a glyph no font has
// is PrinterError::unknown_glyph naming the element, the field and the code
// point — never a tofu box on a card); every text inside its box
// (text_overflow): text is never clipped and never wraps; it shrinks in
// 0.25 pt steps only down to the element's min_size_pt (the template's
// choice, off by default); the photo decodes (photo_invalid naming the photo
// element and field). Error messages never contain the holder's data.
//
// Output is deterministic: the same template and data give the same PNG
// bytes (no timestamps, fixed font options: greyscale antialiasing, no
// hinting). PNGs are 8-bit RGB with the resolution in pHYs. A side that shows
// no field (a shipped front) is rendered once per renderer and its
// bytes reused.
//
// Thread safety: a FaceRenderer owns its own font map and Pango context and
// must be used by one thread at a time; use one renderer per thread.
#pragma once

#include <memory>
#include <string>

#include "cardd/common/result.h"
#include "cardd/printer/face.h"
#include "cardd/printer/face_template.h"

namespace cardd::printer {

struct RenderOptions {
  // -1: cardd's run encoder (the default: ~200 kB a back, fastest of all
  // that compress); 0: stored (~1.9 MB a side); 1 .. 12: libdeflate's level
  // (2 is as small as zlib's level 6 here at a third of zlib's time).
  int png_compression = -1;
};

struct RenderedFace {
  std::string front_png;
  std::string back_png;
};

class FaceRenderer {
 public:
  // Checks that every font family the template names is installed.
  // Errors: PrinterError::font_missing ("fonts.sans: family 'X' is not
  // installed"), template_invalid (no card size, bad options), internal.
  static Result<FaceRenderer> create(FaceTemplate face_template, RenderOptions options = {});

  FaceRenderer(FaceRenderer&&) noexcept;
  FaceRenderer& operator=(FaceRenderer&&) noexcept;
  ~FaceRenderer();

  const FaceTemplate& face_template() const;

  // QC of both sides without drawing.
  Status check(const FaceData& data);

  // QC of that side, then its PNG bytes.
  Result<std::string> render_side(const FaceData& data, Side side);

  // QC of both sides first; nothing is rendered unless both pass.
  Result<RenderedFace> render(const FaceData& data);

 private:
  struct Impl;
  explicit FaceRenderer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardd::printer
