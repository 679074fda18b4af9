#!/usr/bin/env bash
# Instructions per full in-memory rustls handshake (client and server together, ring, P-256
# chain, the client with rustls' default WebPkiServerVerifier), for a server with rustls alone
# and no staple ("bare"), rustls with a fixed staple ("static-staple"), the stapler with
# nothing to staple ("stapler-none") and the stapler stapling ("stapler-staple"), counted by
# callgrind: repeatable whatever else the machine is doing, unlike the timings of
# benches/stapler.rs.
#
#   benches/stapler-instructions.sh [ITERATIONS]    # default 20
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-20}
# shellcheck source=benches/callgrind.sh
. benches/callgrind.sh
bench_executable stapler stapler

printf '%-6s %12s %14s %8s %14s %8s %14s %8s\n' version bare static-staple ratio stapler-none ratio \
  stapler-staple ratio
for version in tls13 tls12; do
  bare=$(per_handshake bare "$version")
  fixed=$(per_handshake static-staple "$version")
  none=$(per_handshake stapler-none "$version")
  stapled=$(per_handshake stapler-staple "$version")
  printf '%-6s %12d %14d %8s %14d %8s %14d %8s\n' "$version" "$bare" "$fixed" "$(ratio "$fixed" "$bare" 4)" \
    "$none" "$(ratio "$none" "$bare" 4)" "$stapled" "$(ratio "$stapled" "$bare" 4)"
done
