#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _stapled = ocsp_verify_fuzz::state_file::state_file(data);
});
