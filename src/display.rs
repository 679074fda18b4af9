//! Displays for what this crate reports, without a heap: times as RFC 3339, spans of time as
//! people say them, and (inside the crate) bytes in hexadecimal. The error messages use them,
//! and so can an application that logs what a response says.

use core::fmt;

use rustls_pki_types::UnixTime;

/// Displays a [`UnixTime`] as RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SSZ`, without a heap: for
/// logs, and for what applications show of a response's times.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::UnixTime;
/// use ocsp_verify::display::Rfc3339;
///
/// let time = UnixTime::since_unix_epoch(Duration::from_secs(1_767_229_200));
/// assert_eq!(Rfc3339::new(time).to_string(), "2026-01-01T01:00:00Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfc3339(pub(crate) UnixTime);

impl Rfc3339 {
    /// Displays `time`.
    pub fn new(time: UnixTime) -> Self {
        Self(time)
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        let (year, month, day) = crate::calendar::civil_from_days(secs / 86_400);
        let rest = secs % 86_400;
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        )
    }
}

/// Displays a number of seconds the way people say a span of time, to the two largest units:
/// `6d 23h`, `5h 2m`, `3m 20s`, `42s`. The error messages use it, and so can an application
/// that reports how long an answer has left.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::UnixTime;
/// use ocsp_verify::display::Elapsed;
///
/// let this_update = UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600));
/// let next_update = UnixTime::since_unix_epoch(Duration::from_secs(1_767_830_400));
/// assert_eq!(Elapsed::between(this_update, next_update).to_string(), "7d 0h");
/// assert_eq!(Elapsed::new(200).to_string(), "3m 20s");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed(pub(crate) u64);

impl Elapsed {
    /// Displays `seconds`.
    pub fn new(seconds: u64) -> Self {
        Self(seconds)
    }

    /// From `earlier` to `later` (zero when `later` is not later).
    pub fn between(earlier: UnixTime, later: UnixTime) -> Self {
        Self(later.as_secs().saturating_sub(earlier.as_secs()))
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
        if days > 0 {
            write!(f, "{days}d {hours}h")
        } else if hours > 0 {
            write!(f, "{hours}h {minutes}m")
        } else if minutes > 0 {
            write!(f, "{minutes}m {}s", s % 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

/// Displays bytes in lowercase hexadecimal, two digits each: serial numbers, file names.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    #[test]
    fn elapsed_reads_like_speech() {
        for (seconds, text) in [
            (0, "0s"),
            (42, "42s"),
            (200, "3m 20s"),
            (3 * 3_600 + 120, "3h 2m"),
            (7 * 86_400 - 3_600, "6d 23h"),
        ] {
            assert_eq!(Elapsed(seconds).to_string(), text);
        }
    }

    #[test]
    fn hex_two_digits_a_byte() {
        assert_eq!(Hex(&[0x10, 0x01, 0xab]).to_string(), "1001ab");
        assert_eq!(Hex(&[]).to_string(), "");
    }
}
