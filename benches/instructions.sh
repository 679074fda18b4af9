#!/usr/bin/env bash
# Instructions per operation, counted by callgrind (repeatable whatever the machine is doing),
# for the same operations the criterion benchmarks time. Prints one line per measurement and
# the ratios the README reports.
#
#   benches/instructions.sh            # all cases
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }

exe=$(cargo bench --bench counts --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "counts" and m.get("executable"):
        print(m["executable"])')

# Instructions of ITERATIONS runs minus a run of none (start-up and set-up), per iteration.
count() {
  local operation=$1 case=$2 iterations=$3
  local base full
  base=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" "$operation" "$case" 0 2>&1 \
    | awk '/Collected/ { print $4 }')
  full=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" "$operation" "$case" "$iterations" 2>&1 \
    | awk '/Collected/ { print $4 }')
  echo $(( (full - base) / iterations ))
}

ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }

printf '%-26s %-22s %12s %12s %8s\n' case measurement ours peer ratio
for case in good-rsa-ca bench-p256-ca-embedded bench-rsa-delegated; do
  ours=$(count parse "$case" 200); peer=$(count parse-x509-ocsp "$case" 200)
  printf '%-26s %-22s %12d %12d %8s\n' "$case" "parse vs x509-ocsp" "$ours" "$peer" "$(ratio "$peer" "$ours")x faster"
  for backend in rustcrypto ring; do
    ours=$(count "verify-$backend" "$case" 5); floor=$(count "floor-$backend" "$case" 5)
    printf '%-26s %-22s %12d %12d %8s\n' "$case" "verify/floor $backend" "$ours" "$floor" "$(ratio "$ours" "$floor")"
  done
done
# Growth: the floor hashes the same (growing) signed bytes, so verify minus floor is what the
# SingleResponses cost the verifier itself.
for n in 1 10 100 1000; do
  ours=$(count verify-rustcrypto "bench-singles-$n" 3); floor=$(count floor-rustcrypto "bench-singles-$n" 3)
  printf '%-26s %-22s %12d %12d %8s  (verify - floor: %d)\n' "bench-singles-$n" "verify/floor rustcrypto" \
    "$ours" "$floor" "$(ratio "$ours" "$floor")" $((ours - floor))
  printf '%-26s %-22s %12d\n' "bench-singles-$n" "parse" "$(count parse "bench-singles-$n" 20)"
done
for case in good-rsa-ca bench-certs-8; do
  printf '%-26s %-22s %12d\n' "$case" "verify rustcrypto" "$(count verify-rustcrypto "$case" 3)"
done
