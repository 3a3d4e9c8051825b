#include "tls_client.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include "cardd/server/bureau_client.h"

namespace cardd::server {
namespace ssl = boost::asio::ssl;

namespace {

Error file_error(std::string_view what, const std::string& path,
                 const boost::system::error_code& ec) {
  return make_error(BureauError::invalid_config,
                    fmt::format("{} {} cannot be used: {}", what, path, ec.message()));
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_client_context(const TlsClientFiles& files) {
  for (const auto& [what, path] :
       {std::pair{"the bureau CA file", &files.ca_file},
        std::pair{"the client certificate file", &files.certificate_file},
        std::pair{"the client key file", &files.key_file}}) {
    if (path->empty())
      return make_error(BureauError::invalid_config,
                        fmt::format("an https bureau needs {} (mutual TLS)", what));
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  // No set_default_verify_paths: the bureau's CA is the only trust anchor.
  context->set_verify_mode(ssl::verify_peer, ec);
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1)
    return make_error(BureauError::invalid_config, "TLS 1.2 minimum cannot be set");
  context->load_verify_file(files.ca_file, ec);
  if (ec) return file_error("the bureau CA file", files.ca_file, ec);
  context->use_certificate_chain_file(files.certificate_file, ec);
  if (ec) return file_error("the client certificate file", files.certificate_file, ec);
  context->use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec) return file_error("the client key file", files.key_file, ec);
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    return make_error(BureauError::invalid_config,
                      fmt::format("the client key file {} does not match the certificate {}",
                                  files.key_file, files.certificate_file));
  return context;
}

Status prepare_tls_stream(TlsStream& stream, std::string_view host) {
  const std::string name(host);
  boost::system::error_code ec;
  boost::asio::ip::make_address(name, ec);
  // RFC 6066: SNI carries host names only, never an address.
  // SSL_set_tlsext_host_name, without the macro's C cast.
  if (ec && SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                     TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str())) != 1)
    return make_error(BureauError::tls, "cannot set the TLS server name");
  // Checks the DNS name or IP address in the certificate's subjectAltName.
  stream.set_verify_callback(ssl::host_name_verification(name), ec);
  if (ec) return make_error(BureauError::tls, "cannot set host name verification");
  return {};
}

}  // namespace cardd::server
