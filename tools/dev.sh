#!/usr/bin/env bash
# cardd developer entry point, for a fresh Debian 12 machine.
#   tools/dev.sh demo    install, build, run a full simulated issuance (intake → printed cards)
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

# Throwaway certificates for the bureau link in $1 (owner-only): a CA made
# for the demo, the bureau's certificate for 127.0.0.1/localhost, our client
# certificate, and the bureau's Ed25519 page-signing key pair.
make_bureau_pki() {
  local d="$1"
  mkdir -p "$d" && chmod 700 "$d"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  leaf() {  # leaf NAME CN SAN USAGE
    printf 'basicConstraints=CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=%s\n' "$3" "$4" >"$d/$1.ext"
    openssl req "${ec[@]}" -keyout "$d/$1.key" -out "$d/$1.csr" -subj "/CN=$2" &&
      openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -set_serial "$RANDOM" \
        -days 2 -extfile "$d/$1.ext" -out "$d/$1.pem"
  }
  {
    openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj /CN=cardd-demo-bureau-ca &&
      leaf bureau 127.0.0.1 IP:127.0.0.1,DNS:localhost serverAuth &&
      leaf client cardd-demo-bank DNS:cardd-demo-bank clientAuth &&
      openssl genpkey -algorithm ed25519 -out "$d/sign.key" &&
      openssl pkey -in "$d/sign.key" -pubout -out "$d/sign.pub"
  } >"$d/openssl.log" 2>&1 || { echo "certificates not made:" >&2; cat "$d/openssl.log" >&2; return 1; }
}

# Starts bureau-sim on a free port of 127.0.0.1 over HTTPS with mutual TLS
# and signed pages (certificates from make_bureau_pki in the output's folder);
# sets SIM_PID, SIM_URL and BUREAU_TLS (the matching `cardctl pull` options).
start_bureau() {
  local out="$1"; shift
  local pki; pki="$(dirname "$out")/bureau-pki"
  make_bureau_pki "$pki"
  build/dev/bin/bureau-sim --port 0 --tls-cert "$pki/bureau.pem" --tls-key "$pki/bureau.key" \
    --client-ca "$pki/ca.pem" --sign-key "$pki/sign.key" "$@" >"$out" 2>"$out.err" &
  SIM_PID=$!
  BUREAU_TLS=(--bureau-ca "$pki/ca.pem" --bureau-cert "$pki/client.pem" --bureau-key "$pki/client.key"
    --bureau-signing-key "$pki/sign.pub")
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$out"; then
      SIM_URL="https://$(sed -n 's/^listening on //p' "$out" | head -1)"
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
  # Personal data is sealed at rest under HSM keys: the keystore and its
  # storage keys come first (owner-only files: they guard the keys).
  local keys=(--keystore "$dir/keys.cks" --passphrase-file "$dir/keystore-passphrase")
  (umask 077 && echo "demo keystore passphrase" >"$dir/keystore-passphrase")
  log "0. storage keys for personal data at rest (key ceremony: names and KCVs)"
  # The one command that creates the keystore: it is never created unasked.
  $ctl keys init-storage --db "$dir/cardd.db" "${keys[@]}" --create-keystore
  log "1. the bureau's batch file: 200 generated applications, 10% of them invalid"
  $ctl gen --count 200 --seed 2026 --invalid-rate 0.1 --out "$dir/batch.jsonl"
  log "2. validate the batch without storing (first problems shown)"
  $ctl validate "$dir/batch.jsonl" | tail -6
  log "3. import the batch into $dir/cardd.db, twice (the second run changes nothing)"
  $ctl import "$dir/batch.jsonl" --db "$dir/cardd.db" "${keys[@]}"
  $ctl import "$dir/batch.jsonl" --db "$dir/cardd.db" "${keys[@]}"
  log "4. the bureau simulator serves 500 approved applications; about one request in three fails"
  start_bureau "$dir/bureau.out" --count 500 --seed 7 --invalid-rate 0.05 --fail-rate 0.3 --log-level warn
  trap stop_started EXIT
  log "5. pull from $SIM_URL (mutual TLS, signed pages) until caught up (retrying failed pages)"
  $ctl pull --bureau "$SIM_URL" --db "$dir/cardd.db" --limit 50 --attempts 10 "${keys[@]}" "${BUREAU_TLS[@]}"
  log "6. pull again: nothing new"
  $ctl pull --bureau "$SIM_URL" --db "$dir/cardd.db" --limit 50 --attempts 10 "${keys[@]}" "${BUREAU_TLS[@]}"
  log "7. one accepted and one rejected application"
  $ctl status BJ-7-00000000 --db "$dir/cardd.db"
  $ctl validate "$dir/batch.jsonl" --json >"$dir/validation.jsonl"
  local rejected
  rejected=$(sed -n '/"valid":false/{s/.*"application_id":"\([^"]*\)".*/\1/p;q}' "$dir/validation.jsonl")
  if [ -n "$rejected" ]; then $ctl status "$rejected" --db "$dir/cardd.db"; fi
  issue_cards "$dir" 6
  log "16. status back: every state change POSTed to the bureau in order (mutual TLS, idempotency key, retried while it fails)"
  # Each retry is a warning; the demo shows only the outcome.
  $ctl --log-level error push --bureau "$SIM_URL" --db "$dir/cardd.db" --attempts 10 "${BUREAU_TLS[@]}"
  kill "$SIM_PID" && wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=""
  echo "the bureau: $(tail -1 "$dir/bureau.out")"
  log "17. summary"
  $ctl report --db "$dir/cardd.db" "${keys[@]}"
}

# Starts pcscd unless one runs (one per machine); sets PCSCD_PID when started here.
start_pcscd() {
  PCSCD_PID=""
  pgrep -x pcscd >/dev/null && return 0
  mkdir -p /run/pcscd
  pcscd -f >/dev/null 2>&1 &
  PCSCD_PID=$!
}

# Starts ippeveprinter on $1 (port) with spool $2, after the D-Bus system bus
# and avahi-daemon it needs (notes/devices.md); sets PRINTER_PID.
start_printer() {
  mkdir -p /run/dbus "$2"
  if ! pgrep -x dbus-daemon >/dev/null; then
    rm -f /run/dbus/pid /run/dbus/system_bus_socket
    dbus-daemon --system --fork
    STARTED_DBUS=1
  fi
  if ! avahi-daemon --check 2>/dev/null; then
    avahi-daemon --no-drop-root --no-chroot -D
    STARTED_AVAHI=1
  fi
  for _ in $(seq 100); do avahi-daemon --check 2>/dev/null && break; sleep 0.1; done
  ippeveprinter -n localhost -p "$1" -d "$2" -k -c /bin/true \
    -f image/png,image/jpeg,application/pdf CardPrinter >"$2/../printer.log" 2>&1 &
  PRINTER_PID=$!
  for _ in $(seq 100); do
    ipptool -q "ipp://127.0.0.1:$1/ipp/print" get-printer-attributes.test 2>/dev/null && return 0
    sleep 0.1
  done
  echo "ippeveprinter did not start:" >&2; cat "$2/../printer.log" >&2; return 1
}

# Stops what the demo started, and only that (a machine's own pcscd, D-Bus
# or avahi keep running).
STARTED_DBUS="" STARTED_AVAHI="" SIM_PID="" VCARD_PID="" PRINTER_PID="" PCSCD_PID=""
stop_started() {
  kill $SIM_PID $VCARD_PID $PRINTER_PID $PCSCD_PID 2>/dev/null || true
  [ -z "$STARTED_AVAHI" ] || avahi-daemon --kill 2>/dev/null || true
  if [ -n "$STARTED_DBUS" ] && [ -f /run/dbus/pid ]; then
    kill "$(cat /run/dbus/pid)" 2>/dev/null || true
    rm -f /run/dbus/pid
  fi
}

# One blank card (IC serial $2) in the first vpcd slot, diversified from the
# demo KMC; extra arguments are vcard fault options. Sets VCARD_PID.
insert_card() {
  local dir="$1" serial="$2"; shift 2
  build/dev/bin/vcard --port 35963 --state "$dir/cards/$serial.json" --serial "$serial" \
    --kmc "$DEMO_KMC" "$@" >"$dir/cards/$serial.log" 2>&1 &
  VCARD_PID=$!
  build/dev/bin/cardctl readers --reader "$SLOT" --wait-card --timeout-ms 15000 >/dev/null
}

remove_card() {
  kill "$VCARD_PID" 2>/dev/null || true
  wait "$VCARD_PID" 2>/dev/null || true
  build/dev/bin/cardctl readers --reader "$SLOT" --wait-removal --timeout-ms 15000 >/dev/null
}

# Keys, stock, then N validated applications: prepared, encoded on virtual
# cards through pcscd (one with a card pulled mid-way), printed over IPP.
issue_cards() {
  local dir="$1" count="$2" ctl=build/dev/bin/cardctl
  local keys=(--keystore "$dir/keys.cks" --passphrase-file "$dir/keystore-passphrase")
  SLOT="Virtual PCD 00 00"
  # The demo KMC = component 1 XOR component 2; the card vendor has it too.
  DEMO_KMC=C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF
  mkdir -p "$dir/cards"
  # Secrets are readable by their owner only, even in a demo.
  (
    umask 077
    echo 0123456789ABCDEFFEDCBA9876543210 >"$dir/kmc.1"
    echo C1E287A44D6E0B2836157053BA99FCDF >"$dir/kmc.2"
  )
  log "8. key ceremony: the issuer KMC from two components; application master keys generated"
  $ctl keys ceremony --db "$dir/cardd.db" "${keys[@]}" --name bj3.kmc --alg aes128 --usage derive \
    --components 2 --component-file "$dir/kmc.1" --component-file "$dir/kmc.2"
  for k in iak eak puk prk amk; do
    $ctl keys generate --db "$dir/cardd.db" "${keys[@]}" --name "bj3.ssse.$k" --alg aes128 \
      --usage derive --derives encrypt --derives-exportable >/dev/null
  done
  $ctl keys list "${keys[@]}"
  log "9. blank cards from the vendor: lot DEMO-1, serials 0A000001.."
  $ctl stock add-lot --db "$dir/cardd.db" --lot DEMO-1 --first-serial 0A000001 --count 50 "${keys[@]}"
  start_pcscd
  start_printer 8631 "$dir/spool"
  local ids=() id serial=1
  for i in $(seq 0 60); do
    id=$(printf 'BJ-7-%08d' "$i")
    $ctl status "$id" --db "$dir/cardd.db" --json 2>/dev/null | grep -q '"state":"VALIDATED"' &&
      ids+=("$id")
    [ ${#ids[@]} -ge "$count" ] && break
  done
  log "10. encode, print and QC ${#ids[@]} cards: pcscd + vpcd + vcard, the IPP card printer (ippeveprinter, spool $dir/spool); the 2nd card is pulled mid-way"
  local -A id_numbers=()
  for id in "${ids[@]}"; do
    local faults=()
    [ "$id" = "${ids[1]}" ] && faults=(--remove-after 9)
    while true; do
      insert_card "$dir" "$(printf '0A%06X' "$serial")" "${faults[@]}"
      serial=$((serial + 1))
      echo "-- $id"
      if $ctl encode "$id" --db "$dir/cardd.db" --reader "$SLOT" "${keys[@]}"; then
        break
      fi
      echo "   (card spoiled; $id is QUEUED again: next blank card)"
      faults=()
      remove_card
    done
    $ctl read-card --reader "$SLOT" | sed 's/^/   /'
    $ctl print "$id" --db "$dir/cardd.db" --printer ipp://127.0.0.1:8631/ipp/print "${keys[@]}"
    $ctl qc "$id" --db "$dir/cardd.db" --reader "$SLOT" "${keys[@]}"
    # What the holder will show at a branch counter: the ID number on the card.
    id_numbers[$id]=$($ctl read-card --reader "$SLOT" --json --show-pii |
      sed -n 's/.*"holder.ssn":"\([^"]*\)".*/\1/p')
    remove_card
  done
  log "11. blank-card stock: received = used + spoiled + left"
  $ctl stock --db "$dir/cardd.db"
  log "12. the journey of the card that was pulled mid-way"
  $ctl status "${ids[1]}" --db "$dir/cardd.db"
  fulfil_cards "$dir" "${ids[@]}"
}

# Mail: packed per postal area, shipped with EMS numbers, one delivered and
# one returned (it goes to its branch). Branch: dispatched, received, handed
# over after the holder's ID number is checked (a wrong number first).
# Uses id_numbers, set by its caller issue_cards.
fulfil_cards() {
  local dir="$1" ctl=build/dev/bin/cardctl; shift
  local keys=(--keystore "$dir/keys.cks" --passphrase-file "$dir/keystore-passphrase")
  local f=(fulfil --db "$dir/cardd.db" "${keys[@]}")
  log "13. mail: pack per postal area, ship with tracking numbers (UPU S10, EMS range)"
  $ctl "${f[@]}" pack | tee "$dir/packs.txt"
  local pack numbers=()
  for pack in $(awk '/^PK/ {print $1}' "$dir/packs.txt"); do
    $ctl "${f[@]}" ship "$pack" | tee -a "$dir/shipped.txt"
  done
  numbers=($(awk '{print $3}' "$dir/shipped.txt"))
  log "14. courier events: the first card delivered, the second returned"
  [ ${#numbers[@]} -ge 1 ] && $ctl "${f[@]}" courier-event "${numbers[0]}" delivered --detail "signed by the holder"
  [ ${#numbers[@]} -ge 2 ] && $ctl "${f[@]}" courier-event "${numbers[1]}" returned --detail "nobody at home"
  log "15. branch pickup: dispatched, received by the branch, handed over"
  $ctl "${f[@]}" dispatch | tee "$dir/dispatched.txt"
  local id first=""
  for id in $(awk '/ dispatched$/ {print $1}' "$dir/dispatched.txt"); do
    $ctl "${f[@]}" branch-receipt "$id" --clerk "counter clerk Li"
    [ -n "$first" ] || first="$id"
  done
  if [ -n "$first" ]; then
    echo "-- $first: a wrong ID number is refused (and audited)"
    echo 110101194001010000 | $ctl "${f[@]}" collect "$first" --clerk "counter clerk Li" || true
    echo "${id_numbers[$first]}" | $ctl "${f[@]}" collect "$first" --clerk "counter clerk Li"
    $ctl status "$first" --db "$dir/cardd.db"
  fi
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
  build/release/bin/bench_encode "$@"
  build/release/bin/bench_pipeline "$@"
}

case "${1:-demo}" in
  deps) install_deps ;;
  demo) install_deps; demo ;;
  test) install_deps; test_all ;;
  bench) shift; install_deps; bench "$@" ;;
  *) echo "usage: tools/dev.sh demo|test|bench|deps" >&2; exit 2 ;;
esac
