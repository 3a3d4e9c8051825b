// The HSM options every key command shares, and opening the HSM from them.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cardd/hsm/factory.h"

namespace cardd::cardctl {

struct HsmOptions {
  hsm::HsmConfig config;
  // `makes_keys`: the command creates keys, so it also takes
  // --create-keystore (the soft backend never creates a keystore unasked).
  void add_to(CLI::App& cmd, bool makes_keys = false);
  // Prints the reason and returns nullptr when the HSM cannot be opened.
  std::unique_ptr<hsm::Hsm> open() const;
};

}  // namespace cardd::cardctl
