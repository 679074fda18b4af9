#!/usr/bin/env bash
# CI: the mutants of what the last change touched must all be caught (tools/mutants.sh, with
# the configuration in .cargo/mutants.toml). The change is `git diff` against MUTANTS_BASE
# (default HEAD~1: the previous commit, or for a merge the main line before it). When it
# touches no code of the core (docs, tests, other modules), or the clone is too shallow to
# have the previous commit, a rotating slice of the whole core is tested instead: slice
# (commit hash mod N), so that successive commits walk through all of it.
#
# At most MUTANTS_BUDGET mutants (default 30) are tested: a larger change is itself sliced the
# same way. Fails when a mutant is missed; a mutant that makes the tests hang (a timeout)
# counts as caught.
#
# Unlike tools/mutants.sh, it builds with the test profile and every feature, as the test step
# of .ci/run before it did, so that no dependency is built again (the `mutants` profile would
# build them all: minutes on 2 cores); only this crate drops its debug info. Measured on 2
# cores: about a minute to build the crate once, then 3.7 s a viable mutant (2.7 s with the
# `mutants` profile) and under a second an unviable one: 30 mutants take 2 to 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

budget=${MUTANTS_BUDGET:-30}
base=${MUTANTS_BASE:-HEAD~1}
build=(--profile test --all-features --cargo-arg=--config=profile.test.package.ocsp-verify.debug=false)

# A shallow clone may lack the previous commit: ask for it, quietly, once.
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null &&
  [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  git fetch -q --deepen=1 2>/dev/null || true
fi

# How many mutants tools/mutants.sh would test (its failures, an install that fails say, stop
# this script).
count() {
  local list
  list=$(tools/mutants.sh --list "$@")
  if [ -n "$list" ]; then printf '%s\n' "$list" | wc -l; else echo 0; fi
}

# The slice of `total` mutants this commit tests: N slices of at most `budget`.
slice() {
  local total=$1 slices hash
  slices=$(((total + budget - 1) / budget))
  hash=$(git rev-parse HEAD)
  echo "$((16#${hash:0:8} % slices))/$slices"
}

selection=()
if git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  in_diff=$(count --in-diff "$base")
  echo "mutants on the lines changed since $base: $in_diff"
  if [ "$in_diff" -gt 0 ]; then
    selection=(--in-diff "$base")
    if [ "$in_diff" -gt "$budget" ]; then
      selection+=(--shard "$(slice "$in_diff")")
    fi
  fi
else
  echo "no $base in this clone: no diff to test"
fi
if [ ${#selection[@]} -eq 0 ]; then
  total=$(count)
  [ "$total" -gt 0 ] || { echo "no mutants in the core?" >&2; exit 1; }
  selection=(--shard "$(slice "$total")")
  echo "a rotating slice of the core's $total mutants instead"
fi
echo "tools/mutants.sh ${selection[*]}"

status=0
tools/mutants.sh "${selection[@]}" -- "${build[@]}" || status=$?
case "$status" in
  0) echo "every mutant caught" ;;
  3) echo "every mutant caught (some by a timeout: the tests hang on them)" ;;
  *) exit "$status" ;;
esac

# The server side's shared rules (.cargo/mutants-server.toml), when the change touches them:
# no rotating slice here, so that a change elsewhere costs nothing.
if git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  server_in_diff=$(count --server --in-diff "$base")
  echo "server-side mutants on the lines changed since $base: $server_in_diff"
  if [ "$server_in_diff" -gt 0 ]; then
    selection=(--server --in-diff "$base")
    if [ "$server_in_diff" -gt "$budget" ]; then
      selection+=(--shard "$(slice "$server_in_diff")")
    fi
    echo "tools/mutants.sh ${selection[*]}"
    status=0
    tools/mutants.sh "${selection[@]}" -- "${build[@]}" || status=$?
    case "$status" in
      0) echo "every server-side mutant caught" ;;
      3) echo "every server-side mutant caught (some by a timeout)" ;;
      *) exit "$status" ;;
    esac
  fi
fi
