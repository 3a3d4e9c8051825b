// cardctl render APPLICATION_ID --db PATH --out DIR: the card's two faces
// (front.png, back.png), its carrier letter (carrier.pdf) and mailing label
// (label.pdf), from the application as stored. Nothing is sent to a printer
// and the application's state does not change.
//
// cardctl print APPLICATION_ID --db PATH --printer URI: the print step of an
// encoded card (ENCODED → PRINTING → PRINTED), retried while the printer is
// away; the application stays PRINTING until it succeeds.
//
// The card number is the one data preparation allocated (a PLACEHOLDER before
// preparation); tracking numbers are PLACEHOLDERS until a courier allocates
// them. Letters and labels say so.
#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cardd/common/actor.h"
#include "cardd/common/civil_time.h"
#include "cardd/printer/documents.h"
#include "cardd/printer/face_renderer.h"
#include "cardd/server/card_documents.h"
#include "cardd/server/print_station.h"
#include "cli_support.h"
#include "commands.h"
#include "region_options.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

namespace fs = std::filesystem;

struct RenderArgs {
  HsmOptions hsm;
  std::string id;
  std::string db;
  std::string out;
  std::string face_template;  // the region's face.toml unless given
  RegionOptions region;
};

std::string template_of(const region::Region& region, const std::string& given) {
  return given.empty() ? region.face_template().string() : given;
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
  const auto region = args.region.load();
  if (!region) return 2;
  SealedStore sealed;
  if (const int rc = open_sealed_store(args.hsm, args.db, false, sealed); rc != 0) return rc;
  auto shipment = sealed.store->shipment(args.id);
  if (!shipment) return fail(shipment.error(), args.id);
  const std::string tracking = *shipment ? (*shipment)->tracking_number : std::string();
  auto documents = server::card_documents(*sealed.store, *sealed.store, args.id, *region,
                                          local_actor("cardctl render"), unix_now(), tracking);
  if (!documents) return fail(documents.error(), args.id);
  const printer::FaceData& face = documents->face;
  const printer::CarrierLetter& letter = documents->letter;
  const printer::MailingLabel& label = documents->label;

  auto tpl = printer::load_face_template(template_of(*region, args.face_template));
  if (!tpl) return fail(tpl.error(), "face template");
  auto faces = printer::FaceRenderer::create(std::move(*tpl));
  if (!faces) return fail(faces.error(), "face renderer");
  auto rendered = faces->render(face);
  if (!rendered) return fail(rendered.error(), args.id + ": card face");
  auto pdfs = printer::DocumentRenderer::create();
  if (!pdfs) return fail(pdfs.error(), "document renderer");
  auto carrier = pdfs->carrier_pdf(letter);
  if (!carrier) return fail(carrier.error(), args.id + ": carrier letter");
  auto label_pdf = pdfs->label_pdf(label);
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
  std::cout << fmt::format("{}: wrote front.png, back.png, carrier.pdf, label.pdf to {}\n", args.id,
                           args.out);
  if (documents->placeholder_card_number)
    std::cout << fmt::format(
        "  card number {} is a PLACEHOLDER (the application is not prepared)\n",
        printer::mask_card_number(face.card_number));
  std::cout << fmt::format("  tracking number {} is a PLACEHOLDER (no courier yet)\n",
                           label.tracking_number);
  return 0;
}

struct PrintArgs {
  HsmOptions hsm;
  std::string id;
  std::string db;
  std::string printer;
  std::string face_template;
  RegionOptions region;
  int attempts = 8;
  int backoff_ms = 500;
};

// In an operator's words: what was sent, and whether the printer needed retries.
std::string describe(const server::PrintResult& r) {
  if (r.submissions == 0) return "both sides were already at the printer; nothing sent again";
  const int retries = r.attempts - r.submissions;
  if (retries <= 0)
    return fmt::format("{} side(s) sent, each accepted at the first attempt", r.submissions);
  return fmt::format("{} side(s) sent; the printer was unavailable {} time(s) before accepting",
                     r.submissions, retries);
}

int run_print(const PrintArgs& args) {
  const auto region = args.region.load();
  if (!region) return 2;
  SealedStore sealed;
  if (const int rc = open_sealed_store(args.hsm, args.db, false, sealed); rc != 0) return rc;
  db::Store* store = sealed.store.get();
  auto printer = printer::open_printer(args.printer);
  if (!printer) {
    // A URI that names no printer is bad input (2); a printer that is away is a failure (1).
    const int rc = fail(printer.error(), args.printer);
    return printer.error().code == printer::PrinterError::config_invalid ? 2 : rc;
  }
  auto tpl = printer::load_face_template(template_of(*region, args.face_template));
  if (!tpl) return fail(tpl.error(), "face template");
  auto faces = printer::FaceRenderer::create(std::move(*tpl));
  if (!faces) return fail(faces.error(), "face renderer");
  printer::RetryPolicy retry;
  retry.max_attempts = args.attempts;
  retry.initial_backoff = std::chrono::milliseconds(args.backoff_ms);
  retry.on_retry = [](int attempt, const Error& e, std::chrono::milliseconds pause) {
    std::cout << fmt::format(
                     "  the printer did not take attempt {} ({}); nothing lost, trying "
                     "again in {} ms",
                     attempt, e.describe(), pause.count())
              << std::endl;
  };
  server::PrintStation station(*store, **printer, *faces, *region, retry,
                               local_actor("cardctl print"));
  auto printed = station.print(args.id);
  if (!printed) {
    auto status = store->status(args.id);
    std::cerr << "cardctl: " << args.id << ": " << printed.error().describe() << " (application "
              << (status ? db::to_string(status->state) : "?") << ")\n";
    return 1;
  }
  std::cout << fmt::format("{}: PRINTED on {}: {}\n", args.id, args.printer, describe(*printed));
  return 0;
}

}  // namespace

void add_render_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RenderArgs>();
  auto* cmd = app.add_subcommand(
      "render",
      "Render an application's card faces, carrier letter and mailing label to files.\n"
      "The card number is the allocated one once the application is prepared (before:\n"
      "a PLACEHOLDER 'X' + 8 digits); tracking numbers are PLACEHOLDERS 'PH' + 12\n"
      "digits until a courier allocates them, marked as such on the letter and label.");
  cmd->add_option("application_id", args->id, "the bureau's application id")->required();
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_option("--out", args->out, "directory for front.png, back.png, carrier.pdf, label.pdf")
      ->required();
  cmd->add_option("--template", args->face_template,
                  "card face template (TOML) instead of the region's");
  args->region.add_to(*cmd);
  args->hsm.add_to(*cmd);
  cmd->callback([args, &exit_code] { exit_code = run_render(*args); });

  auto print = std::make_shared<PrintArgs>();
  auto* p = app.add_subcommand("print", "Print an encoded card's faces (ENCODED -> PRINTED)");
  p->add_option("application_id", print->id, "the bureau's application id")->required();
  p->add_option("--db", print->db, "SQLite database file")->required();
  p->add_option("--printer", print->printer, "ipp://host:port/path or dir:///absolute/path")
      ->required();
  p->add_option("--template", print->face_template,
                "card face template (TOML) instead of the region's");
  print->region.add_to(*p);
  p->add_option("--attempts", print->attempts, "attempts before giving up (stays PRINTING)")
      ->capture_default_str();
  p->add_option("--backoff-ms", print->backoff_ms, "first pause between attempts")
      ->capture_default_str();
  print->hsm.add_to(*p);
  p->callback([print, &exit_code] { exit_code = run_print(*print); });
}

}  // namespace cardd::cardctl
