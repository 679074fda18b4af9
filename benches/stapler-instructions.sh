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
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
iterations=${1:-20}

exe=$(cargo bench --bench stapler --features stapler --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "stapler" and m.get("executable"):
        print(m["executable"])')

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$scratch/callgrind.out" "$exe" count "$1" "$2" "$3" 2>&1 \
    | awk '/Collected/ { print $4 }'
}

# Instructions of ITERATIONS handshakes minus a run of one (start-up, set-up and the first
# handshake), per handshake.
per_handshake() {
  local base full
  base=$(instructions "$1" "$2" 1)
  full=$(instructions "$1" "$2" "$iterations")
  echo $(( (full - base) / (iterations - 1) ))
}

ratio() { python3 -c "print(f'{$1 / $2:.4f}')"; }

printf '%-6s %12s %14s %8s %14s %8s %14s %8s\n' version bare static-staple ratio stapler-none ratio \
  stapler-staple ratio
for version in tls13 tls12; do
  bare=$(per_handshake bare "$version")
  fixed=$(per_handshake static-staple "$version")
  none=$(per_handshake stapler-none "$version")
  stapled=$(per_handshake stapler-staple "$version")
  printf '%-6s %12d %14d %8s %14d %8s %14d %8s\n' "$version" "$bare" "$fixed" "$(ratio "$fixed" "$bare")" \
    "$none" "$(ratio "$none" "$bare")" "$stapled" "$(ratio "$stapled" "$bare")"
done
