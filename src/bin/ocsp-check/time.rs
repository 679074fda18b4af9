//! Times and spans of time on the command line: `--at`, the durations in seconds, and the
//! words for "how long ago" and "how long left". The calendar is the library's
//! ([`Rfc3339`]); this module has none of its own.

use std::time::Duration;

use ocsp_verify::UnixTime;
use ocsp_verify::display::{Elapsed, Rfc3339};

/// Formats as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn rfc3339(time: UnixTime) -> String {
    Rfc3339::new(time).to_string()
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// The last second `Rfc3339` writes with four digits: 9999-12-31T23:59:59Z.
const LAST_SECOND: u64 = 253_402_300_799;

/// Parses `--at`: `now`, unix seconds, or RFC 3339 (`2026-01-01T01:00:00Z`, an optional
/// fraction, `Z` or a `±HH:MM` offset), from 1970 to 9999.
pub(crate) fn parse(value: &str) -> Result<UnixTime, String> {
    if value.eq_ignore_ascii_case("now") {
        return Ok(UnixTime::now());
    }
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return match value.parse::<u64>() {
            Ok(secs) if secs <= LAST_SECOND => Ok(at(secs)),
            _ => Err(format!("`{value}` unix seconds is after the year 9999")),
        };
    }
    let (date_time, offset) = split_rfc3339(value).ok_or_else(|| {
        format!(
            "`{value}` is neither `now`, unix seconds, nor an RFC 3339 time such as \
             2026-01-01T01:00:00Z"
        )
    })?;
    if date_time.as_str() < "1970-01-01T00:00:00Z" {
        return Err(format!(
            "`{value}` is before 1970-01-01T00:00:00Z: OCSP times start at the unix epoch"
        ));
    }
    let utc = find(&date_time).ok_or_else(|| {
        format!("`{value}` is not a date and time that exists (check the day of the month)")
    })?;
    utc.checked_add_signed(-offset)
        .filter(|secs| *secs <= LAST_SECOND)
        .map(at)
        .ok_or_else(|| format!("`{value}` is outside 1970 to 9999 in UTC"))
}

/// `YYYY-MM-DDTHH:MM:SSZ` (the seconds 60 of a leap second taken as 59, any fraction dropped)
/// and the offset in seconds, when `value` has RFC 3339's shape; the date is not checked here.
fn split_rfc3339(value: &str) -> Option<(String, i64)> {
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    // ASCII only, so that every byte index below is a character boundary.
    if !value.is_ascii() || value.len() < 20 {
        return None;
    }
    let (date, rest) = value.split_at(10);
    let (separator, rest) = rest.split_at(1);
    let (time, mut zone) = rest.split_at(8);
    let date_ok = date.len() == 10
        && digits(&date[..4])
        && &date[4..5] == "-"
        && digits(&date[5..7])
        && &date[7..8] == "-"
        && digits(&date[8..]);
    let time_ok = digits(&time[..2])
        && &time[2..3] == ":"
        && digits(&time[3..5])
        && &time[5..6] == ":"
        && digits(&time[6..]);
    if !date_ok || !time_ok || !matches!(separator, "T" | "t" | " ") {
        return None;
    }
    if let Some(fraction) = zone.strip_prefix('.') {
        let count = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return None;
        }
        zone = &fraction[count..];
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ if zone.len() == 6 && &zone[3..4] == ":" && digits(&zone[1..3]) && digits(&zone[4..]) => {
            let (hours, minutes) = (
                zone[1..3].parse::<i64>().ok()?,
                zone[4..].parse::<i64>().ok()?,
            );
            if hours > 23 || minutes > 59 {
                return None;
            }
            match &zone[..1] {
                "+" => hours * 3600 + minutes * 60,
                "-" => -(hours * 3600 + minutes * 60),
                _ => return None,
            }
        }
        _ => return None,
    };
    let seconds = if &time[6..] == "60" { "59" } else { &time[6..] };
    Some((format!("{date}T{}:{seconds}Z", &time[..5]), offset))
}

/// The unix second that [`Rfc3339`] writes as `wanted`, if there is one: a binary search over
/// the library's formatter, whose output sorts as the times do. A date that does not exist
/// (February 30, month 13, hour 24) is never written, so it is not found.
fn find(wanted: &str) -> Option<u64> {
    let (mut low, mut high) = (0u64, LAST_SECOND);
    while low <= high {
        let middle = low + (high - low) / 2;
        let written = rfc3339(at(middle));
        match written.as_str().cmp(wanted) {
            std::cmp::Ordering::Equal => return Some(middle),
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle.checked_sub(1)?,
        }
    }
    None
}

/// The largest span the verifier options take: 100 years, far beyond any real policy, and far
/// from the arithmetic limits of times and instants.
pub(crate) const MAX_SPAN_SECS: u64 = 100 * 366 * 86_400;

/// Parses a span of seconds for the verifier's options (`--skew`, `--max-age`, ...): 0 to 100
/// years.
pub(crate) fn seconds(value: &str) -> Result<u64, String> {
    let secs = value
        .parse::<u64>()
        .map_err(|_| format!("`{value}` is not a whole number of seconds"))?;
    if secs > MAX_SPAN_SECS {
        return Err(format!(
            "{secs} seconds is more than 100 years ({MAX_SPAN_SECS} seconds), the largest \
             span accepted"
        ));
    }
    Ok(secs)
}

/// The longest `--timeout`: one hour.
pub(crate) const MAX_TIMEOUT_SECS: u64 = 3600;

/// Parses `--timeout`: 1 to 3600 seconds.
pub(crate) fn timeout(value: &str) -> Result<Duration, String> {
    let secs = value
        .parse::<u64>()
        .map_err(|_| format!("`{value}` is not a whole number of seconds"))?;
    match secs {
        0 => Err("a timeout of 0 seconds would give up before starting; give 1 or more".into()),
        1..=MAX_TIMEOUT_SECS => Ok(Duration::from_secs(secs)),
        _ => Err(format!(
            "{secs} seconds is more than the longest timeout, {MAX_TIMEOUT_SECS} (one hour)"
        )),
    }
}

/// "6d 23h", "5h 2m", "3m 20s", "42s": the library's [`Elapsed`].
pub(crate) fn span(seconds: u64) -> String {
    Elapsed::new(seconds).to_string()
}

/// `to - from` in seconds, negative when `to` is earlier.
pub(crate) fn seconds_between(from: UnixTime, to: UnixTime) -> i64 {
    let (from, to) = (from.as_secs(), to.as_secs());
    if to >= from {
        i64::try_from(to - from).unwrap_or(i64::MAX)
    } else {
        -i64::try_from(from - to).unwrap_or(i64::MAX)
    }
}

/// How a nextUpdate stands at `now`: "6d 23h left", or "expired 3h 12m ago".
pub(crate) fn next_update_note(now: UnixTime, next_update: UnixTime) -> String {
    if next_update.as_secs() >= now.as_secs() {
        format!("{} left", Elapsed::between(now, next_update))
    } else {
        format!("expired {} ago", Elapsed::between(next_update, now))
    }
}

/// How a thisUpdate stands at `now`: "2h 5m ago", or "2h 5m from now: not valid yet".
pub(crate) fn this_update_note(now: UnixTime, this_update: UnixTime) -> String {
    if this_update.as_secs() <= now.as_secs() {
        format!("{} ago", Elapsed::between(this_update, now))
    } else {
        format!(
            "{} from now: not valid yet",
            Elapsed::between(now, this_update)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_offsets() {
        for secs in [
            0u64,
            951_868_799,
            951_868_800,
            1_767_229_200,
            4_107_542_400,
            LAST_SECOND,
        ] {
            assert_eq!(parse(&rfc3339(at(secs))).unwrap().as_secs(), secs, "{secs}");
        }
        assert_eq!(
            rfc3339(parse("1767229200").unwrap()),
            "2026-01-01T01:00:00Z"
        );
        assert_eq!(
            parse("2026-01-01T02:00:00+01:00").unwrap().as_secs(),
            1_767_229_200
        );
        assert_eq!(
            parse("2026-01-01T00:30:00.250-00:30").unwrap().as_secs(),
            1_767_229_200
        );
        assert_eq!(
            parse("2016-12-31T23:59:60Z").unwrap().as_secs(),
            1_483_228_799
        );
        assert_eq!(
            parse("2024-02-29T00:00:00Z").unwrap().as_secs(),
            1_709_164_800
        );
        let now = UnixTime::now().as_secs();
        assert!(parse("now").unwrap().as_secs().abs_diff(now) < 5);
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01",
            "2026-01-01T00:00:00+24:00",
            "soon",
            "1969-12-31T23:59:59Z",
            "99999999999999",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(
            parse("1969-07-20T20:17:40Z")
                .unwrap_err()
                .contains("before 1970")
        );
        assert!(
            parse("2026-02-30T00:00:00Z")
                .unwrap_err()
                .contains("exists")
        );
    }

    #[test]
    fn spans_and_timeouts() {
        assert_eq!(seconds("300"), Ok(300));
        assert!(seconds("9223372036854775807").is_err());
        assert!(seconds("-1").is_err());
        assert_eq!(timeout("10"), Ok(Duration::from_secs(10)));
        assert!(timeout("0").unwrap_err().contains("0 seconds"));
        assert!(timeout("9223372036854775807").is_err());
        assert_eq!(span(7 * 86_400 - 3600), "6d 23h");
        let (t, n) = (at(1000), at(1000 + 11_520));
        assert_eq!(next_update_note(t, n), "3h 12m left");
        assert_eq!(next_update_note(n, t), "expired 3h 12m ago");
        assert_eq!(this_update_note(n, t), "3h 12m ago");
        assert_eq!(this_update_note(t, n), "3h 12m from now: not valid yet");
    }
}
