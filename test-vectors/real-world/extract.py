#!/usr/bin/env python3
"""Regenerate test-vectors/real-world/manifest.json from the files in this folder.

Usage (Python 3.8+ with pyca/cryptography, and from ../tools/ the DER reader (der.py) and the
default options and time rules (ocsp_profile.py) the generator uses too; `openssl` on PATH only
for --openssl):

    python3 extract.py                   # write manifest.json next to this script
    python3 extract.py --check           # exit 1 if manifest.json differs from what would be written
    python3 extract.py --openssl         # also cross-check every parsed field against
                                         #   `openssl ocsp -respin F -resp_text -noverify`
    python3 extract.py --summary PATH    # also cross-check against the shared summary.tsv

What it does:

* `parse`: every OCSP response (a .der whose outer SEQUENCE starts with an ENUMERATED) is read
  with the strict DER reader shared with the generator (../tools/der.py) and the structure
  checks below, which apply the parse-level rules of the crate's verification profile (docs/design.md rules 1-6 and the hash-length part of 7). The fields written
  are the ones the parser tests compare; a refused response gets {"error": "<Error variant>"}
  (plus "response_status" when the refusal is a non-successful responseStatus).
* `verify`: the cases built by openssl_cases() and listed in EXTRA_CASES (hand-written: which
  certificate, issuer, trusted responders, clock and options each test uses, and what our
  profile must answer) are copied into the manifest after being re-derived by
  `reference_verify`, a plain-Python model of the profile (rules 7-14); it decides which
  algorithms, keys and parameters are acceptable and leaves the RSA PKCS#1 v1.5 and ECDSA
  P-256/P-384 arithmetic to pyca/cryptography, and it applies the time rules of
  ../tools/ocsp_profile.py with each case's `options`. If the model and the hand-written expectation
  disagree the script stops, so the manifest cannot drift from the data.
* `note` (top level, optional): FILE_NOTES, what a file is and why it has no verify case.

Choices the model makes where the profile leaves room (each is flagged in the cases it affects):
the order of checks is issuer Name vs the certificate's issuer, CertID lookup, responder
authorisation, response signature, critical extensions, nonce, freshness (docs/design.md pipeline);
the signer is looked up as issuer, then caller-trusted responder, then embedded delegated
responder; RSA PKCS#1 v1.5 AlgorithmIdentifier parameters may be NULL or absent; the nonce is
"known" only in responseExtensions and the SCT list only in singleExtensions.
"""

import datetime
import hashlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep ../tools free of __pycache__
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding
except ImportError:
    sys.exit("extract.py needs the Python package cryptography (pip install cryptography)")

import der  # noqa: E402
import ocsp_profile  # noqa: E402
from der import (BIT_STRING, BOOLEAN, ENUMERATED, GENERALIZED_TIME, INTEGER, OCTET_STRING, OID,  # noqa: E402
                 SEQUENCE, SET, context_tag)
SOURCES = ["openssl", "golang-x-crypto", "pyca-cryptography", "rustcrypto-x509-ocsp"]
MAX_RESPONSE_SIZE = 64 * 1024
MAX_CERTS = 8


# ---------------------------------------------------------------------------------------------
# Refusals, and the structures read on top of the shared DER reader (../tools/der.py)
# ---------------------------------------------------------------------------------------------

class Refused(Exception):
    """A response (or certificate) the crate must refuse; `variant` names the Error variant and
    `fields` what else the manifest's `expect` says about it (the times of a time error, the
    responseStatus of an UnsuccessfulResponse)."""

    def __init__(self, variant, why="", fields=None):
        super().__init__(f"{variant}: {why}")
        self.variant = variant
        self.why = why
        self.fields = fields or {}


def refused(expect, why=""):
    """A Refused from an `expect` object ({"error": variant, ...fields})."""
    fields = {k: v for k, v in expect.items() if k != "error"}
    return Refused(expect["error"], why, fields)


def bad(why):
    return der.DerError(why)


# What the model refuses with: its own verdicts, and what the shared DER reader refuses (BadDer,
# InvalidTime). Both carry the Error variant in `variant`.
REFUSALS = (Refused, der.DerError)


def algorithm_identifier(t, what):
    """-> (dotted OID, raw parameters TLV or None)."""
    if t.tag != SEQUENCE:
        raise bad(f"{what}: AlgorithmIdentifier not a SEQUENCE")
    r = t.reader()
    oid = der.decode_oid(r.expect(OID, what).content, what)
    params = r.any() if not r.at_end() else None
    r.end(what)
    return oid, params


def extensions(t, what):
    """Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension -> [(oid, critical, value bytes)]."""
    r = t.reader()
    out = []
    if r.at_end():
        raise bad(f"{what}: empty Extensions")
    while not r.at_end():
        e = r.expect(SEQUENCE, what).reader()
        oid = der.decode_oid(e.expect(OID, what).content, what)
        critical = False
        b = e.optional(BOOLEAN)
        if b is not None:
            critical = der.decode_boolean(b, what)
            if not critical:
                raise bad(f"{what}: critical FALSE encoded (DEFAULT value must be omitted)")
        value = e.expect(OCTET_STRING, what).content
        e.end(what)
        if any(o == oid for o, _, _ in out):
            raise bad(f"{what}: duplicate extension {oid}")
        out.append((oid, critical, value))
    return out


# ---------------------------------------------------------------------------------------------
# X.509 (only what OCSP needs)
# ---------------------------------------------------------------------------------------------

OID_EKU = "2.5.29.37"
OID_BASIC_CONSTRAINTS = "2.5.29.19"
OID_KEY_USAGE = "2.5.29.15"
OID_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9"
OID_OCSP_NOCHECK = "1.3.6.1.5.5.7.48.1.5"
# Certificate extensions the crate's cert view understands when critical: the ones it parses
# (cert.rs: EKU, basicConstraints, ocsp-nocheck, TLS feature, AIA) plus keyUsage, which every
# CA marks critical. Any other critical extension on a delegated responder is refused.
KNOWN_CERT_EXTENSIONS = {OID_EKU, OID_BASIC_CONSTRAINTS, OID_KEY_USAGE, OID_OCSP_NOCHECK,
                         "1.3.6.1.5.5.7.1.24", "1.3.6.1.5.5.7.1.1"}


class Cert:
    def __init__(self, data, name="?"):
        self.der, self.name = data, name
        t = der.read_tlv(data)
        if t.end != len(data) or t.tag != SEQUENCE:
            raise bad(f"{name}: certificate framing")
        r = t.reader()
        tbs = r.expect(SEQUENCE, "tbsCertificate")
        self.tbs = tbs.raw
        self.sig_alg = algorithm_identifier(r.expect(SEQUENCE, "signatureAlgorithm"), "sigalg")
        self.signature, _ = der.decode_bit_string(r.expect(BIT_STRING, "signature"), "signature")
        r.end("Certificate")
        r = tbs.reader()
        v = r.optional(context_tag(0))
        self.version = der.decode_integer(v.reader().expect(INTEGER, "version"), "version") if v else 0
        self.serial = r.expect(INTEGER, "serialNumber").content
        r.expect(SEQUENCE, "signature")
        self.issuer = r.expect(SEQUENCE, "issuer").raw
        val = r.expect(SEQUENCE, "validity").reader()
        self.not_before = der.decode_time(val.any(), "notBefore")
        self.not_after = der.decode_time(val.any(), "notAfter")
        val.end("validity")
        self.subject = r.expect(SEQUENCE, "subject").raw
        spki_tlv = r.expect(SEQUENCE, "subjectPublicKeyInfo")
        self.spki = spki_tlv.raw
        spki = spki_tlv.reader()
        self.key_alg = algorithm_identifier(spki.expect(SEQUENCE, "spki alg"), "spki alg")
        self.spk, _ = der.decode_bit_string(spki.expect(BIT_STRING, "subjectPublicKey"), "spk")
        spki.end("spki")
        r.optional(context_tag(1, False))
        r.optional(context_tag(2, False))
        ext = r.optional(context_tag(3))
        self.extensions = []
        if ext:
            er = ext.reader()
            self.extensions = extensions(er.expect(SEQUENCE, "extensions"), "cert extensions")
            er.end("extensions")
        r.end("tbsCertificate")

    def ext(self, oid):
        for o, crit, val in self.extensions:
            if o == oid:
                return crit, val
        return None

    def eku(self):
        e = self.ext(OID_EKU)
        if e is None:
            return None
        r = der.read_tlv(e[1]).reader()
        out = []
        while not r.at_end():
            out.append(der.decode_oid(r.expect(OID, "eku").content, "eku"))
        return out

    def is_ca(self):
        e = self.ext(OID_BASIC_CONSTRAINTS)
        if e is None:
            return False
        r = der.read_tlv(e[1]).reader()
        b = r.optional(BOOLEAN)
        return bool(b) and der.decode_boolean(b, "cA")


def load_cert(rel):
    with open(os.path.join(HERE, rel), "rb") as f:
        return Cert(f.read(), rel)


# ---------------------------------------------------------------------------------------------
# OCSP response parsing (rules 1-7)
# ---------------------------------------------------------------------------------------------

OID_BASIC = "1.3.6.1.5.5.7.48.1.1"
OID_NONCE = "1.3.6.1.5.5.7.48.1.2"
OID_SCT_LIST = "1.3.6.1.4.1.11129.2.4.5"
STATUS_NAMES = {0: "successful", 1: "malformedRequest", 2: "internalError", 3: "tryLater",
                5: "sigRequired", 6: "unauthorized"}
HASHES = {  # rule 7: CertID hash algorithms the crate supports -> (hashlib name, length)
    "1.3.14.3.2.26": ("sha1", 20),
    "2.16.840.1.101.3.4.2.1": ("sha256", 32),
    "2.16.840.1.101.3.4.2.2": ("sha384", 48),
    "2.16.840.1.101.3.4.2.3": ("sha512", 64),
}


def parse_response(data):
    """-> dict with the parsed response, or raises Refused(variant)."""
    if len(data) > MAX_RESPONSE_SIZE:
        raise Refused("ResponseTooLarge")
    outer = der.read_tlv(data)
    if outer.tag != SEQUENCE:
        raise bad("OCSPResponse not a SEQUENCE")
    if outer.end != len(data):
        raise Refused("TrailingData", f"{len(data) - outer.end} bytes after OCSPResponse")
    r = outer.reader()
    st = r.expect(ENUMERATED, "responseStatus")
    status = der.decode_integer(st, "responseStatus")
    rb = r.optional(context_tag(0))
    r.end("OCSPResponse")
    if status not in STATUS_NAMES:
        raise Refused("UnknownResponseStatus", str(status))
    if status != 0:
        raise Refused("UnsuccessfulResponse", STATUS_NAMES[status],
                      {"response_status": STATUS_NAMES[status]})
    if rb is None:
        raise Refused("MissingResponseBytes")
    rbr = rb.reader()
    rbs = rbr.expect(SEQUENCE, "ResponseBytes").reader()
    rbr.end("[0] responseBytes")
    rtype = der.decode_oid(rbs.expect(OID, "responseType").content, "responseType")
    resp_octets = rbs.expect(OCTET_STRING, "response").content
    rbs.end("ResponseBytes")
    if rtype != OID_BASIC:
        raise Refused("UnsupportedResponseType", rtype)

    basic = der.read_tlv(resp_octets)
    if basic.tag != SEQUENCE or basic.end != len(resp_octets):
        raise bad("BasicOCSPResponse framing")
    br = basic.reader()
    tbs = br.expect(SEQUENCE, "tbsResponseData")
    sig_alg = algorithm_identifier(br.expect(SEQUENCE, "signatureAlgorithm"), "signatureAlgorithm")
    signature, _ = der.decode_bit_string(br.expect(BIT_STRING, "signature"), "signature")
    certs_tlv = br.optional(context_tag(0))
    br.end("BasicOCSPResponse")
    certs = []
    if certs_tlv is not None:
        cr = certs_tlv.reader()
        seq = cr.expect(SEQUENCE, "certs").reader()
        cr.end("[0] certs")
        while not seq.at_end():
            certs.append(seq.expect(SEQUENCE, "Certificate").raw)
        if len(certs) > MAX_CERTS:
            raise Refused("TooManyCertificates", str(len(certs)))
        certs = [Cert(c, f"certs[{i}]") for i, c in enumerate(certs)]

    tr = tbs.reader()
    version = 0
    v = tr.optional(context_tag(0))
    if v is not None:
        vr = v.reader()
        version = der.decode_integer(vr.expect(INTEGER, "version"), "version")
        vr.end("[0] version")
        if version != 0:
            raise Refused("UnsupportedResponseVersion", str(version))
    rid_t = tr.any()
    if rid_t.tag == context_tag(1):
        rr = rid_t.reader()
        responder_id = ("by_name", rr.expect(SEQUENCE, "responderID byName").raw)
        rr.end("byName")
    elif rid_t.tag == context_tag(2):
        rr = rid_t.reader()
        responder_id = ("by_key", rr.expect(OCTET_STRING, "responderID byKey").content)
        rr.end("byKey")
    else:
        raise bad("responderID tag")
    produced_at = der.decode_generalized_time(tr.expect(GENERALIZED_TIME, "producedAt"), "producedAt")
    responses_tlv = tr.expect(SEQUENCE, "responses")
    rext = tr.optional(context_tag(1))
    tr.end("ResponseData")
    response_extensions = []
    if rext is not None:
        er = rext.reader()
        response_extensions = extensions(er.expect(SEQUENCE, "responseExtensions"), "responseExtensions")
        er.end("[1] responseExtensions")

    responses = []
    sr_reader = responses_tlv.reader()
    while not sr_reader.at_end():
        responses.append(single_response(sr_reader.expect(SEQUENCE, "SingleResponse")))
    if not responses:
        raise Refused("EmptyResponseList")

    nonce = None
    for oid, _crit, value in response_extensions:
        if oid == OID_NONCE:
            t = der.read_tlv(value)
            if t.tag != OCTET_STRING or t.end != len(value):
                raise bad("nonce extnValue is not exactly one OCTET STRING")
            nonce = t.content
    return {
        "status": status, "version": version, "responder_id": responder_id,
        "produced_at": produced_at, "sig_alg": sig_alg, "signature": signature,
        "tbs": tbs.raw, "certs": certs, "responses": responses,
        "extensions": response_extensions, "nonce": nonce,
    }


def single_response(t):
    r = t.reader()
    cid = r.expect(SEQUENCE, "CertID").reader()
    hash_alg = algorithm_identifier(cid.expect(SEQUENCE, "hashAlgorithm"), "hashAlgorithm")
    name_hash = cid.expect(OCTET_STRING, "issuerNameHash").content
    key_hash = cid.expect(OCTET_STRING, "issuerKeyHash").content
    serial_t = cid.expect(INTEGER, "serialNumber")
    der.decode_integer(serial_t, "serialNumber")
    cid.end("CertID")
    if hash_alg[0] in HASHES:
        if hash_alg[1] is not None and hash_alg[1].raw != b"\x05\x00":
            raise bad("CertID hash parameters neither absent nor NULL")
        n = HASHES[hash_alg[0]][1]
        if len(name_hash) != n or len(key_hash) != n:
            raise bad("CertID hash of the wrong length")
    st = r.any()
    revocation_time = revocation_reason = None
    if st.tag == 0x80:
        status = "good"
        if st.content:
            raise bad("good with content")
    elif st.tag == 0xA1:
        status = "revoked"
        rr = st.reader()
        revocation_time = der.decode_generalized_time(rr.expect(GENERALIZED_TIME, "revocationTime"),
                                               "revocationTime")
        rs = rr.optional(context_tag(0))
        rr.end("RevokedInfo")
        if rs is not None:
            rsr = rs.reader()
            revocation_reason = der.decode_integer(rsr.expect(ENUMERATED, "CRLReason"), "CRLReason")
            rsr.end("[0] revocationReason")
            if not 0 <= revocation_reason <= 10 or revocation_reason == 7:
                raise Refused("InvalidRevocationReason", str(revocation_reason))
    elif st.tag == 0x82:
        status = "unknown"
        if st.content:
            raise bad("unknown with content")
    else:
        raise bad(f"certStatus tag {st.tag:#x}")
    this_update = der.decode_generalized_time(r.expect(GENERALIZED_TIME, "thisUpdate"), "thisUpdate")
    next_update = None
    nu = r.optional(context_tag(0))
    if nu is not None:
        nr = nu.reader()
        next_update = der.decode_generalized_time(nr.expect(GENERALIZED_TIME, "nextUpdate"), "nextUpdate")
        nr.end("[0] nextUpdate")
    se = r.optional(context_tag(1))
    single_exts = []
    if se is not None:
        sr = se.reader()
        single_exts = extensions(sr.expect(SEQUENCE, "singleExtensions"), "singleExtensions")
        sr.end("[1] singleExtensions")
    r.end("SingleResponse")
    return {
        "hash_alg": hash_alg, "name_hash": name_hash, "key_hash": key_hash,
        "serial": serial_t.content, "status": status, "revocation_time": revocation_time,
        "revocation_reason": revocation_reason, "this_update": this_update,
        "next_update": next_update, "extensions": single_exts,
    }


def rfc3339(t):
    return None if t is None else der.rfc3339(t)


def parse_entry(data):
    """The manifest's `parse` object for one response file."""
    try:
        p = parse_response(data)
    except REFUSALS as e:
        return {"error": e.variant, **getattr(e, "fields", {})}
    kind, rid = p["responder_id"]
    return {
        "response_status": "successful",
        "version": p["version"],
        "responder_id": {kind: rid.hex()},
        "produced_at": rfc3339(p["produced_at"]),
        "signature_algorithm": p["sig_alg"][0],
        "certs": len(p["certs"]),
        "responses": [{
            "hash_algorithm": s["hash_alg"][0],
            "issuer_name_hash": s["name_hash"].hex(),
            "issuer_key_hash": s["key_hash"].hex(),
            "serial": s["serial"].hex(),
            "status": s["status"],
            "revocation_time": rfc3339(s["revocation_time"]),
            "revocation_reason": s["revocation_reason"],
            "this_update": rfc3339(s["this_update"]),
            "next_update": rfc3339(s["next_update"]),
            "extensions": len(s["extensions"]),
        } for s in p["responses"]],
        "response_extensions": len(p["extensions"]),
        "nonce": None if p["nonce"] is None else p["nonce"].hex(),
    }


# ---------------------------------------------------------------------------------------------
# Signatures: the profile's algorithm and key rules here, the arithmetic by pyca/cryptography
# ---------------------------------------------------------------------------------------------

OID_RSA = "1.2.840.113549.1.1.1"
OID_EC = "1.2.840.10045.2.1"
SIG_ALGS = {  # signature AlgorithmIdentifier OID -> (key type, hash, needs allow_sha1)
    "1.2.840.113549.1.1.5": ("rsa", hashes.SHA1, True),
    "1.2.840.113549.1.1.11": ("rsa", hashes.SHA256, False),
    "1.2.840.113549.1.1.12": ("rsa", hashes.SHA384, False),
    "1.2.840.113549.1.1.13": ("rsa", hashes.SHA512, False),
    "1.2.840.10045.4.3.2": ("ec", hashes.SHA256, False),
    "1.2.840.10045.4.3.3": ("ec", hashes.SHA384, False),
}
EC_CURVES = {"1.2.840.10045.3.1.7", "1.3.132.0.34"}  # P-256, P-384


def check_signature(key_cert, sig_alg, tbs, signature, allow_sha1):
    """Raise the crate's error for a signature over `tbs` made with key_cert's key."""
    oid, params = sig_alg
    if oid not in SIG_ALGS:
        raise Refused("UnsupportedSignatureAlgorithm", oid)
    ktype, hash_alg, legacy = SIG_ALGS[oid]
    if legacy and not allow_sha1:
        raise Refused("UnsupportedSignatureAlgorithm", f"{oid} needs allow_sha1")
    key_oid, key_params = key_cert.key_alg
    if ktype == "rsa":
        # Parameters NULL, or absent: RFC 4055 section 5 says implementations MUST accept both
        # for sha{224,256,384,512}WithRSAEncryption; GlobalSign's 2012 responses (openssl/D1*,
        # D2*) and the DoD response use the absent form, also for sha1WithRSAEncryption.
        if params is not None and params.raw != b"\x05\x00":
            raise Refused("UnsupportedSignatureAlgorithm", "RSA PKCS#1 parameters not NULL")
        if key_oid != OID_RSA:
            raise Refused("InvalidSignature", "RSA algorithm with a non-RSA key")
        try:
            key = serialization.load_der_public_key(key_cert.spki)
        except ValueError as e:
            raise bad(f"{key_cert.name}: RSA public key: {e}") from None
        if key.key_size < 2048:
            raise Refused("RsaKeyTooSmall", str(key.key_size))
        how = (padding.PKCS1v15(), hash_alg())
    else:
        if key_oid != OID_EC or params is not None:
            raise Refused("InvalidSignature", "ECDSA algorithm/key mismatch")
        curve_oid = der.decode_oid(key_params.content, "curve")
        if curve_oid not in EC_CURVES:
            raise Refused("UnsupportedSignatureAlgorithm", curve_oid)
        try:
            key = serialization.load_der_public_key(key_cert.spki)
        except ValueError:
            raise Refused("InvalidSignature", "EC point") from None
        how = (ec.ECDSA(hash_alg()),)
    try:
        key.verify(signature, tbs, *how)
    except InvalidSignature:
        raise Refused("InvalidSignature", oid) from None


# ---------------------------------------------------------------------------------------------
# Reference model of the verification profile (rules 7-14)
# ---------------------------------------------------------------------------------------------

STRICTNESS = {"good": 0, "unknown": 1, "revoked": 2}
KNOWN_RESPONSE_EXTENSIONS = {OID_NONCE}
KNOWN_SINGLE_EXTENSIONS = {OID_SCT_LIST}


def certid_matches(s, cert, issuer):
    if s["hash_alg"][0] not in HASHES:
        return False  # rule 7: an unknown hash algorithm makes the entry not match
    h = HASHES[s["hash_alg"][0]][0]
    return (s["serial"] == cert.serial
            and s["name_hash"] == hashlib.new(h, cert.issuer).digest()
            and s["key_hash"] == hashlib.new(h, issuer.spk).digest())


def rid_matches(rid, cert):
    kind, value = rid
    if kind == "by_name":
        return value == cert.subject
    return value == hashlib.sha1(cert.spk).digest()


def reference_verify(resp_der, cert, issuer, trusted, now, options, nonce):
    """-> the status, or raises Refused(variant) / der.DerError. `options` as in the manifest."""
    allow_sha1 = options["allow_sha1"]
    r = parse_response(resp_der)
    if cert.issuer != issuer.subject:
        raise Refused("IssuerNameMismatch")
    matching = [s for s in r["responses"] if certid_matches(s, cert, issuer)]
    if not matching:
        raise Refused("NoMatchingResponse")
    single = max(matching, key=lambda s: STRICTNESS[s["status"]])

    # Rule 9: who signed? (a) the issuer; (c) a responder the caller trusts, looked up before
    # (b) so that a locally trusted responder still works when the response also embeds a
    # copy of its certificate (golang-x-crypto's responder does); (b) a delegated responder.
    rid = r["responder_id"]
    local = [c for c in trusted if rid_matches(rid, c)]
    delegated = [c for c in r["certs"] if rid_matches(rid, c)]
    if rid_matches(rid, issuer):
        signer = issuer
    elif local:
        signer = local[0]
    elif delegated:
        signer = delegated[0]
        if signer.issuer != issuer.subject:
            raise Refused("ResponderNotIssuedByIssuer")
        try:
            check_signature(issuer, signer.sig_alg, signer.tbs, signer.signature, allow_sha1)
        except REFUSALS as e:
            if e.variant != "InvalidSignature":
                raise
            raise Refused("InvalidResponderCertSignature", e.why)
        if OID_OCSP_SIGNING not in (signer.eku() or []):
            raise Refused("ResponderMissingOcspSigning")
        if signer.is_ca():
            raise Refused("ResponderIsCa")
        validity = ocsp_profile.responder_validity(signer.not_before, signer.not_after, now)
        if validity:
            raise refused(validity)
        for oid, crit, _ in signer.extensions:
            if crit and oid not in KNOWN_CERT_EXTENSIONS:
                raise Refused("UnsupportedCriticalExtension", f"responder cert {oid}")
    else:
        raise Refused("ResponderNotFound")

    # Rule 10.
    check_signature(signer, r["sig_alg"], r["tbs"], r["signature"], allow_sha1)

    # Rule 11.
    for oid, crit, _ in r["extensions"]:
        if crit and oid not in KNOWN_RESPONSE_EXTENSIONS:
            raise Refused("UnsupportedCriticalExtension", f"responseExtensions {oid}")
    for oid, crit, _ in single["extensions"]:
        if crit and oid not in KNOWN_SINGLE_EXTENSIONS:
            raise Refused("UnsupportedCriticalExtension", f"singleExtensions {oid}")

    # Rule 12.
    if nonce is not None:
        if r["nonce"] is None:
            raise Refused("MissingNonce")
        if r["nonce"] != nonce:
            raise Refused("NonceMismatch")

    # Rules 13 and 14 (tools/ocsp_profile.py, the rules the generator checks its cases with).
    times = ocsp_profile.response_times(single["status"], single["revocation_reason"], single["this_update"],
                                        single["next_update"], now, options)
    if times:
        raise refused(times)
    return single["status"]


# ---------------------------------------------------------------------------------------------
# The verification cases (hand-written; re-derived by reference_verify on every run)
# ---------------------------------------------------------------------------------------------

HOUR = datetime.timedelta(hours=1)
SHA1_NOTE = ("Signatures are sha1WithRSAEncryption (allow_sha1 needed); every RSA key involved is "
             "2048 bits or more (issuers 2048, CAcert root 4096, delegated responders 2048), so "
             "no RsaKeyTooSmall.")
ABSENT_PARAMS_NOTE = (" The response's signatureAlgorithm is sha1WithRSAEncryption with the "
                      "parameters ABSENT (not NULL): the crate's legacy SHA-1 set must match that "
                      "encoding too, or this case becomes UnsupportedSignatureAlgorithm.")
RESPONDER_NOTES = {
    "D1": " Responder 'GlobalSign Extended Validation CA - G2 OCSP responder - 2' (embedded, found "
          "by responderID byKey), issued directly by the issuer, EKU OCSPSigning only, "
          "basicConstraints CA:FALSE (non-critical), keyUsage critical, ocsp-nocheck; no other "
          "critical extension.",
    "D2": " Responder 'GlobalSign OCSP for Root R1 - Branch 1' (embedded, byKey), issued directly "
          "by GlobalSign Root CA, EKU OCSPSigning, CA:FALSE, keyUsage critical, ocsp-nocheck. The "
          "window thisUpdate->nextUpdate is 196 days (see the options below).",
    "D3": " Responder 'ocsp.cacert.org' (embedded, responderID byName): issued directly by the "
          "CAcert root (issuer Name = root subject, sha1WithRSA signature by the 4096-bit root "
          "verifies), EKU clientAuth+serverAuth+OCSPSigning (OCSPSigning explicit), "
          "basicConstraints critical CA:FALSE (its only critical extension), no keyUsage, no "
          "ocsp-nocheck, and an EMPTY non-critical subjectAltName (invalid per RFC 5280 "
          "SIZE(1..MAX); the crate's cert view must not parse it or must tolerate it). "
          "D3_Issuer_Root.pem holds two certificates; the issuer is the first (the root), "
          "D3_Issuer_Root.der; the second (CAcert Class 3 Root) is D3_Issuer_Root.2.der.",
}
# GlobalSign's root responder (D2 and its variants) answered with 196-day windows and produced
# its responses 9 to 22 days after thisUpdate, beyond the default max_lifetime (10 days) and
# max_age (7 days). Its cases raise both, so that they keep testing what they test; one case in
# EXTRA_CASES keeps the defaults and shows the refusal.
LONG_WINDOW_OPTIONS = dict(max_lifetime=200 * 86400, max_age=30 * 86400)
LONG_WINDOW_NOTE = (" Options: max_lifetime 200 days and max_age 30 days instead of the defaults (10 "
                    "and 7 days), because GlobalSign's root responder signed 196-day windows and "
                    "produced this response 9 to 22 days after its thisUpdate; under the defaults a "
                    "verifier refuses the valid D2.der with ResponseLifetimeTooLong (the case that "
                    "keeps the default options).")
OPENSSL_PAIRS = {  # case -> (subject cert, issuer cert) as in 80-test_ocsp.t
    "ND1": ("ND1_Cert_EE", "ND1_Issuer_ICA"),
    "ND2": ("ND2_Cert_ICA", "ND2_Issuer_Root"),
    "ND3": ("ND3_Cert_EE", "ND3_Issuer_Root"),
    "D1": ("D1_Cert_EE", "D1_Issuer_ICA"),
    "D2": ("D2_Cert_ICA", "D2_Issuer_Root"),
    "D3": ("D3_Cert_EE", "D3_Issuer_Root"),
}


def default_now(rel):
    """max(thisUpdate, producedAt) + 1 h: after the response existed, inside its window."""
    with open(os.path.join(HERE, rel), "rb") as f:
        p = parse_response(f.read())
    s = p["responses"][0]
    return rfc3339(max(s["this_update"], p["produced_at"]) + HOUR)


def openssl_cases():
    out = []
    for name, (subject, issuer) in OPENSSL_PAIRS.items():
        first = len(out)
        d = name.startswith("D")
        extra = (RESPONDER_NOTES[name] if d else "") + (ABSENT_PARAMS_NOTE if name in ("D1", "D2") else "")
        times = LONG_WINDOW_OPTIONS if name == "D2" else {}
        base = dict(cert=f"openssl/{subject}.der", issuer=f"openssl/{issuer}.der",
                    trusted_responders=[], options=ocsp_profile.options(allow_sha1=True, **times), nonce=None)
        signer = ("signed by the issuer itself (responderID byKey = SHA-1 of the issuer's key)"
                  if not d else "signed by the embedded delegated responder")

        def add(prefix, expect, verdict, note, **kw):
            rel = f"openssl/{prefix}{name}.der"
            out.append((rel, dict(base, now=default_now(rel), expect=expect,
                                  openssl_verdict=verdict, note=note, **kw)))

        add("", {"status": "good"}, 0, f"Valid, {signer}. " + SHA1_NOTE + extra)
        if name == "ND1":
            add("", {"status": "good"}, 0,
                "OpenSSL's 3-level variant (trust anchor ND1_Cross_Root.pem plus untrusted "
                "ND1_Issuer_ICA-Cross.pem). Chain building is the caller's job: the issuer passed is "
                "the first certificate of ND1_Issuer_ICA-Cross.pem (ND1_Issuer_ICA-Cross.der), "
                "byte-identical to ND1_Issuer_ICA.der. " + SHA1_NOTE,
                issuer="openssl/ND1_Issuer_ICA-Cross.der")
        add("ISOP_", {"error": "InvalidSignature"}, 1,
            "Response signature corrupted. The CertID matches and the signer ("
            + ("the issuer, by responderID byKey" if not d else
               "the embedded delegated responder, itself valid and matched by responderID"
               + ("; this response embeds a different responder cert than " + name + ".der"
                  if name in ("D1", "D2") else ""))
            + ") is authorised, so the failure is the response signature." + (
                ABSENT_PARAMS_NOTE.replace(" or this case becomes UnsupportedSignatureAlgorithm",
                                           " or this case fails with UnsupportedSignatureAlgorithm "
                                           "instead") if name in ("D1", "D2") else ""))
        add("WRID_", {"error": "ResponderNotFound"}, 1,
            "responderID altered (" + ("first byte of the key hash +1" if name != "D3" else
                                        "byName with C=US instead of C=AU")
            + "): it identifies neither the issuer nor the embedded cert, and no trusted responder "
              "is given, so no signer is found (the alteration also broke the signature, which is "
              "never reached). The CertID is intact, so the lookup before it succeeds.")
        for w, field in (("WINH_", "issuerNameHash"), ("WIKH_", "issuerKeyHash")):
            add(w, {"error": "NoMatchingResponse"}, 1,
                f"CertID {field} altered, so the only SingleResponse no longer matches the "
                "certificate. Our verifier looks the CertID up before it authorises the signer or "
                "checks the signature (docs/design.md pipeline), so the answer is NoMatchingResponse; "
                "the alteration also broke the response signature (InvalidSignature if the order "
                "were signature-first, as in OpenSSL, which fails on the signature).")
        if d:
            if name == "D3":
                add("WKDOSC_", {"error": "InvalidResponderCertSignature"}, 1,
                    "The embedded delegated cert carries a wrong public key. responderID is byName, "
                    "so it still identifies that cert; the issuer's signature over the modified cert "
                    "fails. (The response signature would also fail with the wrong key.)")
            else:
                add("WKDOSC_", {"error": "ResponderNotFound"}, 1,
                    "The embedded delegated cert carries a wrong public key. responderID is byKey "
                    "(SHA-1 of the ORIGINAL key), so under rule 9 it identifies no certificate any "
                    "more: not the issuer, not the modified embedded cert -> ResponderNotFound, not "
                    "InvalidResponderCertSignature (which is what a verifier that tries every "
                    "embedded cert would report: the issuer's signature over the modified cert "
                    "fails). OpenSSL fails too (verdict 1).")
            add("ISDOSC_", {"error": "InvalidResponderCertSignature"}, 1,
                "The issuer's signature on the embedded delegated responder cert is corrupted "
                "(responderID still identifies the cert, the response signature itself is valid). "
                "OpenSSL fails this even with -no_cert_checks.")
        pre = dict(base, now=default_now(f"openssl/{name}.der"))
        out.append((f"openssl/{name}.der", dict(pre, issuer=f"openssl/WSNIC_{issuer}.der",
            expect={"error": "IssuerNameMismatch"}, openssl_verdict=1,
            note="Issuer cert given with a wrong subject Name (C=US / O=Test CA instead of the "
                 "real one): the certificate's issuer Name no longer equals the given issuer's "
                 "subject. Checked first, before the CertID lookup."
                 + (" Second opinion: `openssl ocsp -issuer WSNIC -cert EE` reports 'Response "
                    "verify OK' and good here (apps/ocsp.c retries with the -issuer certs as "
                    "trusted signers, and OpenSSL builds the CertID from the EE's issuer Name, "
                    "which is unchanged); OpenSSL's suite, which passes no -issuer, fails it."
                    if not d else "")
                 + (" Second opinion: OpenSSL 3.0.19 passes this (exit 0) on a host whose default "
                    "trust store holds the genuine GlobalSign Root CA, unless -no-CAstore is "
                    "given; with it, 1 as the suite expects." if name == "D2" else ""))))
        out.append((f"openssl/{name}.der", dict(pre, issuer=f"openssl/WKIC_{issuer}.der",
            expect={"error": "NoMatchingResponse"}, openssl_verdict=1,
            note="Issuer cert given with a wrong public key (one byte changed): the CertID "
                 "issuerKeyHash no longer matches it, so no SingleResponse matches; this comes "
                 "before the signer lookup ("
                 + ("byKey would not match the issuer either" if not d else
                    "the delegated cert's signature would not verify either")
                 + "). OpenSSL fails on the signature instead.")))
        out.append((f"openssl/{name}.der", dict(pre, issuer=f"openssl/ISIC_{issuer}.der",
            expect={"status": "good"}, openssl_verdict=0,
            note="Issuer cert whose own signature is corrupted: accepted, as in OpenSSL. The "
                 "issuer is trusted as given and its own signature is never checked. " + SHA1_NOTE
                 + (ABSENT_PARAMS_NOTE if name in ("D1", "D2") else "")
                 + (" Second opinion: OpenSSL 3.0.19 on a host whose default trust store holds "
                    "COMODO Certification Authority builds a chain through it and fails on the "
                    "corrupted signature (exit 1) unless -no-CAstore is given; with it, 0 as "
                    "the suite expects." if name == "ND1" else ""))))
        if name == "D2":
            for _rel, case in out[first:]:
                case["note"] += LONG_WINDOW_NOTE
    return out


SHA1_ALLOWED = ocsp_profile.options(allow_sha1=True)
ND1 = dict(cert="openssl/ND1_Cert_EE.der", issuer="openssl/ND1_Issuer_ICA.der",
           trusted_responders=[], options=SHA1_ALLOWED, nonce=None)
GO = dict(cert="golang-x-crypto/leafCertHex.der", issuer="golang-x-crypto/issuerCertHex.der",
          trusted_responders=[], options=ocsp_profile.options(), nonce=None)
GO_NOW = "2016-01-04T18:00:00Z"
GO_TIME_NOTE = (" now = 2016-01-04T18:00Z: after producedAt and inside the responder cert's "
                "validity (2015-01-30..2016-01-30); the response window (2010-07-07 "
                "15:01:05->18:35:17) does not overlap it, which is fine because the answer is a "
                "permanent revocation (keyCompromise; rule 14: a correctly signed permanent "
                "revocation counts outside its window, and no age or lifetime cap applies to it).")

EXTRA_CASES = [
    # Policy and time checks on a real, otherwise valid response (not in OpenSSL's suite).
    ("openssl/ND1.der", dict(ND1, now="2012-10-11T09:41:13Z", options=ocsp_profile.options(),
        expect={"error": "UnsupportedSignatureAlgorithm"},
        note="Valid response, but the caller did not allow SHA-1: sha1WithRSAEncryption is not "
             "in the algorithm list.")),
    ("openssl/ND1.der", dict(ND1, now="2012-10-11T09:41:13Z", nonce="0102030405060708",
        expect={"error": "MissingNonce"},
        note="Valid response, but the caller says it sent a nonce and the response carries none.")),
    ("openssl/ND1.der", dict(ND1, now="2012-10-15T08:46:14Z",
        expect={"error": "ResponseExpired", "time": "2012-10-15T08:46:14Z",
                "not_after": "2012-10-15T08:41:13Z"},
        note="Valid good response checked at nextUpdate (2012-10-15T08:41:13Z) + 5 min skew + 1 s.")),
    ("openssl/ND1.der", dict(ND1, now="2012-10-11T08:36:12Z",
        expect={"error": "ResponseNotYetValid", "time": "2012-10-11T08:36:12Z",
                "not_before": "2012-10-11T08:41:13Z"},
        note="Valid good response checked at thisUpdate (2012-10-11T08:41:13Z) - 5 min skew - 1 s.")),
    ("openssl/D1.der", dict(ND1, cert="openssl/D1_Cert_EE.der", issuer="openssl/D1_Issuer_ICA.der",
        now="2012-12-20T00:00:00Z",
        expect={"error": "ResponderExpired", "time": "2012-12-20T00:00:00Z",
                "not_after": "2012-12-19T08:40:50Z"},
        note="Delegated responder cert expired (notAfter 2012-12-19T08:40:50Z). The response is "
             "stale at that time too (nextUpdate 2012-10-30): the expectation relies on the "
             "pipeline authorising the responder before the freshness check (docs/design.md order); "
             "no time exists where only the responder cert is out of validity.")),
    ("openssl/D2.der", dict(cert="openssl/D2_Cert_ICA.der", issuer="openssl/D2_Issuer_Root.der",
        trusted_responders=[], now=default_now("openssl/D2.der"), options=SHA1_ALLOWED, nonce=None,
        expect={"error": "ResponseLifetimeTooLong"},
        note="The valid D2 response (good, signed by GlobalSign's root responder) under the default "
             "time options (allow_sha1 is on, as for every OpenSSL case, since the response is "
             "sha1WithRSAEncryption): its window thisUpdate 2012-10-01T06:00:00Z -> nextUpdate "
             "2013-04-15T06:00:00Z is 196 days, more than the default max_lifetime of 10 days "
             "(mozilla::pkix's cap), so the verifier refuses it, although the signature, the "
             "responder and the window itself are fine. The lifetime is checked before the age "
             "(now is also 22 days after thisUpdate, beyond max_age). The other D2 cases raise "
             "max_lifetime and max_age to keep testing what they test.")),

    # golang-x-crypto: generated responses, signed by a self-signed 'CN=OCSP Responder'.
    ("golang-x-crypto/ocspResponseWithExtensionHex.der", dict(GO, now=GO_NOW,
        expect={"error": "ResponderNotIssuedByIssuer"},
        note="MANIFEST [derived]: the embedded responder (found by responderID byName) is "
             "self-signed, its issuer Name is not the CertID issuer's subject. Name comparison "
             "first: the issuer (VeriSign International Server CA) has a 1024-bit RSA key, so a "
             "verifier that checked the responder cert's signature with it before comparing "
             "names would report RsaKeyTooSmall instead. Go accepts it (ParseResponse with a "
             "nil issuer trusts the embedded cert)." + GO_TIME_NOTE)),
    ("golang-x-crypto/ocspResponseWithExtensionHex.der", dict(GO, now=GO_NOW,
        trusted_responders=["golang-x-crypto/responderCertHex.der"],
        expect={"status": "revoked"},
        note="Same response with the responder trusted locally (rule 9c, RFC 6960 4.2.2.2; the "
             "analogue of Go's test, which trusts the embedded cert): revoked (keyCompromise). The "
             "non-critical nonce in singleExtensions is ignored. Assumes a trusted responder "
             "identified by responderID is used even though certs also holds a cert with that "
             "name (the same self-signed cert) -- i.e. (c) is tried before (b) fails the "
             "response." + GO_TIME_NOTE)),
    ("golang-x-crypto/ocspResponseWithCriticalExtensionHex.der", dict(GO, now=GO_NOW,
        trusted_responders=["golang-x-crypto/responderCertHex.der"],
        expect={"error": "UnsupportedCriticalExtension"},
        note="Responder trusted locally (rule 9c; see ocspResponseWithExtensionHex, same "
             "responder and the same precedence assumption: trusted before embedded), but the "
             "matching SingleResponse carries a CRITICAL "
             "id-pkix-ocsp-nonce in singleExtensions. The nonce is understood in "
             "responseExtensions (RFC 6960 4.4.1), not in singleExtensions, so it is an unknown "
             "critical single extension: refused, as by Go ('unsupported critical extension'). "
             "OpenSSL accepts it (ignores criticality). If the crate treats the nonce as known "
             "at both levels, this case would be revoked instead." + GO_TIME_NOTE)),
    ("golang-x-crypto/ocspResponseWithCriticalExtensionHex.der", dict(GO, now=GO_NOW,
        expect={"error": "ResponderNotIssuedByIssuer"},
        note="Two faults: the self-signed responder is not issued by the CertID issuer, and the "
             "matching SingleResponse has an unknown critical extension. Expectation follows the "
             "docs/design.md order (authorise the responder, check the signature, then extensions); a "
             "verifier that checks critical extensions first reports "
             "UnsupportedCriticalExtension." + GO_TIME_NOTE)),

    # rustcrypto-x509-ocsp: only one response names a serial close to a shipped certificate.
    ("rustcrypto-x509-ocsp/rsa-2048-sha256-revoked-ocsp-res.der", dict(
        cert="rustcrypto-x509-ocsp/rsa-2048-sha256-crt.der",
        issuer="rustcrypto-x509-ocsp/rsa-2048-sha256-ca.der", trusted_responders=[],
        now="2023-11-05T02:09:46Z", options=ocsp_profile.options(), nonce=None,
        expect={"error": "NoMatchingResponse"},
        note="CertID issuerNameHash and issuerKeyHash match the CA, but the serial is 03 and the "
             "shipped EE cert is serial 02 (no serial-03 cert is shipped): only the serial "
             "differs. Everything else verifies in the model: responder rsa-2048-sha256-ocsp-crt "
             "embedded, issued by the CA, EKU OCSPSigning, CA:FALSE, valid 2023-11-05..2024-11-04, "
             "signature OK (so with a serial-03 cert the answer would be revoked, even after its "
             "365-day window).")),
]

FILE_NOTES = {
    "openssl/ocsp-response.der":
        "From test/recipes/, used by OpenSSL only as an opaque stapled blob (70-test_sslmessages.t, "
        "70-test_tls13messages.t); no verdict. Signed by its embedded responder cert (the response "
        "signature verifies with it; that cert is signed md5WithRSA by an issuer not shipped). "
        "No nextUpdate; nonce in responseExtensions. Parse-only.",
    "golang-x-crypto/errorResponseHex.der": "30 03 0A 01 01; Go: ResponseError{Malformed}.",
    "golang-x-crypto/ocspResponseHex.der":
        "Real GTS CA 1C3 response, responderID byKey = SHA-1 of the key of GTSRoot.der (which is "
        "the GTS CA 1C3 intermediate despite its name). The signature (sha256WithRSA) verifies with "
        "GTSRoot.der and the CertID hashes match it, but the EE cert (serial F374...3462) is not "
        "shipped: no verify case. With that cert, at 2021-11-07T15:25:53Z: good.",
    "golang-x-crypto/ocspResponseWithoutCertHex.der":
        "Real COMODO EV SSL CA response, responderID byKey = SHA-1 of the key of "
        "openssl/ND1_Issuer_ICA.der; the sha1WithRSA signature verifies with it and the CertID "
        "hashes match it, but the EE cert (serial F78B...4821) is not shipped: no verify case.",
    "golang-x-crypto/ocspResponseWithExtensionHex.der":
        "Generated by Go's tests; non-critical id-pkix-ocsp-nonce in singleExtensions (so the "
        "top-level nonce field, which reads responseExtensions only, is null). ResponseData "
        "encodes version v1 explicitly ([0] INTEGER 0, a DEFAULT value DER says to omit): rule 3 "
        "tolerates it, so it parses.",
    "golang-x-crypto/ocspResponseWithCriticalExtensionHex.der":
        "As ocspResponseWithExtensionHex (explicit v1 too) but the singleExtensions nonce is "
        "critical.",
    "pyca-cryptography/ocsp-army.deps.mil-resp.der":
        "20 SingleResponses (multi-response selection): the requests ocsp-army.valid-req.der "
        "(serial 0391AD, good), ocsp-army.revoked-req.der (0391AE, revoked) and "
        "ocsp-army.inapplicable-req.der (serial 01, absent) pick them. Delegated responder "
        "'DOD NIPRNET OCSP 2D 5' embedded (EKU OCSPSigning marked critical, ocsp-nocheck); its "
        "issuer (DOD ID SW CA-38) is not shipped: parse-only. signatureAlgorithm "
        "sha256WithRSAEncryption with parameters absent (RFC 4055: must be accepted).",
    "pyca-cryptography/resp-delegate-unknown-cert.der":
        "Camerfirma delegated responder embedded; status unknown. Issuer not shipped: parse-only.",
    "pyca-cryptography/resp-invalid-signature-oid.der":
        "resp-sha256 with signatureAlgorithm md2WithRSAEncryption. Parses (the parser does not "
        "judge algorithms); verifying would give UnsupportedSignatureAlgorithm, but no EE cert "
        "is shipped: no verify case.",
    "pyca-cryptography/resp-invalid-version.der":
        "resp-sha256 with ResponseData version v2 (INTEGER 1): refused at parse (rule 3).",
    "pyca-cryptography/resp-responder-key-hash.der": "Issuer not shipped: parse-only.",
    "pyca-cryptography/resp-response-type-unknown-oid.der":
        "responseType 1.3.6.1.5.5.7.48.1.50000 instead of id-pkix-ocsp-basic.",
    "pyca-cryptography/resp-revoked-no-next-update.der":
        "Synthetic (ECDSA P-256): the signature verifies with the key of "
        "custom_ms-certificate-template.der, but responderID byName 'C=US, CN=Cryptography CA' "
        "names no shipped cert (the template cert's subject is just C=US) and no certs are "
        "embedded; CertID issuer = RapidSSL SHA256 CA G3 (hashes match), serial 3F20 (16160) not "
        "shipped. Revoked without nextUpdate. Parse-only; a verifier given RapidSSL as issuer "
        "would answer ResponderNotFound.",
    "pyca-cryptography/resp-revoked-reason.der":
        "QuoVadis delegated responder embedded; revoked, reason superseded (4); nonce in "
        "responseExtensions. Issuer (QuoVadis Global SSL ICA G3) not shipped: parse-only.",
    "pyca-cryptography/resp-revoked.der": "Revoked, no reason. Issuer not shipped: parse-only.",
    "pyca-cryptography/resp-sct-extension.der":
        "SwissSign delegated responder embedded; non-critical SCT list in singleExtensions; nonce. "
        "Issuer not shipped: parse-only.",
    "pyca-cryptography/resp-sha256.der":
        "Let's Encrypt Authority X3, signed by the issuer itself (responderID byName = subject of "
        "letsencryptx3.der; the sha256WithRSA signature verifies with it; the CertID hashes match "
        "it). The EE cert (serial 031C...AF0) is not shipped, so no verify case; with it, at "
        "2018-08-30T12:15:00Z the answer is good.",
    "pyca-cryptography/resp-single-extension-reason.der":
        "Synthetic (ECDSA P-256): responderID byKey = SHA-1 of the key of "
        "custom_ms-certificate-template.der, whose key also verifies the signature; CertID "
        "issuer = RapidSSL SHA256 CA G3 (hashes match); no certs. The signer is neither the "
        "issuer nor an embedded delegated responder: a verifier given RapidSSL as issuer answers "
        "ResponderNotFound (or good if the caller trusts the template cert). No EE cert "
        "(serial 3F20) shipped: no verify case. Non-critical CRLReason singleExtension.",
    "pyca-cryptography/resp-successful-no-response-bytes.der": "30 03 0A 01 00.",
    "pyca-cryptography/resp-unauthorized.der":
        "30 03 0A 01 06. pyca loads it and reports UNAUTHORIZED; our parser returns the error.",
    "pyca-cryptography/resp-unknown-extension.der":
        "resp-revoked-reason with the nonce replaced by an unknown NON-critical response extension "
        "1.3.6.1.5.5.7.48.1.2.200 (to be ignored). The edit broke the response signature (it no "
        "longer verifies with the embedded QuoVadis responder). Parse-only.",
    "pyca-cryptography/resp-unknown-hash-alg.der":
        "CertID hashAlgorithm 1.3.14.3.2.26.17 (not a hash): parses, but the entry can never "
        "match a certificate (rule 7). Issuer not shipped.",
    "pyca-cryptography/resp-unknown-response-status.der": "30 03 0A 01 07.",
    "rustcrypto-x509-ocsp/DODEMAILCA_63-resp.der":
        "Real DoD EMAIL CA-63 response, 20 SingleResponses, delegated responder embedded. Issuer "
        "not shipped: parse-only.",
    "rustcrypto-x509-ocsp/ocsp-by-key-res.der":
        "responderID byKey F4A8...4735 matches no shipped key (not the CA, not the ocsp-crt); "
        "signed with the ocsp-crt key; no certs; nonce. CertID (issuer = the CA) serial 010001: "
        "no shipped cert has it, so no verify case; with one the answer would be "
        "ResponderNotFound, trusted ocsp-crt or not.",
    "rustcrypto-x509-ocsp/ocsp-dtm-no-chain-res.der":
        "Signed with the rsa-2048-sha256-ocsp-crt key, responderID byName = that cert, no certs; "
        "nonce 1F27...CEF8. CertID serial 010001 not shipped, so no verify case; with such a cert "
        "the answer would be ResponderNotFound, or good when the caller trusts "
        "rsa-2048-sha256-ocsp-crt.der (tu = nu = 2020-01-01T00:00:00Z, before any of the certs "
        "existed).",
    "rustcrypto-x509-ocsp/ocsp-multiple-exts-res.der":
        "Signed with the CA key although responderID byName names rsa-2048-sha256-ocsp-crt; "
        "certs = [CA cert]. Non-critical archive-cutoff and CRL-ID single extensions; nonce. "
        "CertID serial 010001 not shipped: no verify case (would be ResponderNotFound, or "
        "InvalidSignature with ocsp-crt trusted).",
    "rustcrypto-x509-ocsp/ocsp-multiple-responses-res.der":
        "8 SingleResponses (CertIDs with SHA-1, SHA-224, SHA-256, SHA-384, SHA-512; serials "
        "010001, 05, 16, 00FFFFFFFF); the SHA-224 entry can never match (unsupported hash). "
        "Signed with the CA key, responderID names rsa-2048-sha256-ocsp-crt: see "
        "ocsp-multiple-exts-res. No shipped cert has any of these serials: no verify case.",
    "rustcrypto-x509-ocsp/sha1-certid-ocsp-res.der":
        "Signed with the CA key, responderID names rsa-2048-sha256-ocsp-crt, certs = [CA]: "
        "ResponderNotFound for our profile (OpenSSL: signer not found; Go would accept). CertID "
        "serial 010001 not shipped: no verify case.",
    "rustcrypto-x509-ocsp/sha256-certid-ocsp-res.der": "As sha1-certid-ocsp-res, SHA-256 CertID.",
    "rustcrypto-x509-ocsp/sha512-certid-ocsp-res.der": "As sha1-certid-ocsp-res, SHA-512 CertID.",
}


def build_cases():
    by_file = {}
    for f, c in openssl_cases() + EXTRA_CASES:
        by_file.setdefault(f, []).append(c)
    return by_file


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------

def response_files():
    """(source, file name, bytes) of every OCSP response: OCSPResponse ::= SEQUENCE {
    responseStatus ENUMERATED, ...}, whereas certificates and requests open with a SEQUENCE."""
    out = []
    for src in SOURCES:
        for fn in sorted(os.listdir(os.path.join(HERE, src))):
            if not fn.endswith(".der"):
                continue
            with open(os.path.join(HERE, src, fn), "rb") as f:
                data = f.read()
            try:
                outer = der.read_tlv(data)
            except der.DerError:
                continue
            if outer.tag == SEQUENCE and outer.content[:1] == bytes([ENUMERATED]):
                out.append((src, fn, data))
    return out


CASE_KEYS = ("cert", "issuer", "trusted_responders", "now", "options", "nonce", "expect",
             "openssl_verdict", "note")


def build_manifest():
    cases = build_cases()
    manifest, seen = [], set()
    for src, fn, data in response_files():
        rel = f"{src}/{fn}"
        entry = {"file": rel, "source": src, "parse": parse_entry(data)}
        if rel in FILE_NOTES:
            entry["note"] = FILE_NOTES[rel]
        vs = []
        for c in cases.get(rel, []):
            seen.add(rel)
            got = run_case(data, c)
            if got != c["expect"]:
                sys.exit(f"{rel} with {c['issuer']} at {c['now']}: the model says {got}, "
                         f"the case expects {c['expect']}")
            vs.append({k: c[k] for k in CASE_KEYS if k in c})
        if vs:
            entry["verify"] = vs
        manifest.append(entry)
    missing = set(cases) - seen
    if missing:
        sys.exit(f"cases for files that are not responses: {sorted(missing)}")
    return manifest


def run_case(data, c):
    cert = load_cert(c["cert"])
    issuer = load_cert(c["issuer"])
    trusted = [load_cert(t) for t in c["trusted_responders"]]
    nonce = None if c["nonce"] is None else bytes.fromhex(c["nonce"])
    try:
        status = reference_verify(data, cert, issuer, trusted, der.parse_rfc3339(c["now"]), c["options"], nonce)
        return {"status": status}
    except REFUSALS as e:
        return {"error": e.variant, **getattr(e, "fields", {})}


# ---------------------------------------------------------------------------------------------
# Cross-checks: openssl's view of every response, and the shared summary.tsv
# ---------------------------------------------------------------------------------------------

SIG_NAMES = {"sha1WithRSAEncryption": "1.2.840.113549.1.1.5",
             "sha256WithRSAEncryption": "1.2.840.113549.1.1.11",
             "md2WithRSAEncryption": "1.2.840.113549.1.1.2",
             "ecdsa-with-SHA256": "1.2.840.10045.4.3.2"}
HASH_NAMES = {"sha1": "1.3.14.3.2.26", "sha224": "2.16.840.1.101.3.4.2.4",
              "sha256": "2.16.840.1.101.3.4.2.1", "sha384": "2.16.840.1.101.3.4.2.2",
              "sha512": "2.16.840.1.101.3.4.2.3"}
REASONS = {"unspecified": 0, "keyCompromise": 1, "cACompromise": 2, "affiliationChanged": 3,
           "superseded": 4, "cessationOfOperation": 5, "certificateHold": 6,
           "removeFromCRL": 8, "privilegeWithdrawn": 9, "aACompromise": 10}


def openssl_time(s):
    s = " ".join(s.split())
    return rfc3339(datetime.datetime.strptime(s, "%b %d %H:%M:%S %Y GMT"))


def openssl_view(path):
    """The fields of `openssl ocsp -respin F -resp_text -noverify`, in the manifest's terms."""
    out = subprocess.run(["openssl", "ocsp", "-respin", path, "-resp_text", "-noverify"],
                         capture_output=True, text=True).stdout
    out = re.sub(r"\\\n\s*", "", out)  # openssl wraps long hex values with a trailing backslash
    v = {"responses": [], "certs": len(re.findall(r"^Certificate:$", out, re.M))}
    m = re.search(r"OCSP Response Status: (\S+)", out) or re.search(r"Responder Error: (.*) \(", out)
    v["status"] = m.group(1) if m else None
    m = re.search(r"^    Version: \d+ \(0x(\d+)\)", out, re.M)
    v["version"] = int(m.group(1), 16) if m else None
    m = re.search(r"Responder Id: (.*)", out)
    if m:
        rid = m.group(1).strip()
        v["responder_id"] = (("by_key", rid.lower()) if re.fullmatch(r"[0-9A-F]{40}", rid)
                             else ("by_name", rid))
    m = re.search(r"Produced At: (.*)", out)
    v["produced_at"] = openssl_time(m.group(1)) if m else None
    m = re.search(r"^    Signature Algorithm: (\S+)", out, re.M)
    v["signature_algorithm"] = SIG_NAMES.get(m.group(1), m.group(1)) if m else None
    blocks = re.split(r"\n    Certificate ID:\n", out.split("\n    Signature Algorithm:")[0])[1:]
    for b in blocks:
        g = lambda pat: (re.search(pat, b).group(1).strip() if re.search(pat, b) else None)
        alg = g(r"Hash Algorithm: (.*)")
        reason = g(r"Revocation Reason: (\S+)")
        nu = g(r"Next Update: (.*)")
        rt = g(r"Revocation Time: (.*)")
        v["responses"].append({
            "hash_algorithm": HASH_NAMES.get(alg, alg),
            "issuer_name_hash": g(r"Issuer Name Hash: (.*)").lower(),
            "issuer_key_hash": g(r"Issuer Key Hash: (.*)").lower(),
            "serial_int": int(g(r"Serial Number: (.*)"), 16),
            "status": g(r"Cert Status: (\S+)"),
            "revocation_time": openssl_time(rt) if rt else None,
            "revocation_reason": REASONS[reason] if reason else None,
            "this_update": openssl_time(g(r"This Update: (.*)")),
            "next_update": openssl_time(nu) if nu else None,
            "has_extensions": "Response Single Extensions:" in b,
        })
    resp_ext = out.split("\n    Response Extensions:")[1] if "\n    Response Extensions:" in out else ""
    m = re.search(r"OCSP Nonce: *\n\s+([0-9A-F]+)", resp_ext.split("\n    Signature Algorithm:")[0])
    v["nonce"] = None
    if m:
        raw = bytes.fromhex(m.group(1))
        v["nonce"] = der.read_tlv(raw).content.hex()
    v["has_response_extensions"] = "\n    Response Extensions:" in out
    return v


NAME_ATTRS = {"2.5.4.6": "C", "2.5.4.8": "ST", "2.5.4.7": "L", "2.5.4.10": "O", "2.5.4.11": "OU",
              "2.5.4.3": "CN", "1.2.840.113549.1.9.1": "emailAddress"}


def name_text(name_hex):
    """A Name TLV rendered like openssl's default one-line form ("C = AU, O = ...")."""
    parts = []
    rdns = der.read_tlv(bytes.fromhex(name_hex)).reader()
    while not rdns.at_end():
        rdn = rdns.expect(SET, "RDN").reader()
        while not rdn.at_end():
            atv = rdn.expect(SEQUENCE, "AttributeTypeAndValue").reader()
            oid = der.decode_oid(atv.expect(OID, "type").content, "type")
            parts.append(f"{NAME_ATTRS.get(oid, oid)} = {atv.any().content.decode('latin-1')}")
    return ", ".join(parts)


def crosscheck_openssl(manifest):
    problems = 0
    for e in manifest:
        p, v = e["parse"], openssl_view(os.path.join(HERE, e["file"]))
        diffs = []
        if "error" in p:
            if p.get("response_status") and v["status"] != p["response_status"].lower():
                diffs.append(("status", v["status"], p["response_status"]))
            elif not p.get("response_status"):
                print(f"  {e['file']}: we refuse ({p['error']}); openssl says status={v['status']}, "
                      f"version={v['version']}, responses={len(v['responses'])}")
            if diffs:
                problems += 1
                print(f"MISMATCH {e['file']}: {diffs}")
            continue
        for k in ("version", "produced_at", "signature_algorithm", "certs", "nonce"):
            if v[k] != p[k]:
                diffs.append((k, v[k], p[k]))
        kind, value = next(iter(p["responder_id"].items()))
        if v["responder_id"] != (kind, value if kind == "by_key" else name_text(value)):
            diffs.append(("responder_id", v["responder_id"], p["responder_id"]))
        if v["has_response_extensions"] != (p["response_extensions"] > 0):
            diffs.append(("response_extensions", v["has_response_extensions"], p["response_extensions"]))
        if len(v["responses"]) != len(p["responses"]):
            diffs.append(("responses", len(v["responses"]), len(p["responses"])))
        for ov, mv in zip(v["responses"], p["responses"]):
            for k in ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "status",
                      "revocation_time", "revocation_reason", "this_update", "next_update"):
                if ov[k] != mv[k]:
                    diffs.append((k, ov[k], mv[k]))
            if ov["serial_int"] != int.from_bytes(bytes.fromhex(mv["serial"]), "big", signed=True):
                diffs.append(("serial", ov["serial_int"], mv["serial"]))
            if ov["has_extensions"] != (mv["extensions"] > 0):
                diffs.append(("extensions", ov["has_extensions"], mv["extensions"]))
        if diffs:
            problems += 1
            print(f"MISMATCH {e['file']}: {diffs}")
    print(f"openssl cross-check: {len(manifest)} responses, {problems} with differences")
    return problems


def crosscheck_summary(manifest, path):
    """Compare with the shared summary.tsv (columns as in its header)."""
    with open(path) as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    head = rows[0]
    rows = {f"{r[0]}/{r[1]}": dict(zip(head, r)) for r in rows[1:]}
    problems = 0
    for e in manifest:
        r, p = rows.pop(e["file"], None), e["parse"]
        if r is None:
            print(f"MISSING from summary.tsv: {e['file']}")
            problems += 1
            continue
        diffs = []
        code = int(re.search(r"\((0x)?(\d+)\)", r["responseStatus"]).group(2))
        want = {v: k for k, v in STATUS_NAMES.items()}.get(p.get("response_status", "successful"))
        if "error" in p and "response_status" not in p:
            want = None
        if want is not None and code != want:
            diffs.append(("responseStatus", r["responseStatus"], p.get("response_status")))
        if "error" not in p:
            nres = len(p["responses"])
            if int(r["nSingle"]) != nres:
                diffs.append(("nSingle", r["nSingle"], nres))
            if int(r["embeddedCerts"]) != p["certs"]:
                diffs.append(("embeddedCerts", r["embeddedCerts"], p["certs"]))
            if r["sigAlg"] and SIG_NAMES.get(r["sigAlg"], r["sigAlg"]) != p["signature_algorithm"]:
                diffs.append(("sigAlg", r["sigAlg"], p["signature_algorithm"]))
            if r["producedAt"] and openssl_time(r["producedAt"]) != p["produced_at"]:
                diffs.append(("producedAt", r["producedAt"], p["produced_at"]))
            kind, value = next(iter(p["responder_id"].items()))
            want = (f"byKey({value.upper()})" if kind == "by_key" else f"byName({name_text(value)})")
            if r["responderID"] != want:
                diffs.append(("responderID", r["responderID"], p["responder_id"]))
            if r["certStatus"].split(",") != [s["status"] for s in p["responses"]]:
                diffs.append(("certStatus", r["certStatus"], [s["status"] for s in p["responses"]]))
            tus = [openssl_time(t) for t in r["thisUpdate"].split(",")]
            if tus != [s["this_update"] for s in p["responses"]]:
                diffs.append(("thisUpdate", r["thisUpdate"]))
            nus = [openssl_time(t) if t else None for t in r["nextUpdate"].split(",")]
            if nus != [s["next_update"] for s in p["responses"]]:
                diffs.append(("nextUpdate", r["nextUpdate"]))
            hashes = sorted({HASH_NAMES.get(h, h) for h in r["certIdHash"].split(",")})
            if hashes != sorted({s["hash_algorithm"] for s in p["responses"]}):
                diffs.append(("certIdHash", r["certIdHash"]))
            nonce_kind = ("yes" if p["nonce"] else
                          "single-ext" if any(s["extensions"] for s in p["responses"])
                          and r["nonce"] == "single-ext" else "no")
            if r["nonce"] != nonce_kind:
                diffs.append(("nonce", r["nonce"], p["nonce"]))
        if diffs:
            problems += 1
            print(f"MISMATCH {e['file']} vs summary.tsv: {diffs}")
    for k in rows:
        print(f"in summary.tsv but not here: {k}")
        problems += 1
    print(f"summary.tsv cross-check: {len(manifest)} responses, {problems} with differences")
    return problems


def main():
    manifest = build_manifest()
    text = json.dumps(manifest, indent=2) + "\n"
    path = os.path.join(HERE, "manifest.json")
    cases = sum(len(e.get("verify", [])) for e in manifest)
    if "--check" in sys.argv:
        with open(path) as f:
            if f.read() != text:
                sys.exit("manifest.json is stale: run python3 extract.py")
        print(f"manifest.json is up to date ({len(manifest)} responses, {cases} verify cases)")
    else:
        with open(path, "w") as f:
            f.write(text)
        print(f"wrote manifest.json: {len(manifest)} responses, {cases} verify cases")
    problems = 0
    if "--openssl" in sys.argv:
        problems += crosscheck_openssl(manifest)
    if "--summary" in sys.argv:
        problems += crosscheck_summary(manifest, sys.argv[sys.argv.index("--summary") + 1])
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
