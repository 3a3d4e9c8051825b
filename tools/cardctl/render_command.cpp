// cardctl render APPLICATION_ID --db PATH --out DIR: the card's two faces
// (front.png, back.png), its carrier letter (carrier.pdf) and mailing label
// (label.pdf), from the application as stored. Nothing is sent to a printer
// and the application's state does not change.
//
// Card and tracking numbers are not allocated yet (card numbers come with
// issue #6, tracking numbers from the courier): both are PLACEHOLDERS
// derived from the application id, and the carrier letter, the label and the
// card's vendor-code field say so.
#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cardd/common/civil_time.h"
#include "cardd/printer/documents.h"
#include "cardd/printer/face_renderer.h"
#include "cli_support.h"
#include "commands.h"

namespace cardd::cardctl {
namespace {

namespace fs = std::filesystem;

struct RenderArgs {
  std::string id;
  std::string db;
  std::string out;
  std::string face_template = std::string(CARDD_PRINTER_TEMPLATE_DIR) + "/beijing-gen3.toml";
};

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

// PLACEHOLDER until card numbers are allocated: "X" and 8 digits.
std::string placeholder_card_number(std::string_view id) {
  return fmt::format("X{:08}", fnv1a(id) % 100'000'000ULL);
}

// PLACEHOLDER until a courier allocates one: "PH" and 12 digits.
std::string placeholder_tracking_number(std::string_view id) {
  return fmt::format("PH{:012}", fnv1a(std::string(id) + "/tracking") % 1'000'000'000'000ULL);
}

std::string bank_name(const std::string& code) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kBanks = {{
      {"ICBC", "中国工商银行"},
      {"CCB", "中国建设银行"},
      {"ABC", "中国农业银行"},
      {"BOC", "中国银行"},
      {"BOCOM", "交通银行"},
      {"PSBC", "中国邮政储蓄银行"},
      {"BOB", "北京银行"},
      {"BJRCB", "北京农商银行"},
  }};
  for (const auto& [c, name] : kBanks)
    if (c == code) return std::string(name);
  return code;
}

// Written to a temporary name, then renamed: a reader never sees half a file.
bool write_file(const fs::path& path, const std::string& bytes) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      std::cerr << "cardctl: cannot write " << tmp << "\n";
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) std::cerr << "cardctl: cannot write " << path << ": " << ec.message() << "\n";
  return !ec;
}

int fail(const Error& e, const std::string& what) {
  std::cerr << "cardctl: " << what << ": " << e.describe() << "\n";
  return 1;
}

int run_render(const RenderArgs& args) {
  auto store = open_store(args.db);
  if (!store) return 1;
  auto status = store->status(args.id);
  if (!status) return fail(status.error(), args.id);
  if (status->state == db::AppState::rejected || status->public_data.empty()) {
    std::cerr << "cardctl: " << args.id << " is " << db::to_string(status->state)
              << ": nothing to render\n";
    return 1;
  }
  auto sensitive = store->sensitive(args.id);
  if (!sensitive) return fail(sensitive.error(), args.id);
  const auto app = nlohmann::json::parse(status->public_data, nullptr, false);
  if (!app.is_object()) {
    std::cerr << "cardctl: " << args.id << ": stored data is not a JSON object\n";
    return 1;
  }
  const auto text = [&](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };

  const std::string card_number = placeholder_card_number(args.id);
  const std::string tracking = placeholder_tracking_number(args.id);
  const std::string bank = bank_name(text(app, "issuing_bank"));
  const std::string branch = text(app, "issuing_branch");
  const bool mail = text(app, "collection") == "mail" && app.contains("recipient");
  const nlohmann::json recipient = mail ? app["recipient"] : nlohmann::json::object();
  const CivilDate today = beijing_date(unix_now());

  printer::FaceData face;
  face.name = text(app, "name");
  face.social_security_number = sensitive->id_number;
  face.card_number = card_number;
  face.issue_year = today.year;
  face.issue_month = static_cast<int>(today.month);
  face.bank_name = bank;
  face.service_hotline = "12333";
  face.vendor_code = "SAMPLE";  // marks a face with a placeholder card number
  face.photo_jpeg = sensitive->photo;

  printer::CarrierLetter letter;
  letter.application_id = args.id;
  letter.holder_name = face.name;
  letter.address = mail ? text(recipient, "address") : text(app, "residence_address");
  letter.postal_code = mail ? text(recipient, "postal_code") : std::string();
  letter.card_number = card_number;
  letter.placeholder_card_number = true;
  letter.bank_name = bank;
  letter.mail = mail;
  letter.branch = branch;
  letter.courier = "中国邮政EMS";
  letter.tracking_number = tracking;

  // Mail: to the recipient. Branch collection: the card goes to the branch.
  printer::MailingLabel label;
  label.application_id = args.id;
  label.sender = bank + " 社会保障卡发卡中心";
  label.recipient_name = mail ? text(recipient, "name") : bank + " " + branch + " 网点";
  label.address = mail ? text(recipient, "address") : "网点领卡 · 持卡人 " + face.name;
  label.postal_code = mail ? text(recipient, "postal_code") : std::string();
  label.courier = letter.courier;
  label.tracking_number = tracking;
  label.placeholder_tracking_number = true;

  auto tpl = printer::load_face_template(args.face_template);
  if (!tpl) return fail(tpl.error(), "face template");
  auto faces = printer::FaceRenderer::create(std::move(*tpl));
  if (!faces) return fail(faces.error(), "face renderer");
  auto rendered = faces->render(face);
  if (!rendered) return fail(rendered.error(), args.id + ": card face");
  auto documents = printer::DocumentRenderer::create();
  if (!documents) return fail(documents.error(), "document renderer");
  auto carrier = documents->carrier_pdf(letter);
  if (!carrier) return fail(carrier.error(), args.id + ": carrier letter");
  auto label_pdf = documents->label_pdf(label);
  if (!label_pdf) return fail(label_pdf.error(), args.id + ": mailing label");

  std::error_code ec;
  fs::create_directories(args.out, ec);
  if (ec) {
    std::cerr << "cardctl: cannot create " << args.out << ": " << ec.message() << "\n";
    return 1;
  }
  const fs::path out(args.out);
  for (const auto& [name, bytes] :
       {std::pair<const char*, const std::string*>{"front.png", &rendered->front_png},
        {"back.png", &rendered->back_png},
        {"carrier.pdf", &*carrier},
        {"label.pdf", &*label_pdf}}) {
    if (!write_file(out / name, *bytes)) return 1;
  }
  std::cout << fmt::format(
      "{}: wrote front.png, back.png, carrier.pdf, label.pdf to {}\n"
      "  card number {} and tracking number {} are PLACEHOLDERS (not allocated yet)\n",
      args.id, args.out, printer::mask_card_number(card_number), tracking);
  return 0;
}

}  // namespace

void add_render_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RenderArgs>();
  auto* cmd = app.add_subcommand(
      "render",
      "Render an application's card faces, carrier letter and mailing label to files.\n"
      "Card numbers and tracking numbers are not allocated yet: both are PLACEHOLDERS\n"
      "derived from the application id (card number 'X' + 8 digits, tracking number\n"
      "'PH' + 12 digits), marked as such on the letter, the label and the card.");
  cmd->add_option("application_id", args->id, "the bureau's application id")->required();
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_option("--out", args->out, "directory for front.png, back.png, carrier.pdf, label.pdf")
      ->required();
  cmd->add_option("--template", args->face_template, "card face template (TOML)")
      ->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run_render(*args); });
}

}  // namespace cardd::cardctl
