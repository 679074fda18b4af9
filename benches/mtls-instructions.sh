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
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
iterations=${1:-20}

exe=$(cargo bench --bench mtls --features rustls,http --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "mtls" and m.get("executable"):
        print(m["executable"])')

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$scratch/callgrind.out" "$exe" count "$1" "$2" "$3" 2>&1 \
    | awk '/Collected/ { print $4 }'
}

# Instructions of ITERATIONS handshakes minus a run of one (start-up, the PKI, warming the
# cache, the first handshake), per handshake.
per_handshake() {
  local base full
  base=$(instructions "$1" "$2" 1)
  full=$(instructions "$1" "$2" "$iterations")
  echo $(( (full - base) / (iterations - 1) ))
}

ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }

printf '%-6s %12s %14s %8s\n' version webpki "webpki+ocsp (warm)" ratio
for version in tls13 tls12; do
  plain=$(per_handshake webpki "$version")
  warm=$(per_handshake webpki+ocsp-verify/warm "$version")
  printf '%-6s %12d %14d %8s\n' "$version" "$plain" "$warm" "$(ratio "$warm" "$plain")"
done
