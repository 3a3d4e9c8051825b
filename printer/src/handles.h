// Owning, non-copyable handles for the C objects of cairo, Pango and GLib.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>

namespace cardd::printer::detail {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};

template <typename T>
struct GObjectDeleter {
  void operator()(T* p) const {
    if (p != nullptr) g_object_unref(p);
  }
};

using SurfacePtr =
    std::unique_ptr<cairo_surface_t, Deleter<cairo_surface_t, cairo_surface_destroy>>;
using CairoPtr = std::unique_ptr<cairo_t, Deleter<cairo_t, cairo_destroy>>;
using FontOptionsPtr = std::unique_ptr<cairo_font_options_t,
                                       Deleter<cairo_font_options_t, cairo_font_options_destroy>>;
using FontDescriptionPtr =
    std::unique_ptr<PangoFontDescription,
                    Deleter<PangoFontDescription, pango_font_description_free>>;
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectDeleter<PangoLayout>>;
using ContextPtr = std::unique_ptr<PangoContext, GObjectDeleter<PangoContext>>;
using FontMapPtr = std::unique_ptr<PangoFontMap, GObjectDeleter<PangoFontMap>>;

}  // namespace cardd::printer::detail
