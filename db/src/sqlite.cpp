#include "sqlite.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cardd::db::sqlite {

Error to_error(sqlite3* db, int rc, std::string_view what) {
  DbError code = DbError::internal;
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = DbError::busy;
      break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      code = DbError::io;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = DbError::corrupt;
      break;
    default:
      break;
  }
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return make_error(code, fmt::format("{}: {}", what, detail));
}

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return to_error(db, rc, "prepare");
  return Statement(db, stmt);
}

Statement& Statement::bind(int index, std::string_view text) {
  // A default-constructed view has no data pointer, which SQLite would store
  // as NULL: text is always text, empty included.
  sqlite3_bind_text(stmt_.get(), index, text.data() == nullptr ? "" : text.data(),
                    static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_.get(), index, bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = to_error(db_, rc, "step");
  reset();
  return error;
}

Status Statement::run() {
  auto r = step();
  reset();
  if (!r) return r.error();
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string_view Statement::column_text(int index) const {
  const auto* p = sqlite3_column_text(stmt_.get(), index);
  const int n = sqlite3_column_bytes(stmt_.get(), index);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::string Statement::column_blob(int index) const {
  const void* p = sqlite3_column_blob(stmt_.get(), index);
  const int n = sqlite3_column_bytes(stmt_.get(), index);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

Status exec(sqlite3* db, std::string_view sql) {
  const std::string copy(sql);
  const int rc = sqlite3_exec(db, copy.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return to_error(db, rc, "exec");
  return {};
}

Result<Transaction> Transaction::begin(sqlite3* db) {
  if (auto s = exec(db, "BEGIN IMMEDIATE"); !s) return s.error();
  return Transaction(db);
}

Result<Transaction> Transaction::begin_exclusive(sqlite3* db) {
  if (auto s = exec(db, "BEGIN EXCLUSIVE"); !s) return s.error();
  return Transaction(db);
}

Result<Transaction> Transaction::begin_read(sqlite3* db) {
  if (auto s = exec(db, "BEGIN DEFERRED"); !s) return s.error();
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    if (sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK)
      spdlog::error("db: rollback failed: {}", sqlite3_errmsg(db_));
  }
}

Status Transaction::commit() {
  sqlite3* db = std::exchange(db_, nullptr);
  if (auto s = exec(db, "COMMIT"); !s) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return s.error();
  }
  return {};
}

}  // namespace cardd::db::sqlite
