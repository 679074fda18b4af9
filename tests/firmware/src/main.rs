//! Firmware that verifies an OCSP staple on a Cortex-M4 (QEMU's `mps2-an386`) and measures
//! the verification: its stack high-water mark and the instructions it executes. It prints
//! what it finds over semihosting and exits 0 only if every verdict is the expected one.
//! `.ci/firmware.sh` builds it, runs it and checks the output and the budgets.
//!
//! `staple.rs` holds everything that calls `ocsp-verify` (the verification itself is one
//! function there, `verify_staple`); this file is the harness: the embedded data, the output,
//! the measurements (the fault handlers, shared with `differential.rs`, are in `faults.rs`).
//!
//! No allocator is linked: nothing here or below uses `alloc` (the library is built without
//! its `alloc` and `std` features), there is no `#[global_allocator]`, and the script checks
//! that the image has no `__rust_alloc`/`__rdl_alloc`/`__rg_alloc` symbols.
//!
//! `unsafe` appears in four small places, each with its reason: the volatile accesses that
//! paint and scan the stack below the stack pointer, the read of the board's counter, the
//! calibration loop written in assembly (so that its instruction count is known exactly), and
//! the `HardFault` handler's signature in `faults.rs`, which cortex-m-rt requires.

#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

// Faults: report and exit non-zero instead of hanging until the script's timeout.
mod faults;
#[cfg_attr(feature = "baseline", path = "baseline.rs")]
mod staple;

// ---------------------------------------------------------------------------------------------
// What the device carries.
// ---------------------------------------------------------------------------------------------

/// The stapled OCSP response, as a TLS server would hand it over (here: from the vectors).
static STAPLE: [u8; include_bytes!("../../../test-vectors/generated/responses/good-p256-ca.der")
    .len()] = *include_bytes!("../../../test-vectors/generated/responses/good-p256-ca.der");

/// The certificate the staple is about (the device's peer, or its own).
static CERT: &[u8] = include_bytes!("../../../test-vectors/generated/pki/p256-ee.der");

/// The trust anchor's subject Name: the value of the CA certificate's `subject` SEQUENCE,
/// without its tag and length, as `rustls_pki_types::TrustAnchor::subject` holds it. Taken from
/// the CA certificate at build time (build.rs, with the library's own parser); the good staple
/// verifying against it proves it right.
static ISSUER_NAME: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/issuer-name.der"));

/// The trust anchor's SubjectPublicKeyInfo, in the same form (the SEQUENCE's value), as
/// `rustls_pki_types::TrustAnchor::subject_public_key_info` holds it.
static ISSUER_SPKI: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/issuer-spki.der"));

/// The fixed clock of the good case: 2026-01-01T01:00:00Z, within the staple's validity.
const NOW: u64 = 1_767_229_200;
const NOW_TEXT: &str = "2026-01-01T01:00:00Z";

/// Which build this is, for the output (see Cargo.toml's features).
const VARIANT: &str = if cfg!(feature = "certid-sha512") {
    "default"
} else {
    "smallest"
};

/// Which signature backend verifies (see Cargo.toml's features).
const BACKEND: &str = if cfg!(feature = "cm4") {
    "cm4 (P256-Cortex-M4 assembly, p256-cortex-m4)"
} else {
    "rustcrypto (portable p256)"
};

/// One case's outcome: what the verifier said, what it should have said, and whether that is
/// exactly it.
pub struct Verdict {
    name: &'static str,
    got: &'static str,
    expected: &'static str,
    ok: bool,
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------

#[entry]
fn main() -> ! {
    let mut failures = 0u32;
    hprintln!(
        "firmware: ocsp-verify on mps2-an386 (Cortex-M4F), build {}",
        VARIANT
    );
    hprintln!(
        "policy: clock {} ({}), algorithm ECDSA P-256 with SHA-256 only",
        NOW,
        NOW_TEXT
    );

    hprintln!("backend: {}", BACKEND);
    hprintln!(
        "trust anchor: subject Name {} bytes, SPKI {} bytes (no CA certificate on the device)",
        ISSUER_NAME.len(),
        ISSUER_SPKI.len(),
    );

    for verdict in staple::verdicts() {
        hprintln!(
            "check {}: got {}, expected {}: {}",
            verdict.name,
            verdict.got,
            verdict.expected,
            pass(verdict.ok)
        );
        failures += u32::from(!verdict.ok);
    }

    // The measurements, on the good case: the whole path (parse, match, signature, times).
    failures += measure_stack();
    failures += measure_instructions();

    if failures == 0 {
        hprintln!("result: PASS");
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        hprintln!("result: FAIL ({} failed)", failures);
        debug::exit(debug::EXIT_FAILURE);
    }
    #[allow(clippy::empty_loop)]
    loop {}
}

fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

// ---------------------------------------------------------------------------------------------
// Stack: paint below the stack pointer, verify, find the lowest word overwritten.
// ---------------------------------------------------------------------------------------------

/// How far below the stack pointer the paint goes: far more than the 8 KiB budget, so a
/// verification that needed more is measured, not missed. A run that reaches the bottom of the
/// painted region is reported as a failure.
const PAINT_BYTES: usize = 64 * 1024;
const PAINT: u32 = 0x5AA5_C33C;

unsafe extern "C" {
    /// The lowest address the stack may grow to (cortex-m-rt's link.x: the end of .bss and
    /// .uninit). Only its address is used.
    static _stack_end: u32;
}

/// Runs `f` once over a freshly painted stack; returns its result and the bytes of stack it
/// used below the stack pointer of this function (its own call frame included).
#[inline(never)]
fn stack_high_water<R>(f: impl FnOnce() -> R) -> (R, usize, usize) {
    let limit = (&raw const _stack_end) as usize;
    let sp = cortex_m::register::msp::read() as usize;
    let bottom = sp.saturating_sub(PAINT_BYTES).max(limit + 4) & !3;
    paint(bottom);
    let result = black_box(f());
    let mut lowest = sp;
    let mut address = bottom;
    while address < sp {
        // SAFETY: `bottom..sp` is RAM between the end of the statics and this function's stack
        // pointer, 4-byte aligned; reading it with a volatile load reads the words the call
        // above left there (it is not borrowed by anything: below every live frame).
        if unsafe { core::ptr::read_volatile(address as *const u32) } != PAINT {
            lowest = address;
            break;
        }
        address += 4;
    }
    (result, sp - lowest, sp - bottom)
}

/// Words this close below the stack pointer read in `paint` are not painted: the compiler may
/// place that function's prologue (its register pushes) after the read, as shrink-wrapping
/// does, and they must not be overwritten.
const PAINT_MARGIN: usize = 256;

/// Fills the words from `bottom` up to just below this function's own stack pointer with
/// `PAINT`.
#[inline(never)]
fn paint(bottom: usize) {
    // Read here, inside the painting function: every live frame is above it, except what this
    // leaf function itself pushes, which `PAINT_MARGIN` leaves alone (no interrupts are
    // enabled, so nothing else uses the stack meanwhile).
    let top = (cortex_m::register::msp::read() as usize - PAINT_MARGIN) & !3;
    let mut address = bottom;
    while address < top {
        // SAFETY: `bottom` is above the end of .bss/.uninit (`_stack_end`) and the words up to
        // the stack pointer belong to no live frame and no static; aligned to 4.
        unsafe { core::ptr::write_volatile(address as *mut u32, PAINT) };
        address += 4;
    }
}

fn measure_stack() -> u32 {
    let (result, used, painted) = stack_high_water(staple::verify_once);
    let ok = result && used < painted;
    hprintln!(
        "measure stack: {} bytes high-water for one verification ({} bytes painted below SP): {}",
        used,
        painted,
        pass(ok)
    );
    u32::from(!ok)
}

// ---------------------------------------------------------------------------------------------
// Work: instructions, counted by QEMU. QEMU models no cycles; run with `-icount shift=N` its
// virtual clock advances exactly 2^N ns per guest instruction, so a counter driven by that
// clock counts instructions. The counter is the MPS2 FPGA's 32-bit COUNTER register, which
// counts prescaler ticks of the virtual clock; its ratio to instructions is calibrated here on
// a loop of a known number of instructions.
// ---------------------------------------------------------------------------------------------

/// The MPS2 FPGAIO block's COUNTER register (AN385/AN386: FPGAIO at 0x4002_8000).
const FPGAIO_COUNTER: usize = 0x4002_8000 + 0x18;

fn counter() -> u32 {
    // SAFETY: a 32-bit aligned read of a read-only device register of the board's FPGAIO
    // block, which has no side effect.
    unsafe { core::ptr::read_volatile(FPGAIO_COUNTER as *const u32) }
}

/// Executes exactly `2 * pairs` instructions (`pairs` at least 1): a subtract-and-branch loop.
#[inline(never)]
fn run_instructions(pairs: u32) {
    // SAFETY: the assembly uses only the register it is given and the flags, touches no memory
    // and no stack, and always terminates for `pairs >= 1`.
    unsafe {
        core::arch::asm!(
            "2:",
            "subs {n}, {n}, #1",
            "bne 2b",
            n = inout(reg) pairs.max(1) => _,
            options(nomem, nostack),
        );
    }
}

/// Counter ticks while `f` runs.
#[inline(never)]
fn ticks(f: impl FnOnce()) -> u32 {
    let start = counter();
    f();
    counter().wrapping_sub(start)
}

fn measure_instructions() -> u32 {
    // 2 * 10_000_001 and 2 * 1 instructions: the difference is exactly CALIBRATION, with every
    // overhead (the call, the counter reads) cancelled. Long enough that the counter's
    // granularity (a tick is less than one instruction) costs at most about one instruction
    // over a verification.
    const CALIBRATION: u64 = 20_000_000;
    const CHECK: u64 = 500_000;
    let base = u64::from(ticks(|| run_instructions(black_box(1))));
    let calibration = u64::from(ticks(|| run_instructions(black_box(10_000_001)))) - base;
    if calibration == 0 {
        hprintln!("measure instructions: the counter does not move (QEMU without -icount?): FAIL");
        return 1;
    }
    let instructions = |ticks: u64| (ticks * CALIBRATION + calibration / 2) / calibration;
    let check = instructions(u64::from(ticks(|| run_instructions(black_box(250_001)))) - base);
    let check_ok = check.abs_diff(CHECK) <= 2;
    hprintln!(
        "measure instructions: calibration {} ticks per {} instructions; a loop of {} counted as {}: {}",
        calibration,
        CALIBRATION,
        CHECK,
        check,
        pass(check_ok)
    );

    // One verification, and three in a row: the difference of the two, halved, is the work of
    // one verification with the measuring overhead cancelled.
    let verify = || {
        black_box(staple::verify_once());
    };
    let empty = u64::from(ticks(|| {}));
    let one = u64::from(ticks(verify));
    let three = u64::from(ticks(|| {
        verify();
        verify();
        verify();
    }));
    let per_verification = instructions(three.saturating_sub(one)) / 2;
    let single = instructions(one.saturating_sub(empty));
    // The same code on the same input: the counts agree to a few instructions of overhead.
    let ok = check_ok && per_verification.abs_diff(single) <= 16;
    hprintln!(
        "measure instructions: {} per verification (one alone: {}): {}",
        per_verification,
        single,
        pass(ok)
    );
    u32::from(!ok)
}
