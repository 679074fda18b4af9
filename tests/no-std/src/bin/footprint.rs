//! A bare-metal program that parses and verifies a stapled P-256 response, linked so that its
//! code size can be measured: `.ci/run` builds it and `readelf` reports `.text` (see the
//! README's footprint section). It never runs; `_start` only keeps the code reachable.

#![no_std]
#![no_main]

use core::hint::black_box;

use ocsp_verify_no_std_check::staple_is_good;

static RESPONSE: &[u8] =
    include_bytes!("../../../../test-vectors/generated/responses/good-p256-ca.der");
static CERT: &[u8] = include_bytes!("../../../../test-vectors/generated/pki/p256-ee.der");
static ISSUER: &[u8] = include_bytes!("../../../../test-vectors/generated/pki/p256-ca.der");

/// The entry point the linker looks for. `no_mangle` is the only reason for `unsafe` here: the
/// symbol name must be exactly `_start`.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let good = staple_is_good(
        black_box(RESPONSE),
        black_box(CERT),
        black_box(ISSUER),
        black_box(1_767_229_200),
    );
    black_box(good);
    loop {}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
