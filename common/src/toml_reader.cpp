#include "cardd/common/toml_reader.h"

#include <algorithm>
#include <cmath>

namespace cardd {

void TomlReader::problem(std::string_view where, std::string_view what, const toml::node* at) {
  std::string p = std::string(where) + ": " + std::string(what);
  if (at != nullptr && at->source().begin.line > 0)
    p += " (line " + std::to_string(at->source().begin.line) + ")";
  problems_.push_back(std::move(p));
}

void TomlReader::only_keys(const toml::table& table, std::string_view where,
                           std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
      problem(join(where, key.str()), "unknown key", &node);
  }
}

const toml::table* TomlReader::table(const toml::table& parent, std::string_view key,
                                     std::string_view where, bool required) {
  const toml::node* n = parent.get(key);
  if (n == nullptr) {
    if (required) problem(join(where, key), "missing", &parent);
    return nullptr;
  }
  if (!n->is_table()) {
    problem(join(where, key), "must be a table", n);
    return nullptr;
  }
  return n->as_table();
}

std::vector<const toml::table*> TomlReader::tables(const toml::table& parent, std::string_view key,
                                                   std::string_view where, bool required) {
  std::vector<const toml::table*> out;
  const toml::node* n = parent.get(key);
  if (n == nullptr) {
    if (required) problem(join(where, key), "missing", &parent);
    return out;
  }
  const toml::array* a = n->as_array();
  if (a == nullptr) {
    problem(join(where, key), "must be an array of tables ([[" + std::string(key) + "]])", n);
    return out;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    if (const toml::table* t = (*a)[i].as_table())
      out.push_back(t);
    else
      problem(index(join(where, key), i), "must be a table", &(*a)[i]);
  }
  return out;
}

std::optional<double> TomlReader::number(const toml::table& parent, std::string_view key,
                                         std::string_view where, bool required) {
  const toml::node* n = parent.get(key);
  if (n == nullptr) {
    if (required) problem(join(where, key), "missing", &parent);
    return std::nullopt;
  }
  if (auto i = n->value_exact<std::int64_t>()) return static_cast<double>(*i);
  if (auto d = n->value_exact<double>(); d && std::isfinite(*d)) return *d;
  problem(join(where, key), "must be a number", n);
  return std::nullopt;
}

std::optional<std::int64_t> TomlReader::integer(const toml::table& parent, std::string_view key,
                                                std::string_view where, bool required) {
  const toml::node* n = parent.get(key);
  if (n == nullptr) {
    if (required) problem(join(where, key), "missing", &parent);
    return std::nullopt;
  }
  if (auto i = n->value_exact<std::int64_t>()) return *i;
  problem(join(where, key), "must be an integer", n);
  return std::nullopt;
}

std::optional<std::string> TomlReader::string(const toml::table& parent, std::string_view key,
                                              std::string_view where, bool required) {
  const toml::node* n = parent.get(key);
  if (n == nullptr) {
    if (required) problem(join(where, key), "missing", &parent);
    return std::nullopt;
  }
  if (auto s = n->value_exact<std::string>()) return *s;
  problem(join(where, key), "must be a string", n);
  return std::nullopt;
}

std::optional<bool> TomlReader::boolean(const toml::table& parent, std::string_view key,
                                        std::string_view where) {
  const toml::node* n = parent.get(key);
  if (n == nullptr) return std::nullopt;
  if (auto b = n->value_exact<bool>()) return *b;
  problem(join(where, key), "must be true or false", n);
  return std::nullopt;
}

std::optional<std::vector<std::string>> TomlReader::strings(const toml::table& parent,
                                                            std::string_view key,
                                                            std::string_view where, bool required) {
  const toml::node* n = parent.get(key);
  if (n == nullptr) {
    if (required) problem(join(where, key), "missing", &parent);
    return std::nullopt;
  }
  const toml::array* a = n->as_array();
  if (a == nullptr) {
    problem(join(where, key), "must be an array of strings", n);
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool all = true;
  for (std::size_t i = 0; i < a->size(); ++i) {
    if (auto s = (*a)[i].value_exact<std::string>()) {
      out.push_back(*s);
    } else {
      problem(index(join(where, key), i), "must be a string", &(*a)[i]);
      all = false;
    }
  }
  if (!all) return std::nullopt;
  return out;
}

std::string TomlReader::join(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : std::string(where) + "." + std::string(key);
}

std::string TomlReader::index(std::string_view where, std::size_t i) {
  return std::string(where) + "[" + std::to_string(i) + "]";
}

}  // namespace cardd
