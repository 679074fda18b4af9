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
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
iterations=${1:-20}

exe=$(cargo bench --bench handshake --features rustls --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "handshake" and m.get("executable"):
        print(m["executable"])')

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$scratch/callgrind.out" "$exe" count "$1" "$2" "$3" 2>&1 \
    | awk '/Collected/ { print $4 }'
}

# Instructions of ITERATIONS handshakes minus a run of one (start-up, set-up and the first
# handshake, which fills the verdict cache), per handshake.
per_handshake() {
  local base full
  base=$(instructions "$1" "$2" 1)
  full=$(instructions "$1" "$2" "$iterations")
  echo $(( (full - base) / (iterations - 1) ))
}

ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }

printf '%-6s %12s %14s %8s %14s %8s\n' version webpki "first (no cache)" ratio repeat ratio
for version in tls13 tls12; do
  plain=$(per_handshake webpki "$version")
  first=$(per_handshake webpki+ocsp-verify/no-cache "$version")
  repeat=$(per_handshake webpki+ocsp-verify "$version")
  printf '%-6s %12d %14d %8s %14d %8s\n' "$version" "$plain" "$first" "$(ratio "$first" "$plain")" \
    "$repeat" "$(ratio "$repeat" "$plain")"
done
