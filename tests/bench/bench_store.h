// What a bench needs for a store as cardd opens it: a scratch folder that
// goes away with the process, and the soft HSM's storage and audit keys
// (cardd seals personal data on the way in and MACs its audit entries).
#pragma once

#include <filesystem>

#include "cardd/db/store.h"
#include "cardd/hsm/hsm.h"

namespace cardd::bench {

// A new path in the process's scratch folder each call.
std::filesystem::path fresh_path(const std::string& stem);
// Store options with the soft HSM's sealer and audit signer.
db::StoreOptions sealed_store_options();
// The hsm behind them.
hsm::Hsm& soft_hsm();
// The database file and its WAL and shared-memory files.
void remove_db(const std::filesystem::path& path);

}  // namespace cardd::bench
