#!/usr/bin/env bash
# Instructions per full in-memory rustls handshake (client and server together, ring, P-256
# chain, good staple), with rustls' WebPkiServerVerifier alone, with OcspStapleVerifier around it
# (a repeat handshake: the staple is in the verdict cache) and with the verdict cache off (what
# a first handshake costs), counted by callgrind: repeatable whatever else the machine is doing,
# unlike the timings of benches/handshake.rs.
#
#   benches/handshake-instructions.sh [ITERATIONS]    # default 20
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-20}
# shellcheck source=benches/callgrind.sh
. benches/callgrind.sh
bench_executable handshake rustls

printf '%-6s %12s %14s %8s %14s %8s\n' version webpki "first (no cache)" ratio repeat ratio
for version in tls13 tls12; do
  plain=$(per_handshake webpki "$version")
  first=$(per_handshake webpki+ocsp-verify/no-cache "$version")
  repeat=$(per_handshake webpki+ocsp-verify "$version")
  printf '%-6s %12d %14d %8s %14d %8s\n' "$version" "$plain" "$first" "$(ratio "$first" "$plain")" \
    "$repeat" "$(ratio "$repeat" "$plain")"
done
