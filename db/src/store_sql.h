// Small helpers for the Store's SQL: transactions, cached statements with
// binds, row loops.
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/civil_time.h"
#include "sqlite.h"
#include "store_impl.h"

namespace cardd::db {

// Runs `body` inside one transaction under the store's lock.
template <typename F>
Status in_transaction(Store::Impl& impl, F&& body) {
  std::lock_guard lock(impl.mutex);
  auto tx = impl.begin_write();
  if (!tx) return tx.error();
  if (Status s = body(); !s) return s;
  return impl.commit(*tx);
}

struct Blob {
  std::string_view bytes;
};
inline void bind_one(sqlite::Statement& s, int i, const Blob& b) { s.bind_blob(i, b.bytes); }
template <typename T>
void bind_one(sqlite::Statement& s, int i, const T& v) {
  s.bind(i, v);
}

// Runs a cached statement with binds and no result rows.
template <typename... Args>
Status run(Store::Impl& impl, std::string_view sql, const Args&... args) {
  auto stmt = impl.statement(sql);
  if (!stmt) return stmt.error();
  int i = 0;
  (bind_one(**stmt, ++i, args), ...);
  Status s = (*stmt)->run();
  (*stmt)->reset();
  return s;
}

inline std::string now() { return format_rfc3339_utc(unix_now()); }

// Calls `row(stmt)` for every result row, then resets the statement.
template <typename F>
Status each_row(sqlite::Statement& stmt, F&& row) {
  while (true) {
    auto more = stmt.step();
    if (!more) {
      stmt.reset();
      return more.error();
    }
    if (!*more) break;
    row(stmt);
  }
  stmt.reset();
  return {};
}

}  // namespace cardd::db
