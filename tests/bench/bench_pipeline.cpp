// Cards per second end to end, as a production line makes a mailed card:
// data preparation (the prepared record sealed under the soft HSM's storage
// keys), the encoding session on an in-process virtual card (keys in the
// soft HSM), both card faces rendered, printed on a directory printer, QC
// (the chip read back and compared with the face values), and the pack's
// paper (carrier letters and labels as two batch PDFs per pack of 50, on a
// directory printer, amortised per card). With 1 and 2 workers (each a line
// whose printer works beside it), next to each stage measured alone in the
// same run. Target: >= 200 cards/s, 2 workers.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_support.h"
#include "cardd/common/base64.h"
#include "cardd/hsm/factory.h"
#include "cardd/personalization/card_data.h"
#include "cardd/personalization/card_reader.h"
#include "cardd/personalization/encoding_session.h"
#include "cardd/printer/documents.h"
#include "cardd/printer/face_renderer.h"
#include "cardd/printer/printer.h"
#include "cardd/server/hsm_sealer.h"
#include "cardd/server/region_profile.h"
#include "cardd/testdata/generator.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/virtual_card.h"
#include "child_process.h"
#include "hex.h"
#include "regions.h"
#include "soft_hsm.h"
#include "test_places.h"

namespace {

namespace fs = std::filesystem;
using namespace cardd;

constexpr const char* kKmc = "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF";
constexpr std::size_t kPack = 50;
constexpr int kMaxThreads = 2;

struct Holder {
  std::string id;
  personalization::HolderData data;
  std::string recipient_name, address, postal_code;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_pipeline: %s\n", what.c_str());
  std::exit(1);
}

struct Env {
  test::TempDir dir;
  personalization::CardProfile profile;
  std::unique_ptr<hsm::Hsm> hsm;
  std::unique_ptr<server::HsmSealer> sealer;
  printer::FaceTemplate face_template;
  std::vector<Holder> holders;

  Env() {
    const auto& region = test::shipped_region();
    auto p = server::load_region_profile(region);
    if (!p) die(p.error().describe());
    profile = std::move(*p);
    hsm = test::open_soft_hsm(dir.path());
    const auto& sc = profile.secure_channel;
    test::import_clear_key(*hsm, hsm::KeySpec{sc.master_key, sc.algorithm, {hsm::Usage::derive}, 1},
                           test::hex(kKmc));
    for (const auto& app : profile.applications)
      for (const auto& key : app.keys)
        (void)hsm->generate(
            personalization::application_master_key_spec(key.master_key, sc.algorithm));
    if (auto keys = server::create_storage_keys(*hsm, false); !keys) die(keys.error().describe());
    auto s = server::HsmSealer::open(*hsm);
    if (!s) die(s.error().describe());
    sealer = std::move(*s);
    auto t = printer::load_face_template(region.face_template());
    if (!t) die(t.error().describe());
    face_template = std::move(*t);
    // 32 generated mail applications (names with Extension B characters, real photos).
    const testdata::Generator generator(test::generator_options(7));
    for (std::uint64_t i = 0; holders.size() < 32 && i < 1000; ++i) {
      const auto app = nlohmann::json::parse(generator.make(i).json);
      if (!app.contains("recipient")) continue;
      Holder h;
      h.id = app.at("application_id").get<std::string>();
      h.data.name = app.at("name").get<std::string>();
      h.data.id_number = app.at("id_number").get<std::string>();
      h.data.female = app.at("gender").get<std::string>() == "female";
      h.data.ethnicity = app.at("ethnicity").get<std::string>();
      h.data.birth_date = *CivilDate::parse_iso(app.at("birth_date").get<std::string>());
      h.data.issuing_bank = app.at("issuing_bank").get<std::string>();
      h.data.photo = *base64_decode(app.at("photo").get<std::string>());
      h.recipient_name = app.at("recipient").at("name").get<std::string>();
      h.address = app.at("recipient").at("address").get<std::string>();
      h.postal_code = app.at("recipient").at("postal_code").get<std::string>();
      holders.push_back(std::move(h));
    }
    if (holders.size() < 32) die("the generator gave too few mail applications");
  }
};

Env& env() {
  static Env e;
  return e;
}

std::atomic<std::int64_t> next_number{1};

// One worker's tools: a face renderer, a document renderer and two
// directory printers of its own (each is used by one thread at a time).
struct Worker {
  fs::path folder;
  printer::FaceRenderer faces;
  printer::DocumentRenderer documents;
  std::unique_ptr<printer::Printer> card_printer, paper_printer;
  std::vector<printer::CarrierLetter> letters;
  std::vector<printer::MailingLabel> labels;

  static Worker make(int thread) {
    Env& e = env();
    const fs::path folder = e.dir.path() / ("worker" + std::to_string(thread));
    fs::create_directories(folder / "cards");
    fs::create_directories(folder / "paper");
    auto faces = printer::FaceRenderer::create(e.face_template);
    auto documents = printer::DocumentRenderer::create();
    auto cards = printer::open_printer("dir://" + (folder / "cards").string());
    auto paper = printer::open_printer("dir://" + (folder / "paper").string());
    if (!faces || !documents || !cards || !paper) die("worker set-up failed");
    return Worker{
        folder, std::move(*faces), std::move(*documents), std::move(*cards), std::move(*paper), {},
        {}};
  }
};

// A card in the making.
struct Card {
  const Holder* holder = nullptr;
  std::string card_number;
  personalization::PreparedCard prepared;
  std::unique_ptr<vcard::VirtualCard> chip;
  printer::FaceData face;
};

// Data preparation: the card's data items built and the record sealed, as
// the store keeps it.
void prepare(Card& c, std::int64_t n) {
  Env& e = env();
  c.card_number = personalization::format_card_number(e.profile.issuer, n);
  const personalization::BankSpec* bank = e.profile.issuer.bank(c.holder->data.issuing_bank);
  if (bank == nullptr) die("no BIN for the holder's bank");
  auto prepared =
      personalization::prepare_card(e.profile, c.holder->data, c.card_number,
                                    personalization::make_pan(*bank, n), CivilDate{2026, 11, 30});
  if (!prepared) die(prepared.error().describe());
  auto sealed = e.sealer->seal(personalization::to_json(*prepared), c.holder->id);
  if (!sealed) die(sealed.error().describe());
  benchmark::DoNotOptimize(sealed->data());
  c.prepared = std::move(*prepared);
}

// The encoding session on a fresh blank card.
void encode(Card& c, std::int64_t n) {
  vcard::CardState blank;
  blank.serial = {0xCA, static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
                  static_cast<std::uint8_t>(n)};
  blank.keys = *vcard::diversified_keys(vcard::Cipher::aes, test::hex(kKmc), blank.serial);
  c.chip = std::make_unique<vcard::VirtualCard>(std::move(blank));
  vcard::InProcessReader reader(*c.chip);
  auto r = personalization::encode_card(reader, *env().hsm, env().profile, c.prepared, {});
  if (!r) die(r.error().describe());
}

printer::FaceData face_of(const Card& c) {
  printer::FaceData d;
  d.name = c.holder->data.name;
  d.social_security_number = c.holder->data.id_number;
  d.card_number = c.card_number;
  d.issue_year = 2026;
  d.issue_month = 11;
  d.bank_name = "中国工商银行";
  d.service_hotline = "12333";
  d.vendor_code = "V0101";
  d.photo_jpeg = c.holder->data.photo;
  return d;
}

printer::RenderedFace render(Worker& w, const Card& c) {
  auto face = w.faces.render(c.face);
  if (!face) die(face.error().describe());
  return std::move(*face);
}

// Both faces to the card machine's hot folder; the machine takes each file
// (removed here, so a long run does not fill the disk).
void print(Worker& w, printer::RenderedFace face, std::int64_t n) {
  for (auto [side, png] : {std::pair{"front", &face.front_png}, {"back", &face.back_png}}) {
    const std::string name = "card-" + std::to_string(n) + "-" + side;
    if (auto r = w.card_printer->submit({name, "image/png", std::move(*png)}); !r)
      die(r.error().describe());
    fs::remove(w.folder / "cards" / (name + ".png"));
  }
}

// QC: the chip read back through its public commands agrees with the face.
void qc(const Card& c) {
  vcard::InProcessReader reader(*c.chip);
  auto chip = personalization::read_card(reader, env().profile, env().hsm.get());
  if (!chip) die(chip.error().describe());
  const auto item = [&](const char* name) {
    const auto it = chip->items.find(name);
    return it == chip->items.end() ? std::string() : it->second;
  };
  if (item("holder.name") != c.face.name || item("holder.ssn") != c.face.social_security_number ||
      item("card.number") != c.face.card_number || chip->life_cycle != "SECURED")
    die("QC mismatch");
}

// The card's letter and label join the pack; a full pack's paper is rendered
// as two PDFs and printed.
void paper(Worker& w, const Card& c, std::int64_t n) {
  printer::CarrierLetter l;
  l.title = "北京市社会保障卡（第三代）发卡通知函";
  l.application_id = c.holder->id;
  l.holder_name = c.face.name;
  l.address = c.holder->address;
  l.postal_code = c.holder->postal_code;
  l.card_number = c.card_number;
  l.bank_name = c.face.bank_name;
  l.mail = true;
  l.courier = "中国邮政EMS";
  l.tracking_number = "EA" + std::to_string(100000000 + n) + "CN";
  l.service_hotline = "12333";
  printer::MailingLabel m;
  m.application_id = c.holder->id;
  m.sender = "中国工商银行 社会保障卡发卡中心";
  m.recipient_name = c.holder->recipient_name;
  m.address = c.holder->address;
  m.postal_code = c.holder->postal_code;
  m.courier = l.courier;
  m.tracking_number = l.tracking_number;
  w.letters.push_back(std::move(l));
  w.labels.push_back(std::move(m));
  if (w.letters.size() < kPack) return;
  auto letters = w.documents.carrier_batch_pdf(w.letters);
  auto labels = w.documents.label_batch_pdf(w.labels);
  if (!letters || !labels) die((letters ? labels.error() : letters.error()).describe());
  for (auto [what, pdf] : {std::pair{"letters", &*letters}, {"labels", &*labels}}) {
    const std::string name = "pack-" + std::to_string(n) + "-" + what;
    if (auto r = w.paper_printer->submit({name, "application/pdf", std::move(*pdf)}); !r)
      die(r.error().describe());
    fs::remove(w.folder / "paper" / (name + ".pdf"));
  }
  w.letters.clear();
  w.labels.clear();
}

Card new_card(std::int64_t n) {
  Card c;
  c.holder = &env().holders[static_cast<std::size_t>(n) % env().holders.size()];
  return c;
}

// ---------------------------------------------------------------- stages alone

void Prepare(benchmark::State& state) {
  for (auto _ : state) {
    const std::int64_t n = next_number++;
    Card c = new_card(n);
    prepare(c, n);
  }
  state.SetItemsProcessed(state.iterations());
}

// A card prepared once; each iteration encodes a fresh blank card.
void Encode(benchmark::State& state) {
  Card c = new_card(0);
  prepare(c, next_number++);
  for (auto _ : state) encode(c, next_number++);
  state.SetItemsProcessed(state.iterations());
}

// `n` cards with card numbers and face values (no chip work): what the
// rendering stages take.
std::vector<Card> numbered_cards(std::int64_t n) {
  std::vector<Card> cards;
  for (std::int64_t i = 0; i < n; ++i) {
    cards.push_back(new_card(i));
    cards.back().card_number = personalization::format_card_number(env().profile.issuer, i + 1);
    cards.back().face = face_of(cards.back());
  }
  return cards;
}

void RenderFaces(benchmark::State& state) {
  Worker w = Worker::make(state.thread_index());
  const std::vector<Card> cards = numbered_cards(32);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(render(w, cards[i++ % cards.size()]));
  state.SetItemsProcessed(state.iterations());
}

void PrintFaces(benchmark::State& state) {
  Worker w = Worker::make(state.thread_index());
  Card c = new_card(0);
  c.card_number = "A00000001";
  c.face = face_of(c);
  const printer::RenderedFace face = render(w, c);
  for (auto _ : state) print(w, face, next_number++);
  state.SetItemsProcessed(state.iterations());
}

void Qc(benchmark::State& state) {
  Card c = new_card(0);
  prepare(c, next_number++);
  encode(c, next_number++);
  c.face = face_of(c);
  for (auto _ : state) qc(c);
  state.SetItemsProcessed(state.iterations());
}

void Paper(benchmark::State& state) {
  Worker w = Worker::make(state.thread_index());
  const std::vector<Card> cards = numbered_cards(32);
  std::size_t i = 0;
  for (auto _ : state) paper(w, cards[i++ % cards.size()], next_number++);
  state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------- end to end

// A line's card printer works beside its encoder, as in a card machine: while
// the printer takes the faces of the cards before (the directory printer's
// fsyncs, one card after the other), the worker prepares, encodes and renders
// the next; a card's QC and paper follow once it is printed. Every card passes
// every stage; the QC and paper of the last cards in flight fall after the
// timed loop (a few cards in hundreds).
void Pipeline(benchmark::State& state) {
  constexpr std::size_t kInFlight = 2;
  Worker w = Worker::make(state.thread_index());
  struct Printing {
    Card card;
    std::int64_t number;
    std::shared_future<void> printed;
  };
  std::deque<Printing> printing;
  const auto finish_oldest = [&] {
    printing.front().printed.get();
    qc(printing.front().card);
    paper(w, printing.front().card, printing.front().number);
    printing.pop_front();
  };
  for (auto _ : state) {
    const std::int64_t n = next_number++;
    Card c = new_card(n);
    prepare(c, n);
    encode(c, n);
    c.face = face_of(c);
    printer::RenderedFace face = render(w, c);
    // One card after the other on the line's printer.
    std::shared_future<void> before =
        printing.empty() ? std::shared_future<void>() : printing.back().printed;
    auto printed =
        std::async(std::launch::async, [&w, before, face = std::move(face), n]() mutable {
          if (before.valid()) before.wait();
          print(w, std::move(face), n);
        });
    printing.push_back({std::move(c), n, printed.share()});
    if (printing.size() > kInFlight) finish_oldest();
  }
  while (!printing.empty()) finish_oldest();
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  (void)env();
  const auto stage = [](const char* name, void (*fn)(benchmark::State&)) {
    return benchmark::RegisterBenchmark(name, fn)->UseRealTime()->Unit(benchmark::kMillisecond);
  };
  stage("Prepare", Prepare)->Threads(1)->Threads(kMaxThreads);
  stage("Encode", Encode)->Threads(1)->Threads(kMaxThreads);
  // Also the control for "do two threads help here now": no HSM, no shared
  // locks, so its 2-thread gain is what this machine's second core gives.
  stage("RenderFaces", RenderFaces)->Threads(1)->Threads(kMaxThreads);
  stage("PrintFaces", PrintFaces);
  stage("Qc", Qc);
  // Enough cards for several packs: the paper is per pack.
  stage("Paper", Paper)->MinTime(1.0);
  stage("Pipeline", Pipeline)->Threads(1)->Threads(kMaxThreads)->MinTime(2.0);
  const auto rates = bench::run_benchmarks(argc, argv);
  const auto rate = [&](const std::string& n) {
    const auto it = rates.find(n);
    return it == rates.end() ? 0.0 : it->second;
  };
  const auto ms = [](double per_second) { return per_second > 0 ? 1000.0 / per_second : 0.0; };
  double sum = 0;
  std::printf("\nstages alone, one thread, ms per card:");
  for (const char* s : {"Prepare", "Encode", "RenderFaces", "PrintFaces", "Qc", "Paper"}) {
    const std::string name =
        std::string(s) + (s == std::string("Prepare") || s == std::string("Encode") ||
                                  s == std::string("RenderFaces")
                              ? "/threads:1"
                              : "");
    std::printf(" %s %.2f", s, ms(rate(name)));
    sum += ms(rate(name));
  }
  std::printf(" = %.2f ms (%.0f cards/s)\n", sum, sum > 0 ? 1000.0 / sum : 0.0);
  const double one = rate("Pipeline/threads:1"), two = rate("Pipeline/threads:2");
  std::printf("pipeline, 1 worker:  %6.0f cards/s = %.2fx the sum of its stages\n", one,
              one * sum / 1000.0);
  std::printf("pipeline, 2 workers: %6.0f cards/s = %.2fx 1 worker (target >= 200 cards/s) %s\n",
              two, one > 0 ? two / one : 0.0, two >= 200 ? "ok" : "BELOW TARGET");
  const double p1 = rate("Prepare/threads:1"), p2 = rate("Prepare/threads:2");
  const double e1 = rate("Encode/threads:1"), e2 = rate("Encode/threads:2");
  const double r1 = rate("RenderFaces/threads:1"), r2 = rate("RenderFaces/threads:2");
  std::printf(
      "soft HSM in parallel: prepare %.0f/s -> %.0f/s (%.2fx), encode %.0f/s -> %.0f/s "
      "(%.2fx) with 2 threads; the control without HSM (faces) %.2fx\n",
      p1, p2, p1 > 0 ? p2 / p1 : 0.0, e1, e2, e1 > 0 ? e2 / e1 : 0.0, r1 > 0 ? r2 / r1 : 0.0);
  return 0;
}
