"""The catalogue: every response file and every manifest case.

Each rule-breaking vector is the default good response with exactly one thing changed; the
comment or description says what. Responses are built by ocsp.py and signed by crypto.py.
"""

import datetime
import hashlib
import os
import tempfile

import crypto
import der
import ocsp
import ocsp_profile
from ocsp import GOOD, UNKNOWN, revoked, single, cert_id, extension, nonce_extension

T0 = "2026-01-01T00:00:00Z"  # producedAt = thisUpdate of the normal vectors
T1 = "2026-01-08T00:00:00Z"  # nextUpdate of the normal vectors
NOW = "2026-01-01T01:00:00Z"  # the `now` the normal vectors are verified at
REVOKED_AT = "2025-06-01T12:00:00Z"
NONCE = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
OTHER_NONCE = bytes.fromhex("00112233445566778899aabbccddeeff")
UNKNOWN_EXT = "1.2.3.4.5.6.7"  # an extension nobody understands
DEFAULT_OPTIONS = ocsp_profile.DEFAULT_OPTIONS

# Errors a parser must already report (the manifest's `parse` is then {"error": ...}); every other
# error comes from verification of a response that parses.
PARSE_ERRORS = {
    "BadDer", "TrailingData", "ResponseTooLarge", "UnknownResponseStatus", "MissingResponseBytes",
    "UnsupportedResponseType", "UnsupportedResponseVersion", "InvalidTime", "InvalidRevocationReason",
    "EmptyResponseList", "TooManyCertificates", "InvalidCertIdHash",
}
# Errors about the SingleResponse's times; every case expecting one of them, or a status, is
# checked against ocsp_profile.response_times when it is written.
TIME_ERRORS = {"NextUpdateBeforeThisUpdate", "ResponseLifetimeTooLong", "ResponseNotYetValid", "ResponseExpired",
               "ResponseTooOld"}


def good():
    return {"status": "good"}


def unknown():
    return {"status": "unknown"}


def is_revoked(reason=None, when=REVOKED_AT):
    return {"status": "revoked", "revocation_time": when, "revocation_reason": reason}


def error(variant):
    return {"error": variant}


def unsuccessful(status):
    """A non-successful responseStatus, by its RFC 6960 name."""
    return {"error": "UnsuccessfulResponse", "response_status": status}


def not_yet_valid(now, not_before):
    return ocsp_profile.not_yet_valid("ResponseNotYetValid", now, not_before)


def expired(now, not_after):
    return ocsp_profile.expired("ResponseExpired", now, not_after)


def too_old(now, not_after):
    return ocsp_profile.expired("ResponseTooOld", now, not_after)


def shift(when, **delta):
    return der.rfc3339(der.parse_rfc3339(when) + datetime.timedelta(**delta))


def flip_bit(sig, index=None):
    b = bytearray(sig)
    b[len(b) // 2 if index is None else index] ^= 0x01
    return bytes(b)


def name(common_name):
    return der.seq(der.set_of(der.seq(der.oid("2.5.4.3"), der.tlv(der.UTF8_STRING, common_name.encode()))))


class Catalogue:
    def __init__(self, pki, out, fresh=False, log=print):
        self.pki, self.out, self.fresh, self.log = pki, out, fresh, log
        self.cases = []
        self.files = {}  # relative path -> bytes

    # ------------------------------------------------------------ helpers

    def cert(self, n):
        return self.pki.certs[n]

    def key(self, n):
        return self.pki.keys[n]

    def cid(self, cert="rsa-ee", issuer="rsa-ca", **kw):
        return cert_id(self.cert(cert), self.cert(issuer), **kw)

    def sign(self, tbs, signer, alg=None, certs=None, signature_algorithm=None, mutate_signature=None,
             mutate_tbs_after_signing=None, basic_trailing=b"", octet_trailing=b"", status=0,
             response_type=ocsp.ID_PKIX_OCSP_BASIC):
        key = self.key(signer)
        if alg is None:
            alg = "rsa-sha256" if key.kind == "rsa" else ("ecdsa-sha256" if key.bits == 256 else "ecdsa-sha384")
        alg_der, scheme, digest, salt_len = ocsp.SIGNATURE_ALGORITHMS[alg]
        sig = key.sign(tbs, scheme, digest, salt_len)
        if mutate_signature:
            sig = mutate_signature(sig)
        if mutate_tbs_after_signing:
            tbs = mutate_tbs_after_signing(tbs)
        cert_list = None if certs is None else [self.cert(c).der for c in certs]
        basic = ocsp.basic_response(tbs, signature_algorithm or alg_der, sig, cert_list, basic_trailing)
        return ocsp.ocsp_response(status, basic, response_type, octet_trailing)

    def response(self, cert="rsa-ee", issuer="rsa-ca", signer=None, responder_id="name", singles=None,
                 status=GOOD, hash_name="sha1", this_update=T0, next_update=T1, single_extensions=None,
                 produced_at=T0, extensions=None, version=b"", after_responder_id=b"", trailing=b"", **sign_kw):
        """A BasicOCSPResponse for `cert`, everything valid unless a keyword says otherwise."""
        signer = signer or issuer
        if singles is None:
            singles = [single(self.cid(cert, issuer, hash_name=hash_name), status, this_update, next_update,
                              single_extensions)]
        if responder_id == "name":
            responder_id = ocsp.by_name(self.cert(signer))
        elif responder_id == "key":
            responder_id = ocsp.by_key(self.cert(signer))
        tbs = ocsp.response_data(responder_id, singles, produced_at, extensions, version, after_responder_id, trailing)
        return self.sign(tbs, signer, **sign_kw)

    def write(self, rel, data):
        assert rel not in self.files, rel
        self.files[rel] = data
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return rel

    def case(self, case_name, response, cert="rsa-ee", issuer="rsa-ca", trusted=(), nonce=None, now=NOW,
             options=None, rule=None, description="", expect=None, responder=None, decision=False):
        """A manifest entry. `response` is a relative path already written, or bytes to write as
        responses/<case_name>.der. decision=True adds what a TLS client does with the answer."""
        if isinstance(response, bytes):
            response = self.write("responses/%s.der" % case_name, response)
        assert expect is not None
        assert all(c["name"] != case_name for c in self.cases), case_name
        if "error" in expect and expect["error"] in PARSE_ERRORS:
            parse = {"error": expect["error"]}
        else:
            parse = ocsp.describe(self.files[response])
        opts = ocsp_profile.options(**(options or {}))
        if "status" in expect or expect["error"] in TIME_ERRORS:
            self.check_times(case_name, response, cert, issuer, now, opts, expect)
        entry = {
            "name": case_name,
            "response": response,
            "cert": self.cert(cert).path,
            "issuer": self.cert(issuer).path,
            "trusted_responders": [self.cert(t).path for t in trusted],
            "nonce": nonce.hex() if nonce is not None else None,
            "now": now,
            "options": opts,
            "rule": rule,
            "description": description,
            "parse": parse,
            "expect": expect,
            "responder": responder if "status" in expect else None,
        }
        if decision:
            entry["decision"] = tls_decision(self.cert(cert), expect)
        self.cases.append(entry)
        return response

    def check_times(self, case_name, response, cert, issuer, now, opts, expect):
        """The time rules must give what the case expects: nothing for an accepted case, the
        expected error (with its times) for a time case. Looks at the SingleResponse a verifier
        would pick: those whose CertID matches the certificate, the strictest status first."""
        cert, issuer = self.cert(cert), self.cert(issuer)
        names = {v: k for k, v in ocsp.HASH_OIDS.items() if k in ("sha1", "sha256", "sha384", "sha512")}
        matching = [s for s in ocsp.singles(self.files[response])
                    if s["hash_algorithm"] in names and s["serial"] == cert.serial_content.hex()
                    and s["issuer_name_hash"] == hashlib.new(names[s["hash_algorithm"]], cert.issuer_tlv).hexdigest()
                    and s["issuer_key_hash"] == issuer.key_hash(names[s["hash_algorithm"]]).hex()]
        assert matching, "%s: no SingleResponse matches" % case_name
        single = max(matching, key=lambda s: ["good", "unknown", "revoked"].index(s["status"]))
        got = ocsp_profile.response_times(single["status"], single["revocation_reason"], single["this_update"],
                                          single["next_update"], now, opts)
        if "status" in expect:
            assert got is None and single["status"] == expect["status"], (case_name, got, single["status"])
        else:
            assert got == expect, (case_name, got, expect)

    # ------------------------------------------------------------ the vectors

    def build(self):
        self.good_cases()
        self.rule1()
        self.rule2()
        self.rule3()
        self.rule4()
        self.rule5()
        self.rule6()
        self.rule7()
        self.rule8()
        self.rule9()
        self.rule10()
        self.rule11()
        self.rule12()
        self.rule13()
        self.rule14()
        self.benchmarks()
        self.tls()
        self.policy()
        self.openssl_responder()
        self.log("vectors: %d cases over %d response files" % (len(self.cases), len(self.files)))

    def good_cases(self):
        c = self.case
        self.rsa_good = c("good-rsa-ca", self.response(certs=["rsa-ca"]), responder="issuer", expect=good(),
                          description="CA-signed RSA-2048, sha256WithRSAEncryption, byName, SHA-1 CertID, CA cert embedded")
        c("good-rsa-ca-pss", self.response(alg="rsa-pss-sha256"), responder="issuer", expect=good(),
          description="CA-signed RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32), no certs")
        c("good-p256-ca", self.response("p256-ee", "p256-ca"), cert="p256-ee", issuer="p256-ca", responder="issuer",
          expect=good(), description="CA-signed ECDSA P-256 (ecdsa-with-SHA256), no certs")
        c("good-p384-ca", self.response("p384-ee", "p384-ca"), cert="p384-ee", issuer="p384-ca", responder="issuer",
          expect=good(), description="CA-signed ECDSA P-384 (ecdsa-with-SHA384), no certs")
        self.delegated_good = c("good-rsa-delegated", self.response(signer="rsa-responder", certs=["rsa-responder"]),
                                responder="delegated", expect=good(),
                                description="delegated RSA responder (EKU OCSPSigning, nocheck), byName, responder embedded")
        c("good-p256-delegated", self.response("p256-ee", "p256-ca", signer="p256-responder", certs=["p256-responder"]),
          cert="p256-ee", issuer="p256-ca", responder="delegated", expect=good(),
          description="delegated P-256 responder, byName, responder embedded")
        c("good-rsa-ca-bykey", self.response(responder_id="key"), responder="issuer", expect=good(),
          description="CA-signed, responderID byKey (SHA-1 of the CA's subjectPublicKey)")
        c("good-rsa-delegated-bykey", self.response(signer="rsa-responder", responder_id="key", certs=["rsa-responder"]),
          responder="delegated", expect=good(), description="delegated responder, responderID byKey, responder embedded")
        for h in ("sha256", "sha384", "sha512"):
            c("good-certid-" + h, self.response(hash_name=h), responder="issuer", expect=good(),
              description="CA-signed, CertID hashed with %s (parameters NULL)" % h.upper())
        c("good-certid-sha1-absent-params",
          self.response(singles=[single(self.cid(params=None))]), responder="issuer", expect=good(),
          description="CertID hashAlgorithm SHA-1 with parameters absent (allowed: absent or NULL)")
        c("good-certid-sha256-absent-params",
          self.response(singles=[single(self.cid(hash_name="sha256", params=None))]), responder="issuer", expect=good(),
          description="CertID hashAlgorithm SHA-256 with parameters absent")
        five = [
            single(self.cid("rsa-ee2"), revoked(REVOKED_AT, 1)),
            single(self.cid(serial=0x7001), UNKNOWN),
            single(self.cid(serial=0x7002)),
            single(self.cid()),
            single(self.cid(serial=0x7003), revoked(REVOKED_AT, 4)),
        ]
        c("good-five-singles", self.response(singles=five), responder="issuer", expect=good(),
          description="5 SingleResponses (revoked, unknown, good for other certs); the asked one is 4th and good")
        self.nonce_good = c("good-nonce", self.response(extensions=[nonce_extension(NONCE)]), nonce=NONCE,
                            responder="issuer", expect=good(), description="nonce sent and echoed")
        c("good-nonce-critical", self.response(extensions=[nonce_extension(NONCE, critical=True)]), nonce=NONCE,
          responder="issuer", expect=good(), description="nonce echoed in an extension marked critical (understood)")
        c("good-unrequested-nonce", self.nonce_good, responder="issuer", expect=good(),
          description="the response carries a nonce, the caller sent none: ignored")
        self.no_next = c("good-no-next-update", self.response(next_update=None), responder="issuer", expect=good(),
                         description="no nextUpdate; now is within max_age_without_next_update (1 day) of thisUpdate")
        c("good-explicit-version-0", self.response(version=der.explicit(0, der.integer(0))), responder="issuer",
          expect=good(), description="explicit version [0] INTEGER 0 (v1), tolerated")
        self.trusted_good = c("good-trusted-responder", self.response(signer="trusted-responder"),
                              trusted=["trusted-responder"], responder="trusted", expect=good(),
                              description="signed by the self-signed trusted-responder (not embedded), which the caller trusts locally")
        c("revoked-no-reason", self.response(status=revoked(REVOKED_AT)), responder="issuer",
          expect=is_revoked(None), description="revoked, revocationTime 2025-06-01T12:00:00Z, no reason")
        for reason, label in [(0, "unspecified"), (1, "key-compromise"), (2, "ca-compromise"),
                              (3, "affiliation-changed"), (4, "superseded"), (5, "cessation-of-operation"),
                              (6, "certificate-hold"), (8, "remove-from-crl"), (9, "privilege-withdrawn"),
                              (10, "aa-compromise")]:
            rel = c("revoked-%s" % label, self.response(status=revoked(REVOKED_AT, reason)), responder="issuer",
                    expect=is_revoked(reason), description="revoked with revocationReason %d (%s)%s" % (
                        reason, label, "; a hold gets the time checks of a good answer, and this one is fresh"
                        if reason == 6 else ""))
            if reason == 1:
                self.revoked_key_compromise = rel
        c("unknown-status", self.response(status=UNKNOWN), responder="issuer", expect=unknown(),
          description="certStatus unknown")
        c("good-unknown-noncritical-response-extension",
          self.response(extensions=[extension(UNKNOWN_EXT, der.null())]), responder="issuer", expect=good(),
          description="unknown non-critical responseExtension: ignored")
        c("good-unknown-noncritical-single-extension",
          self.response(single_extensions=[extension(UNKNOWN_EXT, der.null())]), responder="issuer", expect=good(),
          description="unknown non-critical singleExtension on the matching SingleResponse: ignored")
        c("good-critical-extension-on-other-single",
          self.response(singles=[single(self.cid("rsa-ee2"), extensions=[extension(UNKNOWN_EXT, der.null(), True)]),
                                 single(self.cid())]),
          responder="issuer", expect=good(),
          description="unknown CRITICAL singleExtension on a SingleResponse for another certificate; the matching one is clean")
        c("good-sct-list-single-extension-critical",
          self.response(single_extensions=[extension(ocsp.ID_CT_OCSP_SCTS, ocsp.sct_list(), True)]), responder="issuer",
          expect=good(), description="CT SCT list (1.3.6.1.4.1.11129.2.4.5) as a critical singleExtension: understood")
        sha1_signed = self.write("responses/good-rsa-sha1-signature.der", self.response(alg="rsa-sha1"))
        c("good-sha1-signature-allowed", sha1_signed, options={"allow_sha1": True}, responder="issuer", expect=good(),
          description="sha1WithRSAEncryption signature, caller added the legacy SHA-1 set")
        self.sha1_signed = sha1_signed

    def rule1(self):
        c = self.case
        base = self.files[self.rsa_good]
        c("r01-trailing-byte-after-response", base + b"\x00", rule=1, expect=error("TrailingData"),
          description="one 0x00 byte after the outer OCSPResponse")
        c("r01-trailing-byte-in-response-bytes", self.response(octet_trailing=b"\x00"), rule=1,
          expect=error("TrailingData"),
          description="one 0x00 byte after the BasicOCSPResponse inside the responseBytes OCTET STRING")
        c("r01-trailing-element-in-basic-response", self.response(certs=["rsa-ca"], basic_trailing=der.null()), rule=1,
          expect=error("TrailingData"),
          description="a NULL element after certs, inside the BasicOCSPResponse SEQUENCE (outside the signed bytes)")
        c("r01-trailing-element-in-response-data", self.response(trailing=der.null()), rule=1,
          expect=error("TrailingData"),
          description="a NULL element after the last field inside ResponseData (tbsResponseData), re-signed")
        c("r01-trailing-element-in-single-response",
          self.response(singles=[single(self.cid(), trailing=der.null())]), rule=1, expect=error("TrailingData"),
          description="a NULL element after the last field inside the SingleResponse, re-signed")
        c("r01-non-minimal-length", self.response(produced_at=b"\x18\x81\x0f" + b"20260101000000Z"), rule=1,
          expect=error("BadDer"), description="producedAt length encoded 0x81 0x0f instead of 0x0f, re-signed")
        body = der.parse(base)
        c("r01-indefinite-length-outer", b"\x30\x80" + body.content + b"\x00\x00", rule=1, expect=error("BadDer"),
          description="outer OCSPResponse SEQUENCE with indefinite length (0x80 ... 00 00), BER not DER")
        c("r01-unknown-tag-in-response-data", self.response(after_responder_id=b"\x85\x01\x00"), rule=1,
          expect=error("BadDer"), description="an unknown context tag [5] between responderID and producedAt, re-signed")
        c("r01-truncated", base[:-10], rule=1, expect=error("BadDer"), description="the good response minus its last 10 bytes")
        c("r01-boolean-not-ff",
          self.response(extensions=[extension(ocsp.ID_PKIX_OCSP_NONCE, der.octet_string(NONCE),
                                               critical_raw=b"\x01\x01\x01")]),
          rule=1, expect=error("BadDer"),
          description="the nonce extension's critical BOOLEAN encoded 0x01 (DER requires 0xff), re-signed")
        c("r07-non-minimal-serial-echoed", self.response("rsa-ee-nonminimal-serial"),
          cert="rsa-ee-nonminimal-serial", rule=7, expect=good(), responder="issuer",
          description="certificate serial encoded 00 10 03 (not minimal) and the CertID copies those bytes: "
                      "serials are compared as exact bytes, so it matches (the lead's decision: a certificate "
                      "with a non-minimal serial must stay checkable; openssl cannot load such a certificate)")
        c("r01-non-minimal-integer-status", b"\x30\x04\x0a\x02\x00\x03", rule=1, expect=error("BadDer"),
          description="responseStatus ENUMERATED 00 03 (non-minimal; would be tryLater)")

    def rule2(self):
        c = self.case
        for status in (1, 2, 3, 5, 6):
            label = ocsp.STATUS_NAMES[status]
            c("r02-status-%d-%s" % (status, label), ocsp.ocsp_response(status), rule=2, expect=unsuccessful(label),
              description="responseStatus %d (%s), no responseBytes" % (status, label))
        for status in (4, 7):
            c("r02-status-%d" % status, ocsp.ocsp_response(status), rule=2, expect=error("UnknownResponseStatus"),
              description="responseStatus %d (not defined)" % status)
        c("r02-successful-without-response-bytes", ocsp.ocsp_response(0), rule=2, expect=error("MissingResponseBytes"),
          description="responseStatus successful and no responseBytes")
        c("r02-unsupported-response-type", self.response(response_type="1.3.6.1.5.5.7.48.1.99"), rule=2,
          expect=error("UnsupportedResponseType"),
          description="responseType 1.3.6.1.5.5.7.48.1.99 (not id-pkix-ocsp-basic) around a valid BasicOCSPResponse")

    def rule3(self):
        self.case("r03-version-2", self.response(version=der.explicit(0, der.integer(1))), rule=3,
                  expect=error("UnsupportedResponseVersion"), description="ResponseData version [0] INTEGER 1, re-signed")

    def rule4(self):
        c = self.case
        for label, raw, what in [
            ("fractional-seconds", der.generalized_time("20260101000000.5Z"), "thisUpdate 20260101000000.5Z"),
            ("no-z", der.generalized_time("20260101000000"), "thisUpdate 20260101000000 (no Z)"),
            ("utctime", der.utc_time("260101000000Z"), "thisUpdate as UTCTime 260101000000Z"),
            ("month-13", der.generalized_time("20261301000000Z"), "thisUpdate 20261301000000Z (month 13)"),
        ]:
            c("r04-this-update-" + label, self.response(this_update=raw), rule=4, expect=error("InvalidTime"),
              description=what + ", re-signed")
        c("r04-produced-at-offset", self.response(produced_at=der.generalized_time("20260101000000+0000")), rule=4,
          expect=error("InvalidTime"), description="producedAt 20260101000000+0000 (offset instead of Z), re-signed")
        c("r04-next-update-february-30", self.response(next_update=der.generalized_time("20260230000000Z")), rule=4,
          expect=error("InvalidTime"), description="nextUpdate 20260230000000Z (no such day), re-signed")

    def rule5(self):
        c = self.case
        for reason in (7, 11):
            c("r05-revocation-reason-%d" % reason, self.response(status=revoked(REVOKED_AT, reason)), rule=5,
              expect=error("InvalidRevocationReason"), description="revoked with revocationReason %d, re-signed" % reason)
        c("r05-cert-status-tag-3", self.response(status=b"\x83\x00"), rule=5, expect=error("BadDer"),
          description="certStatus with tag [3] (only [0] good, [1] revoked, [2] unknown exist), re-signed")
        c("r05-good-with-content", self.response(status=b"\x80\x01\x00"), rule=5, expect=error("BadDer"),
          description="certStatus good [0] IMPLICIT NULL with one content byte, re-signed")

    def rule6(self):
        c = self.case
        c("r06-empty-response-list", self.response(singles=[]), rule=6, expect=error("EmptyResponseList"),
          description="responses SEQUENCE OF SingleResponse is empty, re-signed")
        nine = ["rsa-ca", "rsa-responder", "rsa-intermediate", "other-ca", "p256-ca", "p384-ca", "trusted-responder",
                "rsa-ee2", "rsa-ee"]
        self.eight_certs = nine[:8]
        c("r06-nine-certs", self.response(certs=nine), rule=6, expect=error("TooManyCertificates"),
          description="9 certificates in certs (the limit is 8)")

    def rule7(self):
        c = self.case
        ee, ca = self.cert("rsa-ee"), self.cert("rsa-ca")
        name_hash = hashlib.sha1(ee.issuer_tlv).digest()
        key_hash = ca.key_hash()
        c("r07-serial-differs", self.response(cert="rsa-ee2"), rule=7, expect=error("NoMatchingResponse"),
          description="a good response for rsa-ee2 (same issuer); the caller asks about rsa-ee")
        c("r07-issuer-name-hash-differs", self.response(singles=[single(self.cid(name_hash=flip_bit(name_hash, 0)))]),
          rule=7, expect=error("NoMatchingResponse"), description="issuerNameHash with one bit flipped")
        c("r07-issuer-key-hash-differs", self.response(singles=[single(self.cid(key_hash=flip_bit(key_hash, 0)))]),
          rule=7, expect=error("NoMatchingResponse"), description="issuerKeyHash with one bit flipped")
        c("r07-key-hash-over-whole-spki",
          self.response(singles=[single(self.cid(key_hash=hashlib.sha1(ca.spki_tlv).digest()))]), rule=7,
          expect=error("NoMatchingResponse"),
          description="issuerKeyHash over the whole SubjectPublicKeyInfo instead of the BIT STRING contents (a common bug)")
        c("r07-name-hash-over-name-contents",
          self.response(singles=[single(self.cid(name_hash=hashlib.sha1(der.parse(ee.issuer_tlv).content).digest()))]),
          rule=7, expect=error("NoMatchingResponse"),
          description="issuerNameHash over the Name's contents without its tag and length")
        c("r07-unknown-hash-algorithm", self.response(singles=[single(self.cid(hash_oid="1.3.6.1.4.1.55555.1"))]),
          rule=7, expect=error("NoMatchingResponse"),
          description="CertID hashAlgorithm 1.3.6.1.4.1.55555.1 (unknown) with SHA-1 values for both hashes")
        c("r07-hash-algorithm-sha224", self.response(singles=[single(self.cid(hash_name="sha224"))]), rule=7,
          expect=error("NoMatchingResponse"), description="CertID hashed with SHA-224 (not in the supported set)")
        c("r07-hash-parameters-not-null", self.response(singles=[single(self.cid(params=der.integer(0)))]), rule=7,
          expect=error("NoMatchingResponse"), description="CertID hashAlgorithm SHA-1 with parameters INTEGER 0")
        c("r07-name-hash-19-bytes", self.response(singles=[single(self.cid(name_hash=name_hash[:19]))]), rule=7,
          expect=error("InvalidCertIdHash"), description="SHA-1 CertID whose issuerNameHash is 19 bytes")
        c("r07-key-hash-31-bytes-sha256",
          self.response(singles=[single(self.cid(hash_name="sha256", key_hash=ca.key_hash("sha256")[:31]))]), rule=7,
          expect=error("InvalidCertIdHash"), description="SHA-256 CertID whose issuerKeyHash is 31 bytes")
        c("r07-minimal-serial-for-nonminimal-cert",
          self.response(singles=[single(self.cid("rsa-ee-nonminimal-serial", serial=0x1003))]),
          cert="rsa-ee-nonminimal-serial", rule=7, expect=error("NoMatchingResponse"),
          description="certificate serial encoded 00 10 03; the CertID has the minimal 10 03: serials compare as exact "
                      "bytes, so no match (judgement call; a verifier that refuses the certificate would say BadDer)")

    def rule8(self):
        c = self.case
        cid = self.cid()
        for label, statuses, expect in [
            ("good-then-revoked", [GOOD, revoked(REVOKED_AT, 1)], is_revoked(1)),
            ("revoked-then-good", [revoked(REVOKED_AT, 1), GOOD], is_revoked(1)),
            ("good-then-unknown", [GOOD, UNKNOWN], unknown()),
            ("unknown-then-good", [UNKNOWN, GOOD], unknown()),
        ]:
            c("r08-" + label, self.response(singles=[single(cid, s) for s in statuses]), rule=8, responder="issuer",
              expect=expect, description="two SingleResponses for the same certificate, %s: the strictest wins"
                                         % label.replace("-", " "))

    def rule9(self):
        c = self.case
        c("r09-by-name-of-nobody", self.response(responder_id=der.explicit(1, name("Nobody"))), rule=9,
          expect=error("ResponderNotFound"), description="responderID byName CN=Nobody, signed by the CA, no certs")
        c("r09-by-key-of-nobody",
          self.response(responder_id=der.explicit(2, der.octet_string(hashlib.sha1(b"nobody").digest()))), rule=9,
          expect=error("ResponderNotFound"), description="responderID byKey of a key nobody has, signed by the CA")
        c("r09-delegated-not-embedded", self.response(signer="rsa-responder"), rule=9, expect=error("ResponderNotFound"),
          description="signed by rsa-responder, named byName, but its certificate is not in certs")
        c("r09-trusted-responder-not-trusted", self.trusted_good, rule=9, expect=error("ResponderNotFound"),
          description="signed by trusted-responder (not embedded) but the caller does not trust it")
        for signer, variant, what in [
            ("rsa-responder-noeku", "ResponderMissingOcspSigning", "delegated responder without an EKU extension"),
            ("rsa-responder-serverauth", "ResponderMissingOcspSigning", "delegated responder with EKU serverAuth only"),
            ("rsa-responder-anyeku", "ResponderMissingOcspSigning", "delegated responder with anyExtendedKeyUsage only"),
            ("rsa-responder-ca", "ResponderIsCa", "delegated responder with OCSPSigning but basicConstraints CA:TRUE"),
            ("rsa-responder-expired", None, "delegated responder valid 2024-01-01..2025-06-01"),
            ("rsa-responder-notyetvalid", None, "delegated responder valid 2027-01-01..2030-01-01"),
            ("rsa-responder-critext", "UnsupportedCriticalExtension",
             "delegated responder with an unknown critical extension 1.2.3.4.5"),
            ("rsa-responder-otherca", "ResponderNotIssuedByIssuer", "delegated responder issued by other-ca"),
            ("rsa-responder-evil", "InvalidResponderCertSignature",
             "delegated responder issued by evil-ca, which has rsa-ca's subject name but another key"),
        ]:
            if variant is None:  # the responder certificate's validity at now, with its times
                responder = self.cert(signer)
                expect = ocsp_profile.responder_validity(responder.not_before, responder.not_after, NOW)
            else:
                expect = error(variant)
            c("r09-" + signer.replace("rsa-responder-", "responder-"),
              self.response(signer=signer, certs=[signer]), rule=9, expect=expect,
              description=what + "; byName, embedded, signature valid")
        c("r09-responder-intermediate",
          self.response(signer="rsa-responder-intermediate", certs=["rsa-responder-intermediate", "rsa-intermediate"]),
          rule=9, expect=error("ResponderNotIssuedByIssuer"),
          description="delegated responder issued by rsa-intermediate (a sub-CA of rsa-ca), both embedded: not issued directly by the CA")
        c("r09-names-ca-signed-by-delegated",
          self.response(signer="rsa-responder", responder_id=ocsp.by_name(self.cert("rsa-ca")), certs=["rsa-responder"]),
          rule=9, expect=error("InvalidSignature"),
          description="responderID byName names the CA but the response is signed with rsa-responder's key (embedded)")

    def rule10(self):
        c = self.case
        c("r10-signature-bit-flipped", self.response(mutate_signature=flip_bit), rule=10, expect=error("InvalidSignature"),
          description="RSA signature with one bit flipped")
        c("r10-ecdsa-signature-bit-flipped",
          self.response("p256-ee", "p256-ca", mutate_signature=lambda s: flip_bit(s, len(s) - 1)),
          cert="p256-ee", issuer="p256-ca", rule=10, expect=error("InvalidSignature"),
          description="ECDSA P-256 signature with the lowest bit of s flipped (DER still valid)")
        c("r10-tbs-changed-after-signing",
          self.response(mutate_tbs_after_signing=lambda t: t.replace(b"20260101000000Z", b"20260101000001Z", 1)), rule=10,
          expect=error("InvalidSignature"), description="producedAt changed by one second after signing")
        c("r10-sha1-signature-default", self.sha1_signed, rule=10, expect=error("UnsupportedSignatureAlgorithm"),
          description="sha1WithRSAEncryption signature (valid) with the default algorithm set")
        c("r10-md5-signature", self.response(alg="rsa-md5"), rule=10, expect=error("UnsupportedSignatureAlgorithm"),
          description="md5WithRSAEncryption signature (valid)")
        c("r10-ecdsa-null-parameters",
          self.response("p256-ee", "p256-ca", signature_algorithm=der.algorithm_identifier(ocsp.ECDSA_SHA256)),
          cert="p256-ee", issuer="p256-ca", rule=10, expect=error("UnsupportedSignatureAlgorithm"),
          description="ecdsa-with-SHA256 with NULL parameters (RFC 5758: parameters MUST be absent); signature valid")
        c("r10-pss-salt-length-20", self.response(alg="rsa-pss-sha256-salt20"), rule=10,
          expect=error("UnsupportedSignatureAlgorithm"),
          description="RSASSA-PSS SHA-256 with saltLength 20, signed accordingly (only the rustls-pki-types "
                      "encodings, salt 32 for SHA-256, are supported)")
        c("r10-rsa-1024", self.response("rsa1024-ee", "rsa1024-ca"), cert="rsa1024-ee", issuer="rsa1024-ca", rule=10,
          expect=error("RsaKeyTooSmall"), description="signed by the RSA-1024 CA (sha256WithRSAEncryption)")

    def rule11(self):
        c = self.case
        c("r11-unknown-critical-response-extension",
          self.response(extensions=[extension(UNKNOWN_EXT, der.null(), True)]), rule=11,
          expect=error("UnsupportedCriticalExtension"), description="unknown critical responseExtension")
        c("r11-unknown-critical-single-extension",
          self.response(single_extensions=[extension(UNKNOWN_EXT, der.null(), True)]), rule=11,
          expect=error("UnsupportedCriticalExtension"), description="unknown critical singleExtension on the matching SingleResponse")

    def rule12(self):
        c = self.case
        c("r12-missing-nonce", self.rsa_good, nonce=NONCE, rule=12, expect=error("MissingNonce"),
          description="the caller sent nonce %s; the response has none" % NONCE.hex())
        c("r12-nonce-mismatch", self.nonce_good, nonce=OTHER_NONCE, rule=12, expect=error("NonceMismatch"),
          description="the caller sent nonce %s; the response echoes %s" % (OTHER_NONCE.hex(), NONCE.hex()))

    def rule13(self):
        c = self.case
        g = self.rsa_good
        now = shift(T0, minutes=-5, seconds=-1)
        c("r13-this-update-beyond-skew", g, now=now, rule=13, expect=not_yet_valid(now, T0),
          description="now = thisUpdate - 5 min 1 s (skew is 5 min)")
        c("r13-this-update-at-skew", g, now=shift(T0, minutes=-5), rule=13, responder="issuer", expect=good(),
          description="now = thisUpdate - 5 min exactly: accepted")
        c("r13-this-update-within-skew", g, now=shift(T0, minutes=-4), rule=13, responder="issuer", expect=good(),
          description="thisUpdate 4 min after now: accepted (skew)")
        now = shift(T1, minutes=5, seconds=1)
        c("r13-expired", g, now=now, rule=13, expect=expired(now, T1), description="now = nextUpdate + 5 min 1 s")
        c("r13-next-update-at-skew", g, now=shift(T1, minutes=5), rule=13, responder="issuer", expect=good(),
          description="now = nextUpdate + 5 min exactly: accepted (also thisUpdate + max_age 7 days + skew exactly)")
        c("r13-next-update-within-skew", g, now=shift(T1, minutes=4), rule=13, responder="issuer", expect=good(),
          description="now = nextUpdate + 4 min: accepted (skew)")
        c("r13-next-update-before-this-update", self.response(next_update=shift(T0, seconds=-1)),
          now=shift(T0, minutes=1), rule=13, expect=error("NextUpdateBeforeThisUpdate"),
          description="nextUpdate one second before thisUpdate (now = thisUpdate + 1 min, inside both windows)")
        now = shift(T0, days=1, minutes=5, seconds=1)
        c("r13-no-next-update-beyond-max-age", self.no_next, now=now, rule=13,
          expect=too_old(now, shift(T0, days=1)),
          description="no nextUpdate, now = thisUpdate + 1 day + 5 min 1 s (max_age_without_next_update 1 day, "
                      "plus skew)")
        c("r13-no-next-update-at-max-age", self.no_next, now=shift(T0, days=1, minutes=5), rule=13,
          responder="issuer", expect=good(),
          description="no nextUpdate, now = thisUpdate + 1 day + 5 min exactly (max_age_without_next_update plus "
                      "skew): accepted")
        c("r13-lifetime-too-long", g, options={"max_lifetime": 3 * 86400}, rule=13,
          expect=error("ResponseLifetimeTooLong"), description="7-day response, option max_lifetime 3 days")
        c("r13-lifetime-at-cap", g, options={"max_lifetime": 7 * 86400}, rule=13, responder="issuer", expect=good(),
          description="7-day response, option max_lifetime 7 days: accepted")

        # The default caps, on P-256 CA-signed responses (as good-p256-ca), producedAt = thisUpdate.
        def p256(case_name, this_update, next_update, expect, description, produced_at=None):
            data = self.response("p256-ee", "p256-ca", this_update=this_update, next_update=next_update,
                                 produced_at=produced_at or this_update)
            c(case_name, data, cert="p256-ee", issuer="p256-ca", rule=13, expect=expect, description=description,
              responder="issuer" if "status" in expect else None)

        p256("r13-this-update-too-old", "2025-12-24T00:00:00Z", "2026-01-03T00:00:00Z",
             too_old(NOW, "2025-12-31T00:00:00Z"),
             "thisUpdate 2025-12-24, nextUpdate 2026-01-03 (a 10-day lifetime, allowed; not expired): now is "
             "more than max_age (7 days) + skew after thisUpdate")
        p256("r13-this-update-age-at-limit", shift(NOW, days=-7, minutes=-5), "2026-01-02T00:00:00Z", good(),
             "thisUpdate = now - 7 days - 5 min (max_age plus skew exactly), nextUpdate 2026-01-02: accepted")
        p256("r13-lifetime-over-default-cap", T0, "2026-01-11T00:00:01Z", error("ResponseLifetimeTooLong"),
             "nextUpdate - thisUpdate = 10 days + 1 s, over the default max_lifetime (10 days)")
        p256("r13-lifetime-at-default-cap", T0, "2026-01-11T00:00:00Z", good(),
             "nextUpdate - thisUpdate = 10 days exactly, the default max_lifetime: accepted")
        p256("r13-lifetime-1970-to-9999", der.generalized_time("19700101000000Z"),
             der.generalized_time("99991231235959Z"), error("ResponseLifetimeTooLong"), produced_at=T0,
             description="thisUpdate 19700101000000Z, nextUpdate 99991231235959Z, producedAt 2026-01-01: a response "
                         "that claims to be valid forever (accepted as good while there was no default lifetime cap)")

    def rule14(self):
        c = self.case
        r = self.revoked_key_compromise
        c("r14-revoked-after-next-update", r, now="2026-02-01T00:00:00Z", rule=14, responder="issuer",
          expect=is_revoked(1), description="revoked (keyCompromise, a permanent revocation) response verified on "
                                            "2026-02-01, long after nextUpdate + skew: still reported")
        c("r14-revoked-before-this-update", r, now="2025-12-31T00:00:00Z", rule=14, responder="issuer",
          expect=is_revoked(1), description="revoked response verified a day before its thisUpdate")
        c("r14-revoked-hold-stale",
          self.response("p256-ee", "p256-ca", status=revoked("2025-11-01T00:00:00Z", 6),
                        produced_at="2025-12-01T00:00:00Z", this_update="2025-12-01T00:00:00Z",
                        next_update="2025-12-08T00:00:00Z"),
          cert="p256-ee", issuer="p256-ca", rule=14, expect=expired(NOW, "2025-12-08T00:00:00Z"),
          description="revoked with reason certificateHold (6), thisUpdate 2025-12-01, nextUpdate 2025-12-08: a hold "
                      "can be lifted, so a stale one gets the time checks of a good answer (unlike the permanent "
                      "revocation of r14-revoked-after-next-update)")

    def benchmarks(self):
        c = self.case
        c("bench-p256-ca-embedded", self.response("p256-ee", "p256-ca", certs=["p256-ca"]), cert="p256-ee",
          issuer="p256-ca", responder="issuer", expect=good(), description="benchmark: P-256 CA-signed, CA embedded")
        c("bench-rsa-delegated", self.delegated_good, responder="delegated", expect=good(),
          description="benchmark: delegated RSA responder (same file as good-rsa-delegated)")
        for n in (1, 10, 100, 1000):
            singles = [single(self.cid(serial=0x100000 + i)) for i in range(n - 1)] + [single(self.cid())]
            data = self.response(singles=singles)
            big = len(data) > DEFAULT_OPTIONS["max_response_size"]
            rel = c("bench-singles-%d" % n, data, responder="issuer", expect=good(),
                    options={"max_response_size": 131072} if big else None,
                    description="benchmark: %d SingleResponses, the asked one last%s"
                                % (n, " (%d bytes, so max_response_size is raised to 131072)" % len(data) if big else ""))
            if big:
                c("r01-response-too-large", rel, rule=1, expect=error("ResponseTooLarge"),
                  description="the %d-SingleResponse benchmark (%d bytes, validly signed) with the default 64 KiB limit"
                              % (n, len(data)))
        c("bench-certs-8", self.response(certs=self.eight_certs), responder="issuer", expect=good(),
          description="benchmark: CA-signed with 8 embedded certificates (the limit)")

    def tls(self):
        c = self.case

        def tls(case_name, cert="tls-server", issuer="tls-int", **kw):
            return self.write("responses/tls/%s.der" % case_name, self.response(cert, issuer, **kw))

        d = dict(cert="tls-server", issuer="tls-int")
        c("tls-server-good", tls("tls-server-good"), responder="issuer", expect=good(),
          description="TLS: tls-server, signed by tls-int", **d)
        c("tls-server-revoked", tls("tls-server-revoked", status=revoked(REVOKED_AT, 1)), responder="issuer",
          expect=is_revoked(1), description="TLS: tls-server revoked (keyCompromise)", **d)
        c("tls-server-unknown", tls("tls-server-unknown", status=UNKNOWN), responder="issuer", expect=unknown(),
          description="TLS: tls-server unknown", **d)
        c("tls-server-stale",
          tls("tls-server-stale", produced_at="2025-12-20T00:00:00Z", this_update="2025-12-20T00:00:00Z",
              next_update="2025-12-25T00:00:00Z"),
          rule=13, expect=expired(NOW, "2025-12-25T00:00:00Z"), description="TLS: thisUpdate 2025-12-20, nextUpdate 2025-12-25",
          **d)
        c("tls-server-not-yet-valid",
          tls("tls-server-not-yet-valid", produced_at="2026-01-02T00:00:00Z", this_update="2026-01-02T00:00:00Z",
              next_update="2026-01-09T00:00:00Z"),
          rule=13, expect=not_yet_valid(NOW, "2026-01-02T00:00:00Z"),
          description="TLS: thisUpdate 2026-01-02, nextUpdate 2026-01-09", **d)
        c("tls-server-bad-signature",
          tls("tls-server-bad-signature", mutate_signature=lambda s: flip_bit(s, len(s) - 1)),
          rule=10, expect=error("InvalidSignature"), description="TLS: good response with one bit of the signature flipped", **d)
        c("tls-server-for-other", tls("tls-server-for-other", cert="tls-other"), rule=7,
          expect=error("NoMatchingResponse"), description="TLS: a good response for tls-other served for tls-server", **d)
        c("tls-server-direct-good", tls("tls-server-direct-good", cert="tls-server-direct", issuer="tls-root"),
          cert="tls-server-direct", issuer="tls-root", responder="issuer", expect=good(),
          description="TLS: tls-server-direct, signed by tls-root")
        d = dict(cert="tls-server-muststaple", issuer="tls-int")
        c("tls-server-muststaple-good", tls("tls-server-muststaple-good", cert="tls-server-muststaple"),
          responder="issuer", expect=good(), decision=True, description="TLS: must-staple server, good", **d)
        c("tls-server-muststaple-stale",
          tls("tls-server-muststaple-stale", cert="tls-server-muststaple", produced_at="2025-12-20T00:00:00Z",
              this_update="2025-12-20T00:00:00Z", next_update="2025-12-25T00:00:00Z"),
          rule=13, expect=expired(NOW, "2025-12-25T00:00:00Z"), decision=True,
          description="TLS: must-staple server, stale (must-staple: refused in soft-fail mode too)", **d)
        c("tls-server-impostor-good", tls("tls-server-impostor-good", issuer="tls-int-impostor"),
          cert="tls-server", issuer="tls-int", rule=7, expect=error("NoMatchingResponse"),
          description="TLS: a good response for tls-server whose CertID and signature are tls-int-impostor's")

    def policy(self):
        """What a client does with a valid answer, beyond the verifier's verdict."""
        response = self.write("responses/good-p256-tls-feature-17.der", self.response("p256-ee-tls-feature-17", "p256-ca"))
        self.case("policy-tls-feature-17", response, cert="p256-ee-tls-feature-17", issuer="p256-ca",
                  responder="issuer", expect=good(), decision=True,
                  description="good CA-signed answer for a certificate whose TLS feature extension lists only 17 "
                              "(status_request_v2): the response verifies, but no client can satisfy that feature, "
                              "so it fails closed in both modes (as mozilla::pkix does)")

    # ------------------------------------------------------------ a real responder

    def openssl_responder(self):
        """Responses made by `openssl ocsp` acting as a responder. Their times come from the real
        clock, so they are made once and reused while they still verify against the PKI."""
        runs = [
            ("openssl-responder-ca", "rsa-ee", "rsa-ca", "rsa-ca", False, good(), "issuer"),
            ("openssl-responder-delegated-revoked", "rsa-ee2", "rsa-ca", "rsa-responder", False, is_revoked(1), "delegated"),
            ("openssl-responder-delegated-nonce", "rsa-ee", "rsa-ca", "rsa-responder", True, good(), "delegated"),
            ("openssl-responder-p256-delegated", "p256-ee", "p256-ca", "p256-responder", False, good(), "delegated"),
        ]
        for case_name, cert, issuer, signer, with_nonce, expect, responder in runs:
            rel = "responses/%s.der" % case_name
            req_rel = "responses/%s.request.der" % case_name
            path, req = os.path.join(self.out, rel), os.path.join(self.out, req_rel)
            reuse = not self.fresh and os.path.exists(path) and os.path.exists(req)
            if reuse:
                with open(path, "rb") as f:
                    data = f.read()
                reuse = self.still_valid(data, signer)
            if not reuse:
                data = self.run_openssl_responder(cert, issuer, signer, with_nonce, req)
                self.log("openssl responder: made %s" % rel)
            self.write(rel, data)
            with open(req, "rb") as f:
                self.files[req_rel] = f.read()
            this_update = ocsp.describe(data)["responses"][0]["this_update"]
            nonce = request_nonce(self.files[req_rel])
            self.case(case_name, rel, cert=cert, issuer=issuer, nonce=nonce, now=shift(this_update, minutes=1),
                      responder=responder, expect=expect,
                      description="made by `openssl ocsp -index` as a responder (signer %s%s); now = thisUpdate + 1 min"
                                  % (signer, ", request nonce echoed" if nonce else ""))

    def still_valid(self, data, signer):
        """Reuse an openssl-made response only if it embeds the current signer certificate."""
        try:
            _tbs, _alg, _sig, certs = ocsp.split_basic(data)
        except Exception:  # noqa: BLE001 - any unreadable old file is simply remade
            return False
        return self.cert(signer).der in certs

    def run_openssl_responder(self, cert, issuer, signer, with_nonce, req):
        pem = lambda n: self.pki.cert_path(self.pki.specs[n], "pem")  # noqa: E731
        crypto.openssl("ocsp", "-issuer", pem(issuer), "-cert", pem(cert), "-reqout", req,
                       *([] if with_nonce else ["-no_nonce"]))
        with tempfile.TemporaryDirectory() as tmp:
            index = os.path.join(tmp, "index.txt")
            with open(index, "w") as f:
                # status, expiry, revocation[,reason], serial, file, subject
                f.write("V\t350101000000Z\t\t1001\tunknown\t/CN=rsa-ee\n")
                f.write("R\t350101000000Z\t250601120000Z,keyCompromise\t9F1002\tunknown\t/CN=rsa-ee2\n")
                f.write("V\t350101000000Z\t\t3001\tunknown\t/CN=p256-ee\n")
            out = os.path.join(tmp, "resp.der")
            crypto.openssl("ocsp", "-index", index, "-rsigner", pem(signer), "-rkey", self.pki.key_path(self.pki.specs[signer]),
                           "-CA", pem(issuer), "-reqin", req, "-respout", out, "-ndays", "7")
            with open(out, "rb") as f:
                return f.read()


def tls_decision(cert, expect):
    """What a TLS client does with a certificate's TLS feature extension (RFC 7633) and the
    verifier's answer for its stapled response. Only status_request (5) can be satisfied by an
    OCSP staple; any other feature (17, status_request_v2, included) cannot be, so the client
    fails closed, as mozilla::pkix does. With status_request (must-staple) only a good answer is
    accepted, in soft-fail mode as well: the certificate forbids soft failure."""
    features = cert.tls_features()
    assert features, "decisions are only given for certificates with the TLS feature extension"
    if any(f != 5 for f in features):
        return {"tls_features": "unsupported", "soft_fail": "reject", "hard_fail": "reject"}
    verdict = "accept" if expect.get("status") == "good" else "reject"
    return {"tls_features": "status_request", "soft_fail": verdict, "hard_fail": verdict}


def request_nonce(data):
    """The nonce octets of an OCSPRequest's requestExtensions, or None."""
    tbs = der.parse(data).children()[0]
    for field in tbs.children():
        if field.tag == 0xA2:
            found = ocsp.nonce_of(ocsp.extension_list(field))
            return bytes.fromhex(found) if found else None
    return None
