// The keystore's files: created only when asked, private (keystore,
// passphrase and PIN files), never through symbolic links, and shared by
// several writers without losing a change.
#include <fmt/format.h>
#include <sys/stat.h>

#include <thread>

#include "keystore_fixture.h"

namespace cardd::hsm::test {
namespace {

namespace fs = std::filesystem;

std::string mode_of(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return fmt::format("{:04o}", st.st_mode & 07777);
}

TEST_F(KeystoreTest, AMissingKeystoreIsAnErrorUnlessCreateIsAsked) {
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::io);
  EXPECT_NE(r.error().message.find("there is no keystore " + store_), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("create = true"), std::string::npos) << r.error().message;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_.path()), fs::directory_iterator()), 1)
      << "nothing but the passphrase file: no store, no lock file";

  auto made = open("right passphrase", true);
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_TRUE(fs::exists(store_)) << "created at once, not at the first key";
  made->reset();
  EXPECT_TRUE(open().ok()) << "an empty store opens without create";
}

TEST_F(KeystoreTest, CreateOnAnExistingKeystoreOpensIt) {
  make_two_keys();
  auto again = open("right passphrase", true);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ((*again)->list()->size(), 2u);
  EXPECT_EQ(open("wrong passphrase", true).error().code, HsmError::login_failed)
      << "never replaced by a new store";
}

TEST_F(KeystoreTest, AKeystoreOthersMayReadOrWriteIsRefused) {
  make_two_keys();
  for (const auto perms : {fs::perms::group_read, fs::perms::others_read, fs::perms::group_write}) {
    fs::permissions(store_, fs::perms::owner_read | fs::perms::owner_write | perms);
    auto r = open();
    ASSERT_FALSE(r.ok()) << mode_of(store_);
    EXPECT_EQ(r.error().code, HsmError::io);
    EXPECT_NE(r.error().message.find("keystore " + store_ + " has mode " + mode_of(store_)),
              std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("chmod 600 " + store_), std::string::npos);
  }
  fs::permissions(store_, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(open().ok());
}

TEST_F(KeystoreTest, SymbolicLinksAreRefusedForKeystoreAndPassphrase) {
  make_two_keys();
  const std::string real = (dir_.path() / "real.cks").string();
  fs::rename(store_, real);
  fs::create_symlink(real, store_);
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("keystore " + store_ + " is a symbolic link"), std::string::npos)
      << r.error().message;
  fs::remove(store_);
  fs::rename(real, store_);

  HsmConfig c = config();
  const std::string link = (dir_.path() / "secret-link").string();
  fs::create_symlink(secret_, link);
  c.soft.passphrase_file = link;
  r = open_hsm(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::io);
  EXPECT_NE(r.error().message.find(link + " is a symbolic link"), std::string::npos)
      << r.error().message;
}

TEST_F(KeystoreTest, PassphraseAndPinFilesMustBePrivate) {
  make_two_keys();
  HsmConfig c = config();
  fs::permissions(secret_, fs::perms::group_read, fs::perm_options::add);
  auto r = open_hsm(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::io);
  EXPECT_NE(r.error().message.find("secret file " + secret_ + " has mode 0640"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("chmod 600 " + secret_), std::string::npos);

  // The token PIN is read by the same function.
  const std::string pin = (dir_.path() / "pin").string();
  cardd::test::write_secret_file(pin, "1234");
  auto ok = read_secret("CARDD_TEST_NO_SUCH_VARIABLE", pin);
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_TRUE(ok->equals(std::vector<std::uint8_t>{'1', '2', '3', '4'})) << "first line only";
  fs::permissions(pin, fs::perms::others_read, fs::perm_options::add);
  auto refused = read_secret("CARDD_TEST_NO_SUCH_VARIABLE", pin);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("has mode 0604"), std::string::npos)
      << refused.error().message;
}

TEST_F(KeystoreTest, AStaleTemporaryFileIsReplacedNeverFollowed) {
  auto hsm = create();
  ASSERT_NE(hsm, nullptr);
  // A crash left "<store>.tmp" behind, or someone planted a link there.
  const std::string victim = (dir_.path() / "victim").string();
  std::ofstream(victim) << "untouched";
  fs::create_symlink(victim, store_ + ".tmp");
  ASSERT_TRUE(hsm->generate(KeySpec{"k", Algorithm::aes128, {Usage::mac}, 1}).ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(store_ + ".tmp")));
  std::ifstream in(victim);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "untouched");
  EXPECT_TRUE(open()->get()->info("k").ok());
}

TEST_F(KeystoreTest, TwoWritersOnOneFileLoseNothing) {
  auto first = create();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(second.ok());
  Hsm* writers[] = {first.get(), second->get()};
  for (int i = 0; i < 6; ++i)
    ASSERT_TRUE(writers[i % 2]
                    ->generate(KeySpec{fmt::format("k{}", i), Algorithm::aes128, {Usage::mac}, 1})
                    .ok())
        << i;
  // Each sees what the other added (a name not in memory re-reads the file).
  EXPECT_TRUE(first->info("k5").ok());
  EXPECT_TRUE(writers[1]->info("k4").ok());
  EXPECT_EQ(writers[1]->generate(KeySpec{"k0", Algorithm::aes128, {Usage::mac}, 1}).error().code,
            HsmError::key_exists);
  ASSERT_TRUE(first->destroy("k1").ok());
  ASSERT_TRUE(writers[1]->generate(KeySpec{"k6", Algorithm::aes128, {Usage::mac}, 1}).ok());
  first.reset();
  second->reset();
  auto reopened = open();
  ASSERT_TRUE(reopened.ok());
  const auto keys = (*reopened)->list();
  ASSERT_TRUE(keys.ok());
  std::vector<std::string> names;
  for (const auto& k : *keys) names.push_back(k.spec.name);
  EXPECT_EQ(names, (std::vector<std::string>{"k0", "k2", "k3", "k4", "k5", "k6"}));
}

TEST_F(KeystoreTest, TwoThreadsWritingAtOnceLoseNothing) {
  auto first = create();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(second.ok());
  constexpr int kEach = 8;
  const auto add = [](Hsm* hsm, char prefix, std::vector<bool>* ok) {
    for (int i = 0; i < kEach; ++i)
      (*ok)[static_cast<std::size_t>(i)] =
          hsm->generate(KeySpec{fmt::format("{}{}", prefix, i), Algorithm::aes128, {Usage::mac}, 1})
              .ok();
  };
  std::vector<bool> ok_a(kEach), ok_b(kEach);
  std::thread a(add, first.get(), 'a', &ok_a);
  std::thread b(add, second->get(), 'b', &ok_b);
  a.join();
  b.join();
  EXPECT_EQ(std::count(ok_a.begin(), ok_a.end(), true), kEach);
  EXPECT_EQ(std::count(ok_b.begin(), ok_b.end(), true), kEach);
  first.reset();
  second->reset();
  auto reopened = open();
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->list()->size(), 2u * kEach);
}

}  // namespace
}  // namespace cardd::hsm::test
