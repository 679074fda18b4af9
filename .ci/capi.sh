#!/usr/bin/env bash
# The C library (capi/): its Rust tests and lints, the header (fresh from cbindgen, and
# compiled pedantically), the C tests under AddressSanitizer and UndefinedBehaviorSanitizer
# (static and shared library), the C firmware on an emulated Cortex-M4 beside the Rust
# firmware (verdicts, .text budget, stack, instructions), and the mbed TLS example.
#
# Installs what it needs: Debian's gcc-arm-none-eabi, libnewlib-arm-none-eabi, libmbedtls-dev,
# qemu-system-arm and binutils with apt, cbindgen (pinned) with cargo, the Rust target with
# rustup. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

target=thumbv7em-none-eabihf
cbindgen_version=0.29.2
out=target/capi
qemu_timeout=120
# The C firmware's library share of .text may exceed the Rust firmware's by this much.
budget_text_over_rust=2048

step() { printf '\n=== capi: %s\n' "$*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

step "tools"
missing=()
command -v arm-none-eabi-gcc >/dev/null || missing+=(gcc-arm-none-eabi)
[ -n "$(arm-none-eabi-gcc -print-file-name=libc_nano.a 2>/dev/null | grep /)" ] ||
  missing+=(libnewlib-arm-none-eabi)
[ -f /usr/include/mbedtls/x509_crt.h ] || missing+=(libmbedtls-dev)
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v readelf >/dev/null || missing+=(binutils)
command -v cc >/dev/null || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $cbindgen_version" ]; then
  # A debug build: it installs in a fraction of the time, and runs for a second.
  cargo install --quiet --locked --debug cbindgen --version "$cbindgen_version"
fi
rustup target add "$target" >/dev/null 2>&1
arm-none-eabi-gcc --version | sed -n 1p
cbindgen --version
mkdir -p "$out"

step "Rust: lints (host and firmware features), tests and docs of ocsp-verify-capi"
cargo clippy --locked --quiet -p ocsp-verify-capi --all-targets -- -D warnings
# (rustc notes that it drops the cdylib crate type for the bare-metal target: not a lint.)
cargo clippy --locked --quiet -p ocsp-verify-capi --lib --target "$target" \
  --no-default-features --features panic-handler -- -D warnings
cargo test --locked --quiet -p ocsp-verify-capi
RUSTDOCFLAGS="-D warnings" cargo doc --locked --quiet --no-deps -p ocsp-verify-capi

step "build: the host library (static and shared) and the Cortex-M one (static, no heap)"
cargo build --locked --quiet --release -p ocsp-verify-capi
# With the Rust firmware's build flags (tests/firmware/.cargo/config.toml: sha2's compact
# rounds), so that the two firmware images below compare the same library, not two builds of it.
CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUSTFLAGS='--cfg sha2_backend_soft="compact"' \
  cargo rustc --locked --quiet -p ocsp-verify-capi --profile firmware --target "$target" \
  --no-default-features --features panic-handler --lib --crate-type staticlib
host_lib=target/release/libocsp_verify_c.a
ls -l "$host_lib" target/release/libocsp_verify_c.so "target/$target/firmware/libocsp_verify_c.a"

step "header: what cbindgen makes, and C99/C11/C++ with every warning an error"
(cd capi && cbindgen --quiet --config cbindgen.toml --output "../$out/ocsp_verify.h")
diff -u capi/include/ocsp_verify.h "$out/ocsp_verify.h" ||
  fail "capi/include/ocsp_verify.h is stale: run cbindgen (capi/cbindgen.toml) and commit it"
for std in c99 c11; do
  cc -std=$std -Wall -Wextra -Werror -pedantic -fsyntax-only -x c capi/include/ocsp_verify.h
done
if command -v c++ >/dev/null; then
  c++ -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c++ capi/include/ocsp_verify.h
fi
echo "header: fresh; compiles as C99, C11 and C++11 with -Wall -Wextra -Werror -pedantic"

step "C tests under AddressSanitizer and UndefinedBehaviorSanitizer"
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic -g -O1 -fsanitize=address,undefined
  -fno-sanitize-recover=all -Icapi/include -Icapi/tests)
tests=(capi/tests/main.c capi/tests/test_vectors.c capi/tests/test_hostile.c)
# Static, with malloc and free wrapped to count the library's heap use.
cc "${cflags[@]}" -DCOUNT_ALLOCATIONS "${tests[@]}" "$host_lib" \
  -Wl,--wrap=malloc,--wrap=free -lpthread -ldl -lm -o "$out/tests-static"
# Shared.
cc "${cflags[@]}" "${tests[@]}" -Ltarget/release -locsp_verify_c -o "$out/tests-shared"
echo "static library:"
"$out/tests-static" test-vectors | tee "$out/tests-static.log"
echo "shared library:"
LD_LIBRARY_PATH=target/release "$out/tests-shared" test-vectors | tee "$out/tests-shared.log"
cases=$(sed -n 's/^#define VECTOR_COUNT \([0-9]*\)$/\1/p' capi/tests/vectors.h)
for log in "$out/tests-static.log" "$out/tests-shared.log"; do
  grep -Eq "^vector cases: $cases; hostile cases: [0-9]+; checks: [0-9]+ passed, 0 failed\$" "$log" ||
    fail "$log: not every check passed, or not all $cases vector cases ran"
done
grep -Eq '^heap: ECDSA verification 0 allocations; RSA verification [1-9][0-9]* allocations, all freed$' \
  "$out/tests-static.log" || fail "no heap figure: was the static test linked with --wrap?"

step "C firmware on an emulated Cortex-M4 (QEMU mps2-an386), beside the Rust firmware"
make -s -C capi/firmware
# The Rust firmware (tests/firmware), built as .ci/firmware.sh builds it (cached after it).
rust_out=$out/rust-firmware
mkdir -p "$rust_out"
(cd tests/firmware && cargo build --locked --quiet --target "$target" --release)
cp "tests/firmware/target/$target/release/ocsp-firmware" "$rust_out/smallest.elf"
(cd tests/firmware && cargo build --locked --quiet --target "$target" --release --features baseline)
cp "tests/firmware/target/$target/release/ocsp-firmware" "$rust_out/baseline.elf"

section_size() { # ELF SECTION
  local hex
  hex=$(readelf -S -W "$1" | awk -v s="$2" '{ for (i = 1; i < NF; i++) if ($i == s) print $(i + 4) }')
  echo $((16#${hex:-0}))
}

# run ELF LOG: runs a firmware under QEMU as .ci/firmware.sh does, checks its verdict lines,
# and sets $stack and $instructions.
run() {
  local elf=$1 log=$2 status=0 expected
  timeout "$qemu_timeout" qemu-system-arm -machine mps2-an386 -nographic -monitor none \
    -serial none -semihosting-config enable=on,target=native -icount shift=6 \
    -kernel "$elf" >"$log" 2>&1 || status=$?
  sed 's/^/  | /' "$log"
  [ "$status" -eq 0 ] || fail "$elf: QEMU exited with status $status (124 is the timeout)"
  for expected in \
    "check good-staple: got good, expected good: PASS" \
    "check tampered-signature: got invalid_signature, expected invalid_signature: PASS" \
    "check skew-edge: got good, expected good: PASS" \
    "check expired-clock: got response_expired, expected response_expired: PASS" \
    "result: PASS"; do
    grep -Fxq "$expected" "$log" || fail "$elf: no line '$expected'"
  done
  grep -Eq '^trust anchor: .*no CA certificate on the device' "$log" || fail "$elf: no trust anchor line"
  if grep -q 'FAIL' "$log"; then fail "$elf: a line says FAIL"; fi
  stack=$(sed -n 's/^measure stack: \([0-9]*\) bytes .*: PASS$/\1/p' "$log")
  instructions=$(sed -n 's/^measure instructions: \([0-9]*\) per verification .*: PASS$/\1/p' "$log")
  [ -n "$stack" ] && [ -n "$instructions" ] || fail "$elf: no stack or instruction figure"
}

allocator=$(nm "$out/firmware/firmware.elf" | grep -E ' (malloc|free|__rust_alloc|__rdl_alloc)$' || true)
[ -z "$allocator" ] || fail "the C firmware links an allocator: $allocator"
echo "C firmware: no malloc, free or Rust allocator linked"

echo "C firmware:"
run "$out/firmware/firmware.elf" "$out/firmware.log"
c_stack=$stack c_instructions=$instructions
echo "Rust firmware:"
run "$rust_out/smallest.elf" "$out/rust-firmware.log"
rust_stack=$stack rust_instructions=$instructions

# The library's share, computed the same way for both: the image minus the same harness
# linked without the library (C: baseline.c; Rust: tests/firmware's `baseline` feature).
c_text=$(($(section_size "$out/firmware/firmware.elf" .text) - $(section_size "$out/firmware/baseline.elf" .text)))
c_rodata=$(($(section_size "$out/firmware/firmware.elf" .rodata) - $(section_size "$out/firmware/baseline.elf" .rodata)))
rust_text=$(($(section_size "$rust_out/smallest.elf" .text) - $(section_size "$rust_out/baseline.elf" .text)))
rust_rodata=$(($(section_size "$rust_out/smallest.elf" .rodata) - $(section_size "$rust_out/baseline.elf" .rodata)))
printf '\n%-15s %12s %14s %12s %14s %7s %14s\n' firmware "image .text" "image .rodata" \
  "lib .text" "lib .rodata" stack instructions
printf '%-15s %12d %14d %12d %14d %7d %14d\n' "C (capi)" \
  "$(section_size "$out/firmware/firmware.elf" .text)" "$(section_size "$out/firmware/firmware.elf" .rodata)" \
  "$c_text" "$c_rodata" "$c_stack" "$c_instructions"
printf '%-15s %12d %14d %12d %14d %7d %14d\n' "Rust" \
  "$(section_size "$rust_out/smallest.elf" .text)" "$(section_size "$rust_out/smallest.elf" .rodata)" \
  "$rust_text" "$rust_rodata" "$rust_stack" "$rust_instructions"
over=$((c_text - rust_text))
[ "$over" -le "$budget_text_over_rust" ] ||
  fail "the C firmware's library .text is $over bytes over the Rust firmware's (budget $budget_text_over_rust)"
echo "budget: C library .text $c_text = Rust $rust_text + $over <= + $budget_text_over_rust bytes: ok"

step "mbed TLS example: a chain parsed by mbed TLS, a staple verified with the C library"
cc -std=c99 -Wall -Wextra -Werror -pedantic -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Icapi/include capi/examples/mbedtls_staple.c "$host_lib" -lmbedx509 -lmbedcrypto \
  -lpthread -ldl -lm -o "$out/mbedtls_staple"
generated=test-vectors/generated
now=1767229200 # 2026-01-01T01:00:00Z, the generated vectors' time
# example EXIT STAPLE CERTS... -- EXPECTED LINES...: runs the example, checks its exit status and
# that each expected line is in its output.
example() {
  local want=$1 status=0 args=() line
  shift
  while [ "$1" != -- ]; do
    args+=("$1")
    shift
  done
  shift
  "$out/mbedtls_staple" "$now" "${args[@]}" >"$out/mbedtls.log" 2>&1 || status=$?
  sed 's/^/  | /' "$out/mbedtls.log"
  [ "$status" -eq "$want" ] || fail "mbedtls_staple ${args[*]}: exit $status, want $want"
  for line in "$@"; do
    grep -Fxq "$line" "$out/mbedtls.log" || fail "mbedtls_staple ${args[*]}: no line '$line'"
  done
}
mbedtls=$(sed -n 's/^#define MBEDTLS_VERSION_STRING *"\(.*\)"$/\1/p' /usr/include/mbedtls/version.h)
example 0 "$generated/responses/good-p256-ca.der" "$generated/pki/p256-ee.der" "$generated/pki/p256-ca.der" -- \
  "chain: 2 certificates parsed by mbed TLS $mbedtls" \
  "verify: ok, status good, thisUpdate 1767225600, nextUpdate 1767830400, responder issuer" \
  "verify with trust anchor: ok, status good, thisUpdate 1767225600, nextUpdate 1767830400, responder issuer" \
  "soft-fail: accept (good)" "hard-fail: accept (good)"
example 1 "$generated/responses/revoked-key-compromise.der" "$generated/pki/rsa-ee.der" "$generated/pki/rsa-ca.der" -- \
  "verify: ok, status revoked, thisUpdate 1767225600, nextUpdate 1767830400, revoked 1748779200 reason 1, responder issuer" \
  "soft-fail: reject (revoked)" "hard-fail: reject (revoked)"
example 0 "$generated/responses/tls/tls-server-muststaple-good.der" "$generated/pki/tls/tls-server-muststaple.der" \
  "$generated/pki/tls/tls-int.der" "$generated/pki/tls/tls-root.der" -- \
  "chain: 3 certificates parsed by mbed TLS $mbedtls" \
  "tls features: status_request (must-staple)" "soft-fail: accept (good)" "hard-fail: accept (good)"
example 1 "$generated/responses/tls/tls-server-muststaple-stale.der" "$generated/pki/tls/tls-server-muststaple.der" \
  "$generated/pki/tls/tls-int.der" -- \
  "verify: response_expired (the response expired (past its nextUpdate)), limit 1766620800" \
  "soft-fail: reject (unusable staple; the certificate's TLS features forbid it)" \
  "hard-fail: reject (unusable staple)"
example 1 - "$generated/pki/p256-ee.der" "$generated/pki/p256-ca.der" -- \
  "staple: none" "soft-fail: accept (no staple)" "hard-fail: reject (no staple)"

step "all green"
