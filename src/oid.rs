//! The object identifiers the crate recognises.

use const_oid::ObjectIdentifier as Oid;

/// id-pkix-ocsp-basic (RFC 6960 section 4.2.1).
pub(crate) const OCSP_BASIC: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-pkix-ocsp-nonce (RFC 6960 section 4.4.1).
pub(crate) const OCSP_NONCE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// id-pkix-ocsp-nocheck (RFC 6960 section 4.2.2.2.1).
pub(crate) const OCSP_NOCHECK: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.5");
/// The signed certificate timestamp list in an OCSP response (RFC 6962 section 3.3).
pub(crate) const CT_SCT_LIST_OCSP: Oid = Oid::new_unwrap("1.3.6.1.4.1.11129.2.4.5");
/// id-ad-ocsp, an AIA access method (RFC 5280 section 4.2.2.1).
pub(crate) const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
/// id-kp-OCSPSigning (RFC 5280 section 4.2.1.12).
pub(crate) const KP_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");
/// anyExtendedKeyUsage (RFC 5280 section 4.2.1.12).
pub(crate) const ANY_EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37.0");

/// Certificate extensions. The id-ce ones are matched by their last arc in `cert.rs`; these
/// constants check that match in a test.
#[cfg(test)]
pub(crate) const SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
#[cfg(test)]
pub(crate) const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
#[cfg(test)]
pub(crate) const SUBJECT_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.17");
#[cfg(test)]
pub(crate) const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
#[cfg(test)]
pub(crate) const CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
#[cfg(test)]
pub(crate) const CERTIFICATE_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
#[cfg(test)]
pub(crate) const AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
#[cfg(test)]
pub(crate) const EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
pub(crate) const AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
/// The TLS feature extension (RFC 7633).
pub(crate) const TLS_FEATURE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.24");

/// CertID hash algorithms.
pub(crate) const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub(crate) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub(crate) const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// rsaEncryption, the SubjectPublicKeyInfo algorithm of RSA keys.
pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
