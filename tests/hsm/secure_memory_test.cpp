// Key memory: page-aligned whole pages, left out of core dumps, wiped; and
// the process made non-dumpable once an HSM is opened.
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "cardd/hsm/secure_bytes.h"
#include "keystore_fixture.h"

namespace cardd::hsm::test {
namespace {

// AddressSanitizer turns mlock into a no-op by design: the pages stay
// unlocked in the sanitizer build, and that is what it shows. GCC and clang
// say they build with it in different ways.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMlockIsANoOp = true;
#elif defined(__has_feature)
constexpr bool kMlockIsANoOp = __has_feature(address_sanitizer);
#else
constexpr bool kMlockIsANoOp = false;
#endif

// The VmFlags line of the mapping that holds `p` in /proc/self/smaps.
std::string vm_flags_of(const void* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    unsigned long from = 0, to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-' &&
        line.find(' ') != std::string::npos && line.find(':') > line.find(' ')) {
      inside = from <= address && address < to;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return {};
}

TEST(SecureMemory, AllocationsAreWholePagesLeftOutOfCoreDumps) {
  const std::size_t page = secure_page_size();
  ASSERT_GE(page, 4096u);
  SecureAllocator<std::uint8_t> alloc;
  std::uint8_t* small = alloc.allocate(16);
  std::uint8_t* large = alloc.allocate(page + 1);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(small) % page, 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(large) % page, 0u);
  EXPECT_GE(static_cast<std::size_t>(large > small ? large - small : small - large), page)
      << "no two allocations share a page";
  // MADV_DONTDUMP shows as "dd" in the mapping's flags.
  EXPECT_NE(vm_flags_of(small).find(" dd"), std::string::npos) << vm_flags_of(small);
  EXPECT_NE(vm_flags_of(large + page).find(" dd"), std::string::npos) << "the second page too";
  // Locked ("lo"): two pages are far below any usual RLIMIT_MEMLOCK.
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_MEMLOCK, &limit), 0);
  ASSERT_GE(limit.rlim_cur, rlim_t{1} << 20) << "this test expects the usual 8 MiB limit or more";
  EXPECT_EQ(vm_flags_of(small).find(" lo") != std::string::npos, !kMlockIsANoOp)
      << vm_flags_of(small);
  alloc.deallocate(small, 16);
  alloc.deallocate(large, page + 1);
}

TEST(SecureMemory, SecureBytesLiveInSecureMemoryAndWipe) {
  SecureBytes key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = 0xA5;
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(key.data()) % secure_page_size(), 0u);
  EXPECT_NE(vm_flags_of(key.data()).find(" dd"), std::string::npos);
  // wipe() zeroes the bytes before letting go of them (the storage itself
  // stays allocated until destruction, so it can be looked at here).
  const std::uint8_t* raw = key.data();
  key.wipe();
  EXPECT_TRUE(key.empty());
  EXPECT_EQ(std::count(raw, raw + 32, 0), 32);
}

// Freed single pages are kept for reuse (no mlock/madvise per key copy):
// a page handed out again is wiped, still locked and still out of dumps.
TEST(SecureMemory, AReusedPageIsWipedAndStillProtected) {
  SecureAllocator<std::uint8_t> alloc;
  std::uint8_t* first = alloc.allocate(32);
  std::fill(first, first + secure_page_size(), std::uint8_t{0xA5});
  alloc.deallocate(first, 32);
  std::uint8_t* again = alloc.allocate(16);
  EXPECT_EQ(again, first) << "the freed page is the next one handed out";
  EXPECT_EQ(std::count(again, again + secure_page_size(), 0),
            static_cast<std::ptrdiff_t>(secure_page_size()));
  EXPECT_NE(vm_flags_of(again).find(" dd"), std::string::npos) << vm_flags_of(again);
  EXPECT_EQ(vm_flags_of(again).find(" lo") != std::string::npos, !kMlockIsANoOp)
      << vm_flags_of(again);
  alloc.deallocate(again, 16);
}

// Key operations from two threads at once (shared key values, per-thread
// OpenSSL contexts, pooled key memory) give what one thread gives, while
// ephemeral keys come and go.
TEST_F(KeystoreTest, KeyOperationsFromTwoThreadsAgreeWithOneThread) {
  auto hsm = create();
  ASSERT_NE(hsm, nullptr);
  const KeySpec master{"master", Algorithm::aes128, {Usage::derive}, 1};
  ASSERT_TRUE(hsm->generate(master).ok());
  auto work = [&](int thread, std::vector<Bytes>& out) {
    for (std::uint8_t i = 0; i < 200; ++i) {
      const std::string name = fmt::format("session.{}.{}", thread, i);
      auto key = hsm->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, Bytes(16, i)},
                             KeySpec{name, Algorithm::aes128, {Usage::mac}, 1});
      ASSERT_TRUE(key.ok()) << key.error().describe();
      auto mac = hsm->mac(name, MacMethod::cmac, Bytes(40, static_cast<std::uint8_t>(i + 1)));
      ASSERT_TRUE(mac.ok()) << mac.error().describe();
      out.push_back(*mac);
      ASSERT_TRUE(hsm->destroy(name).ok());
    }
  };
  std::vector<Bytes> alone, a, b;
  work(0, alone);
  std::thread t1([&] { work(1, a); });
  std::thread t2([&] { work(2, b); });
  t1.join();
  t2.join();
  ASSERT_EQ(alone.size(), 200u);
  EXPECT_EQ(a, alone);
  EXPECT_EQ(b, alone);
  EXPECT_NE(alone[0], alone[1]);
}

TEST_F(KeystoreTest, OpeningAnHsmMakesTheProcessNonDumpable) {
  ASSERT_EQ(::prctl(PR_SET_DUMPABLE, 1), 0);
  ASSERT_EQ(::prctl(PR_GET_DUMPABLE), 1);
  auto hsm = create();
  ASSERT_NE(hsm, nullptr);
  EXPECT_EQ(::prctl(PR_GET_DUMPABLE), 0);
}

}  // namespace
}  // namespace cardd::hsm::test
