#!/usr/bin/env bash
# The installation and the .deb (README "Installing"), checked on the files
# themselves. `package_test.sh install BUILD_DIR`: `cmake --install` into a
# temporary DESTDIR, the layout, and the installed binaries finding the
# installed profiles. `package_test.sh deb BUILD_DIR`: cpack's .deb, its
# files, control fields and maintainer scripts. Reuses the build (nothing is
# compiled); cardd and cardctl must be built.
set -euo pipefail

mode=$1
build=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
has_file() { [[ -f $1 ]] || fail "missing file ${1#"$work"/}"; }
contains() { # FILE TEXT: a fixed string in a file
  grep -qF -- "$2" "$1" || fail "${1#"$work"/} lacks: $2"
}
lacks() { # FILE TEXT
  if grep -qF -- "$2" "$1"; then fail "${1#"$work"/} has: $2"; fi
}
lacks_command() { # FILE REGEX: no line that runs it (messages may name it)
  if grep -qE -- "^[[:space:]]*$2" "$1"; then fail "${1#"$work"/} runs: $2"; fi
}

# A maintainer script of the .deb run in a fake root: its absolute paths
# moved under $fake, and getent/addgroup/adduser/chown/systemctl stubs that
# log their calls to $fake/calls (the real ones need root and systemd).
make_fake_root() {
  fake=$work/fake
  stubs=$work/stubs
  rm -rf "$fake" && mkdir -p "$fake" "$stubs"
  : >"$fake/calls"
  for tool in addgroup adduser chown systemctl deb-systemd-helper deb-systemd-invoke; do
    printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$tool" "$fake" >"$stubs/$tool"
  done
  # getent knows a user once adduser, a group once addgroup has been called.
  cat >"$stubs/getent" <<STUB
#!/bin/sh
case \$1 in passwd) tool=adduser ;; *) tool=addgroup ;; esac
grep -q "^\$tool .* \$2\\\$" "$fake/calls" || exit 2
STUB
  chmod +x "$stubs"/*
}
run_script() { # NAME ARGS...: its stderr in $fake/err
  local name=$1
  shift
  sed -e "s|/var/lib/cardd|$fake/var/lib/cardd|g" -e "s|/etc/cardd|$fake/etc/cardd|g" \
    -e "s|/var/spool/cardd|$fake/var/spool/cardd|g" \
    -e "s|/run/systemd/system|$fake/run/systemd/system|g" "$work/ctrl/$name" >"$work/$name.fake"
  PATH=$stubs:$PATH sh "$work/$name.fake" "$@" 2>"$fake/err" || fail "$name $*: exit $?"
}
mode_of() { stat -c %a "$1" 2>/dev/null || echo none; }

# A tree that holds cardd, cardctl, the profiles and the pages under PREFIX.
check_tree() { # ROOT PREFIX UNIT_DIR
  local root=$1 prefix=$2 unit=$1$3/cardd.service
  local bin=$root$prefix/bin share=$root$prefix/share
  [[ -x $bin/cardd && -x $bin/cardctl ]] || fail "bin/cardd or bin/cardctl missing under $prefix"
  for sim in vcard bureau-sim; do
    [[ ! -e $bin/$sim ]] || fail "the simulator $sim is installed by default"
  done
  for region in beijing tianjin; do
    has_file "$share/cardd/profiles/$region/region.toml"
  done
  [[ $(readlink "$share/cardd/profiles/default") == beijing ]] ||
    fail "profiles/default is not the link to beijing"
  has_file "$share/doc/cardd/examples/cardd.toml"
  has_file "$share/doc/cardd/README.md"
  for page in index.html style.css js/main.js; do
    has_file "$share/cardd/web/$page"
  done

  has_file "$unit"
  [[ -f $unit ]] || return 0
  contains "$unit" "ExecStart=$prefix/bin/cardd --config /etc/cardd/cardd.toml"
  for line in User=cardd Group=cardd StateDirectory=cardd StateDirectoryMode=0750 \
    ConfigurationDirectory=cardd NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
    PrivateTmp=yes "ReadWritePaths=/var/lib/cardd /var/spool/cardd" Restart=on-failure KillSignal=SIGTERM \
    LogsDirectory=cardd ConditionPathExists=/etc/cardd/cardd.toml WantedBy=multi-user.target; do
    contains "$unit" "$line"
  done
  lacks "$unit" "@CARDD_"

  # The binaries run from the tree and find its profiles, not the build's.
  local run=$work/run
  mkdir -p "$run"
  (cd "$run" && env -u CARDD_PROFILE_PATH "$bin/cardd" --print-config >"$work/printed") ||
    fail "cardd --print-config exits $?"
  contains "$work/printed" "[center]"
  "$bin/cardctl" --help >"$work/help" || fail "cardctl --help exits $?"
  contains "$work/help" "cardctl"

  printf '[center]\nregion = "tianjin"\n[hsm]\nallow_soft_backend = true\n' >"$run/tianjin.toml"
  (cd "$run" && env -u CARDD_PROFILE_PATH "$bin/cardd" --check-config --config tianjin.toml \
    >"$work/checked" 2>&1) || fail "cardd --check-config (tianjin): $(cat "$work/checked")"
  contains "$work/checked" "region tianjin from $share/cardd/profiles/tianjin"

  # The shipped example is a valid configuration with the installed profiles.
  (cd "$run" && env -u CARDD_PROFILE_PATH "$bin/cardd" --check-config \
    --config "$share/doc/cardd/examples/cardd.toml" >"$work/example" 2>&1) ||
    fail "the example configuration: $(cat "$work/example")"
  contains "$work/example" "region default from $share/cardd/profiles/default"

  printf '[center]\nregion = "atlantis"\n[hsm]\nallow_soft_backend = true\n' >"$run/atlantis.toml"
  local code=0
  (cd "$run" && env -u CARDD_PROFILE_PATH "$bin/cardd" --check-config --config atlantis.toml \
    >"$work/missing" 2>&1) || code=$?
  [[ $code == 2 ]] || fail "an unknown region: exit $code, not 2"
  contains "$work/missing" "$share/cardd/profiles/atlantis"

  # cardctl's own region lookup: generated applications carry the region's data.
  env -u CARDD_PROFILE_PATH "$bin/cardctl" gen --region tianjin --count 1 --seed 7 \
    --out "$work/apps.jsonl" >"$work/gen" 2>&1 || fail "cardctl gen --region tianjin: $(cat "$work/gen")"
  [[ -f $work/apps.jsonl ]] && contains "$work/apps.jsonl" '"application_id":"TJ-7-00000000"'
}

case $mode in
  install)
    DESTDIR=$work/stage cmake --install "$build" --prefix /usr/local >"$work/install.log" ||
      { cat "$work/install.log"; exit 1; }
    check_tree "$work/stage" /usr/local /usr/local/lib/systemd/system
    ;;
  deb)
    cpack --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
      { cat "$work/cpack.log"; exit 1; }
    debs=("$work"/pkg/cardd_*.deb)
    [[ ${#debs[@]} == 1 && -f ${debs[0]} ]] || { cat "$work/cpack.log"; exit 1; }
    deb=${debs[0]}
    [[ $(basename "$deb") == "cardd_$(dpkg-deb -f "$deb" Version)_$(dpkg --print-architecture).deb" ]] ||
      fail "package file name $(basename "$deb")"

    dpkg-deb -c "$deb" | awk '{print $6}' >"$work/listing"
    for path in ./usr/bin/cardd ./usr/bin/cardctl ./usr/share/cardd/profiles/beijing/region.toml \
      ./usr/share/cardd/profiles/tianjin/region.toml ./usr/share/cardd/profiles/default \
      ./lib/systemd/system/cardd.service ./usr/share/doc/cardd/examples/cardd.toml \
      ./usr/share/cardd/web/index.html ./usr/share/cardd/web/js/main.js; do
      grep -qxF -- "$path" "$work/listing" || fail ".deb lacks $path"
    done
    if grep -qE '/(vcard|bureau-sim)$|^\./etc/|^\./var/' "$work/listing"; then
      fail ".deb holds a simulator, /etc or /var: $(grep -E '/(vcard|bureau-sim)$|^\./etc/|^\./var/' "$work/listing")"
    fi

    dpkg-deb -f "$deb" >"$work/control"
    contains "$work/control" "Package: cardd"
    contains "$work/control" "Architecture: $(dpkg --print-architecture)"
    contains "$work/control" "Section: admin"
    contains "$work/control" "Maintainer: "
    lacks "$work/control" ";"   # a CMake list where one string was meant
    depends=$(dpkg-deb -f "$deb" Depends)
    for dep in adduser libc6 libsqlite3-0 libssl3 libpcsclite1; do
      [[ $depends =~ (^|, )$dep( |,|$) ]] || fail "Depends lacks $dep: $depends"
    done

    dpkg-deb -e "$deb" "$work/ctrl"
    for script in postinst prerm postrm; do
      s=$work/ctrl/$script
      [[ -x $s ]] || { fail "$script missing or not executable"; continue; }
      sh -n "$s" || fail "$script: sh -n"
      contains "$s" "set -e"
    done
    contains "$work/ctrl/postinst" "adduser --system"
    contains "$work/ctrl/postinst" "chmod 0750 /var/lib/cardd"
    contains "$work/ctrl/postinst" "chown cardd:cardd /var/lib/cardd"
    contains "$work/ctrl/postinst" "chown root:cardd /etc/cardd"
    lacks_command "$work/ctrl/postinst" "(systemctl|deb-systemd-invoke) +(--[a-z]+ +)*(start|enable|restart)"
    lacks_command "$work/ctrl/postinst" "deb-systemd-helper +(--[a-z]+ +)*enable"
    contains "$work/ctrl/postinst" "systemctl try-restart cardd.service"
    contains "$work/ctrl/prerm" "systemctl stop cardd.service"
    # shellcheck disable=SC2016 # the script's own text
    contains "$work/ctrl/postrm" '"$1" = purge'
    contains "$work/ctrl/postrm" "CARDD_PURGE_STATE"
    # What the scripts do. A first install: user, group, both folders 0750.
    make_fake_root
    run_script postinst configure
    contains "$fake/calls" "addgroup --system --quiet cardd"
    contains "$fake/calls" "adduser --system --quiet --ingroup cardd --home $fake/var/lib/cardd"
    contains "$fake/calls" "chown cardd:cardd $fake/var/lib/cardd"
    contains "$fake/calls" "chown root:cardd $fake/etc/cardd"
    contains "$fake/calls" "chown cardd:cardd $fake/var/spool/cardd $fake/var/spool/cardd/paper"
    [[ $(mode_of "$fake/var/spool/cardd/paper") == 750 ]] ||
      fail "postinst: paper folder mode $(mode_of "$fake/var/spool/cardd/paper"), not 750"
    [[ $(mode_of "$fake/var/lib/cardd") == 750 && $(mode_of "$fake/etc/cardd") == 750 ]] ||
      fail "postinst: modes $(mode_of "$fake/var/lib/cardd") $(mode_of "$fake/etc/cardd"), not 750"
    contains "$fake/err" "write $fake/etc/cardd/cardd.toml"
    lacks "$fake/calls" "systemctl"
    # An upgrade under systemd: no second user, the admin's modes kept, a
    # running service restarted, none started or enabled.
    mkdir -p "$fake/run/systemd/system"
    chmod 0700 "$fake/var/lib/cardd"
    : >"$fake/etc/cardd/cardd.toml"
    run_script postinst configure 0.0.9
    [[ $(grep -c "^add" "$fake/calls") == 2 ]] || fail "postinst: adduser/addgroup called again"
    [[ $(mode_of "$fake/var/lib/cardd") == 700 ]] || fail "postinst: the admin's mode was reset"
    contains "$fake/calls" "systemctl try-restart cardd.service"
    lacks_command "$fake/calls" "systemctl (start|enable|restart)"
    [[ ! -s $fake/err ]] || fail "postinst with a configuration still says: $(cat "$fake/err")"
    : >"$fake/calls"
    run_script prerm upgrade 0.2.0
    lacks "$fake/calls" "stop"
    run_script prerm remove
    contains "$fake/calls" "systemctl stop cardd.service"
    # remove keeps everything; purge keeps records unless asked.
    : >"$fake/var/lib/cardd/cardd.db"
    run_script postrm remove
    [[ -f $fake/var/lib/cardd/cardd.db && -f $fake/etc/cardd/cardd.toml ]] || fail "postrm remove deleted state"
    : >"$fake/var/spool/cardd/paper/PK-1.letters.pdf"
    run_script postrm purge
    [[ -f $fake/var/lib/cardd/cardd.db && -f $fake/etc/cardd/cardd.toml ]] ||
      fail "postrm purge deleted the database or the configuration"
    [[ -f $fake/var/spool/cardd/paper/PK-1.letters.pdf ]] || fail "postrm purge deleted printed paper"
    contains "$fake/err" "$fake/var/lib/cardd kept"
    CARDD_PURGE_STATE=yes run_script postrm purge
    [[ ! -e $fake/var/lib/cardd && ! -e $fake/etc/cardd ]] ||
      fail "postrm purge with CARDD_PURGE_STATE=yes left state"
    [[ ! -e $fake/var/spool/cardd ]] || fail "postrm purge with CARDD_PURGE_STATE=yes left paper"
    mkdir -p "$fake/var/lib/cardd" "$fake/etc/cardd" "$fake/var/spool/cardd/paper"
    run_script postrm purge
    [[ ! -e $fake/var/lib/cardd && ! -e $fake/etc/cardd && ! -e $fake/var/spool/cardd ]] ||
      fail "postrm purge left empty folders"
    [[ ! -e $work/ctrl/conffiles ]] || fail "unexpected conffiles: $(cat "$work/ctrl/conffiles")"

    # The packaged tree works where it is unpacked, stripped binaries included.
    dpkg-deb -x "$deb" "$work/root"
    if file "$work/root/usr/bin/cardd" | grep -q "not stripped"; then
      fail "/usr/bin/cardd is not stripped"
    fi
    check_tree "$work/root" /usr /lib/systemd/system
    ;;
  *)
    echo "usage: $0 install|deb BUILD_DIR" >&2
    exit 2
    ;;
esac

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "package $mode: all checks passed"
