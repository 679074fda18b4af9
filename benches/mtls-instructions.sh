#!/usr/bin/env bash
# Instructions per full in-memory mTLS handshake (rustls client and server together, ring,
# P-256, the client's certificate issued by an intermediate), with rustls' WebPkiClientVerifier
# alone and with OcspClientCertVerifier around it, its cache warm (what every handshake of a
# returning client costs), counted by callgrind: repeatable whatever else the machine is doing,
# unlike the timings of benches/mtls.rs. Needs valgrind and the openssl CLI (the PKI and the
# responder that warms the cache are made at start-up, outside the counted difference).
#
#   benches/mtls-instructions.sh [ITERATIONS]    # default 20
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-20}
# shellcheck source=benches/callgrind.sh
. benches/callgrind.sh
bench_executable mtls rustls,http

printf '%-6s %12s %14s %8s\n' version webpki "webpki+ocsp (warm)" ratio
for version in tls13 tls12; do
  plain=$(per_handshake webpki "$version")
  warm=$(per_handshake webpki+ocsp-verify/warm "$version")
  printf '%-6s %12d %14d %8s\n' "$version" "$plain" "$warm" "$(ratio "$warm" "$plain")"
done
