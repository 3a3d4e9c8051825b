#!/usr/bin/env bash
# cardd developer entry point, for a fresh Debian 12 machine.
#   tools/dev.sh demo    install, build, run a full simulated issuance (intake → printed cards)
#   tools/dev.sh test    install, build (dev + asan), run every test suite and
#                        each fuzz target for 30 s
#   tools/dev.sh soak    the reliability tests at length: the SIGKILL batch at 1,000
#                        applications and 20 kills, the scenario suites under the
#                        sanitizers, each fuzz target for 10 min
#   tools/dev.sh bench   install, build (release), run the benchmarks
#   tools/dev.sh deps    only install the Debian packages
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format git clang libclang-rt-14-dev
  libboost-dev libssl-dev libsqlite3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libcli11-dev libtomlplusplus-dev libsimdjson-dev libjpeg-dev libicu-dev
  libgtest-dev libgmock-dev libbenchmark-dev util-linux softhsm2 libp11-kit-dev
  pcscd vsmartcard-vpcd libpcsclite-dev opensc
  libcairo2-dev libpango1.0-dev libpng-dev libdeflate-dev fontconfig fonts-noto-cjk fonts-hanazono
  libcups2-dev cups-ipp-utils avahi-daemon dbus libzint-dev poppler-utils zbar-tools curl
  chromium
)

# Each step with the time since the script started ("+9m26s", which cannot be
# read as a time of day); `timeline` repeats them at the end, where CI's
# shortened output still shows them.
STEPS=""
log() {
  local line
  line=$(printf '[+%dm%02ds] %s' $((SECONDS / 60)) $((SECONDS % 60)) "$*")
  STEPS+="$line"$'\n'
  printf '\n== %s\n' "$line" >&2
}
timeline() {
  local rc=$?
  log "end (exit status $rc)"
  printf '\ntimeline:\n%s' "$STEPS" >&2
}

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # npm runs the browser tests' tooling (tests/web): the machine's own Node.js
  # when it has one (playwright-core wants 20 or later), else Debian's.
  command -v npm >/dev/null || missing+=(nodejs npm)
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

# The demo's production floor: two lines of two encoder slots each (one vpcd
# reader entry per line gives its two slots), a vcard hopper of blank cards
# per slot, an IPP card printer per line.
LINES=(line-1 line-2)
VPCD_PORTS=(35963 35965)  # a line's slots listen on PORT and PORT+1
HOPPER_CARDS=150
APPLICATIONS=300  # the bureau's; the batch file adds 40

demo() {
  build dev
  local dir="${CARDD_DEMO_DIR:-build/demo}" ctl=build/dev/bin/cardctl
  stop_previous_run "$dir"
  rm -rf "$dir" && mkdir -p "$dir/logs" "$dir/printed"
  trap stop_started EXIT
  local keys=(--keystore "$dir/keys.cks" --passphrase-file "$dir/keystore-passphrase")
  # Secrets are readable by their owner only, even in a demo.
  (
    umask 077
    echo "demo keystore passphrase" >"$dir/keystore-passphrase"
    echo 0123456789ABCDEFFEDCBA9876543210 >"$dir/kmc.1"
    echo C1E287A44D6E0B2836157053BA99FCDF >"$dir/kmc.2"
  )
  log "1. keys: storage keys for personal data at rest, the issuer KMC from two components, application master keys"
  # The one command that creates the keystore: it is never created unasked.
  $ctl keys init-storage --db "$dir/cardd.db" "${keys[@]}" --create-keystore >/dev/null
  $ctl keys ceremony --db "$dir/cardd.db" "${keys[@]}" --name bj3.kmc --alg aes128 --usage derive \
    --components 2 --component-file "$dir/kmc.1" --component-file "$dir/kmc.2" >/dev/null
  for k in iak eak puk prk amk rk; do
    $ctl keys generate --db "$dir/cardd.db" "${keys[@]}" --name "bj3.ssse.$k" --alg aes128 \
      --usage derive --derives encrypt --derives-exportable >/dev/null
  done
  $ctl keys list "${keys[@]}"
  log "2. a batch file from the bureau: 40 applications, 10% invalid (imported twice: the second run changes nothing)"
  $ctl gen --count 40 --seed 2026 --invalid-rate 0.1 --no-malformed --out "$dir/batch.jsonl"
  $ctl import "$dir/batch.jsonl" --db "$dir/cardd.db" "${keys[@]}"
  $ctl import "$dir/batch.jsonl" --db "$dir/cardd.db" "${keys[@]}" | tail -1
  log "3. blank cards: one vendor lot per hopper"
  local line slot n=0
  for line in 1 2; do
    for slot in 1 2; do
      n=$((n + 1))
      $ctl stock add-lot --db "$dir/cardd.db" --lot "DEMO-L${line}S${slot}" \
        --first-serial "$(hopper_serial "$n" 0)" --count "$HOPPER_CARDS" "${keys[@]}" >/dev/null
    done
  done
  $ctl stock --db "$dir/cardd.db"
  log "4. the floor: pcscd with 4 vpcd slots in 2 lines, a vcard hopper per slot, an IPP card printer per line"
  start_floor "$dir"
  log "5. the bureau: $APPLICATIONS approved applications (5% invalid) over mutual TLS, signed pages, one request in ten failing"
  start_bureau "$dir/logs/bureau.out" --count "$APPLICATIONS" --seed 7 --invalid-rate 0.05 \
    --fail-rate 0.1 --log-level warn
  remember "$SIM_PID"
  write_demo_config "$dir"
  log "6. cardd (configuration: $dir/cardd.toml; log: $dir/logs/cardd.log)"
  build/dev/bin/cardd --config "$dir/cardd.toml" 2>"$dir/logs/cardd.err" &
  CARDD_PID=$!
  remember "$CARDD_PID"
  # A card machine whose second slot of line 2 jams: its first card is
  # pulled mid-write (the slot empties), then the operator refills it.
  refill_jammed_slot "$dir" &
  remember $!
  local received
  received=$(($(grep -c . "$dir/batch.jsonl") + APPLICATIONS))
  watch_progress "$dir" "$received"
  log "7. the lines as the daemon reports them (cardctl line status), then couriers and branches: one card delivered, one returned; branch cards received, one handed over"
  $ctl line --config "$dir/cardd.toml" status
  courier_and_branch "$dir" "$dir/bureau-copy.jsonl"
  watch_progress "$dir" "$received"
  log "8. SIGTERM: cardd finishes the cards in hand, sends what is left and stops"
  kill -TERM "$CARDD_PID"
  local rc=0
  wait "$CARDD_PID" || rc=$?
  echo "cardd exited with $rc"
  kill "$SIM_PID" && wait "$SIM_PID" 2>/dev/null || true
  closing_summary "$dir"
}

# Stops what an earlier run that did not finish left behind.
stop_previous_run() {
  [ -f "$1/run.pids" ] || return 0
  kill $(cat "$1/run.pids") 2>/dev/null || true
  sleep 1
}

remember() { echo "$@" >>"${DEMO_DIR_PIDS:-/dev/null}"; STARTED_PIDS+=("$@"); }

# IC serial of card $2 (0-based) in hopper $1 (1-based): hopper n's stack
# starts at 0A0n0001.
hopper_serial() { printf '0A%02X%04X' "$1" $(($2 + 1)); }

start_floor() {
  local dir="$1"
  DEMO_DIR_PIDS="$dir/run.pids"
  mkdir -p "$dir/pcscd" "$dir/pcscd-drivers"
  # vpcd keeps its slots in one static array indexed by slot number, so two
  # reader entries with the same driver file overwrite each other's slots: each
  # line gets its own copy of the driver (a separate load, separate slots).
  local i driver
  for i in 0 1; do
    driver="$(cd "$dir/pcscd-drivers" && pwd)/libifdvpcd-${LINES[$i]}.so"
    cp /usr/lib/pcsc/drivers/serial/libifdvpcd.so "$driver"
    printf 'FRIENDLYNAME "%s encoder"\nDEVICENAME   /dev/null:0x%X\nLIBPATH      %s\nCHANNELID    0x%X\n\n' \
      "${LINES[$i]}" "${VPCD_PORTS[$i]}" "$driver" "${VPCD_PORTS[$i]}"
  done >"$dir/pcscd/readers.conf"
  start_pcscd "$dir/pcscd"
  local n=0 line slot args
  for line in 0 1; do
    for slot in 0 1; do
      n=$((n + 1))
      args=(--hopper "$HOPPER_CARDS" --serial "$(hopper_serial "$n" 0)")
      # The jammed slot: one card, pulled after 60 commands (refill_jammed_slot).
      [ "$n" -eq 4 ] && args=(--hopper 1 --serial "$(hopper_serial "$n" 0)" --remove-after 60)
      build/dev/bin/vcard --port $((VPCD_PORTS[line] + slot)) --kmc "$DEMO_KMC" --feed-delay-ms 100 \
        --out-dir "$dir/cards" "${args[@]}" >"$dir/logs/hopper-$n.log" 2>&1 &
      remember $!
    done
    start_printer $((8631 + line)) "$dir/printed/${LINES[$line]}" "$dir/logs/printer-${LINES[$line]}.log"
  done
  for line in 0 1; do
    for slot in 0 1; do
      build/dev/bin/cardctl readers --reader "${LINES[$line]} encoder 00 0$slot" --wait-card \
        --timeout-ms 15000 >/dev/null
    done
  done
  build/dev/bin/cardctl readers
}

# The demo KMC = component 1 XOR component 2; the card vendor has it too.
DEMO_KMC=C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF

refill_jammed_slot() {
  local dir="$1"
  until grep -q 'vcard: removed' "$dir/logs/hopper-4.log" 2>/dev/null; do sleep 0.5; done
  sleep 5
  echo "vcard: the operator refills the hopper" >>"$dir/logs/hopper-4.log"
  exec build/dev/bin/vcard --port $((VPCD_PORTS[1] + 1)) --kmc "$DEMO_KMC" --feed-delay-ms 100 \
    --out-dir "$dir/cards" --hopper $((HOPPER_CARDS - 1)) --serial "$(hopper_serial 4 1)" \
    >>"$dir/logs/hopper-4.log" 2>&1
}

write_demo_config() {
  local dir="$1" abs
  abs="$(cd "$dir" && pwd)"
  local pki="$abs/logs/bureau-pki"
  {
    printf '[center]\nregion = "beijing"\nprofile_path = ["%s/profiles"]\n' "$ROOT"
    printf '[database]\nurl = "sqlite://%s/cardd.db"\n' "$abs"
    printf '[hsm]\nbackend = "soft"\nallow_soft_backend = true\nkeystore = "%s/keys.cks"\npassphrase_file = "%s/keystore-passphrase"\n' "$abs" "$abs"
    printf '[bureau]\nurl = "%s"\npull_interval_ms = 1000\npage_size = 50\n' "$SIM_URL"
    printf 'ca_file = "%s/ca.pem"\ncertificate_file = "%s/client.pem"\nkey_file = "%s/client.key"\nsigning_public_key_file = "%s/sign.pub"\n' \
      "$pki" "$pki" "$pki" "$pki"
    local i
    for i in 0 1; do
      printf '[[lines]]\nname = "%s"\nslots = ["%s encoder 00 00", "%s encoder 00 01"]\nprinter = "ipp://127.0.0.1:%d/ipp/print"\n' \
        "${LINES[$i]}" "${LINES[$i]}" "${LINES[$i]}" $((8631 + i))
    done
    mkdir -p "$abs/printed/paper"
    printf '[fulfilment]\npack_batch = 20\npaper_printer = "dir://%s/printed/paper"\n' "$abs"
    printf '[log]\nlevel = "info"\nfile = "%s/logs/cardd.log"\nprogress_interval_ms = 2000\n' "$abs"
  } >"$dir/cardd.toml"
}

# Shows cardd's progress line as it comes (cards per state, per line) until
# every one of $2 applications is finished and the bureau has every change.
watch_progress() {
  local dir="$1" expected="$2" last="" line start=$SECONDS
  while kill -0 "$CARDD_PID" 2>/dev/null; do
    sleep 2
    line=$(grep -a 'progress:' "$dir/logs/cardd.log" 2>/dev/null | tail -1 || true)
    [ -n "$line" ] && [ "$line" != "$last" ] || continue
    last="$line"
    printf '%4ds %s\n' $((SECONDS - start)) "$(format_progress "$line")"
    settled "$line" "$expected" && return 0
  done
  echo "cardd stopped unexpectedly:" >&2
  tail -20 "$dir/logs/cardd.err" >&2
  return 1
}

# "progress: A=1 B=2 unsent=3 | line-1/line-1 encoder 00 00: 4 made, 0 spoiled, encoding | …"
# → "A 1 · B 2 · unsent 3" and one line per production line with its slots.
format_progress() {
  sed 's/.*progress: //' <<<"$1" | awk -F' [|] ' '{
    states = $1; gsub(/=/, " ", states); gsub(/ unsent/, " | unsent", states); print states
    for (i = 2; i <= NF; i++) {
      split($i, a, "/"); line = a[1]; rest = substr($i, length(line) + 2)
      split(rest, b, ": "); split(b[2], c, ", ")
      made[line] += c[1]; spoiled[line] += c[2]; doing[line] = doing[line] (doing[line] ? "; " : "") c[3]
      if (!(line in seen)) { seen[line] = 1; order[++n] = line }
    }
    for (k = 1; k <= n; k++)
      printf "      %s: %d made, %d spoiled [%s]\n", order[k], made[order[k]], spoiled[order[k]], doing[order[k]]
  }' | sed '1s/^/ /'
}

settled() {  # settled PROGRESS_LINE EXPECTED
  sed 's/.*progress: //; s/ |.*//' <<<"$1" | tr ' ' '\n' | awk -F= -v want="$2" '
    $1 == "unsent" { unsent = $2; next }
    { total += $2 }
    $1 !~ /^(REJECTED|SHIPPED|DELIVERED|DISPATCHED|READY_FOR_PICKUP|COLLECTED)$/ { busy += $2 }
    END { exit !(total == want && busy == 0 && unsent == 0) }'
}

# Couriers and branches over cardd's HTTP API (curl), each with its own
# token (cardctl tokens create): the courier reports two shipped cards, one
# delivered and one returned; a branch confirms the cards it received (a
# card of another branch is not its to confirm), finds a holder by the last
# digits of the ID number and hands the card over after checking the full
# number (a wrong number first: 409, audited). The holder's number comes
# from the bureau's copy of the applications ($2, the same generator, and
# the batch file).
courier_and_branch() {
  local dir="$1" copy="$2" ctl=build/dev/bin/cardctl api="http://127.0.0.1:8443/api/v1"
  local cfg=(--config "$dir/cardd.toml")
  call() {  # call TOKEN METHOD PATH [JSON]: prints the status and the body
    local args=(-sS -w '  → HTTP %{http_code}\n' -X "$2" -H "Authorization: Bearer $1")
    [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' -d "$4")
    echo "\$ curl -X $2 $api$3${4:+ -d '$4'}"
    curl "${args[@]}" "$api$3"
  }
  local courier operator
  courier=$($ctl tokens create "${cfg[@]}" --role courier --label "demo courier desk" --expires 1d)
  operator=$($ctl tokens create "${cfg[@]}" --role operator --label "demo operator" --expires 1d)
  local shipped=($($ctl list --db "$dir/cardd.db" --state SHIPPED --limit 2 | awk '{print $NF}'))
  # One time for the event and its repeat: the same event, so kept once.
  local at
  at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  [ ${#shipped[@]} -ge 1 ] && call "$courier" POST "/shipments/${shipped[0]}/events" \
    "{\"event_id\":\"ems-demo-1\",\"event\":\"delivered\",\"occurred_at\":\"$at\",\"detail\":\"signed by the holder\"}"
  [ ${#shipped[@]} -ge 2 ] && call "$courier" POST "/shipments/${shipped[1]}/events" \
    '{"event_id":"ems-demo-2","event":"returned","detail":"nobody at home"}'
  [ ${#shipped[@]} -ge 1 ] && call "$courier" POST "/shipments/${shipped[0]}/events" \
    "{\"event_id\":\"ems-demo-1\",\"event\":\"delivered\",\"occurred_at\":\"$at\",\"detail\":\"signed by the holder\"}"

  echo "-- the pages (sign in with an operator or branch token): http://127.0.0.1:8443/"
  curl -sS -o /dev/null -w 'GET /ui/ → HTTP %{http_code}, %{size_download} bytes\n' http://127.0.0.1:8443/ui/
  call "$operator" GET /summary | cut -c1-240

  # A counter receives the cards of its own branch: up to five of the first
  # dispatched card's branch (`cardctl list` prints "ID  branch BRANCH").
  local dispatched
  dispatched=$($ctl list --db "$dir/cardd.db" --state DISPATCHED --collection branch --limit 100000)
  [ -n "$dispatched" ] || return 0
  local branch branch_token
  branch=$(awk 'NR == 1 {print $3}' <<<"$dispatched")
  local ids=($(awk -v b="$branch" '$3 == b && n < 5 {print $1; n++}' <<<"$dispatched"))
  local first="${ids[0]}"
  branch_token=$($ctl tokens create "${cfg[@]}" --role branch --branch "$branch" --label "demo counter" --expires 1d)
  local list
  list=$(printf '"%s",' "${ids[@]}")
  call "$branch_token" POST "/branches/$branch/receipts" "{\"applications\":[${list%,}],\"clerk\":\"counter clerk Li\"}"

  $ctl gen --count "$APPLICATIONS" --seed 7 --invalid-rate 0.05 --no-malformed --out "$copy" >/dev/null
  local id_number
  id_number=$(grep -hF "\"$first\"" "$copy" "$dir/batch.jsonl" | sed -n 's/.*"id_number":"\([^"]*\)".*/\1/p' | head -1)
  call "$branch_token" GET "/branches/$branch/pickups?q=${id_number: -4}"
  echo "-- $first: a wrong ID number is refused (and audited), then the holder's own"
  call "$branch_token" POST "/pickups/$first/collect" '{"id_number":"110101194001010000","clerk":"counter clerk Li"}'
  call "$branch_token" POST "/pickups/$first/collect" "{\"id_number\":\"$id_number\",\"clerk\":\"counter clerk Li\"}" |
    sed "s/$id_number/[the holder's ID number]/"
  $ctl status "$first" --db "$dir/cardd.db" | tail -4
}

closing_summary() {
  local dir="$1" ctl=build/dev/bin/cardctl
  log "9. summary"
  $ctl report --db "$dir/cardd.db" --keystore "$dir/keys.cks" --passphrase-file "$dir/keystore-passphrase" |
    tee "$dir/report.txt"
  # The hoppers' own count: every card that left a slot (ejected, or pulled
  # by the jam) is a card the database calls used or spoiled.
  local n left=0 accounted
  for n in 1 2 3 4; do
    left=$((left + $(grep -cE '^vcard: (ejected|removed)' "$dir/logs/hopper-$n.log" || true)))
  done
  accounted=$(sed -n 's/.* = used \([0-9]*\) + spoiled \([0-9]*\) .*/\1 + \2/p' "$dir/report.txt")
  echo "the hoppers: $left cards left their slots; the database: used + spoiled = $accounted = $((accounted))"
  if [ "$left" -ne "$((accounted))" ]; then
    echo "MISMATCH: the hoppers and the database disagree on the cards used" >&2
    return 1
  fi
  local bureau ours
  bureau=$(sed -n 's/.*status messages received: \([0-9]*\).*/\1/p' "$dir/logs/bureau.out" | tail -1)
  ours=$(sed -n 's/^status changes: \([0-9]*\) recorded.*/\1/p' "$dir/report.txt")
  echo "the bureau: $(grep 'status messages received' "$dir/logs/bureau.out" | tail -1)"
  echo "cardd: $ours state changes recorded"
  echo "printed: $dir/printed — card faces per line ($(find "$dir/printed/line-1" "$dir/printed/line-2" -name '*.png' | wc -l) images), carrier letters and mailing labels per pack ($(find "$dir/printed/paper" -type f | wc -l) PDFs)"
  if [ "$bureau" != "$ours" ]; then
    echo "MISMATCH: the bureau received $bureau status messages, cardd recorded $ours" >&2
    return 1
  fi
  echo "the bureau's count equals cardd's"
}

# pcscd with the demo's reader configuration ($1, a folder). pcscd is one per
# machine (its socket is fixed): a running one is used only if it already
# has the demo's readers.
start_pcscd() {
  if pgrep -x pcscd >/dev/null; then
    build/dev/bin/cardctl readers 2>/dev/null | grep -q "^${LINES[1]} encoder 00 01$" && return 0
    echo "a pcscd is running without the demo's readers; stop it first (pkill -x pcscd)" >&2
    return 1
  fi
  mkdir -p /run/pcscd
  pcscd -f -c "$(cd "$1" && pwd)" >"$1/../logs/pcscd.log" 2>&1 &
  remember $!
  for _ in $(seq 100); do
    build/dev/bin/cardctl readers >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "pcscd did not start:" >&2; cat "$1/../logs/pcscd.log" >&2; return 1
}

# ippeveprinter on port $1 with spool $2 and log $3, after the D-Bus system
# bus and avahi-daemon it needs (notes/devices.md).
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
    -f image/png,image/jpeg,application/pdf "CardPrinter$1" >"$3" 2>&1 &
  remember $!
  for _ in $(seq 100); do
    ipptool -q "ipp://127.0.0.1:$1/ipp/print" get-printer-attributes.test 2>/dev/null && return 0
    sleep 0.1
  done
  echo "ippeveprinter did not start:" >&2; cat "$3" >&2; return 1
}

# Stops what the demo started, and only that (a machine's own pcscd, D-Bus
# or avahi keep running).
STARTED_DBUS="" STARTED_AVAHI="" SIM_PID="" CARDD_PID="" STARTED_PIDS=()
stop_started() {
  [ ${#STARTED_PIDS[@]} -eq 0 ] || kill "${STARTED_PIDS[@]}" 2>/dev/null || true
  [ -z "$STARTED_AVAHI" ] || avahi-daemon --kill 2>/dev/null || true
  if [ -n "$STARTED_DBUS" ] && [ -f /run/dbus/pid ]; then
    kill "$(cat /run/dbus/pid)" 2>/dev/null || true
    rm -f /run/dbus/pid
  fi
}

test_all() {
  trap timeline EXIT
  build dev
  run_tests dev
  build asan
  run_tests asan
}

soak() {
  build dev
  log "the SIGKILL batch: ${CARDD_CRASH_APPLICATIONS:=1000} applications, ${CARDD_CRASH_KILLS:=20} kills"
  CARDD_CRASH_APPLICATIONS="$CARDD_CRASH_APPLICATIONS" CARDD_CRASH_KILLS="$CARDD_CRASH_KILLS" \
    build/dev/bin/test_daemon_crash
  build asan
  log "the scenario suites under the sanitizers (the asan preset leaves them out)"
  ctest --test-dir build/asan -j "$(jobs)" -L scenario --output-on-failure
  log "each fuzz target for ${CARDD_FUZZ_SECONDS:=600} s"
  CARDD_FUZZ_SECONDS="$CARDD_FUZZ_SECONDS" ctest --preset asan -j "$(jobs)" -R '_fuzz$'
}

bench() {
  build release
  build/release/bin/bench_intake "$@"
  build/release/bin/bench_hsm "$@"
  build/release/bin/bench_render "$@"
  build/release/bin/bench_encode "$@"
  build/release/bin/bench_pipeline "$@"
  build/release/bin/bench_api "$@"
}

case "${1:-demo}" in
  deps) install_deps ;;
  demo) install_deps; demo ;;
  test) install_deps; test_all ;;
  soak) install_deps; soak ;;
  bench) shift; install_deps; bench "$@" ;;
  *) echo "usage: tools/dev.sh demo|test|soak|bench|deps" >&2; exit 2 ;;
esac
