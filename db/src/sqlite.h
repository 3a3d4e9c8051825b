// Thin RAII layer over the SQLite C API: one owner per sqlite3* and
// sqlite3_stmt*, and one function that turns SQLite result codes into DbError.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/error.h"

namespace cardd::db::sqlite {

// The one place SQLite codes become DbError; `what` says what we were doing.
Error to_error(sqlite3* db, int rc, std::string_view what);

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

class Statement {
 public:
  Statement() = default;
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  // Binds are 1-based like SQLite's. Text is copied (callers bind
  // temporaries); blob bytes are not, for speed with images, so they must
  // outlive the step.
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);

  // SQLITE_ROW → true, SQLITE_DONE → false, anything else → error.
  Result<bool> step();
  // Runs to completion, for INSERT/UPDATE/DELETE; resets afterwards.
  Status run();
  void reset();

  std::string_view column_text(int index) const;
  std::string column_blob(int index) const;
  std::int64_t column_int(int index) const;
  bool column_is_null(int index) const;

 private:
  explicit Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

// Runs SQL with no results (several statements allowed).
Status exec(sqlite3* db, std::string_view sql);

// BEGIN IMMEDIATE … COMMIT, rolled back on destruction unless committed.
class Transaction {
 public:
  static Result<Transaction> begin(sqlite3* db);
  // BEGIN EXCLUSIVE: no other connection reads or writes until commit (in
  // WAL mode the same as IMMEDIATE for writers).
  static Result<Transaction> begin_exclusive(sqlite3* db);
  // BEGIN DEFERRED: a consistent snapshot for a long read that must not
  // block writers (WAL).
  static Result<Transaction> begin_read(sqlite3* db);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace cardd::db::sqlite
