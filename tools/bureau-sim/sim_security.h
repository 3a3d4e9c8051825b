// bureau-sim's TLS server context and page signer, loaded from PEM files.
// Errors are returned as text for main() to print (this is a test tool).
#pragma once

#include <openssl/evp.h>

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace cardd::bureau_sim {

struct TlsServerFiles {
  std::string certificate_file;  // PEM chain, leaf first
  std::string key_file;          // PEM, unencrypted
  std::string client_ca_file;    // when set, a client certificate from this CA is required
};

// TLS 1.2 minimum. Null and `error` set when a file cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_tls_server_context(const TlsServerFiles& files,
                                                                   std::string& error);

// Signs page bodies with an Ed25519 private key: base64 of the 64-byte
// signature over the exact bytes, for the X-Bureau-Signature header.
// Thread safe (each call uses its own context).
class PageSigner {
 public:
  // Null and `error` set when the file is not an Ed25519 private key (PEM).
  static std::shared_ptr<const PageSigner> load(const std::string& key_file, std::string& error);

  std::string sign(std::string_view body) const;

 private:
  struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  };
  explicit PageSigner(std::unique_ptr<EVP_PKEY, KeyFree> key) : key_(std::move(key)) {}
  std::unique_ptr<EVP_PKEY, KeyFree> key_;
};

}  // namespace cardd::bureau_sim
