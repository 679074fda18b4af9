"""OCSP (RFC 6960) response encoding, field by field, and a reader that describes responses.

Every builder returns DER bytes; every optional piece can be given as raw bytes instead, which
is how the rule-breaking vectors get their one broken field.

    OCSPResponse ::= SEQUENCE {
       responseStatus         OCSPResponseStatus,          -- ENUMERATED
       responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
    ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
    BasicOCSPResponse ::= SEQUENCE {
       tbsResponseData      ResponseData,
       signatureAlgorithm   AlgorithmIdentifier,
       signature            BIT STRING,
       certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
    ResponseData ::= SEQUENCE {
       version              [0] EXPLICIT Version DEFAULT v1,
       responderID              ResponderID,               -- byName [1] Name | byKey [2] KeyHash
       producedAt               GeneralizedTime,
       responses                SEQUENCE OF SingleResponse,
       responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
    SingleResponse ::= SEQUENCE {
       certID                       CertID,
       certStatus                   CertStatus,            -- good [0] | revoked [1] | unknown [2]
       thisUpdate                   GeneralizedTime,
       nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
       singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
"""

import hashlib

import der
from der import seq, explicit, octet_string, oid, integer

# ---------------------------------------------------------------- object identifiers

ID_PKIX_OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1"
ID_PKIX_OCSP_NONCE = "1.3.6.1.5.5.7.48.1.2"
ID_CT_OCSP_SCTS = "1.3.6.1.4.1.11129.2.4.5"

HASH_OIDS = {
    "sha1": "1.3.14.3.2.26",
    "sha224": "2.16.840.1.101.3.4.2.4",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
    "md5": "1.2.840.113549.2.5",
}

SHA256_RSA = "1.2.840.113549.1.1.11"
RSA_PSS = "1.2.840.113549.1.1.10"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"
ECDSA_SHA384 = "1.2.840.10045.4.3.3"


def _pss_params(digest, salt_len):
    hash_alg = der.algorithm_identifier(HASH_OIDS[digest])
    return seq(explicit(0, hash_alg),
               explicit(1, seq(oid("1.2.840.113549.1.1.8"), hash_alg)),
               explicit(2, integer(salt_len)))


# name -> (AlgorithmIdentifier DER, signing scheme, digest, PSS salt length). The encodings are the
# ones rustls-pki-types' alg_id module uses (checked byte for byte against its data/*.der files).
SIGNATURE_ALGORITHMS = {
    "rsa-sha256": (der.algorithm_identifier(SHA256_RSA), "pkcs1", "sha256", None),
    "rsa-sha384": (der.algorithm_identifier("1.2.840.113549.1.1.12"), "pkcs1", "sha384", None),
    "rsa-sha512": (der.algorithm_identifier("1.2.840.113549.1.1.13"), "pkcs1", "sha512", None),
    "rsa-sha1": (der.algorithm_identifier("1.2.840.113549.1.1.5"), "pkcs1", "sha1", None),
    "rsa-md5": (der.algorithm_identifier("1.2.840.113549.1.1.4"), "pkcs1", "md5", None),
    "rsa-pss-sha256": (der.algorithm_identifier(RSA_PSS, _pss_params("sha256", 32)), "pss", "sha256", 32),
    # Not one of the pki-types encodings: a verifier matching AlgorithmIdentifiers exactly refuses it.
    "rsa-pss-sha256-salt20": (der.algorithm_identifier(RSA_PSS, _pss_params("sha256", 20)), "pss", "sha256", 20),
    "ecdsa-sha256": (der.algorithm_identifier(ECDSA_SHA256, None), "ecdsa", "sha256", None),
    "ecdsa-sha384": (der.algorithm_identifier(ECDSA_SHA384, None), "ecdsa", "sha384", None),
}

# ---------------------------------------------------------------- pieces


def cert_id(cert, issuer, hash_name="sha1", params=der.null(), hash_oid=None, name_hash=None, key_hash=None, serial=None):
    """CertID for cert: issuerNameHash over cert's issuer Name TLV, issuerKeyHash over the issuer's
    subjectPublicKey BIT STRING contents, serialNumber = cert's serial content octets, verbatim.
    hash_oid overrides the OID only (the values stay hashed with hash_name)."""
    return seq(
        der.algorithm_identifier(hash_oid or HASH_OIDS[hash_name], params),
        octet_string(name_hash if name_hash is not None else hashlib.new(hash_name, cert.issuer_tlv).digest()),
        octet_string(key_hash if key_hash is not None else issuer.key_hash(hash_name)),
        integer(serial if serial is not None else cert.serial_content),
    )


GOOD = b"\x80\x00"
UNKNOWN = b"\x82\x00"


def revoked(when, reason=None):
    """[1] IMPLICIT RevokedInfo { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }"""
    body = der.gt(when) if isinstance(when, str) else when
    if reason is not None:
        body += explicit(0, der.enumerated(reason))
    return der.ctx(1, body)


def time_field(value):
    """An RFC 3339 string becomes a GeneralizedTime; bytes are used as the raw TLV."""
    return der.gt(value) if isinstance(value, str) else value


def single(certid, status=GOOD, this_update="2026-01-01T00:00:00Z", next_update="2026-01-08T00:00:00Z",
           extensions=None, trailing=b""):
    return seq(
        certid,
        status,
        time_field(this_update),
        explicit(0, time_field(next_update)) if next_update is not None else b"",
        explicit(1, seq(*extensions)) if extensions is not None else b"",
        trailing,
    )


def extension(ext_oid, value, critical=False, critical_raw=None):
    crit = critical_raw if critical_raw is not None else (der.boolean(True) if critical else b"")
    return seq(oid(ext_oid), crit, octet_string(value))


def nonce_extension(nonce, critical=False):
    """id-pkix-ocsp-nonce; extnValue is the DER OCTET STRING holding the nonce (RFC 8954)."""
    return extension(ID_PKIX_OCSP_NONCE, octet_string(nonce), critical)


def by_name(cert):
    return explicit(1, cert.subject_tlv)


def by_key(cert):
    return explicit(2, octet_string(cert.key_hash("sha1")))


def response_data(responder_id, singles, produced_at="2026-01-01T00:00:00Z", extensions=None, version=b"",
                  after_responder_id=b"", trailing=b""):
    return seq(
        version,
        responder_id,
        after_responder_id,
        time_field(produced_at),
        seq(*singles),
        explicit(1, seq(*extensions)) if extensions is not None else b"",
        trailing,
    )


def basic_response(tbs, signature_algorithm, signature, certs=None, trailing=b""):
    return seq(
        tbs,
        signature_algorithm,
        der.bit_string(signature),
        explicit(0, seq(*certs)) if certs is not None else b"",
        trailing,
    )


def ocsp_response(status=0, basic=None, response_type=ID_PKIX_OCSP_BASIC, octet_trailing=b""):
    if basic is None:
        return seq(der.enumerated(status))
    return seq(der.enumerated(status), explicit(0, seq(oid(response_type), octet_string(basic + octet_trailing))))


def sct_list():
    """A well-formed SignedCertificateTimestampList (RFC 6962 3.3) holding one made-up SCT."""
    sct = (b"\x00" + bytes(range(32)) + (1767225600000).to_bytes(8, "big") + b"\x00\x00"
           + b"\x04\x03" + (8).to_bytes(2, "big") + b"\x30\x06\x02\x01\x01\x02\x01\x01")
    item = len(sct).to_bytes(2, "big") + sct
    return octet_string(len(item).to_bytes(2, "big") + item)


# ---------------------------------------------------------------- reader (for the manifest)

STATUS_NAMES = {0: "successful", 1: "malformedRequest", 2: "internalError", 3: "tryLater",
                5: "sigRequired", 6: "unauthorized"}


def describe(data):
    """The manifest's `parse` block for a well-formed response."""
    top = der.parse(data).children()
    status = int.from_bytes(top[0].content, "big")
    out = {"response_status": STATUS_NAMES[status]}
    if status != 0:
        return out
    _rtype, octets = top[1].children()[0].children()
    basic = der.parse(octets.content)
    parts = basic.children()
    tbs, alg, _sig = parts[:3]
    certs = len(parts[3].children()[0].children()) if len(parts) > 3 else 0
    fields = tbs.children()
    version = 0
    if fields[0].tag == 0xA0:
        version = int.from_bytes(fields[0].children()[0].content, "big")
        fields = fields[1:]
    rid, produced, responses = fields[:3]
    extensions = extension_list(fields[3]) if len(fields) > 3 else []
    inner = rid.children()[0]
    responder_id = {"by_name": inner.raw.hex()} if rid.tag == 0xA1 else {"by_key": inner.content.hex()}
    out.update({
        "version": version,
        "responder_id": responder_id,
        "produced_at": der.rfc3339(der.decode_time(produced)),
        "signature_algorithm": der.decode_oid(alg.children()[0].content),
        "certs": certs,
        "response_count": len(responses.children()),
        "responses": elide([describe_single(s) for s in responses.children()]),
        "response_extensions": len(extensions),
        "nonce": nonce_of(extensions),
    })
    if len(out["responses"]) != out["response_count"]:
        out["responses_elided"] = True
    return out


ELIDE_OVER = 100


def elide(singles):
    """Lists longer than ELIDE_OVER keep only their first three entries (the manifest says so
    with "responses_elided"); the benchmark with 1000 entries would otherwise be most of the
    manifest. A prefix, so that a test zipping parsed and listed entries stays right."""
    return singles if len(singles) <= ELIDE_OVER else singles[:3]


def extension_list(explicit_tlv):
    out = []
    for ext in explicit_tlv.children()[0].children():
        parts = ext.children()
        out.append((der.decode_oid(parts[0].content), len(parts) == 3, parts[-1].content))
    return out


def nonce_of(extensions):
    for ext_oid, _critical, value in extensions:
        if ext_oid == ID_PKIX_OCSP_NONCE:
            return der.parse(value).content.hex()
    return None


def singles(data):
    """Every SingleResponse of a well-formed successful response, described (never elided)."""
    top = der.parse(data).children()
    basic = der.parse(top[1].children()[0].children()[1].content)
    tbs = basic.children()[0].children()
    responses = tbs[3] if tbs[0].tag == 0xA0 else tbs[2]
    return [describe_single(s) for s in responses.children()]


def describe_single(s):
    parts = s.children()
    cid, status, this_update = parts[:3]
    alg, name_hash, key_hash, serial = cid.children()
    item = {
        "hash_algorithm": der.decode_oid(alg.children()[0].content),
        "issuer_name_hash": name_hash.content.hex(),
        "issuer_key_hash": key_hash.content.hex(),
        "serial": serial.content.hex(),
        "status": {0x80: "good", 0xA1: "revoked", 0x82: "unknown"}[status.tag],
        "revocation_time": None,
        "revocation_reason": None,
        "this_update": der.rfc3339(der.decode_time(this_update)),
        "next_update": None,
        "extensions": 0,
    }
    if status.tag == 0xA1:
        info = status.children()
        item["revocation_time"] = der.rfc3339(der.decode_time(info[0]))
        if len(info) > 1:
            item["revocation_reason"] = int.from_bytes(info[1].children()[0].content, "big")
    for p in parts[3:]:
        if p.tag == 0xA0:
            item["next_update"] = der.rfc3339(der.decode_time(p.children()[0]))
        elif p.tag == 0xA1:
            item["extensions"] = len(p.children()[0].children())
    return item


def split_basic(data):
    """(tbsResponseData TLV, signatureAlgorithm TLV, signature bytes, [cert DER]) of a response."""
    top = der.parse(data).children()
    basic = der.parse(top[1].children()[0].children()[1].content)
    parts = basic.children()
    certs = [c.raw for c in parts[3].children()[0].children()] if len(parts) > 3 else []
    return parts[0].raw, parts[1].raw, parts[2].content[1:], certs
