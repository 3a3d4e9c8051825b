#include "cardd/printer/documents.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

#include "barcode.h"
#include "cardd/printer/error.h"
#include "handles.h"
#include "pdf_document.h"

namespace cardd::printer {

using namespace detail;

namespace {

constexpr double kPtPerMm = 72.0 / 25.4;
double mm(double v) { return v * kPtPerMm; }

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

namespace {

// One letter on the document's current page.
void draw_carrier(PdfDocument& page, const CarrierLetter& l) {
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
}

// One label on the document's current page.
void draw_label(PdfDocument& page, const MailingLabel& l) {
  auto modules = code128_modules(l.tracking_number);
  if (!modules) return page.fail(modules.error());
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
}

// An error of one entry of a batch names the entry by its application id
// (never the holder's data); an id that is itself unprintable by its index.
Error in_entry(Error e, std::size_t index, const std::string& application_id) {
  bool printable = !application_id.empty() && application_id.size() <= 64;
  for (const char c : application_id) printable = printable && c > 0x20 && c < 0x7f;
  e.message = (printable ? "application " + application_id : "entry " + std::to_string(index + 1)) +
              ": " + e.message;
  return e;
}

// Every entry on a page of its own, in order, in one PDF: the fonts are
// embedded (subset) once for the whole batch.
template <typename Entry, typename Draw>
Result<std::string> batch_pdf(PangoContext* context, double width_pt, double height_pt,
                              std::span<const Entry> entries, Draw draw) {
  if (entries.empty()) return make_error(PrinterError::missing_field, "batch has no entries");
  PdfDocument doc(context, width_pt, height_pt);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) doc.next_page();
    cairo_set_source_rgb(doc.cr(), 0, 0, 0);
    draw(doc, entries[i]);
    if (!doc.ok()) return in_entry(doc.error(), i, entries[i].application_id);
  }
  return doc.finish();
}

}  // namespace

Result<std::string> DocumentRenderer::carrier_pdf(const CarrierLetter& letter) {
  PdfDocument doc(impl_->context.get(), kA4WidthPt, kA4HeightPt);
  draw_carrier(doc, letter);
  return doc.finish();
}

Result<std::string> DocumentRenderer::label_pdf(const MailingLabel& label) {
  PdfDocument doc(impl_->context.get(), kLabelWidthPt, kLabelHeightPt);
  draw_label(doc, label);
  return doc.finish();
}

Result<std::string> DocumentRenderer::carrier_batch_pdf(std::span<const CarrierLetter> letters) {
  return batch_pdf(impl_->context.get(), kA4WidthPt, kA4HeightPt, letters, draw_carrier);
}

Result<std::string> DocumentRenderer::label_batch_pdf(std::span<const MailingLabel> labels) {
  return batch_pdf(impl_->context.get(), kLabelWidthPt, kLabelHeightPt, labels, draw_label);
}

}  // namespace cardd::printer
