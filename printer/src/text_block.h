// One text element made ready to draw: fields substituted, checked (UTF-8, no
// control characters, every glyph in a font, inside its box), laid out and
// positioned. Private to the renderer.
#pragma once

#include <optional>

#include "cardd/common/result.h"
#include "cardd/printer/face.h"
#include "cardd/printer/face_template.h"
#include "handles.h"

namespace cardd::printer::detail {

struct TextBlock {
  LayoutPtr layout;
  double x = 0;  // where the layout's origin goes, in device pixels
  double y = 0;
};

// nullopt (as a value) when the element is optional and all its fields are
// empty. `families` is the element's font stack.
Result<std::optional<TextBlock>> layout_text(PangoContext* context, const FaceTemplate& tpl,
                                             const Element& element,
                                             const std::vector<std::string>& families,
                                             const FaceData& data);

}  // namespace cardd::printer::detail
