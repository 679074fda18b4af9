//! RFC 3339 times for the command line.

use ocsp_verify::{Rfc3339, UnixTime};

/// Formats as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn rfc3339(time: UnixTime) -> String {
    Rfc3339(time).to_string()
}

fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let year = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = year / 400;
    let yoe = year - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// Parses `--at`: unix seconds, or RFC 3339 (`2026-01-01T01:00:00Z`, optional fraction, `Z`
/// or `±HH:MM` offset).
pub(crate) fn parse(value: &str) -> Result<UnixTime, String> {
    let bad = || format!("`{value}` is neither unix seconds nor an RFC 3339 time");
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs = value.parse::<u64>().map_err(|_| bad())?;
        return Ok(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            secs,
        )));
    }
    // ASCII only, so that every byte index below is a character boundary.
    if !value.is_ascii() {
        return Err(bad());
    }
    let b = value.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<u64, String> {
        let s = &value[range];
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[(month - 1) as usize]
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let mut rest = &value[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &fraction[digits..];
    }
    let offset: i64 = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && matches!(&rest[..1], "+" | "-") && &rest[3..4] == ":" => {
            let h = num_in(rest, 1..3).ok_or_else(bad)?;
            let m = num_in(rest, 4..6).ok_or_else(bad)?;
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let secs = i64::try_from(h * 3600 + m * 60).map_err(|_| bad())?;
            if rest.starts_with('-') { -secs } else { secs }
        }
        _ => return Err(bad()),
    };
    let days = days_from_civil(year, month, day).ok_or_else(bad)?;
    let local = days * 86_400 + hour * 3600 + minute * 60 + second.min(59);
    let utc = i64::try_from(local).map_err(|_| bad())? - offset;
    let utc = u64::try_from(utc).map_err(|_| bad())?;
    Ok(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        utc,
    )))
}

fn num_in(s: &str, range: std::ops::Range<usize>) -> Option<u64> {
    let part = s.get(range)?;
    part.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| part.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_offsets() {
        for secs in [
            0u64,
            951_868_799,
            1_767_229_200,
            4_107_542_400,
            253_402_300_799,
        ] {
            let t = UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
            assert_eq!(
                parse(&rfc3339(t)).unwrap().as_secs(),
                secs,
                "{}",
                rfc3339(t)
            );
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
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-01-01",
            "soon",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
