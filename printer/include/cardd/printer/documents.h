// The paper that travels with a card: the carrier letter (A4) the card is
// attached to, and the mailing label (100 × 150 mm, thermal label printers)
// with the tracking number as a Code 128 barcode. Both are PDF, drawn with
// cairo + Pango (the same fonts as the card face: Noto CJK SC, then HanaMinB
// for CJK Extension B+).
//
// QC as for card faces: every text must be valid UTF-8 without control
// characters and every character must be drawable by an installed font
// (unknown_glyph names the field and the code point, never the text); a
// required field that is empty is missing_field. The barcode's data must be
// printable ASCII (barcode_invalid). Messages never carry the holder's data.
//
// The card number is never printed in full on paper: mask_card_number keeps
// the last 4 characters.
//
// Thread safety: a DocumentRenderer owns its font map and must be used by one
// thread at a time; use one per thread.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "cardd/common/result.h"

namespace cardd::printer {

struct CarrierLetter {
  std::string title;           // the letter's heading (the region's wording)
  std::string application_id;  // printed as the reference
  std::string holder_name;
  std::string address;      // where the letter goes (recipient's, or residence for a pickup)
  std::string postal_code;  // may be empty
  std::string card_number;  // full; printed masked
  // The card number is not a real one (issued numbers come later): the
  // letter says so in large type.
  bool placeholder_card_number = false;
  std::string bank_name;        // e.g. "中国建设银行"
  bool mail = false;            // delivered by courier (else: collected at a branch)
  std::string branch;           // pickup branch (collection at a branch)
  std::string courier;          // courier name (mail)
  std::string tracking_number;  // (mail)
  std::string service_hotline;
};

struct MailingLabel {
  std::string application_id;  // printed as the reference
  std::string sender;          // issuing bank / branch
  std::string recipient_name;
  std::string address;
  std::string postal_code;  // may be empty (an internal dispatch to a branch)
  std::string courier;
  std::string tracking_number;               // encoded as Code 128 and printed below it
  bool placeholder_tracking_number = false;  // printed as a marker on the label
};

// Page sizes in PDF points (1/72 inch).
inline constexpr double kA4WidthPt = 595.2756, kA4HeightPt = 841.8898;
inline constexpr double kLabelWidthPt = 283.4646, kLabelHeightPt = 425.1969;  // 100 × 150 mm

// "*****5678": every character but the last 4 replaced by '*'. Up to 4
// characters are all masked.
std::string mask_card_number(std::string_view card_number);

class DocumentRenderer {
 public:
  // Errors: internal (no font map).
  static Result<DocumentRenderer> create();
  DocumentRenderer(DocumentRenderer&&) noexcept;
  DocumentRenderer& operator=(DocumentRenderer&&) noexcept;
  ~DocumentRenderer();

  // One A4 page. Errors: missing_field, invalid_text, unknown_glyph, internal.
  Result<std::string> carrier_pdf(const CarrierLetter& letter);

  // One 100 × 150 mm page. Errors: as carrier_pdf, and barcode_invalid.
  Result<std::string> label_pdf(const MailingLabel& label);

  // A pack's letters (or labels) as one PDF, one page per entry, in the
  // order given: what a pack needs printed, with the fonts embedded once, so
  // a page costs a fraction of a single document. Every entry is checked as
  // by carrier_pdf / label_pdf; the first failing entry fails the batch with
  // its code and a message that starts "application <id>: " (or "entry <n>: "
  // when the id itself is unprintable). An empty batch is missing_field.
  Result<std::string> carrier_batch_pdf(std::span<const CarrierLetter> letters);
  Result<std::string> label_batch_pdf(std::span<const MailingLabel> labels);

 private:
  struct Impl;
  explicit DocumentRenderer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardd::printer
