// Reading a TOML data file (card profile, face template) so that every
// problem is reported at once with its location ("a.b[2].c: missing (line
// 12)"), instead of stopping at the first one.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace cardd {

class TomlReader {
 public:
  void problem(std::string_view where, std::string_view what, const toml::node* at = nullptr);
  const std::vector<std::string>& problems() const { return problems_; }

  // Reports keys of `table` that are not in `allowed` (typos must not pass).
  void only_keys(const toml::table& table, std::string_view where,
                 std::initializer_list<std::string_view> allowed);

  const toml::table* table(const toml::table& parent, std::string_view key, std::string_view where,
                           bool required);
  // The tables of an array of tables ([[key]]); a non-table member is a problem.
  std::vector<const toml::table*> tables(const toml::table& parent, std::string_view key,
                                         std::string_view where, bool required);
  std::optional<double> number(const toml::table& parent, std::string_view key,
                               std::string_view where, bool required);
  std::optional<std::int64_t> integer(const toml::table& parent, std::string_view key,
                                      std::string_view where, bool required);
  std::optional<std::string> string(const toml::table& parent, std::string_view key,
                                    std::string_view where, bool required);
  std::optional<bool> boolean(const toml::table& parent, std::string_view key,
                              std::string_view where);
  // An array whose members are all strings; one problem per other member.
  std::optional<std::vector<std::string>> strings(const toml::table& parent, std::string_view key,
                                                  std::string_view where, bool required);

  static std::string join(std::string_view where, std::string_view key);
  static std::string index(std::string_view where, std::size_t i);

 private:
  std::vector<std::string> problems_;
};

}  // namespace cardd
