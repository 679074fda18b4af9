//! The path of a presented chain: who issued each certificate, found again by name and
//! signature (rustls does not hand over the path its inner verifier built), with backtracking
//! over cross-signed candidates. The rustls adapter finds a server certificate's issuer this
//! way, and the mTLS verifier a client's path (remembered per presented chain).

#[cfg(feature = "http")]
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use ::rustls::RootCertStore;
use ::rustls::pki_types::CertificateDer;
use rustls_pki_types::SignatureVerificationAlgorithm;

use crate::cert::Certificate;
use crate::error::Error;
use crate::issuer::Issuer;
#[cfg(feature = "http")]
use crate::server::bounded::{Bounded, digest};
#[cfg(feature = "http")]
use crate::server::sync::lock;

/// At most this many presented chains have their path remembered (first in, first out).
#[cfg(feature = "http")]
const PATH_MEMO_CAPACITY: usize = 1024;

/// At most this many signatures are checked to find one path: a client that sends many
/// look-alike intermediates cannot make the search exponential.
const SIGNATURE_BUDGET: usize = 64;

/// Which certificates of a chain are asked about: webpki's `RevocationCheckDepth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
// Public through the mTLS verifier (feature `http`); the adapter uses the end-entity depth.
#[cfg_attr(not(feature = "http"), allow(dead_code))]
pub enum RevocationCheckDepth {
    /// The client's own certificate only (the default). Intermediates are revoked rarely, and
    /// their responders are often the CA's offline-signed ones.
    #[default]
    EndEntity,
    /// Every certificate below the trust anchor: the end-entity and each intermediate of the
    /// path. Each needs an answer; their fetches run at the same time, within one budget.
    Chain,
}

/// Who issued a certificate of the path: an intermediate the peer sent, or a root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Link {
    Intermediate(usize),
    Root(usize),
}

/// The search for a path: what it may use, and what it has spent.
struct Search<'a, 'c> {
    intermediates: &'a [Option<Certificate<'c>>],
    roots: &'a RootCertStore,
    algorithms: &'a [&'a dyn SignatureVerificationAlgorithm],
    depth: RevocationCheckDepth,
    used: Vec<bool>,
    budget: usize,
}

/// The issuers of `end_entity` and, with [`RevocationCheckDepth::Chain`], of each
/// intermediate up to a trust anchor. Each issuer's subject must be the certificate's issuer
/// Name **and** its key must verify the certificate's signature (a client may send any
/// certificate along; one with the right name and its own key, taken as the issuer, would make
/// its own OCSP answers look like the CA's). When a candidate leads nowhere (a cross-signed
/// intermediate whose other issuer is not trusted), the next is tried, as webpki does.
pub(crate) fn build(
    end_entity: &Certificate<'_>,
    intermediates: &[Option<Certificate<'_>>],
    roots: &RootCertStore,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
    depth: RevocationCheckDepth,
) -> Result<Vec<Link>, Error> {
    let mut search = Search {
        intermediates,
        roots,
        algorithms,
        depth,
        used: std::vec![false; intermediates.len()],
        budget: SIGNATURE_BUDGET,
    };
    let mut links = Vec::new();
    if search.extend(end_entity, &mut links) {
        Ok(links)
    } else {
        Err(Error::IssuerNotFound)
    }
}

impl Search<'_, '_> {
    /// Finds the issuer of `cert` and (with `Chain`) the rest of the path from it; pushes the
    /// links and returns true, or leaves `links` as it was and returns false.
    fn extend(&mut self, cert: &Certificate<'_>, links: &mut Vec<Link>) -> bool {
        for index in 0..self.intermediates.len() {
            let (Some(Some(candidate)), Some(false)) =
                (self.intermediates.get(index), self.used.get(index).copied())
            else {
                continue;
            };
            if !self.issued(&Issuer::from(candidate), cert) {
                continue;
            }
            // A client that sends a trust anchor along (its root, or a cross-signed copy of
            // one): the path ends there, as webpki's does.
            if let Some(root) = self.root_index(&Issuer::from(candidate)) {
                links.push(Link::Root(root));
                return true;
            }
            links.push(Link::Intermediate(index));
            if self.depth == RevocationCheckDepth::EndEntity {
                return true;
            }
            if let Some(flag) = self.used.get_mut(index) {
                *flag = true;
            }
            if self.extend(candidate, links) {
                return true;
            }
            // A dead end: try the next candidate.
            links.pop();
            if let Some(flag) = self.used.get_mut(index) {
                *flag = false;
            }
        }
        let roots = self.roots;
        for (index, anchor) in roots.roots.iter().enumerate() {
            let Ok(issuer) = Issuer::from_trust_anchor(anchor) else {
                continue;
            };
            if self.issued(&issuer, cert) {
                links.push(Link::Root(index));
                return true;
            }
        }
        false
    }

    fn issued(&mut self, issuer: &Issuer<'_>, cert: &Certificate<'_>) -> bool {
        // The name first: free, and it rules out almost every candidate.
        if !issuer.is_issuer_of(cert) || self.budget == 0 {
            return false;
        }
        self.budget = self.budget.saturating_sub(1);
        issuer.issued(cert, self.algorithms)
    }

    /// The index of the root with this issuer's name and key.
    fn root_index(&self, issuer: &Issuer<'_>) -> Option<usize> {
        self.roots.roots.iter().position(|anchor| {
            anchor.subject.as_ref() == issuer.name()
                && anchor.subject_public_key_info.as_ref()
                    == issuer.subject_public_key_info_contents()
        })
    }
}

/// The certificates of the path with their issuers, end-entity first.
pub(crate) fn walk<'c>(
    end_entity: &Certificate<'c>,
    intermediates: &[Option<Certificate<'c>>],
    roots: &'c RootCertStore,
    links: &[Link],
) -> Result<Vec<(Certificate<'c>, Issuer<'c>)>, Error> {
    let mut path = Vec::with_capacity(links.len());
    let mut subject = end_entity.clone();
    for link in links {
        let (issuer, next) = match *link {
            Link::Intermediate(index) => {
                let issuing = intermediates
                    .get(index)
                    .and_then(Option::as_ref)
                    .ok_or(Error::IssuerNotFound)?;
                (Issuer::from(issuing), Some(issuing.clone()))
            }
            Link::Root(index) => {
                let anchor = roots.roots.get(index).ok_or(Error::IssuerNotFound)?;
                (Issuer::from_trust_anchor(anchor)?, None)
            }
        };
        path.push((subject, issuer));
        match next {
            Some(next) => subject = next,
            None => break,
        }
    }
    Ok(path)
}

pub(crate) fn parse_all<'a>(ders: &'a [CertificateDer<'_>]) -> Vec<Option<Certificate<'a>>> {
    ders.iter()
        .map(|der| Certificate::from_der(der).ok())
        .collect()
}

/// The paths found for presented chains, keyed by the SHA-256 of the chain. Finding a path
/// costs a signature check per certificate; a returning client's is looked up instead. The
/// key covers every byte the client sent and the roots do not change, so a remembered path is
/// exactly the one that would be found again.
#[cfg(feature = "http")]
#[derive(Debug)]
pub(crate) struct PathMemo(Mutex<Bounded<[u8; 32], Arc<[Link]>>>);

#[cfg(feature = "http")]
impl PathMemo {
    pub(crate) fn new() -> Self {
        Self(Mutex::new(Bounded::new(PATH_MEMO_CAPACITY)))
    }

    pub(crate) fn get_or_build(
        &self,
        end_entity: &[u8],
        intermediates: &[CertificateDer<'_>],
        build: impl FnOnce() -> Result<Vec<Link>, Error>,
    ) -> Result<Arc<[Link]>, Error> {
        let parts = core::iter::once(end_entity).chain(intermediates.iter().map(|d| d.as_ref()));
        let key = digest(parts);
        if let Some(links) = lock(&self.0).get(&key) {
            return Ok(Arc::clone(links));
        }
        let links: Arc<[Link]> = Arc::from(build()?);
        lock(&self.0).insert(key, Arc::clone(&links), |_| ());
        Ok(links)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der(name: &str) -> CertificateDer<'static> {
        let path = std::format!(
            "{}/test-vectors/generated/pki/tls/{name}.der",
            env!("CARGO_MANIFEST_DIR")
        );
        CertificateDer::from(std::fs::read(path).unwrap())
    }

    fn path(depth: RevocationCheckDepth, leaf: &str, sent: &[&str]) -> Result<Vec<Link>, Error> {
        let mut roots = RootCertStore::empty();
        roots.add(der("tls-root")).unwrap();
        let leaf = der(leaf);
        let sent: Vec<_> = sent.iter().map(|name| der(name)).collect();
        let end_entity = Certificate::from_der(&leaf).unwrap();
        let provider = ::rustls::crypto::ring::default_provider();
        let algorithms = provider.signature_verification_algorithms.all;
        build(&end_entity, &parse_all(&sent), &roots, algorithms, depth)
    }

    #[test]
    fn issuers_are_found_by_name_and_signature() {
        use Link::{Intermediate, Root};
        use RevocationCheckDepth::{Chain, EndEntity};
        // The impostor has the intermediate's name and another key: skipped.
        let sent = ["tls-int-impostor", "tls-int"];
        assert_eq!(
            path(EndEntity, "tls-server", &sent),
            Ok(std::vec![Intermediate(1)])
        );
        assert_eq!(
            path(Chain, "tls-server", &sent),
            Ok(std::vec![Intermediate(1), Root(0)])
        );
        // A peer that sends the root along: the path ends at the trust anchor.
        assert_eq!(
            path(Chain, "tls-server", &["tls-int", "tls-root"]),
            Ok(std::vec![Intermediate(0), Root(0)])
        );
        // Issued by the root itself.
        assert_eq!(
            path(Chain, "tls-server-direct", &[]),
            Ok(std::vec![Root(0)])
        );
        // Only the impostor, or an unreadable certificate: no issuer.
        assert_eq!(
            path(EndEntity, "tls-server", &["tls-int-impostor"]),
            Err(Error::IssuerNotFound)
        );
        // The same intermediate twice is used once.
        assert_eq!(
            path(Chain, "tls-server", &["tls-int", "tls-int"]),
            Ok(std::vec![Intermediate(0), Root(0)])
        );
    }

    #[test]
    fn a_flood_of_look_alike_intermediates_costs_a_bounded_number_of_signatures() {
        // Forty impostors (the intermediate's name, another key) before the real one: each
        // costs a signature check, within the budget; past it, the search gives up.
        let mut roots = RootCertStore::empty();
        roots.add(der("tls-root")).unwrap();
        let impostor = der("tls-int-impostor");
        let leaf = der("tls-server");
        let end_entity = Certificate::from_der(&leaf).unwrap();
        let provider = ::rustls::crypto::ring::default_provider();
        let algorithms = provider.signature_verification_algorithms.all;
        for (impostors, found) in [(40, true), (SIGNATURE_BUDGET, false)] {
            let mut sent = std::vec![impostor.clone(); impostors];
            sent.push(der("tls-int"));
            let parsed = parse_all(&sent);
            let result = build(
                &end_entity,
                &parsed,
                &roots,
                algorithms,
                RevocationCheckDepth::Chain,
            );
            assert_eq!(result.is_ok(), found, "{impostors}: {result:?}");
        }
    }
}
