#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ocsp_verify_fuzz::cli_input::cli_input(data));
