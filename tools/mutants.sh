#!/usr/bin/env bash
# Mutation testing of the core with cargo-mutants: every operator, condition and return value
# of the core modules is changed, one at a time, and the tests that matter must fail. What is
# mutated, with which features and tests, and the mutants known to be equivalent (each with its
# reason) are in .cargo/mutants.toml, so a plain `cargo mutants` runs the same thing.
#
#   tools/mutants.sh                    every mutant of the core
#   tools/mutants.sh --shard K/N        the K-th of N slices (K from 0)
#   tools/mutants.sh --in-diff REV      only mutants on lines changed since REV (git diff REV,
#                                       uncommitted changes included)
#   tools/mutants.sh --file GLOB        one file, or a glob (repeatable), e.g. src/cert.rs
#   tools/mutants.sh --list             list the mutants instead of testing them
#   tools/mutants.sh --server ...       the server side's shared rules instead of the core
#                                       (.cargo/mutants-server.toml), with any option above
#   tools/mutants.sh ... -- ARGS        more cargo-mutants arguments (e.g. --re rsa_modulus)
#
# It tests in a private copy of the working tree (target/mutants-tree, refreshed on each run;
# uncommitted changes included) with cargo-mutants' --in-place, so the working tree is never
# edited. The build goes to target/mutants (profile `mutants`: no debug info, which makes each
# mutant's relink three times faster), so the dependencies are built once per checkout. One
# mutant at a time: its build already uses every core. One run at a time per checkout (a lock),
# and no other `--profile mutants` build beside it. The report is in
# target/mutants-out/mutants.out (caught.txt, missed.txt, ...).
#
# Exit status: 0 when no mutant survived, 2 when one was missed, 3 when one timed out (and
# none was missed), 4 when the tests fail without any mutation; cargo-mutants' own otherwise.
# Installs cargo-mutants (the version below) when it is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cargo_mutants_version=27.1.0

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

args=()
diff_base=
while [ $# -gt 0 ]; do
  case "$1" in
    --shard) args+=(--shard "${2:?--shard needs K/N}"); shift 2 ;;
    --in-diff) diff_base=${2:?--in-diff needs a git revision}; shift 2 ;;
    --file) args+=(--file "${2:?--file needs a path or glob}"); shift 2 ;;
    --list) args+=(--list); shift ;;
    --server) args+=(--config .cargo/mutants-server.toml); shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; args+=("$@"); break ;;
    *) usage >&2; exit 1 ;;
  esac
done

if ! cargo mutants --version 2>/dev/null | grep -qF "$cargo_mutants_version"; then
  echo "installing cargo-mutants $cargo_mutants_version" >&2
  # A debug build: it installs in a fraction of the time, and only drives cargo.
  cargo install --quiet --locked --debug cargo-mutants --version "$cargo_mutants_version"
fi

# One run at a time: two would edit the same copy and share its build.
tree="$root/target/mutants-tree"
mkdir -p "$tree"
exec 9>"$root/target/mutants-tree.lock"
flock -n 9 || { echo "another tools/mutants.sh is running in $root" >&2; exit 1; }

# The private copy: exactly the files git would show (tracked, and untracked unless ignored),
# as they are now in the working tree. Extracted with fresh times (tar -m), so that cargo
# rebuilds the crate from them rather than trust a build of the last run's last mutant.
find "$tree" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -xmf - -C "$tree"

if [ -n "$diff_base" ]; then
  diff_file="$root/target/mutants-diff.patch"
  (cd "$root" && git diff --no-ext-diff "$diff_base" -- 'src/*.rs') >"$diff_file"
  args+=(--in-diff "$diff_file")
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$tree"
status=0
cargo mutants --in-place --no-times --output "$root/target/mutants-out" "${args[@]}" ||
  status=$?
case "$status" in
  0) ;;
  2) echo "MISSED mutants: see $root/target/mutants-out/mutants.out/missed.txt" >&2 ;;
  3) echo "mutants that timed out: $root/target/mutants-out/mutants.out/timeout.txt" >&2 ;;
esac
exit "$status"
