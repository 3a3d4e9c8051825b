#include "json_writer.h"

#include <cstdio>

namespace cardd::testdata {

JsonObjectWriter::JsonObjectWriter(std::string& out) : out_(out) { out_ += '{'; }

void JsonObjectWriter::string(std::string_view name, std::string_view value) {
  key(name);
  quoted(value);
}

void JsonObjectWriter::boolean(std::string_view name, bool value) {
  key(name);
  out_ += value ? "true" : "false";
}

void JsonObjectWriter::begin_object(std::string_view name) {
  key(name);
  out_ += '{';
  first_ = true;
}

void JsonObjectWriter::end_object() {
  out_ += '}';
  first_ = false;
}

void JsonObjectWriter::finish() { out_ += '}'; }

void JsonObjectWriter::key(std::string_view name) {
  if (!first_) out_ += ',';
  first_ = false;
  quoted(name);
  out_ += ':';
}

void JsonObjectWriter::quoted(std::string_view text) {
  out_ += '"';
  // Copy runs that need no escaping in one go: the base64 images are
  // tens of kilobytes per line.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (c != '"' && c != '\\' && u >= 0x20) continue;
    out_.append(text.substr(run, i - run));
    run = i + 1;
    if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(u));
      out_ += buf;
    } else {
      out_ += '\\';
      out_ += c;
    }
  }
  out_.append(text.substr(run));
  out_ += '"';
}

}  // namespace cardd::testdata
