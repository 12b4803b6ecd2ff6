#!/usr/bin/env bash
# StreamFix build entry point. Installs what is missing, builds the Rust core to wasm,
# assembles and packs the Chrome and Firefox extensions into dist/.
#
#   ./build.sh          set up, build and pack
#   ./build.sh demo     ... then open the extension on a replayed error page
#   ./build.sh test     ... then run every test (Rust, lint, end-to-end in Chromium and Firefox)
#   ./build.sh bench    ... then print the benchmark figures (also into BENCHMARKS.md)
#   ./build.sh setup    only install the toolchain pieces
#
# Environment: STREAMFIX_WASM_TOOLCHAIN=rustup|debian forces a wasm toolchain;
# CHROMIUM=/path/to/chromium picks the browser for demo and tests; FIREFOX=/path/to/firefox
# the Firefox for its tests; STREAMFIX_SKIP_FIREFOX=1 leaves the Firefox end-to-end tests out.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
CACHE=${STREAMFIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamfix}
BUILD=$ROOT/target/streamfix
DIST=$ROOT/dist
TARGET=wasm32-unknown-unknown

say() { printf '==> %s\n' "$*"; }
die() {
  printf '\nbuild.sh: %s\n' "$1" >&2
  [ -n "${2:-}" ] && printf '  how to fix: %s\n' "$2" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

APT_UPDATED=
apt_install() {
  if [ "$(id -u)" != 0 ] || ! have apt-get; then
    die "missing: $*" "install it with your package manager (Debian: sudo apt-get install -y $*), then run ./build.sh again"
  fi
  if [ -z "$APT_UPDATED" ]; then
    say "apt-get update"
    apt-get update -qq || die "apt-get update failed" "check the network access to Debian's package mirror"
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || die "apt-get install $* failed" "run 'apt-get install -y $*' by hand to see why"
}

# ---- the native toolchain (tests, wasm-bindgen-cli install)
native_cargo() {
  if have cargo; then NATIVE_CARGO=$(command -v cargo); return; fi
  [ -x /usr/bin/cargo ] || apt_install rustc-web cargo-web
  NATIVE_CARGO=/usr/bin/cargo
}

# ---- the wasm toolchain: rustup's target where it can be had, else Debian's rustc-web
# with the standard library built from source (-Zbuild-std).
wasm_toolchain() {
  local mode=${STREAMFIX_WASM_TOOLCHAIN:-auto}
  if [ "$mode" = auto ] && have rustup; then
    if rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
      mode=rustup
    else
      say "rustup target add $TARGET"
      if timeout 300 rustup target add "$TARGET" >/dev/null 2>&1; then mode=rustup; else
        say "rustup cannot fetch the wasm target here; using Debian's rustc-web with -Zbuild-std"
        mode=debian
      fi
    fi
  elif [ "$mode" = auto ]; then
    mode=debian
  fi
  case $mode in
    rustup)
      rustup target list --installed | grep -qx "$TARGET" \
        || die "rustup has no $TARGET target" "run: rustup target add $TARGET"
      WASM_BUILD=(cargo build --release --target "$TARGET" --target-dir "$ROOT/target/wasm-rustup")
      WASM_OUT=$ROOT/target/wasm-rustup/$TARGET/release/streamfix.wasm
      ;;
    debian)
      local missing=()
      [ -x /usr/bin/rustc ] && /usr/bin/rustc --print sysroot >/dev/null 2>&1 || missing+=(rustc-web)
      [ -x /usr/bin/cargo ] || missing+=(cargo-web)
      [ -d "$(/usr/bin/rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library" ] || missing+=(rust-web-src)
      have rust-lld || [ -x /usr/bin/rust-lld ] || missing+=(lld-22)
      [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
      [ -d "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library" ] \
        || die "Debian's rustc has no standard library source" "apt-get install -y rust-web-src"
      # The standard library is built here anyway: built to abort at once on a panic
      # (no panic message formatting, which nothing in the wasm could show), it is
      # about 6 KB gzip smaller.
      WASM_BUILD=(env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
        RUSTFLAGS="${RUSTFLAGS:-} -Zunstable-options -Cpanic=immediate-abort"
        /usr/bin/cargo build --release
        --target "$TARGET" -Zbuild-std=std,panic_abort --target-dir "$ROOT/target/wasm-debian")
      WASM_OUT=$ROOT/target/wasm-debian/$TARGET/release/streamfix.wasm
      ;;
    *) die "STREAMFIX_WASM_TOOLCHAIN must be rustup or debian, not '$mode'" ;;
  esac
  WASM_MODE=$mode
}

# ---- wasm-bindgen-cli at exactly the version in Cargo.lock, cached between runs
wasm_bindgen() {
  local version
  version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
  [ -n "$version" ] || die "no wasm-bindgen in Cargo.lock" "run: cargo generate-lockfile"
  WASM_BINDGEN=$CACHE/wasm-bindgen-$version/bin/wasm-bindgen
  if have wasm-bindgen && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$version" ]; then
    WASM_BINDGEN=$(command -v wasm-bindgen)
  elif [ ! -x "$WASM_BINDGEN" ]; then
    say "cargo install wasm-bindgen-cli $version (once, about 4 minutes)"
    have cc || apt_install gcc
    "$NATIVE_CARGO" install -q wasm-bindgen-cli --version "$version" --root "$CACHE/wasm-bindgen-$version" \
      || die "installing wasm-bindgen-cli $version failed" "check access to crates.io, then run ./build.sh again"
  fi
}

node_deps() {
  have node && have npm || apt_install nodejs npm
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || die "Node.js $major is too old" "install Node.js 18 or newer"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed" "check access to the npm registry"
  fi
}

chromium() {
  if [ -n "${CHROMIUM:-}" ]; then
    [ -x "$CHROMIUM" ] || die "CHROMIUM=$CHROMIUM is not executable"
  elif [ -x /usr/bin/chromium ]; then
    CHROMIUM=/usr/bin/chromium
  else
    apt_install chromium
    CHROMIUM=/usr/bin/chromium
  fi
  # Debian's Chromium ships English alone; the Spanish-browser check needs its locales.
  if [ "$CHROMIUM" = /usr/bin/chromium ] && [ -d /usr/lib/chromium/locales ] \
    && [ ! -f /usr/lib/chromium/locales/es.pak ]; then
    apt_install chromium-l10n
  fi
  export CHROMIUM
}

firefox() {
  if [ -n "${STREAMFIX_SKIP_FIREFOX:-}" ]; then return; fi
  if [ -n "${FIREFOX:-}" ]; then
    [ -x "$FIREFOX" ] || die "FIREFOX=$FIREFOX is not executable"
  elif [ -x /usr/bin/firefox-esr ]; then
    FIREFOX=/usr/bin/firefox-esr
  else
    apt_install firefox-esr
    FIREFOX=/usr/bin/firefox-esr
  fi
  export FIREFOX
}

setup() {
  native_cargo
  have python3 || apt_install python3
  wasm_toolchain
  wasm_bindgen
  node_deps
}

gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
# Most bytes (gzip) the shipped wasm and scripts may weigh: 250 KB.
SIZE_GUARD=250000

build() {
  say "building the core for $TARGET ($WASM_MODE toolchain)"
  "${WASM_BUILD[@]}" || die "the wasm build failed" "see the compiler output above"
  rm -rf "$BUILD" && mkdir -p "$BUILD"
  "$WASM_BINDGEN" --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$BUILD/pkg" "$WASM_OUT" \
    || die "wasm-bindgen failed" "delete $CACHE and run ./build.sh again"
  local wasm=$BUILD/pkg/streamfix_bg.wasm
  # Binaryen (npm devDependency, pinned): kept only when it makes the gzip smaller.
  # -O1: the size levels (-Os/-Oz) inline more and make the gzip larger here; removing
  # dead arguments (--dae-optimizing) saves about 0.3 KB more.
  local opt=$ROOT/node_modules/.bin/wasm-opt
  if [ -x "$opt" ]; then
    "$opt" -O1 --converge --dae-optimizing "$wasm" -o "$wasm.opt" || die "wasm-opt failed" "run: npm ci, then ./build.sh again"
    if [ "$(gz "$wasm.opt")" -lt "$(gz "$wasm")" ]; then mv "$wasm.opt" "$wasm"; else rm -f "$wasm.opt"; fi
  fi
  python3 tools/icons.py "$BUILD/icons"
  mkdir -p "$DIST"
  VERSION=$(node tools/assemble.mjs "$BUILD/pkg" "$BUILD/icons" "$DIST")
  rm -f "$DIST"/streamfix-*.zip
  for b in chrome firefox; do
    python3 tools/pack.py "$DIST/$b" "$DIST/streamfix-$b-$VERSION.zip"
  done
  say "packed: dist/streamfix-chrome-$VERSION.zip, dist/streamfix-firefox-$VERSION.zip"
  say "shipped wasm: $(wc -c <"$wasm" | tr -d ' ') bytes raw, $(gz "$wasm") bytes gzip"
  # A guard, not a goal: what a user downloads (the wasm and every script, each gzipped).
  local shipped=0 f
  for f in "$DIST"/chrome/pkg/*.wasm "$DIST"/chrome/*.js "$DIST"/chrome/pkg/*.js; do
    shipped=$((shipped + $(gz "$f")))
  done
  say "shipped wasm + JS: $shipped bytes gzip (guard: $SIZE_GUARD)"
  [ "$shipped" -le "$SIZE_GUARD" ] || die "the shipped wasm + JS is $shipped bytes gzip, over the $SIZE_GUARD guard" \
    "find what grew (./build.sh bench, P3) before raising the guard"
}

run_tests() {
  say "cargo fmt --check"
  "$NATIVE_CARGO" fmt --all -- --check || die "code is not formatted" "run: cargo fmt"
  say "cargo clippy"
  "$NATIVE_CARGO" clippy --quiet --all-targets -- -D warnings || die "clippy found problems" "fix the warnings above"
  say "cargo test (native core)"
  "$NATIVE_CARGO" test --quiet
  say "end-to-end harness self-test"
  node tests/e2e/harness.selftest.mjs
  say "end-to-end tests in headless Chromium"
  node tests/e2e/run.mjs
  say "web-ext lint of the Firefox add-on"
  node tests/e2e-firefox/lint.mjs || die "web-ext lint found errors in dist/firefox" "see the findings above"
  if [ -n "${STREAMFIX_SKIP_FIREFOX:-}" ]; then
    say "skipping the Firefox end-to-end tests (STREAMFIX_SKIP_FIREFOX is set)"
  else
    [ "$(id -u)" = 0 ] || die "the Firefox end-to-end tests serve the real host names on port 443, which needs root" \
      "run as root, or set STREAMFIX_SKIP_FIREFOX=1 to leave them out"
    say "end-to-end tests in headless Firefox ESR"
    node tests/e2e-firefox/run.mjs
  fi
}

cmd=${1:-build}
case $cmd in
  setup) setup ;;
  build) setup; build ;;
  demo) setup; build; chromium; node tools/demo.mjs ;;
  test) setup; build; chromium; firefox; run_tests ;;
  bench) setup; build; chromium; node bench/run.mjs ;;
  -h|--help|help) sed -n '2,13p' "$0" ;;
  *) die "unknown command '$cmd'" "use one of: build, demo, test, bench, setup" ;;
esac
