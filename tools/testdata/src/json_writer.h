// A tiny writer for one-line JSON objects with a fixed key order. Faster than
// building a DOM for lines that are mostly long base64 strings.
#pragma once

#include <string>
#include <string_view>

namespace cardd::testdata {

class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out);

  void string(std::string_view key, std::string_view value);
  void boolean(std::string_view key, bool value);
  // Opens a nested object under `key`; close it with end_object().
  void begin_object(std::string_view key);
  void end_object();
  // Closes the outermost object.
  void finish();

 private:
  void key(std::string_view name);
  void quoted(std::string_view text);

  std::string& out_;
  bool first_ = true;
};

}  // namespace cardd::testdata
