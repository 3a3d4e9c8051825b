#include "cardd/card/pcsc_reader.h"

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>
#include <fmt/format.h>

#include <utility>

#include "cardd/card/feeder.h"

namespace cardd::card {
namespace {

constexpr std::chrono::seconds kEjectTimeout{5};

// pcscd or the reader itself went away (not the card).
bool reader_gone(LONG rc) {
  return rc == SCARD_E_NO_SERVICE || rc == SCARD_E_SERVICE_STOPPED ||
         rc == SCARD_E_READER_UNAVAILABLE || rc == SCARD_E_UNKNOWN_READER;
}

// The one place SCARD_* codes become ReaderError.
Error pcsc_error(LONG rc, std::string_view what) {
  ReaderError code = reader_gone(rc) ? ReaderError::reader_lost : ReaderError::protocol;
  switch (rc) {
    case SCARD_E_NO_READERS_AVAILABLE:
      code = ReaderError::no_reader;
      break;
    case SCARD_E_NO_SMARTCARD:
      code = ReaderError::no_card;
      break;
    case SCARD_W_REMOVED_CARD:
      code = ReaderError::card_removed;
      break;
    case SCARD_W_UNRESPONSIVE_CARD:
    case SCARD_W_UNPOWERED_CARD:
    // How a reader reports a card that stopped answering (CCID "ICC mute");
    // transmit() asks first whether the card was pulled instead.
    case SCARD_E_NOT_TRANSACTED:
      code = ReaderError::mute_card;
      break;
    case SCARD_E_TIMEOUT:
      code = ReaderError::timeout;
      break;
    default:
      break;
  }
  return make_error(code, fmt::format("{}: {} (0x{:08X})", what, pcsc_stringify_error(rc),
                                      static_cast<unsigned long>(rc)));
}

class Context {
 public:
  static Result<Context> establish() {
    SCARDCONTEXT ctx = 0;
    const LONG rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx);
    // Before any reader is involved, "no service" means pcscd is not running
    // at all; later it means the service went away under a reader.
    if (rc == SCARD_E_NO_SERVICE || rc == SCARD_E_SERVICE_STOPPED)
      return make_error(ReaderError::no_service,
                        "the PC/SC service (pcscd) is not running: start it with "
                        "`systemctl start pcscd.socket` or `pcscd -f`");
    if (rc != SCARD_S_SUCCESS) return pcsc_error(rc, "PC/SC context");
    return Context(ctx);
  }
  Context(Context&& o) noexcept : ctx_(std::exchange(o.ctx_, 0)) {}
  Context& operator=(Context&&) = delete;
  ~Context() {
    if (ctx_ != 0) SCardReleaseContext(ctx_);
  }
  SCARDCONTEXT get() const { return ctx_; }

 private:
  explicit Context(SCARDCONTEXT c) : ctx_(c) {}
  SCARDCONTEXT ctx_;
};

Result<std::vector<std::string>> list(const Context& ctx, std::string_view pattern) {
  DWORD size = 0;
  LONG rc = SCardListReaders(ctx.get(), nullptr, nullptr, &size);
  if (rc != SCARD_S_SUCCESS) return pcsc_error(rc, "listing readers");
  std::string buffer(size, '\0');
  rc = SCardListReaders(ctx.get(), nullptr, buffer.data(), &size);
  if (rc != SCARD_S_SUCCESS) return pcsc_error(rc, "listing readers");
  std::vector<std::string> names;
  for (std::size_t pos = 0; pos < buffer.size() && buffer[pos] != '\0';) {
    const std::string name(buffer.c_str() + pos);
    if (name.find(pattern) != std::string::npos) names.push_back(name);
    pos += name.size() + 1;
  }
  return names;
}

class PcscReader final : public Reader {
 public:
  PcscReader(Context ctx, std::string name) : ctx_(std::move(ctx)), name_(std::move(name)) {}
  ~PcscReader() override { (void)disconnect(); }

  std::string name() const override { return name_; }

  Result<Bytes> connect() override {
    (void)disconnect();
    DWORD protocol = 0;
    const LONG rc = SCardConnect(ctx_.get(), name_.c_str(), SCARD_SHARE_EXCLUSIVE,
                                 SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card_, &protocol);
    if (rc != SCARD_S_SUCCESS)
      return pcsc_error(rc, fmt::format("connecting to the card in {}", name_));
    protocol_ = protocol;
    connected_ = true;
    BYTE atr[MAX_ATR_SIZE];
    DWORD atr_length = sizeof(atr);
    DWORD state = 0, proto = 0, name_length = 0;
    const LONG st = SCardStatus(card_, nullptr, &name_length, &state, &proto, atr, &atr_length);
    if (st != SCARD_S_SUCCESS) return pcsc_error(st, "reading the ATR");
    return Bytes(atr, atr + atr_length);
  }

  Status disconnect() override {
    if (!connected_) return {};
    connected_ = false;
    // Reset: the next session starts from a card with no secure channel or
    // selection left over from this one.
    const LONG rc = SCardDisconnect(card_, SCARD_RESET_CARD);
    if (rc != SCARD_S_SUCCESS) return pcsc_error(rc, "disconnecting");
    return {};
  }

  // SCardDisconnect(SCARD_EJECT_CARD) alone reaches no IFD handler v3
  // (pcsc-lite only passes it to v2 drivers), so the feeder is told first by
  // its pseudo-APDU (feeder.h); then the card must leave within a few pcscd
  // polls (400 ms each).
  Status eject() override {
    if (!connected_)
      if (auto atr = connect(); !atr) return atr.error();
    auto answer = transmit(eject_command());
    connected_ = false;
    const LONG rc = SCardDisconnect(card_, SCARD_EJECT_CARD);
    if (!answer) return answer.error();
    if (rc != SCARD_S_SUCCESS) return pcsc_error(rc, fmt::format("{}: ejecting", name_));
    if (answer->sw != sw::kSuccess) return {};  // no feeder: the card stays for a person
    auto gone = wait(false, kEjectTimeout);
    if (!gone && gone.error().code == ReaderError::timeout)
      return make_error(ReaderError::timeout,
                        fmt::format("{}: the ejected card did not leave the slot", name_));
    return gone;
  }

  Result<ResponseApdu> transmit(const CommandApdu& command) override {
    if (!connected_)
      return make_error(ReaderError::no_card, fmt::format("{}: not connected", name_));
    auto encoded = command.encode();
    if (!encoded) return encoded.error();
    const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    Bytes response(65538);
    DWORD length = static_cast<DWORD>(response.size());
    const LONG rc = SCardTransmit(card_, pci, encoded->data(), static_cast<DWORD>(encoded->size()),
                                  nullptr, response.data(), &length);
    if (rc != SCARD_S_SUCCESS) {
      // pcsc-lite reports a card pulled mid-exchange as a failed
      // transaction; ask the slot to tell the two apart. A slot that cannot
      // be asked because pcscd or the reader went away is not a pulled card.
      if (reader_gone(rc)) return pcsc_error(rc, fmt::format("{}: transmit", name_));
      const LONG slot = slot_state();
      if (reader_gone(slot)) return pcsc_error(slot, fmt::format("{}: transmit", name_));
      if (slot != SCARD_S_SUCCESS)
        return make_error(ReaderError::card_removed,
                          fmt::format("{}: the card was removed during the exchange", name_));
      return pcsc_error(rc, fmt::format("{}: transmit", name_));
    }
    response.resize(length);
    if (length < 2) {
      // No status word: the card went silent or left. vpcd answers an empty
      // response when its card vanished; give pcscd a moment to notice.
      if (!wait(false, std::chrono::milliseconds(500)))
        return make_error(ReaderError::mute_card,
                          fmt::format("{}: the card gave no status word", name_));
      return make_error(ReaderError::card_removed,
                        fmt::format("{}: the card was removed during the exchange", name_));
    }
    return ResponseApdu::parse(response);
  }

  // SCARD_S_SUCCESS while the card is in the slot; otherwise the code that
  // says why not (SCARD_W_REMOVED_CARD for a card that left).
  LONG slot_state() {
    DWORD state = 0, proto = 0, name_length = 0, atr_length = 0;
    const LONG rc = SCardStatus(card_, nullptr, &name_length, &state, &proto, nullptr, &atr_length);
    if (rc != SCARD_S_SUCCESS) return rc;
    return (state & SCARD_PRESENT) != 0 ? SCARD_S_SUCCESS : SCARD_W_REMOVED_CARD;
  }

  Status wait_for_card(std::chrono::milliseconds timeout) override { return wait(true, timeout); }
  Status wait_for_removal(std::chrono::milliseconds timeout) override {
    return wait(false, timeout);
  }

 private:
  Status wait(bool present, std::chrono::milliseconds timeout) {
    SCARD_READERSTATE state{};
    state.szReader = name_.c_str();
    state.dwCurrentState = SCARD_STATE_UNAWARE;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      const LONG rc = SCardGetStatusChange(
          ctx_.get(), static_cast<DWORD>(std::max<long>(0, left.count())), &state, 1);
      if (rc == SCARD_E_TIMEOUT)
        return make_error(ReaderError::timeout,
                          fmt::format("{}: {} after {} ms", name_,
                                      present ? "no card in the slot" : "the card is still there",
                                      timeout.count()));
      if (rc != SCARD_S_SUCCESS)
        return pcsc_error(rc, fmt::format("{}: waiting for the card", name_));
      const bool has_card = (state.dwEventState & SCARD_STATE_PRESENT) != 0;
      if (has_card == present) return {};
      state.dwCurrentState = state.dwEventState;
    }
  }

  Context ctx_;
  std::string name_;
  SCARDHANDLE card_ = 0;
  DWORD protocol_ = 0;
  bool connected_ = false;
};

}  // namespace

Result<std::vector<std::string>> list_pcsc_readers(std::string_view pattern) {
  auto ctx = Context::establish();
  if (!ctx) return ctx.error();
  return list(*ctx, pattern);
}

Result<std::unique_ptr<Reader>> open_pcsc_reader(std::string_view pattern) {
  auto ctx = Context::establish();
  if (!ctx) return ctx.error();
  auto names = list(*ctx, pattern);
  if (!names) return names.error();
  if (names->empty())
    return make_error(ReaderError::no_reader, fmt::format("no PC/SC reader matches '{}'", pattern));
  return std::unique_ptr<Reader>(std::make_unique<PcscReader>(std::move(*ctx), names->front()));
}

}  // namespace cardd::card
