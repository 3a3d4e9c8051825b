// The OpenAPI 3.0 document, made from the routes themselves so that the two
// cannot disagree (a test checks it the other way round too).
#include <nlohmann/json.hpp>

#include "routes.h"

namespace cardd::server::api {

std::string openapi_document(const Router& router) {
  nlohmann::json paths = nlohmann::json::object();
  const nlohmann::json error_schema = {
      {"type", "object"},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}};
  for (const Route& route : router.routes()) {
    nlohmann::json parameters = nlohmann::json::array();
    for (std::size_t at = route.pattern.find('{'); at != std::string::npos;
         at = route.pattern.find('{', at + 1)) {
      const std::size_t end = route.pattern.find('}', at);
      parameters.push_back({{"name", route.pattern.substr(at + 1, end - at - 1)},
                            {"in", "path"},
                            {"required", true},
                            {"schema", {{"type", "string"}}}});
    }
    nlohmann::json op = {{"summary", route.summary},
                         {"parameters", parameters},
                         {"responses",
                          {{"200", {{"description", "done"}}},
                           {"default",
                            {{"description", "an error"},
                             {"content", {{"application/json", {{"schema", error_schema}}}}}}}}}};
    if (route.roles.empty()) {
      op["security"] = nlohmann::json::array();
    } else {
      op["x-roles"] = route.roles;
    }
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[route.pattern][method] = std::move(op);
  }
  const nlohmann::json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "cardd"},
        {"version", "1"},
        {"description",
         "Card issuance service API (spec/api.md). Bearer tokens with one role each "
         "(bureau, operator, branch, courier, admin); admin may call every route; a branch "
         "token acts for its own branch only. Errors: {\"error\": {\"code\", \"message\"}}."}}},
      {"components", {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"security", nlohmann::json::array({{{"bearer", nlohmann::json::array()}}})},
      {"paths", paths}};
  return doc.dump(2);
}

}  // namespace cardd::server::api
