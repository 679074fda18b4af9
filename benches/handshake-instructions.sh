#!/usr/bin/env bash
# Instructions per full in-memory rustls handshake (client and server together, ring, P-256
# chain, good staple), with rustls' WebPkiServerVerifier and with OcspStapleVerifier around it,
# counted by callgrind: repeatable whatever else the machine is doing, unlike the timings of
# benches/handshake.rs.
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

instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" count "$1" "$2" "$3" 2>&1 \
    | awk '/Collected/ { print $4 }'
}

# Instructions of ITERATIONS handshakes minus a run of none (start-up and set-up), per handshake.
per_handshake() {
  local base full
  base=$(instructions "$1" "$2" 0)
  full=$(instructions "$1" "$2" "$iterations")
  echo $(( (full - base) / iterations ))
}

printf '%-6s %14s %20s %14s %8s\n' version webpki webpki+ocsp-verify added ratio
for version in tls13 tls12; do
  without=$(per_handshake webpki "$version")
  with=$(per_handshake webpki+ocsp-verify "$version")
  printf '%-6s %14d %20d %14d %8s\n' "$version" "$without" "$with" $((with - without)) \
    "$(python3 -c "print(f'{$with / $without:.3f}')")"
done
