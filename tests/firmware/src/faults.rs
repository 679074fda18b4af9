//! The panic handler and the hard-fault handler of both programs (`main.rs`, the measured
//! firmware, and `differential.rs`): each reports and exits non-zero instead of hanging until
//! the script's timeout.

use cortex_m_rt::{ExceptionFrame, exception};
use cortex_m_semihosting::{debug, hprintln};

/// Reports where, not why: formatting the message would link every panic site's formatting
/// code (Debug impls of the dependencies' errors, several KiB) into the image and into the
/// library's measured part, which a product's handler (halt, reset) would not.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    match info.location() {
        Some(at) => hprintln!("panic at {}:{}", at.file(), at.line()),
        None => hprintln!("panic"),
    }
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("hard fault at pc {:#010x}", frame.pc());
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}
