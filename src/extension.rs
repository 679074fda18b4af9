//! X.509 `Extension`s, as certificates and OCSP responses both carry them.

use crate::der::{Der, FromTlv, SequenceOf, Tlv, single, tag};
use crate::error::{Error, Structure};
use crate::oid;

/// One extension: its OID, criticality and the contents of its `extnValue`.
///
/// ```text
/// Extension ::= SEQUENCE {
///     extnID      OBJECT IDENTIFIER,
///     critical    BOOLEAN DEFAULT FALSE,
///     extnValue   OCTET STRING }
/// ```
/// (RFC 5280 section 4.1.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension<'a> {
    id: &'a [u8],
    critical: bool,
    value: &'a [u8],
}

impl<'a> Extension<'a> {
    /// The content bytes of `extnID` (the OID without its tag and length).
    pub fn id(&self) -> &'a [u8] {
        self.id
    }

    /// Whether the extension is marked critical.
    pub fn is_critical(&self) -> bool {
        self.critical
    }

    /// The contents of the `extnValue` OCTET STRING: the DER of the extension's own value.
    pub fn value(&self) -> &'a [u8] {
        self.value
    }
}

impl<'a> FromTlv<'a> for Extension<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, Error> {
        let mut der = Der::new(tlv.value, Structure::Extension);
        if tlv.tag != tag::SEQUENCE {
            return Err(der.bad());
        }
        let id = der.oid()?;
        // DER forbids encoding the DEFAULT FALSE explicitly; like rustls-webpki we tolerate it,
        // because certificates doing so exist and it changes no meaning.
        let critical = match der.peek_tag() {
            Some(tag::BOOLEAN) => der.boolean()?,
            _ => false,
        };
        let value = der.read(tag::OCTET_STRING)?;
        der.finish()?;
        Ok(Self {
            id,
            critical,
            value,
        })
    }
}

/// A lazy list of extensions, each validated when the owning view was built.
pub(crate) type Extensions<'a> = SequenceOf<'a, Extension<'a>>;

/// Validates the `Extensions` SEQUENCE that makes up `value`, refusing an empty one (RFC 5280:
/// `SEQUENCE SIZE (1..MAX) OF Extension`), and shows each extension to `visit` during that one
/// pass.
pub(crate) fn extensions<'a>(
    value: &'a [u8],
    at: Structure,
    mut visit: impl FnMut(&Extension<'a>) -> Result<(), Error>,
) -> Result<Extensions<'a>, Error> {
    let mut der = Der::new(value, at);
    let contents = der.read(tag::SEQUENCE)?;
    der.finish()?;
    if contents.is_empty() {
        return Err(Error::BadDer(at));
    }
    let list = Extensions::unchecked(contents, at);
    for extension in list.clone() {
        visit(&extension?)?;
    }
    Ok(list)
}

/// The nonce (RFC 6960 section 4.4.1, RFC 8954) among `extensions`: `Ok(None)` without a nonce
/// extension, the nonce's octets with one, and [`Error::InvalidNonce`] when its value is not
/// exactly one OCTET STRING or it appears twice.
pub(crate) fn nonce<'a>(
    extensions: impl Iterator<Item = Result<Extension<'a>, Error>>,
) -> Result<Option<&'a [u8]>, Error> {
    let mut found = None;
    for extension in extensions {
        let extension = extension?;
        if extension.id() != oid::OCSP_NONCE.as_bytes() {
            continue;
        }
        if found.is_some() {
            return Err(Error::InvalidNonce);
        }
        let value = single(extension.value(), tag::OCTET_STRING, Structure::Extension)
            .map_err(|_| Error::InvalidNonce)?;
        found = Some(value.value);
    }
    Ok(found)
}

/// Profile rule 11: refuses a critical extension whose OID is not in `understood`, naming `at`.
///
/// RFC 5280 section 4.2, which RFC 6960 follows for its own extensions: "A certificate-using
/// system MUST reject the certificate if it encounters a critical extension it does not
/// recognize". Unknown non-critical extensions are ignored.
pub(crate) fn check_critical<'a>(
    extensions: impl Iterator<Item = Result<Extension<'a>, Error>>,
    at: Structure,
    understood: &[&const_oid::ObjectIdentifier],
) -> Result<(), Error> {
    for extension in extensions {
        let extension = extension?;
        if extension.is_critical() && !understood.iter().any(|id| id.as_bytes() == extension.id()) {
            return Err(Error::UnsupportedCriticalExtension(at));
        }
    }
    Ok(())
}
