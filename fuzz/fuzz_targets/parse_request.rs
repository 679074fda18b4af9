#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ocsp_verify_fuzz::entry::parse_request(data));
