//! ASN.1 times (`GeneralizedTime`, `UTCTime`) to [`UnixTime`].

use core::time::Duration;

use rustls_pki_types::UnixTime;

use crate::calendar::{days_in_month, days_since_epoch};
use crate::der::{Der, tag};
use crate::error::{Error, Structure};

/// Reads an OCSP time: a `GeneralizedTime` element. A `UTCTime` there is an
/// [`Error::InvalidTime`] (OCSP times are always GeneralizedTime); any other tag is malformed.
pub(crate) fn read_generalized_time(der: &mut Der<'_>, at: Structure) -> Result<UnixTime, Error> {
    let tlv = der.any()?;
    match tlv.tag {
        tag::GENERALIZED_TIME => generalized_time(tlv.value, at),
        tag::UTC_TIME => Err(Error::InvalidTime(at)),
        _ => Err(Error::BadDer(at)),
    }
}

/// Parses an OCSP `GeneralizedTime` value: exactly `YYYYMMDDHHMMSSZ`.
///
/// RFC 6960 section 4.2.2.1 (by way of RFC 5280 section 4.1.2.5.2): "GeneralizedTime values
/// MUST be expressed in Greenwich Mean Time (Zulu) and MUST include seconds (i.e., times are
/// YYYYMMDDHHMMSSZ), even where the number of seconds is zero. GeneralizedTime values MUST NOT
/// include fractional seconds."
pub(crate) fn generalized_time(value: &[u8], at: Structure) -> Result<UnixTime, Error> {
    let bad = Error::InvalidTime(at);
    let [y1, y2, y3, y4, rest @ ..] = value else {
        return Err(bad);
    };
    let year = digits(&[*y1, *y2, *y3, *y4]).ok_or(bad)?;
    date_time(year, rest).ok_or(bad)
}

/// Parses a certificate `UTCTime` value, `YYMMDDHHMMSSZ`, with RFC 5280's window: a year
/// `YY` of 50 or more is 19YY, otherwise 20YY.
pub(crate) fn utc_time(value: &[u8], at: Structure) -> Result<UnixTime, Error> {
    let bad = Error::InvalidTime(at);
    let [y1, y2, rest @ ..] = value else {
        return Err(bad);
    };
    let yy = digits(&[*y1, *y2]).ok_or(bad)?;
    let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
    date_time(year, rest).ok_or(bad)
}

/// `MMDDHHMMSSZ` after the year.
fn date_time(year: u64, rest: &[u8]) -> Option<UnixTime> {
    let [m1, m2, d1, d2, h1, h2, n1, n2, s1, s2, b'Z'] = *rest else {
        return None;
    };
    let month = two_digits(m1, m2)?;
    let day = two_digits(d1, d2)?;
    let hour = two_digits(h1, h2)?;
    let minute = two_digits(n1, n2)?;
    let second = two_digits(s1, s2)?;
    if year < 1970 || !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(UnixTime::since_unix_epoch(Duration::from_secs(seconds)))
}

fn two_digits(tens: u8, ones: u8) -> Option<u64> {
    if tens.is_ascii_digit() && ones.is_ascii_digit() {
        Some(u64::from(tens - b'0') * 10 + u64::from(ones - b'0'))
    } else {
        None
    }
}

fn digits(bytes: &[u8]) -> Option<u64> {
    bytes.iter().try_fold(0u64, |acc, byte| {
        byte.is_ascii_digit()
            .then(|| acc * 10 + u64::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(value: &str) -> Result<u64, Error> {
        generalized_time(value.as_bytes(), Structure::ProducedAt).map(|t| t.as_secs())
    }

    #[test]
    fn known_instants() {
        assert_eq!(secs("19700101000000Z"), Ok(0));
        assert_eq!(secs("20260101000000Z"), Ok(1_767_225_600));
        assert_eq!(secs("20000229235959Z"), Ok(951_868_799));
        assert_eq!(secs("21000301000000Z"), Ok(4_107_542_400));
        assert_eq!(secs("99991231235959Z"), Ok(253_402_300_799));
    }

    #[test]
    fn refuses_every_other_form() {
        let bad = Err(Error::InvalidTime(Structure::ProducedAt));
        for value in [
            "20260101000000",
            "20260101000000.5Z",
            "202601010000Z",
            "20260101000000+0000",
            "2026010100000Z",
            "20261301000000Z",
            "20260001000000Z",
            "20260229000000Z",
            "21000229000000Z",
            "20260431000000Z",
            "20260101240000Z",
            "20260101006000Z",
            "20260101000060Z",
            "19691231235959Z",
            "2026-1-01000000Z",
            "",
        ] {
            assert_eq!(secs(value), bad, "{value}");
        }
    }

    #[test]
    fn rfc3339_round_trips_through_generalized_time() {
        extern crate std;
        use std::string::ToString;
        for value in [
            "19700101000000Z",
            "20000229235959Z",
            "20260101010000Z",
            "99991231235959Z",
        ] {
            let time = generalized_time(value.as_bytes(), Structure::ProducedAt).unwrap();
            let text = crate::display::Rfc3339(time).to_string();
            let digits: std::string::String = text.chars().filter(char::is_ascii_digit).collect();
            assert_eq!(std::format!("{digits}Z"), value);
        }
    }

    #[test]
    fn utc_time_window() {
        let read = |v: &str| utc_time(v.as_bytes(), Structure::Validity).map(|t| t.as_secs());
        assert_eq!(read("700101000000Z"), Ok(0));
        assert_eq!(read("491231235959Z"), Ok(2_524_607_999));
        assert_eq!(
            read("500101000000Z"),
            Err(Error::InvalidTime(Structure::Validity))
        );
        assert_eq!(
            read("260101000000"),
            Err(Error::InvalidTime(Structure::Validity))
        );
    }
}
