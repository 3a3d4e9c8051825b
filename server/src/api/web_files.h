// The web pages (web/ in the source tree), read once when the server opens
// and served from memory under /ui/: a request can name only a file that was
// there at start, so no path reaches the disk. The pages hold no data; every
// figure they show comes from the API with the user's own token.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "router.h"

namespace cardd::server::api {

class WebFiles {
 public:
  // Every .html, .css, .js, .svg, .png and .ico file under `root`. Errors:
  // config.invalid when `root` is not a folder, a file cannot be read, or the
  // pages exceed their limits (files, bytes).
  static Result<WebFiles> load(const std::filesystem::path& root);
  WebFiles() = default;

  std::size_t size() const { return files_.size(); }
  // The answer for a GET of `target` when it is a page's: a file under /ui/,
  // /ui/ itself (index.html), or a redirect of / and /ui to /ui/. nullopt for
  // any other target (the API's).
  std::optional<Response> serve(std::string_view method, std::string_view target) const;

 private:
  std::map<std::string, Response, std::less<>> files_;  // by path, "/ui/app.js"
};

}  // namespace cardd::server::api
