"""The test PKI: keys (made once, then reused) and certificates (rebuilt on every run).

Certificates are issued with `openssl ca` (fixed -startdate/-enddate, fixed serials, extensions
from a config section). Certificates signed by an RSA key are deterministic as openssl makes
them. For certificates signed by an ECDSA key, the tbsCertificate openssl made is kept and the
signature is replaced by a deterministic RFC 6979 one (see crypto.py), so that every
certificate is a pure function of the keys and this file.
"""

import hashlib
import os
import tempfile

import crypto
import der

NORMAL_VALIDITY = ("20250101000000Z", "20350101000000Z")
OCSP_URL = "http://127.0.0.1:8888/"

O = "/C=XX/O=ocsp-verify test"

# ---------------------------------------------------------------- extension sections

CA = """basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
"""
SUB_CA = """basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""
EE = """basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:{name}.test
authorityInfoAccess = OCSP;URI:%s
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
""" % OCSP_URL
# An end entity without basicConstraints (is_ca is null in certs.json).
EE_NO_BC = """keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:{name}.test
authorityInfoAccess = OCSP;URI:%s
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
""" % OCSP_URL
EC_EE = EE.replace("digitalSignature,keyEncipherment", "digitalSignature")


def responder(eku="extendedKeyUsage = OCSPSigning", ca="CA:FALSE", extra=""):
    text = "basicConstraints = critical,%s\n" % ca
    text += "keyUsage = critical,digitalSignature\n" if ca == "CA:FALSE" else "keyUsage = critical,digitalSignature,keyCertSign\n"
    if eku:
        text += eku + "\n"
    text += "1.3.6.1.5.5.7.48.1.5 = ASN1:NULL\n"  # id-pkix-ocsp-nocheck
    text += "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n" + extra
    return text


TRUSTED_RESPONDER = """basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
"""
TLS_EE = """basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityInfoAccess = OCSP;URI:%s
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
""" % OCSP_URL
MUST_STAPLE = "1.3.6.1.5.5.7.1.24 = DER:30:03:02:01:05\n"  # TLS feature status_request
TLS_FEATURE_17 = "1.3.6.1.5.5.7.1.24 = DER:30:03:02:01:11\n"  # TLS feature status_request_v2 only


class Spec:
    def __init__(self, name, key, subject, issuer, serial, ext, validity=NORMAL_VALIDITY, md="sha256",
                 directory="pki", serial_content=None, note=""):
        self.name, self.key, self.subject, self.issuer = name, key, subject, issuer
        self.serial, self.ext, self.validity, self.md = serial, ext, validity, md
        self.directory, self.serial_content, self.note = directory, serial_content, note


# Issuance order matters: an issuer comes before what it issues. issuer None = self-signed.
SPECS = [
    Spec("rsa-ca", "rsa2048", O + "/CN=RSA Test CA", None, 0x01, CA, note="RSA-2048 root; issuer of the main vectors"),
    Spec("rsa-ee", "rsa2048", O + "/CN=rsa-ee", "rsa-ca", 0x1001, EE.format(name="rsa-ee"), note="end entity the main vectors ask about"),
    Spec("rsa-ee2", "rsa2048", O + "/CN=rsa-ee2", "rsa-ca", 0x9F1002, EE_NO_BC.format(name="rsa-ee2"),
         note="second end entity; serial needs a leading 00 (00 9f 10 02); no basicConstraints"),
    Spec("rsa-ee-nonminimal-serial", "rsa2048", O + "/CN=rsa-ee-nonminimal-serial", "rsa-ca", 0x1003,
         EE.format(name="rsa-ee-nonminimal-serial"), serial_content=bytes.fromhex("001003"),
         note="serial INTEGER encoded 00 10 03 (not minimal): openssl cannot make it, so the tbsCertificate openssl made for serial 0x1003 is patched and re-signed by rsa-ca"),
    Spec("rsa-responder", "rsa2048", O + "/CN=RSA Test OCSP Responder", "rsa-ca", 0x2001, responder(),
         note="delegated responder: EKU OCSPSigning, ocsp-nocheck, CA:FALSE, KU digitalSignature"),
    Spec("rsa-responder-noeku", "rsa2048", O + "/CN=Responder without EKU", "rsa-ca", 0x2002, responder(eku=""),
         note="bad delegated responder: no EKU extension"),
    Spec("rsa-responder-serverauth", "rsa2048", O + "/CN=Responder with serverAuth", "rsa-ca", 0x2003,
         responder(eku="extendedKeyUsage = serverAuth"), note="bad delegated responder: EKU serverAuth only"),
    Spec("rsa-responder-anyeku", "rsa2048", O + "/CN=Responder with anyExtendedKeyUsage", "rsa-ca", 0x2004,
         responder(eku="extendedKeyUsage = anyExtendedKeyUsage"), note="bad delegated responder: EKU anyExtendedKeyUsage only"),
    Spec("rsa-responder-ca", "rsa2048", O + "/CN=Responder that is a CA", "rsa-ca", 0x2005, responder(ca="CA:TRUE"),
         note="bad delegated responder: OCSPSigning but basicConstraints CA:TRUE"),
    Spec("rsa-responder-expired", "rsa2048", O + "/CN=Expired Responder", "rsa-ca", 0x2006, responder(),
         validity=("20240101000000Z", "20250601000000Z"), note="bad delegated responder: valid 2024-01-01..2025-06-01"),
    Spec("rsa-responder-notyetvalid", "rsa2048", O + "/CN=Not Yet Valid Responder", "rsa-ca", 0x2007, responder(),
         validity=("20270101000000Z", "20300101000000Z"), note="bad delegated responder: valid 2027-01-01..2030-01-01"),
    Spec("rsa-responder-critext", "rsa2048", O + "/CN=Responder with unknown critical extension", "rsa-ca", 0x2008,
         responder(extra="1.2.3.4.5 = critical,ASN1:NULL\n"), note="bad delegated responder: unknown critical extension 1.2.3.4.5"),
    Spec("other-ca", "rsa2048", O + "/CN=Other Test CA", None, 0x05, CA, note="unrelated RSA root"),
    Spec("rsa-responder-otherca", "rsa2048", O + "/CN=Responder issued by Other CA", "other-ca", 0x2009, responder(),
         note="bad delegated responder for rsa-ca: issued by other-ca"),
    Spec("evil-ca", "rsa2048", O + "/CN=RSA Test CA", None, 0x06, CA,
         note="root with the SAME subject name as rsa-ca but its own key"),
    Spec("rsa-responder-evil", "rsa2048", O + "/CN=Responder issued by Evil CA", "evil-ca", 0x200A, responder(),
         note="bad delegated responder: issuer name is rsa-ca's, signature is evil-ca's"),
    Spec("rsa-intermediate", "rsa2048", O + "/CN=RSA Test Intermediate CA", "rsa-ca", 0x0100, SUB_CA, note="sub-CA of rsa-ca"),
    Spec("rsa-responder-intermediate", "rsa2048", O + "/CN=Responder issued by the Intermediate", "rsa-intermediate",
         0x200B, responder(), note="bad delegated responder for rsa-ca: issued by rsa-intermediate, not directly by rsa-ca"),
    Spec("trusted-responder", "rsa2048", O + "/CN=Locally Trusted OCSP Responder", None, 0x07, TRUSTED_RESPONDER,
         note="standalone self-signed responder (EKU OCSPSigning), trusted locally by callers"),
    Spec("p256-ca", "p256", O + "/CN=P-256 Test CA", None, 0x02, CA, note="ECDSA P-256 root"),
    Spec("p256-ee", "p256", O + "/CN=p256-ee", "p256-ca", 0x3001, EC_EE.format(name="p256-ee")),
    Spec("p256-responder", "p256", O + "/CN=P-256 Test OCSP Responder", "p256-ca", 0x3002, responder(),
         note="delegated responder of p256-ca"),
    Spec("p256-ee-tls-feature-17", "p256", O + "/CN=p256-ee-tls-feature-17", "p256-ca", 0x3003,
         EC_EE.format(name="p256-ee-tls-feature-17") + TLS_FEATURE_17,
         note="TLS feature extension listing only 17 (status_request_v2), which no client can satisfy"),
    Spec("p384-ca", "p384", O + "/CN=P-384 Test CA", None, 0x03, CA, md="sha384", note="ECDSA P-384 root (ecdsa-with-SHA384)"),
    Spec("p384-ee", "p384", O + "/CN=p384-ee", "p384-ca", 0x4001, EC_EE.format(name="p384-ee"), md="sha384"),
    Spec("rsa1024-ca", "rsa1024", O + "/CN=RSA-1024 Test CA", None, 0x04, CA, note="RSA-1024 root (key too small)"),
    Spec("rsa1024-ee", "rsa2048", O + "/CN=rsa1024-ee", "rsa1024-ca", 0x5001, EE.format(name="rsa1024-ee")),
    # TLS material for handshake tests.
    Spec("tls-root", "p256", O + "/CN=TLS Test Root", None, 0x08, CA, directory="pki/tls", note="ECDSA P-256 root"),
    Spec("tls-int", "p256", O + "/CN=TLS Test Intermediate", "tls-root", 0x6001, SUB_CA, directory="pki/tls"),
    Spec("tls-server", "p256", O + "/CN=localhost", "tls-int", 0x6002, TLS_EE, directory="pki/tls",
         note="SAN localhost/127.0.0.1, EKU serverAuth, AIA OCSP"),
    Spec("tls-server-direct", "p256", O + "/CN=localhost direct", "tls-root", 0x6003, TLS_EE, directory="pki/tls",
         note="issued directly by tls-root"),
    Spec("tls-server-muststaple", "p256", O + "/CN=localhost must-staple", "tls-int", 0x6004, TLS_EE + MUST_STAPLE,
         directory="pki/tls", note="TLS feature status_request (must-staple)"),
    Spec("tls-other", "p256", O + "/CN=localhost other", "tls-int", 0x6005, TLS_EE, directory="pki/tls",
         note="another end entity, for 'response for another certificate'"),
    Spec("tls-int-impostor", "p256", O + "/CN=TLS Test Intermediate", None, 0x6006, CA, directory="pki/tls",
         note="self-signed, with tls-int's subject name and its own key: a server may send it beside the chain"),
]

OPENSSL_CA_CONF = """[ ca ]
default_ca = CA_default
[ CA_default ]
database = {db}/index.txt
new_certs_dir = {db}/new
serial = {db}/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
countryName = optional
organizationName = optional
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ext ]
{ext}"""


# ---------------------------------------------------------------- certificate view

# Extensions a verifier is expected to understand (anything else critical is "unknown").
KNOWN_EXTENSIONS = {
    "2.5.29.19",  # basicConstraints
    "2.5.29.15",  # keyUsage
    "2.5.29.37",  # extKeyUsage
    "2.5.29.17",  # subjectAltName
    "2.5.29.14",  # subjectKeyIdentifier
    "2.5.29.35",  # authorityKeyIdentifier
    "1.3.6.1.5.5.7.1.1",  # authorityInfoAccess
    "1.3.6.1.5.5.7.1.24",  # TLS feature
    "1.3.6.1.5.5.7.48.1.5",  # id-pkix-ocsp-nocheck
}


class Cert:
    """What the generator needs to know about a certificate, read from its DER."""

    def __init__(self, data, path=None, name=None):
        self.der, self.path, self.name = data, path, name
        top = der.parse(data)
        tbs, self.sig_alg, self.sig = top.children()
        self.tbs = tbs.raw
        f = tbs.children()
        if f[0].tag == 0xA0:
            f = f[1:]
        serial, _alg, issuer, validity, subject, spki = f[:6]
        self.serial_content = serial.content
        self.issuer_tlv, self.subject_tlv, self.spki_tlv = issuer.raw, subject.raw, spki.raw
        self.not_before, self.not_after = (der.decode_time(t) for t in validity.children())
        spki_alg, spk = spki.children()
        self.spki_algorithm = der.decode_oid(spki_alg.children()[0].content)
        self.public_key_bits = spk.content[1:]  # subjectPublicKey BIT STRING contents, unused-bits byte removed
        self.extensions = []  # (oid, critical, value bytes)
        for field in f[6:]:
            if field.tag == 0xA3:
                for ext in field.children()[0].children():
                    parts = ext.children()
                    critical = len(parts) == 3 and parts[1].content == b"\xff"
                    self.extensions.append((der.decode_oid(parts[0].content), critical, parts[-1].content))

    def ext(self, oid):
        for o, critical, value in self.extensions:
            if o == oid:
                return value
        return None

    def tls_features(self):
        """The INTEGERs of the TLS feature extension (RFC 7633), [] without it."""
        value = self.ext("1.3.6.1.5.5.7.1.24")
        if value is None:
            return []
        return [der.decode_integer(t, "TLS feature") for t in der.parse(value).children()]

    def key_hash(self, hash_name="sha1"):
        return hashlib.new(hash_name, self.public_key_bits).digest()

    def describe(self):
        eku_value = self.ext("2.5.29.37")
        ekus = [der.decode_oid(t.content) for t in der.parse(eku_value).children()] if eku_value else []
        bc = self.ext("2.5.29.19")
        is_ca = None
        if bc is not None:
            parts = der.parse(bc).children()
            is_ca = bool(parts) and parts[0].tag == der.BOOLEAN and parts[0].content == b"\xff"
        urls = []
        aia = self.ext("1.3.6.1.5.5.7.1.1")
        if aia:
            for ad in der.parse(aia).children():
                method, location = ad.children()
                if der.decode_oid(method.content) == "1.3.6.1.5.5.7.48.1" and location.tag == 0x86:
                    urls.append(location.content.decode())
        features = self.tls_features()
        return {
            "path": self.path,
            "serial": self.serial_content.hex(),
            "issuer": self.issuer_tlv.hex(),
            "subject": self.subject_tlv.hex(),
            "not_before": der.rfc3339(self.not_before),
            "not_after": der.rfc3339(self.not_after),
            "spki_algorithm": self.spki_algorithm,
            "eku": ekus,
            "has_any_eku": "2.5.29.37.0" in ekus,
            "ocsp_signing": "1.3.6.1.5.5.7.3.9" in ekus,
            "is_ca": is_ca,
            "ocsp_nocheck": self.ext("1.3.6.1.5.5.7.48.1.5") is not None,
            "must_staple": 5 in features,
            "tls_features": features,
            "ocsp_urls": urls,
            "unknown_critical_extension": any(c and o not in KNOWN_EXTENSIONS for o, c, _ in self.extensions),
        }


# ---------------------------------------------------------------- building

class Pki:
    def __init__(self, out, fresh=False, log=print):
        self.out, self.fresh, self.log = out, fresh, log
        self.certs, self.keys, self.specs = {}, {}, {}

    def key_path(self, spec):
        return os.path.join(self.out, spec.directory, spec.name + ".key")

    def cert_path(self, spec, ext="der"):
        return os.path.join(self.out, spec.directory, spec.name + "." + ext)

    def build(self):
        made = 0
        for spec in SPECS:
            os.makedirs(os.path.join(self.out, spec.directory), exist_ok=True)
            kp = self.key_path(spec)
            if self.fresh or not os.path.exists(kp):
                crypto.generate_key(kp, spec.key)
                made += 1
            self.keys[spec.name] = crypto.Key(kp)
            self.specs[spec.name] = spec
            self.issue(spec)
        self.log("pki: %d certificates, %d new keys" % (len(SPECS), made))

    def issue(self, spec):
        with tempfile.TemporaryDirectory() as db:
            os.mkdir(os.path.join(db, "new"))
            open(os.path.join(db, "index.txt"), "w").close()
            with open(os.path.join(db, "serial"), "w") as f:
                digits = "%X" % spec.serial
                f.write(digits.rjust(len(digits) + len(digits) % 2, "0") + "\n")  # openssl wants whole bytes
            conf = os.path.join(db, "ca.cnf")
            with open(conf, "w") as f:
                f.write(OPENSSL_CA_CONF.format(db=db, ext=spec.ext))
            csr, pem = os.path.join(db, "req.csr"), os.path.join(db, "cert.pem")
            crypto.openssl("req", "-new", "-config", conf, "-key", self.key_path(spec), "-subj", spec.subject, "-out", csr)
            args = ["ca", "-batch", "-config", conf, "-in", csr, "-out", pem, "-notext", "-preserveDN",
                    "-startdate", spec.validity[0], "-enddate", spec.validity[1], "-md", spec.md, "-extensions", "ext"]
            if spec.issuer is None:
                args += ["-selfsign", "-keyfile", self.key_path(spec)]
                signer = self.keys[spec.name]
            else:
                ispec = self.specs[spec.issuer]
                args += ["-cert", self.cert_path(ispec, "pem"), "-keyfile", self.key_path(ispec)]
                signer = self.keys[spec.issuer]
            crypto.openssl(*args)
            with open(pem) as f:
                data = crypto.pem_to_der(f.read())
        cert = Cert(data)
        tbs = cert.tbs
        if spec.serial_content is not None:
            tbs = patch_serial(tbs, spec.serial_content)
        if signer.kind == "ec" or tbs != cert.tbs:
            scheme = "ecdsa" if signer.kind == "ec" else "pkcs1"
            data = der.seq(tbs, cert.sig_alg.raw, der.bit_string(signer.sign(tbs, scheme, spec.md)))
        with open(self.cert_path(spec), "wb") as f:
            f.write(data)
        with open(self.cert_path(spec, "pem"), "w") as f:
            f.write(crypto.der_to_pem(data, "CERTIFICATE"))
        rel = os.path.relpath(self.cert_path(spec), self.out)
        self.certs[spec.name] = Cert(data, rel, spec.name)

    def verify_chain(self):
        """openssl's opinion of every certificate signature (each issuer trusted on its own)."""
        for spec in SPECS:
            issuer = self.specs[spec.issuer or spec.name]
            proc = crypto.openssl("verify", "-partial_chain", "-no_check_time", "-ignore_critical", "-CAfile", self.cert_path(issuer, "pem"),
                                  self.cert_path(spec, "pem"), check=False)
            if proc.returncode != 0 and spec.name != "rsa-ee-nonminimal-serial":
                raise RuntimeError("openssl verify refused %s: %s" % (spec.name, proc.stdout + proc.stderr))


def patch_serial(tbs, serial_content):
    """Replace the serialNumber INTEGER of a tbsCertificate with the given content octets."""
    t = der.parse(tbs)
    fields = t.children()
    i = 1 if fields[0].tag == 0xA0 else 0
    parts = [f.raw for f in fields]
    parts[i] = der.integer(serial_content)
    return der.seq(*parts)

