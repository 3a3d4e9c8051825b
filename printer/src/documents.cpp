#include "cardd/printer/documents.h"

#include <cairo-pdf.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "barcode.h"
#include "cardd/printer/error.h"
#include "handles.h"

namespace cardd::printer {

using namespace detail;

namespace {

constexpr const char* kFamilies = "Noto Sans CJK SC,HanaMinB";
constexpr double kPtPerMm = 72.0 / 25.4;
double mm(double v) { return v * kPtPerMm; }

std::string code_point(gunichar c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

enum class Align { left, center };

// One PDF page being drawn. Text goes in with the field it comes from (for
// messages); the first problem is kept and everything after it is skipped.
class Page {
 public:
  Page(PangoContext* context, double width_pt, double height_pt)
      : context_(context),
        surface_(cairo_pdf_surface_create_for_stream(append, &pdf_, width_pt, height_pt)),
        cr_(cairo_create(surface_.get())) {
    // No creation date: the same input gives the same bytes.
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATOR, "cardd");
    pango_cairo_update_context(cr_.get(), context_);
  }

  cairo_t* cr() { return cr_.get(); }
  bool ok() const { return status_.ok(); }

  // Draws `text` from (x, y) in a box `width` wide, wrapping when `wrap`
  // (else shrinking it to fit one line, down to 60 % of `size_pt`).
  // Returns the height used. `field` names the source in messages; fixed
  // text (field empty) may contain line breaks.
  double text(std::string_view field, const std::string& text, double x, double y, double width,
              double size_pt, bool bold = false, Align align = Align::left, bool wrap = false) {
    if (!ok()) return 0;
    const std::string where =
        field.empty() ? std::string("fixed text") : "field " + std::string(field);
    if (!field.empty() && text.empty()) {
      status_ = make_error(PrinterError::missing_field, where + " is empty");
      return 0;
    }
    if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
      status_ = make_error(PrinterError::invalid_text, where + ": not valid UTF-8");
      return 0;
    }
    for (const char* p = text.c_str(); *p != '\0'; p = g_utf8_next_char(p)) {
      const gunichar c = g_utf8_get_char(p);
      if ((c < 0x20 && !(c == '\n' && field.empty())) || (c >= 0x7f && c < 0xa0)) {
        status_ =
            make_error(PrinterError::invalid_text, where + ": control character " + code_point(c));
        return 0;
      }
    }
    LayoutPtr layout(pango_layout_new(context_));
    FontDescriptionPtr font(pango_font_description_new());
    pango_font_description_set_family(font.get(), kFamilies);
    pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(),
                               align == Align::center ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    // One line that is too long shrinks in 0.5 pt steps, down to 60 %.
    for (double size = size_pt;; size -= 0.5) {
      pango_font_description_set_size(font.get(),
                                      static_cast<gint>(std::lround(size * PANGO_SCALE)));
      pango_layout_set_font_description(layout.get(), font.get());
      if (wrap || pango_layout_get_line_count(layout.get()) == 1 || size - 0.5 < size_pt * 0.6)
        break;
    }
    if (pango_layout_get_unknown_glyphs_count(layout.get()) > 0) {
      status_ = make_error(PrinterError::unknown_glyph, where + ": " + first_unknown(text) +
                                                            " has no glyph in any installed font");
      return 0;
    }
    if (!wrap && pango_layout_get_line_count(layout.get()) > 1) {
      status_ = make_error(PrinterError::text_overflow,
                           where + ": does not fit on one line of " +
                               std::to_string(std::lround(width / kPtPerMm)) + " mm");
      return 0;
    }
    cairo_move_to(cr_.get(), x, y);
    pango_cairo_show_layout(cr_.get(), layout.get());
    int w = 0, h = 0;
    pango_layout_get_size(layout.get(), &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  void fail(Error e) {
    if (ok()) status_ = std::move(e);
  }

  Result<std::string> finish() {
    cr_.reset();
    cairo_surface_finish(surface_.get());
    if (!ok()) return status_.error();
    if (const auto st = cairo_surface_status(surface_.get()); st != CAIRO_STATUS_SUCCESS)
      return make_error(PrinterError::internal, std::string("PDF: ") + cairo_status_to_string(st));
    return std::move(pdf_);
  }

 private:
  // The first character no font draws, found one character at a time.
  std::string first_unknown(const std::string& text) {
    LayoutPtr one(pango_layout_new(context_));
    FontDescriptionPtr font(pango_font_description_from_string(kFamilies));
    pango_layout_set_font_description(one.get(), font.get());
    for (const char* p = text.c_str(); *p != '\0'; p = g_utf8_next_char(p)) {
      pango_layout_set_text(one.get(), p, static_cast<int>(g_utf8_next_char(p) - p));
      if (pango_layout_get_unknown_glyphs_count(one.get()) > 0)
        return code_point(g_utf8_get_char(p));
    }
    return "a character";
  }

  PangoContext* context_;
  std::string pdf_;
  SurfacePtr surface_;
  CairoPtr cr_;
  Status status_;
};

void rule(cairo_t* cr, double x0, double y, double x1, double width = 0.6) {
  cairo_set_line_width(cr, width);
  cairo_move_to(cr, x0, y);
  cairo_line_to(cr, x1, y);
  cairo_stroke(cr);
}

}  // namespace

std::string mask_card_number(std::string_view card_number) {
  std::string out(card_number);
  const std::size_t keep = out.size() > 4 ? 4 : 0;
  for (std::size_t i = 0; i + keep < out.size(); ++i) out[i] = '*';
  return out;
}

struct DocumentRenderer::Impl {
  FontMapPtr font_map;
  ContextPtr context;
};

DocumentRenderer::DocumentRenderer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DocumentRenderer::DocumentRenderer(DocumentRenderer&&) noexcept = default;
DocumentRenderer& DocumentRenderer::operator=(DocumentRenderer&&) noexcept = default;
DocumentRenderer::~DocumentRenderer() = default;

Result<DocumentRenderer> DocumentRenderer::create() {
  auto impl = std::make_unique<Impl>();
  impl->font_map.reset(pango_cairo_font_map_new());
  if (!impl->font_map) return make_error(PrinterError::internal, "no Pango font map");
  impl->context.reset(pango_font_map_create_context(impl->font_map.get()));
  // Points are PDF units: sizes in pt are user-space units.
  pango_cairo_context_set_resolution(impl->context.get(), 72);
  FontOptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(impl->context.get(), options.get());
  pango_context_set_language(impl->context.get(), pango_language_from_string("zh-cn"));
  return DocumentRenderer(std::move(impl));
}

Result<std::string> DocumentRenderer::carrier_pdf(const CarrierLetter& l) {
  Page page(impl_->context.get(), kA4WidthPt, kA4HeightPt);
  cairo_t* cr = page.cr();
  const double left = mm(25), width = kA4WidthPt - 2 * mm(25);
  cairo_set_source_rgb(cr, 0, 0, 0);

  double y = mm(20);
  y += page.text("bank_name", l.bank_name, left, y, width, 16, true);
  y += page.text("title", l.title, left, y, width, 12);
  rule(cr, left, y + mm(3), left + width);
  y += mm(12);

  // Addressee block: where a window envelope shows it.
  y += page.text("holder_name", l.holder_name, left, y, mm(100), 14, true);
  y += page.text("address", l.address, left, y, mm(100), 11, false, Align::left, true);
  if (!l.postal_code.empty())
    y += page.text("postal_code", "邮编 " + l.postal_code, left, y, mm(100), 11);
  y += mm(10);

  y += page.text({}, "尊敬的 " + l.holder_name + "：", left, y, width, 11);
  y += mm(2);
  const std::string delivery =
      l.mail ? "您申领的社会保障卡已制作完成，随本函通过" + l.courier + "寄送给您。"
             : "您申领的社会保障卡已制作完成，请持本人有效身份证件到以下网点领取。";
  y += page.text({}, delivery, left, y, width, 11, false, Align::left, true);
  y += mm(4);

  const double label_w = mm(32);
  auto row = [&](const std::string& label, std::string_view field, const std::string& value) {
    page.text({}, label, left, y, label_w, 11);
    y += page.text(field, value, left + label_w, y, width - label_w, 11, true, Align::left, true);
    y += mm(1.5);
  };
  row("申请编号", "application_id", l.application_id);
  row("社会保障卡号", "card_number", mask_card_number(l.card_number));
  if (l.mail) {
    row("寄送方式", "courier", l.courier);
    row("运单号", "tracking_number", l.tracking_number);
  } else {
    row("领卡网点", "branch", l.branch);
  }
  row("发卡银行", "bank_name", l.bank_name);
  if (l.placeholder_card_number) {
    cairo_set_source_rgb(cr, 0.8, 0, 0);
    y += page.text({}, "样张：卡号为占位号码，并非正式卡号（PLACEHOLDER CARD NUMBER）", left, y,
                   width, 12, true, Align::left, true);
    cairo_set_source_rgb(cr, 0, 0, 0);
  }
  y += mm(6);

  y += page.text({}, "启用与密码须知", left, y, width, 12, true);
  y += mm(2);
  const std::string notice =
      "1. 社会保障卡金融账户需激活后使用。请本人持有效身份证件到" + l.bank_name +
      "任一网点，或拨打服务电话 " + l.service_hotline +
      " 办理激活。\n"
      "2. "
      "社保应用和金融应用的初始密码不随本函寄送。首次使用前请在银行网点或自助设备上修改初始密码。\n"
      "3. 请妥善保管卡片和密码，任何人（包括银行和社保工作人员）都不会向您索要密码。\n"
      "4. 卡片遗失请立即拨打 " +
      l.service_hotline + " 挂失。";
  y += page.text({}, notice, left, y, width, 10.5, false, Align::left, true);
  y += mm(8);

  // Where the card is attached: a CR80 outline, centred.
  const double cw = mm(85.6), ch = mm(54);
  const double cx = (kA4WidthPt - cw) / 2;
  const double cy = std::max(y, kA4HeightPt - mm(25) - ch - mm(10));
  const std::array<double, 2> dash = {mm(2), mm(1.5)};
  cairo_set_dash(cr, dash.data(), 2, 0);
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_rectangle(cr, cx, cy, cw, ch);
  cairo_set_line_width(cr, 0.6);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  page.text({}, "卡片粘贴处", cx, cy + ch / 2 - 6, cw, 10, false, Align::center);
  return page.finish();
}

Result<std::string> DocumentRenderer::label_pdf(const MailingLabel& l) {
  auto modules = code128_modules(l.tracking_number);
  if (!modules) return modules.error();
  Page page(impl_->context.get(), kLabelWidthPt, kLabelHeightPt);
  cairo_t* cr = page.cr();
  const double left = mm(5), width = kLabelWidthPt - 2 * mm(5);
  cairo_set_source_rgb(cr, 0, 0, 0);

  double y = mm(4);
  y += page.text("courier", l.courier, left, y, width, 14, true);
  page.text({}, "寄件：", left, y, mm(12), 8);
  y += page.text("sender", l.sender, left + mm(12), y, width - mm(12), 8, false, Align::left, true);
  rule(cr, left, y + mm(2), left + width, 1.2);
  y += mm(5);

  y += page.text({}, "收件人", left, y, width, 8);
  y += page.text("recipient_name", l.recipient_name, left, y, width, 18, true);
  y += mm(1);
  y += page.text("address", l.address, left, y, width, 12, false, Align::left, true);
  y += mm(2);
  if (!l.postal_code.empty())
    y += page.text("postal_code", l.postal_code, left, y, width, 26, true);
  rule(cr, left, y + mm(2), left + width, 1.2);

  // Code 128: X = 0.33 mm (within GS1's logistics range), quiet zones of
  // 10 X, bars 22 mm high, centred.
  const double x_dim =
      std::min(mm(0.33), (width - mm(2 * 3.3)) / static_cast<double>(modules->size()));
  const double bar_h = mm(22);
  const double total = x_dim * static_cast<double>(modules->size());
  const double bx = (kLabelWidthPt - total) / 2;
  const double by = kLabelHeightPt - mm(48);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (std::size_t i = 0; i < modules->size();) {
    if (!(*modules)[i]) {
      ++i;
      continue;
    }
    std::size_t run = i;
    while (run < modules->size() && (*modules)[run]) ++run;
    cairo_rectangle(cr, bx + x_dim * static_cast<double>(i), by,
                    x_dim * static_cast<double>(run - i), bar_h);
    i = run;
  }
  cairo_fill(cr);
  double ty = by + bar_h + mm(1);
  ty += page.text("tracking_number", l.tracking_number, left, ty, width, 12, true, Align::center);
  ty += page.text("application_id", "参考号 " + l.application_id, left, ty + mm(2), width, 8, false,
                  Align::center);
  if (l.placeholder_tracking_number) {
    cairo_set_source_rgb(cr, 0.8, 0, 0);
    page.text({}, "样张：运单号为占位号码 PLACEHOLDER", left, ty + mm(3), width, 9, true,
              Align::center);
  }
  return page.finish();
}

}  // namespace cardd::printer
