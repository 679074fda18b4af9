//! What the library takes from the C runtime it is linked with, and nothing else:
//!
//! - `malloc` and `free` (feature `alloc`, which `rsa` turns on): the heap of the RSA backend,
//!   as the program's `#[global_allocator]`. ECDSA never allocates. A C program provides them
//!   as every C program does (its libc, newlib's, or its own pair with those names).
//! - `abort()` (feature `panic-handler`, firmware): what a panic does where std is not
//!   linked. No path is known to panic; if one did, the C runtime's `abort()` decides what
//!   happens (newlib's raises SIGABRT and exits; firmware may define its own to reset).
//!
//! `unsafe` here: the two declarations of C functions and the allocator, which hands out
//! memory; each with its reason.

#[cfg(feature = "alloc")]
pub use heap::CAllocator;

#[cfg(feature = "alloc")]
mod heap {
    use core::alloc::{GlobalAlloc, Layout};
    use core::ffi::c_void;
    use core::mem::size_of;
    use core::ptr;

    unsafe extern "C" {
        /// C's `malloc`: `size` bytes aligned for any object of that size, or NULL.
        fn malloc(size: usize) -> *mut c_void;
        /// C's `free`: returns what `malloc` gave.
        fn free(pointer: *mut c_void);
    }

    /// The alignment every `malloc` gives at least: C's `max_align_t` is 16 bytes on 64-bit
    /// hosts (glibc, musl, macOS, Windows) and 8 on 32-bit targets (glibc, newlib). Larger
    /// alignments are served by over-allocating (the RSA backend asks for none).
    const MALLOC_ALIGN: usize = 2 * size_of::<usize>();

    /// The global allocator over C's `malloc` and `free`.
    ///
    /// Alignments up to `malloc`'s own (16 bytes on 64-bit hosts, 8 on 32-bit targets) go
    /// straight to `malloc` (asking for at least `align` bytes, so that the alignment of
    /// `max_align_t` applies); larger ones get `align` bytes more, and the pointer `malloc`
    /// returned is kept in the word before the aligned block, where `dealloc` finds it.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct CAllocator;

    // SAFETY: `alloc` returns NULL or a block of at least `layout.size()` bytes aligned to
    // `layout.align()` that no other allocation overlaps (malloc's guarantee, and the
    // over-allocated block contains [aligned, aligned + size)); `dealloc` frees exactly what
    // `alloc` obtained from malloc for the same layout.
    unsafe impl GlobalAlloc for CAllocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let (size, align) = (layout.size(), layout.align());
            if align <= MALLOC_ALIGN {
                // SAFETY: malloc may be called with any size.
                return unsafe { malloc(size.max(align)) }.cast::<u8>();
            }
            // align > MALLOC_ALIGN >= the size of a pointer: there is room for it before the
            // aligned block, which starts at most `align` bytes into the allocation.
            let Some(total) = size.checked_add(align) else {
                return ptr::null_mut();
            };
            // SAFETY: as above.
            let raw = unsafe { malloc(total) }.cast::<u8>();
            if raw.is_null() {
                return raw;
            }
            let header = size_of::<*mut u8>();
            let offset = align - (raw.addr() + header) % align + header;
            // SAFETY: `offset` is at most `align` (raw is MALLOC_ALIGN-aligned, a multiple of
            // `header`), so the aligned block and the header word before it lie within the
            // `size + align` bytes malloc returned.
            let aligned = unsafe { raw.add(offset) };
            // SAFETY: the word before `aligned` is inside the allocation (offset >= header)
            // and aligned for a pointer (`aligned` is aligned to `align`, a multiple of it).
            unsafe { aligned.cast::<*mut u8>().sub(1).write(raw) };
            aligned
        }

        unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
            if layout.align() <= MALLOC_ALIGN {
                // SAFETY: `block` came from malloc in `alloc` for this layout.
                unsafe { free(block.cast::<c_void>()) };
            } else {
                // SAFETY: `alloc` stored malloc's pointer in the word before `block`.
                let raw = unsafe { block.cast::<*mut u8>().sub(1).read() };
                // SAFETY: `raw` came from malloc.
                unsafe { free(raw.cast::<c_void>()) };
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_alignment_is_honoured_and_the_block_is_usable() {
            let allocator = CAllocator;
            for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
                for size in [1, 3, 8, 17, 100, 5000] {
                    let layout = Layout::from_size_align(size, align).unwrap();
                    // SAFETY: a layout of non-zero size; the block is written within its
                    // size and freed with the same layout.
                    unsafe {
                        let block = allocator.alloc(layout);
                        assert!(!block.is_null(), "{size} bytes aligned to {align}");
                        assert_eq!(block.addr() % align, 0, "{size} bytes aligned to {align}");
                        block.write_bytes(0xA5, size);
                        assert_eq!(block.add(size - 1).read(), 0xA5);
                        allocator.dealloc(block, layout);
                    }
                }
            }
        }

        #[test]
        fn an_impossible_size_is_null_not_a_wrapped_block() {
            let layout = Layout::from_size_align(isize::MAX.unsigned_abs() - 4095, 4096).unwrap();
            // SAFETY: non-zero size; a NULL result is not freed.
            let block = unsafe { CAllocator.alloc(layout) };
            assert!(block.is_null());
        }
    }
}

/// The program's allocator: `malloc` and `free`.
#[cfg(feature = "alloc")]
#[global_allocator]
static ALLOCATOR: CAllocator = CAllocator;

/// Firmware (no std): a panic calls the C runtime's `abort()`. Hosts link std, whose handler
/// serves, and a panic stops at the `extern "C"` boundary with an abort all the same.
#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    unsafe extern "C" {
        /// C's `abort`: ends the program abnormally, never returns.
        safe fn abort() -> !;
    }
    abort()
}
