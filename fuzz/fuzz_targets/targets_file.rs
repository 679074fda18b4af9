#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ocsp_verify_fuzz::exporter_input::targets_file(data));
