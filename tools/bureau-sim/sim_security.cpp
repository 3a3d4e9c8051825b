#include "sim_security.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cstdio>

#include "cardd/common/base64.h"

namespace cardd::bureau_sim {
namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_tls_server_context(const TlsServerFiles& files,
                                                      std::string& error) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->use_certificate_chain_file(files.certificate_file, ec);
  if (ec) {
    error = "--tls-cert " + files.certificate_file + ": " + ec.message();
    return nullptr;
  }
  context->use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(context->native_handle()) != 1) {
    error = "--tls-key " + files.key_file + ": " + (ec ? ec.message() : "does not match the cert");
    return nullptr;
  }
  if (!files.client_ca_file.empty()) {
    context->load_verify_file(files.client_ca_file, ec);
    if (ec) {
      error = "--client-ca " + files.client_ca_file + ": " + ec.message();
      return nullptr;
    }
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

std::shared_ptr<const PageSigner> PageSigner::load(const std::string& key_file,
                                                   std::string& error) {
  std::FILE* file = std::fopen(key_file.c_str(), "rb");
  if (file == nullptr) {
    error = "--sign-key " + key_file + ": cannot be read";
    return nullptr;
  }
  std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_PrivateKey(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    ERR_clear_error();
    error = "--sign-key " + key_file + ": not an Ed25519 private key (PEM)";
    return nullptr;
  }
  return std::shared_ptr<const PageSigner>(new PageSigner(std::move(key)));
}

std::string PageSigner::sign(std::string_view body) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(body.data()), body.size()) != 1) {
    ERR_clear_error();
    return {};  // an empty header: the client refuses the page, as it should
  }
  signature.resize(length);
  return base64_encode(signature);
}

}  // namespace cardd::bureau_sim
