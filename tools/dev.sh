#!/usr/bin/env bash
# cardd developer entry point, for a fresh Debian 12 machine.
#   tools/dev.sh demo    install, build, run the simulated intake demo
#   tools/dev.sh test    install, build (dev + asan), run every test suite
#   tools/dev.sh bench   install, build (release), run the benchmarks
#   tools/dev.sh deps    only install the Debian packages
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format git
  libboost-dev libssl-dev libsqlite3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libcli11-dev libtomlplusplus-dev libsimdjson-dev libjpeg-dev libicu-dev
  libgtest-dev libgmock-dev libbenchmark-dev util-linux softhsm2 libp11-kit-dev
  pcscd vsmartcard-vpcd libpcsclite-dev opensc
  libcairo2-dev libpango1.0-dev libpng-dev libdeflate-dev fontconfig fonts-noto-cjk fonts-hanazono
  libcups2-dev cups-ipp-utils avahi-daemon dbus libzint-dev poppler-utils zbar-tools
)

log() { printf '\n== %s\n' "$*" >&2; }

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

jobs() { nproc 2>/dev/null || echo 2; }

build() {  # build PRESET
  log "building preset $1"
  [ -f "build/$1/build.ninja" ] || cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "$(jobs)"
}

run_tests() {  # run_tests PRESET
  log "testing preset $1"
  ctest --preset "$1" -j "$(jobs)"
}

# Starts bureau-sim on a free port of 127.0.0.1; sets SIM_PID and SIM_URL.
start_bureau() {
  local out="$1"; shift
  build/dev/bin/bureau-sim --port 0 "$@" >"$out" 2>"$out.err" &
  SIM_PID=$!
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$out"; then
      SIM_URL="http://$(sed -n 's/^listening on //p' "$out" | head -1)"
      return 0
    fi
    sleep 0.1
  done
  echo "bureau-sim did not start:" >&2; cat "$out.err" >&2; return 1
}

demo() {
  build dev
  local dir="${CARDD_DEMO_DIR:-build/demo}" ctl=build/dev/bin/cardctl
  rm -rf "$dir" && mkdir -p "$dir"
  log "1. the bureau's batch file: 200 generated applications, 10% of them invalid"
  $ctl gen --count 200 --seed 2026 --invalid-rate 0.1 --out "$dir/batch.jsonl"
  log "2. validate the batch without storing (first problems shown)"
  $ctl validate "$dir/batch.jsonl" | tail -6
  log "3. import the batch into $dir/cardd.db, twice (the second run changes nothing)"
  $ctl import "$dir/batch.jsonl" --db "$dir/cardd.db"
  $ctl import "$dir/batch.jsonl" --db "$dir/cardd.db"
  log "4. the bureau simulator serves 500 approved applications; about one request in three fails"
  start_bureau "$dir/bureau.out" --count 500 --seed 7 --invalid-rate 0.05 --fail-rate 0.3 --log-level warn
  trap 'kill $SIM_PID 2>/dev/null || true' EXIT
  log "5. pull from $SIM_URL until caught up (retrying failed pages)"
  $ctl pull --bureau "$SIM_URL" --db "$dir/cardd.db" --limit 50 --attempts 10
  log "6. pull again: nothing new"
  $ctl pull --bureau "$SIM_URL" --db "$dir/cardd.db" --limit 50 --attempts 10
  log "7. one accepted and one rejected application"
  $ctl status BJ-7-00000000 --db "$dir/cardd.db"
  $ctl validate "$dir/batch.jsonl" --json >"$dir/validation.jsonl"
  local rejected
  rejected=$(sed -n '/"valid":false/{s/.*"application_id":"\([^"]*\)".*/\1/p;q}' "$dir/validation.jsonl")
  if [ -n "$rejected" ]; then $ctl status "$rejected" --db "$dir/cardd.db"; fi
  log "8. summary"
  $ctl report --db "$dir/cardd.db"
}

test_all() {
  build dev
  run_tests dev
  build asan
  run_tests asan
}

bench() {
  build release
  build/release/bin/bench_intake "$@"
  build/release/bin/bench_hsm "$@"
  build/release/bin/bench_render "$@"
}

case "${1:-demo}" in
  deps) install_deps ;;
  demo) install_deps; demo ;;
  test) install_deps; test_all ;;
  bench) shift; install_deps; bench "$@" ;;
  *) echo "usage: tools/dev.sh demo|test|bench|deps" >&2; exit 2 ;;
esac
