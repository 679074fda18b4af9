//! The crate's few DER helpers over the `der` crate: strict TLV reading that keeps sub-slices of
//! the input, and a lazy `SEQUENCE OF` iterator that yields `Result`.
//!
//! Tags and lengths are decoded by `der`'s [`Header`] under its DER rules, which refuse
//! indefinite and non-minimal lengths and universal tags in long form. Everything else here is
//! slicing: values are never copied, never re-encoded.

use core::marker::PhantomData;

use der::{Decode, Header, Reader, SliceReader, Tag, TagNumber};

use crate::error::{Error, Structure};

/// A context-specific tag, `[number]`, constructed or primitive.
pub(crate) const fn context(number: u32, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number: TagNumber(number),
    }
}

/// One tag-length-value element: its tag, its value bytes, and the whole encoding.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub(crate) tag: Tag,
    pub(crate) value: &'a [u8],
    pub(crate) raw: &'a [u8],
}

/// A strict reader over the contents of one structure.
///
/// Errors name `at`, the structure being read, so that a caller reading the message knows
/// where the input went wrong.
#[derive(Clone, Debug)]
pub(crate) struct Der<'a> {
    rest: &'a [u8],
    at: Structure,
}

impl<'a> Der<'a> {
    pub(crate) fn new(bytes: &'a [u8], at: Structure) -> Self {
        Self { rest: bytes, at }
    }

    /// The error for malformed input in this structure.
    pub(crate) fn bad(&self) -> Error {
        Error::BadDer(self.at)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads the next element, whatever its tag.
    pub(crate) fn any(&mut self) -> Result<Tlv<'a>, Error> {
        let bad = self.bad();
        let mut reader = SliceReader::new(self.rest).map_err(|_| bad)?;
        let header = Header::decode(&mut reader).map_err(|_| bad)?;
        let header_len = usize::try_from(reader.position()).map_err(|_| bad)?;
        let value_len = usize::try_from(header.length()).map_err(|_| bad)?;
        let total = header_len.checked_add(value_len).ok_or(bad)?;
        let raw = self.rest.get(..total).ok_or(bad)?;
        let value = raw.get(header_len..).ok_or(bad)?;
        self.rest = self.rest.get(total..).ok_or(bad)?;
        Ok(Tlv {
            tag: header.tag(),
            value,
            raw,
        })
    }

    /// The tag of the next element, if there is one and it decodes.
    pub(crate) fn peek_tag(&self) -> Option<Tag> {
        let mut reader = SliceReader::new(self.rest).ok()?;
        Tag::decode(&mut reader).ok()
    }

    /// Reads the next element, which must carry `tag`.
    pub(crate) fn expect_tlv(&mut self, tag: Tag) -> Result<Tlv<'a>, Error> {
        let tlv = self.any()?;
        if tlv.tag != tag {
            return Err(self.bad());
        }
        Ok(tlv)
    }

    /// Reads the next element, which must carry `tag`, and returns its value bytes.
    pub(crate) fn expect(&mut self, tag: Tag) -> Result<&'a [u8], Error> {
        Ok(self.expect_tlv(tag)?.value)
    }

    /// Reads the next element if it carries `tag`.
    pub(crate) fn optional(&mut self, tag: Tag) -> Result<Option<&'a [u8]>, Error> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.expect(tag).map(Some)
    }

    /// Reads a `SEQUENCE` and hands its contents to `f` as a reader that must be consumed
    /// entirely.
    pub(crate) fn nested<T>(
        &mut self,
        tag: Tag,
        at: Structure,
        f: impl FnOnce(&mut Der<'a>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let value = self.expect(tag)?;
        let mut inner = Der::new(value, at);
        let out = f(&mut inner)?;
        inner.finish()?;
        Ok(out)
    }

    /// A `BOOLEAN`: DER allows only `0x00` and `0xFF`.
    pub(crate) fn boolean(&mut self) -> Result<bool, Error> {
        match self.expect(Tag::Boolean)? {
            [0x00] => Ok(false),
            [0xFF] => Ok(true),
            _ => Err(self.bad()),
        }
    }

    /// An `INTEGER`'s content bytes, without judging their encoding.
    ///
    /// Only for serial numbers: real-world CAs issue serials that are not minimally encoded,
    /// and serials are compared as raw bytes, so their encoding is kept as it is.
    pub(crate) fn integer_bytes_lax(&mut self) -> Result<&'a [u8], Error> {
        let value = self.expect(Tag::Integer)?;
        if value.is_empty() {
            return Err(self.bad());
        }
        Ok(value)
    }

    /// A small non-negative `INTEGER` or `ENUMERATED`, minimally encoded.
    pub(crate) fn small_unsigned(&mut self, tag: Tag) -> Result<u8, Error> {
        match self.expect(tag)? {
            [value] if *value < 0x80 => Ok(*value),
            [0x00, value] if *value >= 0x80 => Ok(*value),
            _ => Err(self.bad()),
        }
    }

    /// An `OBJECT IDENTIFIER`'s content bytes, checked to be a well-formed OID.
    pub(crate) fn oid(&mut self) -> Result<&'a [u8], Error> {
        let value = self.expect(Tag::ObjectIdentifier)?;
        check_oid(value).ok_or(self.bad())?;
        Ok(value)
    }

    /// A `BIT STRING` with no unused bits, as keys and signatures are; returns the bits.
    pub(crate) fn bit_string_octets(&mut self) -> Result<&'a [u8], Error> {
        match self.expect(Tag::BitString)? {
            [0x00, bits @ ..] => Ok(bits),
            _ => Err(self.bad()),
        }
    }

    /// Fails with [`Error::TrailingData`] if anything is left.
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingData(self.at))
        }
    }
}

/// Checks the encoding of an OID's content bytes: non-empty, each arc minimally encoded and
/// terminated.
fn check_oid(value: &[u8]) -> Option<()> {
    let (last, _) = value.split_last()?;
    if last & 0x80 != 0 {
        return None;
    }
    let mut arc_start = true;
    for byte in value {
        if arc_start && *byte == 0x80 {
            return None;
        }
        arc_start = byte & 0x80 == 0;
    }
    Some(())
}

/// Reads the single element that makes up `bytes`, which must carry `tag`, with no trailing
/// data; returns the element.
pub(crate) fn single(bytes: &[u8], tag: Tag, at: Structure) -> Result<Tlv<'_>, Error> {
    let mut der = Der::new(bytes, at);
    let tlv = der.expect_tlv(tag)?;
    der.finish()?;
    Ok(tlv)
}

/// Something that can be parsed from one element of a `SEQUENCE OF`. (Public only so that it
/// may bound [`SequenceOf`]; it lives in a private module and cannot be named outside the crate.)
pub trait FromTlv<'a>: Sized {
    /// Parses one element.
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, Error>;
}

/// A lazy `SEQUENCE OF T` over the raw contents bytes.
///
/// The view that makes one has already parsed every element once, so iteration can only meet
/// bytes that were valid then; it still yields `Result` rather than hide an error.
#[derive(Debug)]
pub struct SequenceOf<'a, T> {
    der: Der<'a>,
    _element: PhantomData<fn() -> T>,
}

impl<T> Clone for SequenceOf<'_, T> {
    fn clone(&self) -> Self {
        Self {
            der: self.der.clone(),
            _element: PhantomData,
        }
    }
}

impl<'a, T: FromTlv<'a>> SequenceOf<'a, T> {
    /// Validates every element of `contents` and returns the list and its length.
    pub(crate) fn validate(contents: &'a [u8], at: Structure) -> Result<(Self, usize), Error> {
        let list = Self::unchecked(contents, at);
        let mut count = 0usize;
        for element in list.clone() {
            element?;
            count = count.saturating_add(1);
        }
        Ok((list, count))
    }

    /// A list whose elements are known to be valid (or are checked by the caller).
    pub(crate) const fn unchecked(contents: &'a [u8], at: Structure) -> Self {
        Self {
            der: Der { rest: contents, at },
            _element: PhantomData,
        }
    }

    /// An empty list.
    pub(crate) const fn empty() -> Self {
        Self::unchecked(&[], Structure::Extension)
    }
}

impl<'a, T: FromTlv<'a>> Iterator for SequenceOf<'a, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.der.is_empty() {
            return None;
        }
        let item = self.der.any().and_then(T::from_tlv);
        if item.is_err() {
            // Stop after the first error: the rest cannot be framed reliably.
            self.der.rest = &[];
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tlv_and_slices() {
        let bytes = [0x30, 0x03, 0x02, 0x01, 0x05, 0xAA];
        let mut der = Der::new(&bytes, Structure::OcspResponse);
        let tlv = der.expect_tlv(Tag::Sequence).unwrap();
        assert_eq!(tlv.value, &[0x02, 0x01, 0x05]);
        assert_eq!(tlv.raw, &bytes[..5]);
        assert_eq!(
            der.finish(),
            Err(Error::TrailingData(Structure::OcspResponse))
        );
    }

    #[test]
    fn refuses_non_minimal_and_indefinite_lengths() {
        let non_minimal = [0x04, 0x81, 0x01, 0x00];
        assert_eq!(
            Der::new(&non_minimal, Structure::Extension)
                .any()
                .unwrap_err(),
            Error::BadDer(Structure::Extension)
        );
        let indefinite = [0x30, 0x80, 0x00, 0x00];
        assert!(Der::new(&indefinite, Structure::Extension).any().is_err());
        let truncated = [0x04, 0x05, 0x00];
        assert!(Der::new(&truncated, Structure::Extension).any().is_err());
        let long_form_universal = [0x1F, 0x20, 0x00];
        assert!(
            Der::new(&long_form_universal, Structure::Extension)
                .any()
                .is_err()
        );
    }

    #[test]
    fn booleans_are_strict() {
        assert_eq!(
            Der::new(&[0x01, 0x01, 0xFF], Structure::Extension).boolean(),
            Ok(true)
        );
        assert_eq!(
            Der::new(&[0x01, 0x01, 0x00], Structure::Extension).boolean(),
            Ok(false)
        );
        assert!(
            Der::new(&[0x01, 0x01, 0x01], Structure::Extension)
                .boolean()
                .is_err()
        );
        assert!(
            Der::new(&[0x01, 0x02, 0xFF, 0xFF], Structure::Extension)
                .boolean()
                .is_err()
        );
    }

    #[test]
    fn small_unsigned_is_minimal() {
        let read =
            |bytes: &[u8]| Der::new(bytes, Structure::Extension).small_unsigned(Tag::Integer);
        assert_eq!(read(&[0x02, 0x01, 0x05]), Ok(5));
        assert_eq!(read(&[0x02, 0x02, 0x00, 0x80]), Ok(0x80));
        assert!(read(&[0x02, 0x02, 0x00, 0x05]).is_err());
        assert!(read(&[0x02, 0x01, 0x80]).is_err());
        assert!(read(&[0x02, 0x00]).is_err());
    }

    #[test]
    fn oids_are_checked() {
        assert_eq!(check_oid(&[0x2B, 0x06, 0x01]), Some(()));
        assert_eq!(check_oid(&[]), None);
        assert_eq!(check_oid(&[0x2B, 0x86]), None);
        assert_eq!(check_oid(&[0x2B, 0x80, 0x01]), None);
    }

    #[test]
    fn bit_strings_need_zero_unused_bits() {
        let ok = [0x03, 0x03, 0x00, 0xAB, 0xCD];
        assert_eq!(
            Der::new(&ok, Structure::Signature).bit_string_octets(),
            Ok(&[0xAB, 0xCD][..])
        );
        let unused = [0x03, 0x02, 0x01, 0xAB];
        assert!(
            Der::new(&unused, Structure::Signature)
                .bit_string_octets()
                .is_err()
        );
        let empty = [0x03, 0x00];
        assert!(
            Der::new(&empty, Structure::Signature)
                .bit_string_octets()
                .is_err()
        );
    }
}
