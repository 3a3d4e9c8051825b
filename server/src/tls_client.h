// The one TLS client context the bureau link uses: the bureau's CA pinned
// (only that CA is trusted, never the system store), our client certificate,
// TLS 1.2 at least. Built once per BureauClient; streams made from it check
// the host name (tls_client.cpp: prepare_tls_stream).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "cardd/common/result.h"

namespace cardd::server {

struct TlsClientFiles {
  std::string ca_file;           // PEM: the bureau's CA certificate(s)
  std::string certificate_file;  // PEM: our client certificate chain
  std::string key_file;          // PEM: its private key (unencrypted)
};

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Errors: BureauError::invalid_config naming the file that cannot be used
// (never its content). Shared between threads: OpenSSL allows concurrent
// SSL_new on a context that is no longer modified.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const TlsClientFiles& files);

// SNI (for a host name, not an IP literal) and certificate-name checking for
// `host` on a fresh stream. Errors: BureauError::tls.
Status prepare_tls_stream(TlsStream& stream, std::string_view host);

}  // namespace cardd::server
