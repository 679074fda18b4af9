#!/usr/bin/env bash
# CI: the public surface of ocsp-verify (every feature on) must be what `public-api.txt` says,
# one line per public item, method and trait implementation, with its signature, as
# cargo-public-api lists it from rustdoc's JSON (nightly). Any change to the surface is then a
# change to that file, seen in review. After a deliberate change:
#
#   .ci/public-api.sh --bless
#
# (The C library's surface is its header, capi/include/ocsp_verify.h, which .ci/capi.sh keeps
# in step with cbindgen in the same way.)
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.52.0

if ! cargo public-api --version 2>/dev/null | grep -qF "$version"; then
  # A debug build: about 1 minute to install instead of 5 on 2 cores; it runs for a second.
  cargo install --locked --quiet --debug --version "$version" cargo-public-api
fi
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

mkdir -p target
# -sss: without blanket, auto-trait and auto-derived implementations (noise no review needs).
cargo public-api --all-features -sss >target/public-api.txt
if [ "${1:-}" = --bless ]; then
  cp target/public-api.txt public-api.txt
  echo "public-api.txt: $(wc -l <public-api.txt) lines"
  exit 0
fi
if ! diff -u public-api.txt target/public-api.txt; then
  echo "FAIL: the public surface changed; if that is meant, run .ci/public-api.sh --bless and commit public-api.txt" >&2
  exit 1
fi
echo "public surface: $(wc -l <public-api.txt) lines, as public-api.txt says"
