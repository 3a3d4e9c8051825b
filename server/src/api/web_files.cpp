#include "web_files.h"

#include <fstream>
#include <sstream>

#include "cardd/server/service_config.h"

namespace cardd::server::api {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxFiles = 200;
constexpr std::uintmax_t kMaxBytes = 16u << 20;
constexpr std::string_view kPrefix = "/ui/";

std::optional<std::string> content_type(const fs::path& file) {
  static const std::map<std::string, std::string, std::less<>> types = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"}};
  const auto it = types.find(file.extension().string());
  if (it == types.end()) return std::nullopt;
  return it->second;
}

Response redirect(std::string_view to) {
  Response r{302, "text/plain; charset=utf-8", "see " + std::string(to)};
  r.location = to;
  return r;
}

}  // namespace

Result<WebFiles> WebFiles::load(const fs::path& root) {
  const auto invalid = [&root](const std::string& why) {
    return make_error(ConfigError::invalid, "api.web_root " + root.string() + ": " + why);
  };
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return invalid("not a folder");
  WebFiles web;
  std::uintmax_t bytes = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto type = content_type(it->path());
    if (!type) continue;
    bytes += it->file_size(ec);
    if (web.files_.size() >= kMaxFiles || bytes > kMaxBytes)
      return invalid("more than " + std::to_string(kMaxFiles) + " files or " +
                     std::to_string(kMaxBytes >> 20) + " MiB");
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) return invalid("cannot read " + it->path().string());
    const std::string path =
        std::string(kPrefix) + it->path().lexically_relative(root).generic_string();
    web.files_.emplace(path, Response{200, *type, body.str()});
  }
  if (ec) return invalid(ec.message());
  return web;
}

std::optional<Response> WebFiles::serve(std::string_view method, std::string_view target) const {
  const std::string_view path = target.substr(0, target.find('?'));
  if (method != "GET" || files_.empty()) return std::nullopt;
  if (path == "/" || path == "/ui") return redirect(kPrefix);
  if (!path.starts_with(kPrefix)) return std::nullopt;
  const auto it = files_.find(path == kPrefix ? std::string(kPrefix) + "index.html" : path);
  if (it == files_.end())
    return error_response(404, "request.unknown_page", "no page " + std::string(path));
  return it->second;
}

}  // namespace cardd::server::api
