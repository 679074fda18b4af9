//! The proleptic Gregorian calendar in UTC, from 1970 on: the one calendar of the crate (the
//! ASN.1 time parsers, error messages and the command-line tool all use it).

use core::fmt;

use rustls_pki_types::UnixTime;

pub(crate) fn is_leap(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub(crate) fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a valid date from 1970 on (Howard Hinnant's `days_from_civil`,
/// shifted to years that start in March so that the leap day comes last).
pub(crate) fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let (year, month) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let day_of_year = (153 * month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Displays a [`UnixTime`] as RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SSZ`, without a heap: for
/// logs, and for what applications show of a response's times.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::{Rfc3339, UnixTime};
///
/// let time = UnixTime::since_unix_epoch(Duration::from_secs(1_767_229_200));
/// assert_eq!(Rfc3339(time).to_string(), "2026-01-01T01:00:00Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfc3339(pub UnixTime);

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        let (year, month, day) = civil_from_days(secs / 86_400);
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
/// use ocsp_verify::{Elapsed, UnixTime};
///
/// let this_update = UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600));
/// let next_update = UnixTime::since_unix_epoch(Duration::from_secs(1_767_830_400));
/// assert_eq!(Elapsed::between(this_update, next_update).to_string(), "7d 0h");
/// assert_eq!(Elapsed(200).to_string(), "3m 20s");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed(pub u64);

impl Elapsed {
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

/// Days since 1970-01-01 to (year, month, day): the inverse of [`days_since_epoch`].
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    (year_of_era + era * 400 + u64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        for days in [0u64, 59, 60, 365, 10_957, 11_016, 20_454, 2_932_896] {
            let (year, month, day) = civil_from_days(days);
            assert!(day <= days_in_month(year, month));
            assert_eq!(days_since_epoch(year, month, day), days);
        }
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(is_leap(2000) && !is_leap(2100) && is_leap(2024));
    }

    #[test]
    fn elapsed_reads_like_speech() {
        extern crate std;
        use std::string::ToString;
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
}
