// Carrier letters and mailing labels, checked with independent tools from
// Debian: pdfinfo (page size), pdftotext (what is printed), pdftoppm +
// zbarimg (the barcode scans back to the tracking number).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <vector>

#include "cardd/printer/documents.h"
#include "cardd/printer/error.h"
#include "child_process.h"

namespace cardd::printer {
namespace {

using cardd::test::run_command;

CarrierLetter letter() {
  CarrierLetter l;
  l.title = "北京市社会保障卡（第三代）发卡通知函";
  l.service_hotline = "12333";
  l.application_id = "BJ-1-00000001";
  l.holder_name = "阿里木·库尔班";
  l.address = "北京市顺义区李桥镇沮沟村13排32号";
  l.postal_code = "101300";
  l.card_number = "X12345678";
  l.placeholder_card_number = true;
  l.bank_name = "北京银行";
  l.mail = true;
  l.courier = "中国邮政EMS";
  l.tracking_number = "PH000000000042";
  return l;
}

MailingLabel label() {
  MailingLabel m;
  m.application_id = "BJ-1-00000001";
  m.sender = "北京银行 社会保障卡发卡中心";
  m.recipient_name = "赵娜";
  m.address = "北京市平谷区金海湖镇海子村1排39号";
  m.postal_code = "101200";
  m.courier = "中国邮政EMS";
  m.tracking_number = "PH059046594987";
  return m;
}

class DocumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = DocumentRenderer::create();
    ASSERT_TRUE(r) << r.error().describe();
    renderer_ = std::make_unique<DocumentRenderer>(std::move(*r));
  }
  std::string save(const std::string& name, const std::string& bytes) {
    const auto path = (dir_.path() / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  // "W x H" in points from pdfinfo, and the page count.
  static std::pair<std::string, std::string> pdfinfo(const std::string& path) {
    const auto r = run_command({"pdfinfo", path});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    std::string size, pages;
    if (std::regex_search(r.out, m, std::regex(R"(Page size:\s+([0-9.]+ x [0-9.]+) pts)")))
      size = m[1];
    if (std::regex_search(r.out, m, std::regex(R"(Pages:\s+(\d+))"))) pages = m[1];
    return {size, pages};
  }

  cardd::test::TempDir dir_;
  std::unique_ptr<DocumentRenderer> renderer_;
};

TEST_F(DocumentsTest, CarrierIsOneA4PageWithTheCardNumberMasked) {
  auto pdf = renderer_->carrier_pdf(letter());
  ASSERT_TRUE(pdf) << pdf.error().describe();
  ASSERT_EQ(pdf->rfind("%PDF-", 0), 0u);
  const auto path = save("carrier.pdf", *pdf);
  EXPECT_EQ(pdfinfo(path), (std::pair<std::string, std::string>{"595.276 x 841.89", "1"}));
  const auto text = run_command({"pdftotext", path, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("*****5678"), std::string::npos);
  EXPECT_EQ(text.out.find("12345678"), std::string::npos) << "never the full card number";
  EXPECT_NE(text.out.find("阿里木·库尔班"), std::string::npos);
  EXPECT_NE(text.out.find("101300"), std::string::npos);
  EXPECT_NE(text.out.find("PLACEHOLDER"), std::string::npos);
  EXPECT_NE(text.out.find("激活"), std::string::npos);
}

TEST_F(DocumentsTest, CarrierForBranchPickupNamesTheBranch) {
  CarrierLetter l = letter();
  l.mail = false;
  l.branch = "BOB-110113-002";
  l.placeholder_card_number = false;
  auto pdf = renderer_->carrier_pdf(l);
  ASSERT_TRUE(pdf) << pdf.error().describe();
  const auto text = run_command({"pdftotext", save("c.pdf", *pdf), "-"});
  EXPECT_NE(text.out.find("BOB-110113-002"), std::string::npos);
  EXPECT_EQ(text.out.find("PLACEHOLDER"), std::string::npos);
}

TEST_F(DocumentsTest, LabelIs100By150mmAndItsBarcodeScansBackToTheTrackingNumber) {
  const MailingLabel m = label();
  auto pdf = renderer_->label_pdf(m);
  ASSERT_TRUE(pdf) << pdf.error().describe();
  const auto path = save("label.pdf", *pdf);
  EXPECT_EQ(pdfinfo(path), (std::pair<std::string, std::string>{"283.465 x 425.197", "1"}));
  const auto png = (dir_.path() / "label").string();
  const auto raster =
      run_command({"pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", path, png});
  ASSERT_EQ(raster.exit_code, 0) << raster.err;
  const auto scan = run_command({"zbarimg", "-q", "--raw", png + ".png"});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(scan.out, m.tracking_number + "\n");
  const auto typed = run_command({"zbarimg", "-q", png + ".png"});
  EXPECT_EQ(typed.out.rfind("CODE-128:", 0), 0u) << typed.out;
}

TEST_F(DocumentsTest, ACharacterNoFontHasIsRefusedWithoutShowingTheName) {
  CarrierLetter l = letter();
  l.holder_name = "张\xEE\x80\x80";  // U+E000, private use
  auto pdf = renderer_->carrier_pdf(l);
  ASSERT_FALSE(pdf);
  EXPECT_EQ(pdf.error().code, PrinterError::unknown_glyph);
  EXPECT_NE(pdf.error().message.find("U+E000"), std::string::npos) << pdf.error().message;
  EXPECT_NE(pdf.error().message.find("holder_name"), std::string::npos);
  EXPECT_EQ(pdf.error().message.find("张"), std::string::npos);
}

TEST_F(DocumentsTest, RequiredFieldsAndBarcodeDataAreChecked) {
  MailingLabel m = label();
  m.recipient_name.clear();
  auto a = renderer_->label_pdf(m);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, PrinterError::missing_field);
  m = label();
  m.tracking_number = "运单";
  auto b = renderer_->label_pdf(m);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, PrinterError::barcode_invalid);
  m = label();
  m.address = "line\x01";
  auto c = renderer_->label_pdf(m);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, PrinterError::invalid_text);
}

// A pack of letters and of labels: one PDF each, a page per card in order,
// each page with its own tracking number.
std::vector<MailingLabel> pack_labels(std::size_t n) {
  std::vector<MailingLabel> out;
  for (std::size_t i = 0; i < n; ++i) {
    MailingLabel m = label();
    m.application_id = "BJ-1-0000010" + std::to_string(i);
    m.tracking_number = "PH10000000" + std::to_string(i) + "CN";
    out.push_back(m);
  }
  return out;
}

std::vector<CarrierLetter> pack_letters(std::size_t n) {
  std::vector<CarrierLetter> out;
  for (std::size_t i = 0; i < n; ++i) {
    CarrierLetter l = letter();
    l.placeholder_card_number = false;
    l.application_id = "BJ-1-0000010" + std::to_string(i);
    l.tracking_number = "PH10000000" + std::to_string(i) + "CN";
    out.push_back(l);
  }
  return out;
}

// The text of page `page` (1-based) of a PDF.
std::string page_text(const std::string& path, int page) {
  const auto r =
      run_command({"pdftotext", "-f", std::to_string(page), "-l", std::to_string(page), path, "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST_F(DocumentsTest, APacksLabelsAreOnePdfWithAPagePerCardInOrder) {
  const auto labels = pack_labels(7);
  auto pdf = renderer_->label_batch_pdf(labels);
  ASSERT_TRUE(pdf) << pdf.error().describe();
  const auto path = save("labels.pdf", *pdf);
  EXPECT_EQ(pdfinfo(path), (std::pair<std::string, std::string>{"283.465 x 425.197", "7"}));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto text = page_text(path, static_cast<int>(i) + 1);
    EXPECT_NE(text.find(labels[i].tracking_number), std::string::npos) << "page " << i + 1;
    EXPECT_NE(text.find(labels[i].application_id), std::string::npos) << "page " << i + 1;
  }
  // The last page's barcode scans back to the last tracking number.
  const auto png = (dir_.path() / "last").string();
  ASSERT_EQ(run_command({"pdftoppm", "-r", "300", "-gray", "-png", "-f", "7", "-l", "7",
                         "-singlefile", path, png})
                .exit_code,
            0);
  EXPECT_EQ(run_command({"zbarimg", "-q", "--raw", png + ".png"}).out,
            labels.back().tracking_number + "\n");
}

TEST_F(DocumentsTest, APacksLettersAreOnePdfWithAPagePerCardInOrder) {
  const auto letters = pack_letters(5);
  auto pdf = renderer_->carrier_batch_pdf(letters);
  ASSERT_TRUE(pdf) << pdf.error().describe();
  const auto path = save("letters.pdf", *pdf);
  EXPECT_EQ(pdfinfo(path), (std::pair<std::string, std::string>{"595.276 x 841.89", "5"}));
  for (std::size_t i = 0; i < letters.size(); ++i) {
    const auto text = page_text(path, static_cast<int>(i) + 1);
    EXPECT_NE(text.find(letters[i].tracking_number), std::string::npos) << "page " << i + 1;
    EXPECT_NE(text.find("*****5678"), std::string::npos);
  }
  // Cheaper per page than a letter alone: the fonts are embedded once.
  auto one = renderer_->carrier_pdf(letters[0]);
  ASSERT_TRUE(one);
  EXPECT_LT(pdf->size(), 5 * one->size() / 2);
}

TEST_F(DocumentsTest, ABatchWithAnInvalidEntryIsRefusedNamingItsApplication) {
  auto labels = pack_labels(4);
  labels[2].recipient_name = "张\xEE\x80\x80";
  auto a = renderer_->label_batch_pdf(labels);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, PrinterError::unknown_glyph);
  EXPECT_EQ(a.error().message.rfind("application " + labels[2].application_id + ": ", 0), 0u)
      << a.error().message;
  EXPECT_EQ(a.error().message.find("张"), std::string::npos);

  labels = pack_labels(4);
  labels[3].tracking_number = "运单";
  auto b = renderer_->label_batch_pdf(labels);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, PrinterError::barcode_invalid);
  EXPECT_NE(b.error().message.find(labels[3].application_id), std::string::npos);

  auto letters = pack_letters(3);
  letters[1].address.clear();
  auto c = renderer_->carrier_batch_pdf(letters);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, PrinterError::missing_field);
  EXPECT_NE(c.error().message.find(letters[1].application_id), std::string::npos);
  EXPECT_NE(c.error().message.find("address"), std::string::npos);

  letters = pack_letters(3);
  letters[0].holder_name = "bad\x01";
  auto d = renderer_->carrier_batch_pdf(letters);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, PrinterError::invalid_text);
  EXPECT_NE(d.error().message.find(letters[0].application_id), std::string::npos);

  auto e = renderer_->carrier_batch_pdf({});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, PrinterError::missing_field);

  // After a refused batch the renderer still works.
  EXPECT_TRUE(renderer_->label_batch_pdf(pack_labels(2)));
}

TEST(MaskCardNumber, KeepsOnlyTheLastFour) {
  EXPECT_EQ(mask_card_number("X12345678"), "*****5678");
  EXPECT_EQ(mask_card_number("1234"), "****");
  EXPECT_EQ(mask_card_number(""), "");
}

}  // namespace
}  // namespace cardd::printer
