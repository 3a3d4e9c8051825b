#include "cardd/printer/face_renderer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <variant>

#include "cardd/printer/error.h"
#include "jpeg_decoder.h"
#include "png_writer.h"
#include "text_block.h"

namespace cardd::printer {

using namespace detail;

namespace {

struct GFree {
  void operator()(void* p) const { g_free(p); }
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Error cairo_error(cairo_status_t status, const std::string& what) {
  return make_error(PrinterError::internal, what + ": " + cairo_status_to_string(status));
}

// An element ready to draw; shapes need nothing beyond the template.
struct Prepared {
  const Element* element;
  std::variant<std::monostate, TextBlock, SurfacePtr> content;
};

void set_rgb(cairo_t* cr, const Rgb& c) {
  cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

void shape_path(cairo_t* cr, const Element& e, double mm) {
  const double x = e.box.x * mm, y = e.box.y * mm, w = e.box.width * mm, h = e.box.height * mm;
  if (e.kind == ElementKind::ellipse) {
    cairo_save(cr);
    cairo_translate(cr, x + w / 2, y + h / 2);
    cairo_scale(cr, w / 2, h / 2);
    cairo_arc(cr, 0, 0, 1, 0, 2 * M_PI);
    cairo_restore(cr);
    return;
  }
  const double r = std::min({e.radius_mm * mm, w / 2, h / 2});
  if (r <= 0) {
    cairo_rectangle(cr, x, y, w, h);
    return;
  }
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
}

void draw_shape(cairo_t* cr, const Element& e, double mm) {
  shape_path(cr, e, mm);
  if (e.fill) {
    set_rgb(cr, *e.fill);
    if (e.stroke && e.stroke_mm > 0)
      cairo_fill_preserve(cr);
    else
      cairo_fill(cr);
  }
  if (e.stroke && e.stroke_mm > 0) {
    set_rgb(cr, *e.stroke);
    cairo_set_line_width(cr, e.stroke_mm * mm);
    cairo_stroke(cr);
  }
  cairo_new_path(cr);
}

// Scaled to fit the box, aspect kept, centred; the box is whole pixels so the
// photo's edges are sharp.
void draw_photo(cairo_t* cr, const Element& e, cairo_surface_t* photo, double mm) {
  const double bx = std::round(e.box.x * mm), by = std::round(e.box.y * mm);
  const double bw = std::round((e.box.x + e.box.width) * mm) - bx;
  const double bh = std::round((e.box.y + e.box.height) * mm) - by;
  const double sw = cairo_image_surface_get_width(photo);
  const double sh = cairo_image_surface_get_height(photo);
  const double scale = std::min(bw / sw, bh / sh);
  const double dw = sw * scale, dh = sh * scale;
  const double dx = bx + (bw - dw) / 2, dy = by + (bh - dh) / 2;
  cairo_save(cr);
  cairo_rectangle(cr, dx, dy, dw, dh);
  cairo_clip(cr);
  cairo_translate(cr, dx, dy);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, photo, 0, 0);
  // The decoder gave at most twice the box (jpeg_decoder.h): bilinear reads
  // every source pixel there, and is ~20x cheaper than GOOD's convolution.
  cairo_pattern_set_filter(cairo_get_source(cr),
                           scale >= 0.5 ? CAIRO_FILTER_BILINEAR : CAIRO_FILTER_GOOD);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
  cairo_paint(cr);
  cairo_restore(cr);
}

// A side that prints no field looks the same on every card.
bool shows_no_field(const SideTemplate& side) {
  return std::all_of(side.elements.begin(), side.elements.end(),
                     [](const Element& e) { return e.fields.empty(); });
}

std::size_t index(Side side) { return side == Side::front ? 0 : 1; }

}  // namespace

struct FaceRenderer::Impl {
  Impl(FaceTemplate t, const RenderOptions& o)
      : tpl(std::move(t)), png(o.png_compression, tpl.dpi) {}

  FaceTemplate tpl;
  FontMapPtr font_map;
  ContextPtr context;
  PngEncoder png;
  SurfacePtr canvas;  // reused: a fresh 2.5 MB surface per side costs page faults
  std::array<bool, 2> constant{};
  std::array<std::optional<std::string>, 2> constant_png;

  bool cached(Side side) const { return constant_png[index(side)].has_value(); }

  // Nothing to prepare for a constant side already rendered: its QC passed.
  Result<std::vector<Prepared>> prepare(const FaceData& data, Side side) {
    std::vector<Prepared> out;
    if (cached(side)) return out;
    for (const Element& e : tpl.side(side).elements) {
      Prepared p{&e, {}};
      if (e.kind == ElementKind::text) {
        auto block = layout_text(context.get(), tpl, e, tpl.fonts.at(e.font), data);
        if (!block) return block.error();
        if (!block->has_value()) continue;
        p.content = std::move(**block);
      } else if (e.kind == ElementKind::photo) {
        const double mm = tpl.dpi / 25.4;
        auto photo = decode_jpeg(data.photo_jpeg, static_cast<int>(std::ceil(e.box.width * mm)),
                                 static_cast<int>(std::ceil(e.box.height * mm)));
        if (!photo)
          return make_error(PrinterError::photo_invalid,
                            e.where + " (field photo): " + photo.error().message);
        p.content = std::move(*photo);
      } else if (e.kind == ElementKind::chip_window) {
        continue;  // never inked
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<std::string> draw(const std::vector<Prepared>& elements, Side side) {
    if (cached(side)) return *constant_png[index(side)];
    cairo_surface_t* surface = canvas.get();
    CairoPtr cr(cairo_create(surface));
    const double mm = tpl.dpi / 25.4;
    set_rgb(cr.get(), tpl.side(side).background);
    cairo_paint(cr.get());
    for (const Prepared& p : elements) {
      const Element& e = *p.element;
      if (const auto* text = std::get_if<TextBlock>(&p.content)) {
        set_rgb(cr.get(), e.color);
        cairo_move_to(cr.get(), text->x, text->y);
        pango_cairo_show_layout(cr.get(), text->layout.get());
      } else if (const auto* photo = std::get_if<SurfacePtr>(&p.content)) {
        draw_photo(cr.get(), e, photo->get(), mm);
      } else {
        draw_shape(cr.get(), e, mm);
      }
    }
    if (auto st = cairo_status(cr.get()); st != CAIRO_STATUS_SUCCESS)
      return cairo_error(st, "drawing " + std::string(to_string(side)));
    cr.reset();
    auto out = png.encode(surface);
    if (out && constant[index(side)]) constant_png[index(side)] = *out;
    return out;
  }
};

Result<FaceRenderer> FaceRenderer::create(FaceTemplate face_template, RenderOptions options) {
  if (face_template.dpi <= 0 || face_template.width_px <= 0 || face_template.height_px <= 0)
    return make_error(PrinterError::template_invalid, "the face template has no card size");
  if (options.png_compression < -1 || options.png_compression > 12)
    return make_error(PrinterError::template_invalid, "png_compression must be -1..12");
  auto impl = std::make_unique<Impl>(std::move(face_template), options);
  impl->canvas.reset(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, impl->tpl.width_px, impl->tpl.height_px));
  if (auto st = cairo_surface_status(impl->canvas.get()); st != CAIRO_STATUS_SUCCESS)
    return cairo_error(st, "cannot create the card surface");
  for (Side side : {Side::front, Side::back})
    impl->constant[index(side)] = shows_no_field(impl->tpl.side(side));
  impl->font_map.reset(pango_cairo_font_map_new());
  if (!impl->font_map) return make_error(PrinterError::internal, "no Pango font map");

  std::set<std::string> installed;
  PangoFontFamily** families = nullptr;
  int count = 0;
  pango_font_map_list_families(impl->font_map.get(), &families, &count);
  std::unique_ptr<PangoFontFamily*, GFree> owned(families);
  for (int i = 0; i < count; ++i) installed.insert(lower(pango_font_family_get_name(families[i])));
  for (const auto& [stack, names] : impl->tpl.fonts) {
    for (const std::string& family : names) {
      if (!installed.contains(lower(family)))
        return make_error(PrinterError::font_missing,
                          "fonts." + stack + ": family '" + family + "' is not installed");
    }
  }

  impl->context.reset(pango_font_map_create_context(impl->font_map.get()));
  PangoContext* context = impl->context.get();
  pango_cairo_context_set_resolution(context, impl->tpl.dpi);
  // Fixed rendering options: the PNG must not depend on desktop settings.
  FontOptionsPtr font_options(cairo_font_options_create());
  cairo_font_options_set_antialias(font_options.get(), CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(font_options.get(), CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(font_options.get(), CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(context, font_options.get());
  pango_context_set_round_glyph_positions(context, FALSE);
  // Han characters take their mainland (GB) forms.
  pango_context_set_language(context, pango_language_from_string("zh-cn"));
  pango_context_set_base_dir(context, PANGO_DIRECTION_LTR);
  return FaceRenderer(std::move(impl));
}

FaceRenderer::FaceRenderer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceRenderer::FaceRenderer(FaceRenderer&&) noexcept = default;
FaceRenderer& FaceRenderer::operator=(FaceRenderer&&) noexcept = default;
FaceRenderer::~FaceRenderer() = default;

const FaceTemplate& FaceRenderer::face_template() const { return impl_->tpl; }

Status FaceRenderer::check(const FaceData& data) {
  for (Side side : {Side::front, Side::back}) {
    if (auto p = impl_->prepare(data, side); !p) return p.error();
  }
  return {};
}

Result<std::string> FaceRenderer::render_side(const FaceData& data, Side side) {
  auto prepared = impl_->prepare(data, side);
  if (!prepared) return prepared.error();
  return impl_->draw(*prepared, side);
}

Result<RenderedFace> FaceRenderer::render(const FaceData& data) {
  auto front = impl_->prepare(data, Side::front);
  if (!front) return front.error();
  auto back = impl_->prepare(data, Side::back);
  if (!back) return back.error();
  RenderedFace out;
  auto f = impl_->draw(*front, Side::front);
  if (!f) return f.error();
  auto b = impl_->draw(*back, Side::back);
  if (!b) return b.error();
  out.front_png = std::move(*f);
  out.back_png = std::move(*b);
  return out;
}

}  // namespace cardd::printer
