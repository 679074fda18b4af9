# Sourced by the benches/*-instructions.sh scripts: instruction counts of a bench's `count` mode
# under callgrind, repeatable whatever else the machine is doing, unlike timings.
#
#   bench_executable BENCH FEATURES   builds the bench and sets $exe to its executable
#   per_handshake VARIANT VERSION     instructions per handshake: ITERATIONS handshakes minus a
#                                     run of one (start-up, set-up and the first handshake,
#                                     which fills any cache), divided by ITERATIONS - 1
#   ratio A B [DIGITS]                A / B
#
# The scripts set `iterations` (default 20) before calling these.

command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
iterations=${iterations:-20}
callgrind_scratch=$(mktemp -d)
trap 'rm -rf "$callgrind_scratch"' EXIT

bench_executable() {
  exe=$(cargo bench --bench "$1" --features "$2" --no-run --message-format=json 2>/dev/null \
    | python3 -c 'import json,sys
name = sys.argv[1]
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == name and m.get("executable"):
        print(m["executable"])' "$1")
  [ -n "$exe" ] || { echo "cannot build the $1 bench" >&2; exit 1; }
}

instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$callgrind_scratch/callgrind.out" \
    "$exe" count "$1" "$2" "$3" 2>&1 | awk '/Collected/ { print $4 }'
}

per_handshake() {
  local base full
  base=$(instructions "$1" "$2" 1)
  full=$(instructions "$1" "$2" "$iterations")
  echo $(( (full - base) / (iterations - 1) ))
}

ratio() { python3 -c "print(f'{$1 / $2:.${3:-3}f}')"; }
