//! The issuer of the certificate an answer is about: only its subject name and its public key.

#[cfg(feature = "rustls")]
use rustls_pki_types::SignatureVerificationAlgorithm;
use rustls_pki_types::TrustAnchor;

use crate::cert::Certificate;
use crate::der::check_name;
use crate::error::{Error, Structure};
use crate::signed::SubjectPublicKeyInfo;
#[cfg(feature = "rustls")]
use crate::signed::verify_signed_data;

/// The CA that issued the certificate an OCSP answer is about: its subject name and its public
/// key, which is all OCSP needs of it.
///
/// RFC 6960 section 4.1.1 hashes "the issuer's distinguished name" and "the issuer's public
/// key" into a `CertID`, and section 4.2.2.2 lets the issuer sign answers itself or delegate to
/// a responder it issued. Neither needs the rest of the issuer's certificate, so an `Issuer` is
/// built from whichever the caller holds:
///
/// - a [`Certificate`] (an intermediate a TLS server sent, a CA certificate on disk), with
///   [`Issuer::from`];
/// - a pki-types [`TrustAnchor`] (a root of rustls' `RootCertStore` or of `webpki-roots`, or
///   the name and key firmware stores instead of a whole CA certificate), with
///   [`Issuer::from_trust_anchor`].
///
/// No heap: the view borrows the name and key bytes.
///
/// ```
/// use ocsp_verify::{Certificate, Issuer, TrustAnchor};
/// use rustls_pki_types::Der;
///
/// # fn main() -> Result<(), ocsp_verify::Error> {
/// let der = include_bytes!("../test-vectors/generated/pki/p256-ca.der");
/// let from_certificate = Issuer::from(&Certificate::from_der(der)?);
///
/// // What a device stores instead: the CA's subject name and key (the contents of the two
/// // SEQUENCEs, as pki-types' TrustAnchor keeps them).
/// let anchor = TrustAnchor {
///     subject: Der::from_slice(from_certificate.name()),
///     subject_public_key_info: Der::from_slice(from_certificate.subject_public_key_info_contents()),
///     name_constraints: None,
/// };
/// assert_eq!(Issuer::from_trust_anchor(&anchor)?, from_certificate);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issuer<'a> {
    /// The contents of the subject `Name` (the RDNSequence without its SEQUENCE header).
    name: &'a [u8],
    /// The contents of the `SubjectPublicKeyInfo` SEQUENCE.
    spki_contents: &'a [u8],
    spki: SubjectPublicKeyInfo<'a>,
}

impl<'a> Issuer<'a> {
    /// The issuer described by a trust anchor: its `subject` and `subject_public_key_info`,
    /// both without their outer SEQUENCE header, as rustls-webpki and `webpki-roots` store them.
    /// Name constraints play no part in OCSP and are ignored.
    ///
    /// Fails with [`Error::BadDer`] when the name or the key is malformed.
    pub fn from_trust_anchor(anchor: &'a TrustAnchor<'_>) -> Result<Self, Error> {
        let name = anchor.subject.as_ref();
        check_name(name, Structure::TrustAnchor)?;
        let spki_contents = anchor.subject_public_key_info.as_ref();
        Ok(Self {
            name,
            spki_contents,
            spki: SubjectPublicKeyInfo::from_contents(spki_contents)?,
        })
    }

    /// The contents of the issuer's subject `Name` (without its SEQUENCE header; the form
    /// pki-types' `TrustAnchor::subject` has).
    pub fn name(&self) -> &'a [u8] {
        self.name
    }

    /// The contents of the issuer's `SubjectPublicKeyInfo` (without its SEQUENCE header; the
    /// form pki-types' `TrustAnchor::subject_public_key_info` has).
    pub fn subject_public_key_info_contents(&self) -> &'a [u8] {
        self.spki_contents
    }

    /// The issuer's public key.
    pub fn subject_public_key_info(&self) -> &SubjectPublicKeyInfo<'a> {
        &self.spki
    }

    /// Whether `cert` names this issuer as its issuer (byte-for-byte `Name` comparison, as
    /// rustls-webpki and mozilla::pkix compare names).
    pub fn is_issuer_of(&self, cert: &Certificate<'_>) -> bool {
        cert.issuer_contents() == self.name
    }

    /// Whether this issuer issued `cert`: `cert` names it, and its key verifies `cert`'s
    /// signature under one of `algorithms`.
    ///
    /// What finds an issuer among certificates a peer sent: the name alone is not enough. A
    /// certificate with the issuer's name and an attacker's key, taken as the issuer, would
    /// make the attacker's own OCSP response (signed by that key, naming that key in its
    /// CertID) look issued by the CA.
    #[cfg(feature = "rustls")]
    pub(crate) fn issued(
        &self,
        cert: &Certificate<'_>,
        algorithms: &[&dyn SignatureVerificationAlgorithm],
    ) -> bool {
        self.is_issuer_of(cert)
            && verify_signed_data(algorithms, &self.spki, cert.signed_data()).is_ok()
    }
}

impl<'a> From<&Certificate<'a>> for Issuer<'a> {
    /// The certificate's subject name and public key.
    fn from(cert: &Certificate<'a>) -> Self {
        Self {
            name: cert.subject_contents(),
            spki_contents: cert.subject_public_key_info_contents(),
            spki: *cert.subject_public_key_info(),
        }
    }
}

#[cfg(test)]
mod tests {
    use rustls_pki_types::Der;

    use super::*;

    const CA: &[u8] = include_bytes!("../test-vectors/generated/pki/p256-ca.der");
    const EE: &[u8] = include_bytes!("../test-vectors/generated/pki/p256-ee.der");

    #[test]
    fn a_trust_anchor_and_the_certificate_make_the_same_issuer() {
        let ca = Certificate::from_der(CA).unwrap();
        let ee = Certificate::from_der(EE).unwrap();
        let issuer = Issuer::from(&ca);
        assert!(issuer.is_issuer_of(&ee));
        assert!(!issuer.is_issuer_of(&ca) || ca.issuer() == ca.subject());
        let anchor = TrustAnchor {
            subject: Der::from_slice(issuer.name()),
            subject_public_key_info: Der::from_slice(issuer.subject_public_key_info_contents()),
            name_constraints: None,
        };
        let from_anchor = Issuer::from_trust_anchor(&anchor).unwrap();
        assert_eq!(from_anchor, issuer);
        assert_eq!(
            from_anchor.subject_public_key_info().public_key(),
            ca.subject_public_key_info().public_key()
        );
    }

    #[test]
    fn malformed_anchors_are_refused() {
        let ca = Certificate::from_der(CA).unwrap();
        let issuer = Issuer::from(&ca);
        let bad_name = TrustAnchor {
            subject: Der::from_slice(&[0x31, 0x00]),
            subject_public_key_info: Der::from_slice(issuer.subject_public_key_info_contents()),
            name_constraints: None,
        };
        assert_eq!(
            Issuer::from_trust_anchor(&bad_name),
            Err(Error::BadDer(Structure::TrustAnchor))
        );
        let spki = issuer.subject_public_key_info_contents();
        let bad_key = TrustAnchor {
            subject: Der::from_slice(issuer.name()),
            subject_public_key_info: Der::from_slice(&spki[..spki.len() - 1]),
            name_constraints: None,
        };
        assert_eq!(
            Issuer::from_trust_anchor(&bad_key),
            Err(Error::BadDer(Structure::SubjectPublicKeyInfo))
        );
    }
}
