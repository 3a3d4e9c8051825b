// Per-card encode time: the whole encoding session (secure channel, STORE
// DATA, read-back, key proofs, lock; keys in the soft HSM) against the
// virtual card in-process and through pcscd + vpcd + vcard, with 1 and 2
// slots in parallel. The floor, measured in the same run: one recorded
// session's exact APDU sequence replayed with bare SCardConnect /
// SCardTransmit calls. The vcards run with --fresh-on-reset (every reset
// brings back the same blank card), so the replayed session is accepted byte
// for byte: the floor does the card's full work, only the host side is gone.
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <winscard.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.h"
#include "bureau_photo.h"
#include "cardd/card/pcsc_reader.h"
#include "cardd/hsm/factory.h"
#include "cardd/personalization/card_data.h"
#include "cardd/personalization/encoding_session.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/virtual_card.h"
#include "child_process.h"
#include "hex.h"
#include "pcscd.h"
#include "regions.h"
#include "soft_hsm.h"

namespace {

namespace fs = std::filesystem;
using namespace cardd;
using card::Bytes;

constexpr const char* kKmc = "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF";
const char* const kSlots[] = {"Virtual PCD 00 00", "Virtual PCD 00 01"};
const char* const kPorts[] = {"35963", "35964"};

struct Env {
  test::TempDir dir;
  personalization::CardProfile profile;
  std::unique_ptr<hsm::Hsm> hsm;
  personalization::PreparedCard card;
  std::optional<test::ChildProcess> pcscd;
  std::vector<test::ChildProcess> vcards;
  std::string error;  // why the PC/SC benchmarks cannot run

  Env() {
    // Beijing's chip layout with its region's issuer codes.
    const auto& region = test::shipped_region();
    profile = *personalization::load_card_profile(region.chip_profile().string());
    profile.issuer.region_code = region.code;
    profile.issuer.vendor_code = region.vendor_code;
    hsm = test::open_soft_hsm(dir.path());
    const auto& sc = profile.secure_channel;
    test::import_clear_key(*hsm, hsm::KeySpec{sc.master_key, sc.algorithm, {hsm::Usage::derive}, 1},
                           test::hex(kKmc));
    for (const auto& app : profile.applications)
      for (const auto& key : app.keys)
        (void)hsm->generate(
            personalization::application_master_key_spec(key.master_key, sc.algorithm));
    personalization::HolderData holder{
        "阿依古丽·买买提",   "11010519491231002X", true, "05", CivilDate{1949, 12, 31}, "ICBC",
        test::bureau_photo()};
    card = *personalization::prepare_card(profile, holder, "B10000001", "6212260000000000428",
                                          CivilDate{2026, 11, 25});
    start_pcsc();
  }
  ~Env() {
    vcards.clear();
    if (pcscd) pcscd->terminate();
  }

  void start_pcsc() {
    pcscd = test::ensure_pcscd(kSlots[0], error);
    if (!error.empty()) return;
    for (int slot = 0; slot < 2; ++slot) {
      auto vcard = test::insert_vcard(
          kSlots[slot],
          {"--port", kPorts[slot], "--state",
           (dir.path() / ("card" + std::to_string(slot) + ".json")).string(), "--serial",
           "CAFE000" + std::to_string(slot + 1), "--kmc", kKmc, "--fresh-on-reset"},
          error);
      if (vcard) vcards.push_back(std::move(*vcard));
      if (!error.empty()) return;
    }
  }
};

Env& env() {
  static Env e;
  return e;
}

// The reader as the session sees it, remembering every command it sent.
class RecordingReader final : public card::Reader {
 public:
  explicit RecordingReader(card::Reader& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  Result<Bytes> connect() override { return inner_.connect(); }
  Status disconnect() override { return inner_.disconnect(); }
  Result<card::ResponseApdu> transmit(const card::CommandApdu& c) override {
    auto r = inner_.transmit(c);
    if (r) {
      commands.push_back(*c.encode());
      responses.push_back(r->encode());
    }
    return r;
  }
  Status wait_for_card(std::chrono::milliseconds t) override { return inner_.wait_for_card(t); }
  Status wait_for_removal(std::chrono::milliseconds t) override {
    return inner_.wait_for_removal(t);
  }
  std::vector<Bytes> commands, responses;

 private:
  card::Reader& inner_;
};

void EncodeInProcess(benchmark::State& state) {
  Env& e = env();
  for (auto _ : state) {
    vcard::CardState blank;
    blank.serial = {0xCA, 0xFE, 0x00, static_cast<std::uint8_t>(state.thread_index() + 1)};
    blank.keys = *vcard::diversified_keys(vcard::Cipher::aes, test::hex(kKmc), blank.serial);
    vcard::VirtualCard card(std::move(blank));
    vcard::InProcessReader reader(card);
    auto r = personalization::encode_card(reader, *e.hsm, e.profile, e.card, {});
    if (!r) state.SkipWithError(r.error().describe().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

void EncodePcsc(benchmark::State& state) {
  Env& e = env();
  if (!e.error.empty()) {
    state.SkipWithError(e.error.c_str());
    return;
  }
  auto reader = card::open_pcsc_reader(kSlots[state.thread_index()]);
  if (!reader) {
    state.SkipWithError(reader.error().describe().c_str());
    return;
  }
  for (auto _ : state) {
    auto r = personalization::encode_card(**reader, *e.hsm, e.profile, e.card, {});
    if (!r) state.SkipWithError(r.error().describe().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

// One session recorded through PC/SC on slot 0, for the replay.
struct Recording {
  std::vector<Bytes> commands, responses;
  std::string error;
};

const Recording& recording() {
  static const Recording rec = [] {
    Recording out;
    Env& e = env();
    auto reader = card::open_pcsc_reader(kSlots[0]);
    if (!reader) {
      out.error = reader.error().describe();
      return out;
    }
    RecordingReader recorder(**reader);
    auto r = personalization::encode_card(recorder, *e.hsm, e.profile, e.card, {});
    if (!r) out.error = r.error().describe();
    out.commands = std::move(recorder.commands);
    out.responses = std::move(recorder.responses);
    return out;
  }();
  return rec;
}

std::atomic<std::uint64_t> replay_mismatches{0};

// The floor: the same APDUs with bare pcsc-lite calls, connection handled
// as PcscReader does (reset between cards, exclusive share, ATR read).
void ReplayFloor(benchmark::State& state) {
  Env& e = env();
  const Recording& rec = recording();
  if (!e.error.empty() || !rec.error.empty()) {
    state.SkipWithError((e.error + rec.error).c_str());
    return;
  }
  SCARDCONTEXT ctx = 0;
  if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx) != SCARD_S_SUCCESS) {
    state.SkipWithError("SCardEstablishContext failed");
    return;
  }
  // Readers are listed by their full names ("Virtual PCD 00 00" + suffix).
  DWORD size = 0;
  SCardListReaders(ctx, nullptr, nullptr, &size);
  std::string names(size, '\0');
  SCardListReaders(ctx, nullptr, names.data(), &size);
  std::string name;
  for (const char* p = names.c_str(); *p != '\0'; p += std::strlen(p) + 1)
    if (std::string_view(p).find(kSlots[0]) != std::string_view::npos) name = p;
  Bytes response(65538);
  for (auto _ : state) {
    SCARDHANDLE card = 0;
    DWORD protocol = 0;
    if (SCardConnect(ctx, name.c_str(), SCARD_SHARE_EXCLUSIVE,
                     SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol) != SCARD_S_SUCCESS) {
      state.SkipWithError("SCardConnect failed");
      break;
    }
    BYTE atr[MAX_ATR_SIZE];
    DWORD atr_length = sizeof(atr), st = 0, proto = 0, name_length = 0;
    SCardStatus(card, nullptr, &name_length, &st, &proto, atr, &atr_length);
    const SCARD_IO_REQUEST* pci = protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    for (std::size_t i = 0; i < rec.commands.size(); ++i) {
      DWORD length = static_cast<DWORD>(response.size());
      SCardTransmit(card, pci, rec.commands[i].data(), static_cast<DWORD>(rec.commands[i].size()),
                    nullptr, response.data(), &length);
      if (!std::equal(response.begin(), response.begin() + static_cast<std::ptrdiff_t>(length),
                      rec.responses[i].begin(), rec.responses[i].end()))
        ++replay_mismatches;
    }
    SCardDisconnect(card, SCARD_RESET_CARD);
  }
  SCardReleaseContext(ctx);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("EncodeInProcess", EncodeInProcess)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime();
  benchmark::RegisterBenchmark("EncodePcsc", EncodePcsc)->Threads(1)->Threads(2)->UseRealTime();
  benchmark::RegisterBenchmark("ReplayFloor", ReplayFloor)->UseRealTime();
  const auto rates = bench::run_benchmarks(argc, argv);
  const auto rate = [&](const std::string& n) {
    const auto it = rates.find(n);
    return it == rates.end() ? 0.0 : it->second;
  };
  const double pcsc = rate("EncodePcsc/threads:1"), floor = rate("ReplayFloor");
  std::printf(
      "\nper card: in-process %.2f ms, through pcscd %.2f ms, bare replay %.2f ms "
      "(%zu APDUs)\n",
      1000.0 / rate("EncodeInProcess/threads:1"), 1000.0 / pcsc, 1000.0 / floor,
      recording().commands.size());
  if (pcsc > 0 && floor > 0)
    std::printf("encode through pcscd / bare replay = %.2fx time (target <= 1.10) %s\n",
                floor / pcsc, floor / pcsc <= 1.10 ? "ok" : "ABOVE TARGET");
  std::printf(
      "cards/s: in-process 1 thread %.0f, 2 threads %.0f; pcscd 1 slot %.1f, 2 slots %.1f\n",
      rate("EncodeInProcess/threads:1"), rate("EncodeInProcess/threads:2"), pcsc,
      rate("EncodePcsc/threads:2"));
  std::printf("replayed responses that differed from the recording: %llu\n",
              static_cast<unsigned long long>(replay_mismatches.load()));
  return 0;
}
