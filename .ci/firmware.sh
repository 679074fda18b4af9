#!/usr/bin/env bash
# The firmware proof: tests/firmware verifies an OCSP staple on an emulated Cortex-M4 (QEMU's
# mps2-an386) with no allocator, and measures it. This script builds it with each of the
# library's two P-256 backends in two variants, runs each under QEMU, checks the exit status and
# every verdict line, checks the budgets on the smallest builds and prints the figures; then it
# runs the differential test of the two backends (tests/firmware/src/differential.rs).
#
#   backend    rustcrypto: the portable RustCrypto `p256` (the library's `ecdsa` feature)
#              cm4: P256-Cortex-M4's assembly (the library's `p256-cortex-m4` feature)
#   default    tests/firmware's `certid-sha512` feature: the library's SHA-384/512 CertIDs too
#   smallest   parse + ECDSA P-256 with SHA-1/SHA-256 CertIDs
#
# All at opt-level "z" with LTO (the chosen profile); the portable smallest also at "s", for
# comparison. Every firmware build uses sha2's compact SHA-256 (tests/firmware/.cargo).
#
# Figures, and how each is taken:
#   image .text/.rodata  section sizes of the linked ELF (readelf); ".text" is all the code: the
#                        script checks that no other section holds any
#   crate .text/.rodata  the image minus the same firmware built with `baseline` (src/baseline.rs:
#                        the same harness with no call into the library), so everything the
#                        library and its dependencies add, constants and panic paths included;
#                        the .text is also split by symbol (nm -S -C: each function to the crate
#                        its name starts with, or for `<T as Trait>` items to T's or else the
#                        trait's crate)
#   stack                high-water mark of one verification, painted and scanned on the device
#   heap                 none: the image must have no allocator symbol
#   instructions         of one verification, counted by QEMU: with -icount its virtual clock
#                        advances 2^shift ns per instruction, and the firmware reads a counter
#                        driven by it, calibrated on a loop of known length. QEMU models no cycles.
#
# The differential test runs OCSP_DIFFERENTIAL_CASES generated cases (1,000 unless set; the
# design notes quote a run of 10,000), without -icount, which only the measurements need.
#
# Installs what it needs (qemu-system-arm, binutils and gcc-arm-none-eabi, which builds
# P256-Cortex-M4, with apt; the Rust target with rustup); run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

firmware=tests/firmware
target=thumbv7em-none-eabihf
machine=mps2-an386
icount_shift=6
qemu_timeout=120
out=$firmware/target/figures
# Budgets for parse + P-256 verify with SHA-1/SHA-256 CertIDs (the smallest builds, opt-level
# z): the portable one, and the Cortex-M4 one, which must also stay under an instruction count.
budget_text=$((48 * 1024))
budget_stack=$((8 * 1024))
budget_cm4_text=$((28 * 1024))
budget_cm4_stack=$((6 * 1024))
budget_cm4_instructions=3000000

step() { printf '\n=== %s\n' "$*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

step "tools"
if ! command -v qemu-system-arm >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-arm >/dev/null
fi
if ! command -v nm >/dev/null || ! command -v readelf >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils >/dev/null
fi
if ! command -v arm-none-eabi-gcc >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-arm-none-eabi >/dev/null
fi
arm-none-eabi-gcc --version | sed -n 1p
rustup target add "$target" >/dev/null 2>&1
qemu-system-arm --version | sed -n 1p
rustc --version

# build NAME PROFILE FEATURES...: builds tests/firmware and keeps the ELF as $out/NAME.elf
build() {
  local name=$1 profile=$2
  shift 2
  (cd "$firmware" && cargo build --locked --quiet --target "$target" --profile "$profile" "$@")
  cp "$firmware/target/$target/$profile/ocsp-firmware" "$out/$name.elf"
}

section_size() { # ELF SECTION
  local hex
  hex=$(readelf -S -W "$1" | awk -v s="$2" '{ for (i = 1; i < NF; i++) if ($i == s) print $(i + 4) }')
  echo $((16#${hex:-0}))
}

# Fails unless all the code of ELF is in .text (and the vector table): code in a section of
# its own (assembly can ask for one) would escape the figures.
only_text_is_code() {
  local others
  others=$(readelf -S -W "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' |
    awk '$(NF - 3) ~ /X/ { print $1 }' | grep -Ev '^(\.text|\.vector_table)$' || true)
  [ -z "$others" ] || fail "$(basename "$1") has code outside .text: $others"
}

step "clippy on the Cortex-M4 backend (it compiles for ARM targets only), warnings denied"
cargo clippy --locked --quiet --lib --no-default-features --features p256-cortex-m4 \
  --target "$target" -- -D warnings
echo "src/cm4.rs: clean"

step "build (opt-level z and s, LTO, codegen-units 1, panic abort)"
mkdir -p "$out"
build smallest-z release
build default-z release --features certid-sha512
build cm4-smallest-z release --no-default-features --features cm4
build cm4-default-z release --no-default-features --features cm4,certid-sha512
build baseline-z release --features baseline
build smallest-s release-s
build baseline-s release-s --features baseline
ls "$out"
for elf in "$out"/*.elf; do only_text_is_code "$elf"; done
echo "all code in .text: ok"

step "no allocator linked"
for elf in "$out"/smallest-z.elf "$out"/default-z.elf "$out"/cm4-smallest-z.elf \
  "$out"/cm4-default-z.elf "$out"/smallest-s.elf; do
  allocator=$(nm "$elf" | grep -E '__rust_alloc|__rdl_alloc|__rg_alloc|__rust_realloc|__rust_dealloc' || true)
  [ -z "$allocator" ] || fail "$elf links an allocator: $allocator"
  echo "$(basename "$elf"): no __rust_alloc, __rdl_alloc, __rg_alloc, __rust_realloc, __rust_dealloc"
done

# run NAME: runs $out/NAME.elf under QEMU, checks it, and sets $stack and $instructions
run() {
  local name=$1 log=$out/$1.log status=0
  timeout "$qemu_timeout" qemu-system-arm -machine "$machine" -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -icount shift="$icount_shift" \
    -kernel "$out/$name.elf" >"$log" 2>&1 || status=$?
  sed 's/^/  | /' "$log"
  [ "$status" -eq 0 ] || fail "$name: QEMU exited with status $status (124 is the timeout)"
  local expected
  for expected in \
    "check good-staple: got good, expected good: PASS" \
    "check tampered-signature: got invalid_signature, expected invalid_signature: PASS" \
    "check skew-edge: got good, expected good: PASS" \
    "check expired-clock: got response_expired, expected response_expired: PASS" \
    "result: PASS"; do
    grep -Fxq "$expected" "$log" || fail "$name: no line '$expected'"
  done
  # The firmware stores the CA as a trust anchor (name and key); the good staple verifying
  # against it is the proof the anchor is right.
  grep -Eq '^trust anchor: .*no CA certificate on the device' "$log" || fail "$name: no trust anchor line"
  if grep -q 'FAIL' "$log"; then fail "$name: a line says FAIL"; fi
  stack=$(sed -n 's/^measure stack: \([0-9]*\) bytes .*: PASS$/\1/p' "$log")
  instructions=$(sed -n 's/^measure instructions: \([0-9]*\) per verification .*: PASS$/\1/p' "$log")
  [ -n "$stack" ] && [ -n "$instructions" ] || fail "$name: no stack or instruction figure"
}

# The library and the crates it depends on (with either backend), as their names appear in
# symbols: the subtree under ocsp-verify in the firmware's dependency tree.
library_crates() {
  (cd "$firmware" && cargo tree --locked --quiet --target "$target" -e normal --prefix depth \
    --features cm4 --format '{lib}') |
    awk '{ depth = $1; sub(/[^0-9].*/, "", depth); name = substr($1, length(depth) + 1)
           if (depth == 1) inside = (name == "ocsp_verify")
           if (inside) print name }' | sort -u | tr '\n' ' '
}

# attribute ELF: splits .text by symbol; sets $by_symbol_library, $by_symbol_dependencies,
# $by_symbol_sha512, $by_symbol_p256_cm4 and $by_symbol_other (the harness, core,
# compiler_builtins and fragments the outliner made, which no crate name labels).
# P256-Cortex-M4's C and assembly functions carry no crate name: they are its P256_* and
# p256_* symbols and five local helpers, counted as a dependency.
attribute() {
  local elf=$1 addr size type name first crate
  by_symbol_library=0 by_symbol_dependencies=0 by_symbol_sha512=0 by_symbol_p256_cm4=0
  by_symbol_other=0
  while read -r addr size type name; do
    case $type in t | T | w | W) ;; *) continue ;; esac
    first=${name#<}
    first=${first#&}
    first=${first#mut }
    first=${first%%::*}
    crate=
    if [[ $crates == *" $first "* ]]; then
      crate=$first
    elif [[ $name =~ \ as\ ([A-Za-z_][A-Za-z0-9_]*):: ]] && [[ $crates == *" ${BASH_REMATCH[1]} "* ]]; then
      crate=${BASH_REMATCH[1]}
    fi
    size=$((16#$size))
    if [[ $name =~ ^(P256_|p256_|mul288x288$|add_sub_helper$|setzero$|slide_257$|hash_to_z$) ]]; then
      by_symbol_p256_cm4=$((by_symbol_p256_cm4 + size))
      by_symbol_dependencies=$((by_symbol_dependencies + size))
    elif [ "$crate" = ocsp_verify ]; then
      by_symbol_library=$((by_symbol_library + size))
    elif [ -n "$crate" ]; then
      by_symbol_dependencies=$((by_symbol_dependencies + size))
      if [[ ${name,,} == *sha512* ]]; then by_symbol_sha512=$((by_symbol_sha512 + size)); fi
    else
      by_symbol_other=$((by_symbol_other + size))
    fi
  done < <(nm -S -C --defined-only "$elf" | awk 'NF >= 4')
}

step "run under qemu-system-arm -machine $machine -icount shift=$icount_shift"
declare -A figures
builds="default-z smallest-z cm4-default-z cm4-smallest-z smallest-s"
for name in $builds; do
  echo "$name:"
  run "$name"
  base=baseline-${name##*-}
  figures[$name]="$(section_size "$out/$name.elf" .text) $(section_size "$out/$name.elf" .rodata)"
  figures[$name]+=" $(($(section_size "$out/$name.elf" .text) - $(section_size "$out/$base.elf" .text)))"
  figures[$name]+=" $(($(section_size "$out/$name.elf" .rodata) - $(section_size "$out/$base.elf" .rodata)))"
  figures[$name]+=" $stack $instructions"
done

step "figures (bytes; instructions of one verification, as counted by QEMU)"
printf '%-10s %-10s %-4s %12s %14s %12s %14s %7s %5s %14s\n' \
  backend build opt "image .text" "image .rodata" "crate .text" "crate .rodata" stack heap instructions
for name in $builds; do
  read -r image_text image_rodata crate_text crate_rodata stack instructions <<<"${figures[$name]}"
  backend=rustcrypto build=${name%-*}
  if [[ $name == cm4-* ]]; then backend=cm4 build=${build#cm4-}; fi
  printf '%-10s %-10s %-4s %12d %14d %12d %14d %7d %5s %14d\n' "$backend" "$build" "${name##*-}" \
    "$image_text" "$image_rodata" "$crate_text" "$crate_rodata" "$stack" none "$instructions"
done

crates=" $(library_crates) "
for name in default-z smallest-z; do
  attribute "$out/$name.elf"
  echo "rustcrypto ${name%-*} .text by symbol: ocsp_verify $by_symbol_library, its dependencies" \
    "$by_symbol_dependencies (SHA-512 $by_symbol_sha512), harness + core + outlined $by_symbol_other"
done
for name in cm4-default-z cm4-smallest-z; do
  attribute "$out/$name.elf"
  name=${name#cm4-}
  echo "cm4 ${name%-z} .text by symbol: ocsp_verify $by_symbol_library, its dependencies" \
    "$by_symbol_dependencies (P256-Cortex-M4 $by_symbol_p256_cm4, SHA-512 $by_symbol_sha512)," \
    "harness + core + outlined $by_symbol_other"
done

step "budgets (smallest builds, opt-level z)"
for name in smallest-z cm4-smallest-z; do
  attribute "$out/$name.elf"
  [ "$by_symbol_sha512" -eq 0 ] ||
    fail "$name links $by_symbol_sha512 bytes of SHA-512 without certid-sha512"
done
echo "SHA-512: not linked without certid-sha512: ok"
# within NAME WHAT VALUE BUDGET: fails unless VALUE <= BUDGET.
within() {
  [ "$3" -le "$4" ] || fail "$1: $2 $3 is over the budget of $4"
  echo "$1 $2: $3 <= $4: ok"
}
read -r _ _ crate_text _ stack _ <<<"${figures[smallest-z]}"
within rustcrypto "crate .text bytes" "$crate_text" "$budget_text"
within rustcrypto "stack bytes" "$stack" "$budget_stack"
read -r _ _ crate_text _ stack instructions <<<"${figures[cm4-smallest-z]}"
within cm4 "crate .text bytes" "$crate_text" "$budget_cm4_text"
within cm4 "stack bytes" "$stack" "$budget_cm4_stack"
within cm4 "instructions per verification" "$instructions" "$budget_cm4_instructions"
echo "heap: none (no allocator symbol): ok"
read -r _ _ crate_text_s _ stack_s _ <<<"${figures[smallest-s]}"
echo "opt-level s for comparison: crate .text $crate_text_s, stack $stack_s bytes" \
  "(the stack budget holds: $([ "$stack_s" -le "$budget_stack" ] && echo yes || echo no))"

step "differential test of the two backends (${OCSP_DIFFERENTIAL_CASES:-1000} generated cases)"
(cd "$firmware" && cargo build --locked --quiet --target "$target" --profile differential \
  --features differential --bin ocsp-differential)
log=$out/differential.log status=0
timeout 900 qemu-system-arm -machine "$machine" -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native \
  -kernel "$firmware/target/$target/differential/ocsp-differential" >"$log" 2>&1 || status=$?
grep -v '^digest \|^vector ' "$log" | sed 's/^/  | /'
[ "$status" -eq 0 ] || fail "differential: QEMU exited with status $status (124 is the timeout)"
for pattern in '^generated cases: [0-9]+ .*: PASS$' '^digest edges: .*: PASS$' \
  '^vectors: [0-9]+ signed with ECDSA, .*: PASS$' '^result: PASS$'; do
  grep -Eq "$pattern" "$log" || fail "differential: no line matching '$pattern'"
done
if grep -q 'FAIL' "$log"; then fail "differential: a line says FAIL"; fi
echo "differential: $(grep -c '^vector ' "$log") vectors and $(grep -Ec '^digest .* \((signed|tampered)\)' "$log") digest cases, all agree"

step "firmware: all green"
