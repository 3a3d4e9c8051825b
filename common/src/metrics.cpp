#include "cardd/common/metrics.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <mutex>
#include <variant>

namespace cardd::metrics {
namespace {

// Label values escaped as the text format asks: backslash, quote, newline.
std::string label_text(const Labels& labels, std::string_view extra_name = {},
                       std::string_view extra_value = {}) {
  std::string out;
  const auto add = [&out](std::string_view name, std::string_view value) {
    out += out.empty() ? "{" : ",";
    out += name;
    out += "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"') out += '\\';
      out += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    out += '"';
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (!extra_name.empty()) add(extra_name, extra_value);
  if (!out.empty()) out += '}';
  return out;
}

std::string number(double v) { return fmt::format("{}", v); }

struct Family {
  std::string help;
  std::map<std::string, std::pair<Labels, std::variant<std::unique_ptr<Counter>,
                                                       std::unique_ptr<Histogram>>>>
      members;  // by rendered labels
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, Family, std::less<>> families;
};

Registry& registry() {
  static Registry r;
  return r;
}

template <typename Metric>
Metric& find_or_make(std::string_view name, std::string_view help, const Labels& labels) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto family = r.families.find(name);
  if (family == r.families.end())
    family = r.families.emplace(std::string(name), Family{std::string(help), {}}).first;
  auto& members = family->second.members;
  const std::string key = label_text(labels);
  auto it = members.find(key);
  if (it == members.end())
    it = members.emplace(key, std::pair{labels, std::make_unique<Metric>()}).first;
  // A name used as the other kind gets a metric of its own, never rendered.
  if (auto* held = std::get_if<std::unique_ptr<Metric>>(&it->second.second)) return **held;
  static thread_local Metric stray;
  return stray;
}

}  // namespace

void Histogram::observe(std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  std::size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, duration.count())),
                    std::memory_order_relaxed);
}

std::array<std::uint64_t, Histogram::kBounds.size() + 1> Histogram::cumulative() const {
  std::array<std::uint64_t, kBounds.size() + 1> out{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = running += counts_[i].load(std::memory_order_relaxed);
  return out;
}

double Histogram::sum_seconds() const {
  return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
}

Counter& counter(std::string_view name, std::string_view help, const Labels& labels) {
  return find_or_make<Counter>(name, help, labels);
}

Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels) {
  return find_or_make<Histogram>(name, help, labels);
}

std::string render() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::string out;
  for (const auto& [name, family] : r.families) {
    if (family.members.empty()) continue;
    const bool counters =
        std::holds_alternative<std::unique_ptr<Counter>>(family.members.begin()->second.second);
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name,
                       counters ? "counter" : "histogram");
    for (const auto& [key, member] : family.members) {
      const auto& [labels, metric] = member;
      if (const auto* c = std::get_if<std::unique_ptr<Counter>>(&metric)) {
        out += fmt::format("{}{} {}\n", name, key, (*c)->value());
        continue;
      }
      const Histogram& h = *std::get<std::unique_ptr<Histogram>>(metric);
      const auto counts = h.cumulative();
      for (std::size_t i = 0; i < counts.size(); ++i)
        out += fmt::format("{}_bucket{} {}\n", name,
                           label_text(labels, "le",
                                      i < Histogram::kBounds.size() ? number(Histogram::kBounds[i])
                                                                    : std::string("+Inf")),
                           counts[i]);
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, key, number(h.sum_seconds()), name,
                         key, counts.back());
    }
  }
  return out;
}

std::string render_family(std::string_view name, std::string_view type, std::string_view help,
                          const std::vector<std::pair<Labels, double>>& samples) {
  std::string out = fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  for (const auto& [labels, value] : samples)
    out += fmt::format("{}{} {}\n", name, label_text(labels), number(value));
  return out;
}

}  // namespace cardd::metrics
