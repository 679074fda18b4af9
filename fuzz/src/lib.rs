//! The bodies of the fuzz targets, shared with the crate's `tests/fuzz_regressions.rs`, which
//! includes `entry.rs` by path and replays every saved crash input through the same function
//! the fuzzer called.

pub mod cli_input;
pub mod entry;
pub mod exporter_input;
pub mod state_file;
