"""Keys and signatures: the openssl CLI for RSA, deterministic ECDSA (RFC 6979) in Python.

Why not `openssl dgst -sign` for everything: openssl 3.0 draws a random nonce for ECDSA and a
random salt for RSA-PSS, so every run would produce different bytes and the committed vectors
could not be checked by regenerating them. So:

- RSA PKCS#1 v1.5: `openssl dgst -<md> -sign` (deterministic by nature).
- RSA-PSS: the EMSA-PSS encoding is built here with a salt derived from the message
  (the first saltLength bytes of SHA-256 over a fixed label and the message), then the raw RSA private-key operation is done
  by `openssl pkeyutl -decrypt -pkeyopt rsa_padding_mode:none` (m^d mod n; `pkeyutl -sign`
  refuses an input longer than a digest). Verifiers do not care where the salt came from.
- ECDSA P-256/P-384: RFC 6979 deterministic nonces, computed here from the private scalar read
  out of the PKCS#8 key file.

Every signature made here is checked at once with `openssl dgst -verify` against the public
key, so a bug in this file cannot produce a silently wrong vector.
"""

import base64
import hashlib
import hmac
import os
import subprocess
import tempfile

import der

OPENSSL = os.environ.get("OPENSSL", "openssl")


def openssl(*args, data=None, check=True):
    proc = subprocess.run([OPENSSL, *args], input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and proc.returncode != 0:
        raise RuntimeError("openssl %s failed:\n%s" % (" ".join(args), proc.stderr.decode(errors="replace")))
    return proc


# ---------------------------------------------------------------- keys

def generate_key(path, kind):
    """kind: rsa2048, rsa1024, p256, p384. Writes a PKCS#8 PEM private key."""
    if kind.startswith("rsa"):
        opts = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:%d" % int(kind[3:])]
    else:
        curve = {"p256": "P-256", "p384": "P-384"}[kind]
        opts = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-pkeyopt", "ec_param_enc:named_curve"]
    openssl("genpkey", *opts, "-out", path)


def pem_to_der(text):
    body = "".join(line for line in text.splitlines() if line and not line.startswith("-----"))
    return base64.b64decode(body)


def der_to_pem(data, label):
    b64 = base64.b64encode(data).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


class Key:
    """A private key file, with what the signers need to know about it."""

    def __init__(self, path):
        self.path = path
        with open(path) as f:
            pkcs8 = der.parse(pem_to_der(f.read()))
        _version, alg, private = pkcs8.children()[:3]
        alg_oid = der.decode_oid(alg.children()[0].content)
        if alg_oid == "1.2.840.113549.1.1.1":
            self.kind = "rsa"
            fields = der.parse(private.content).children()
            self.n = int.from_bytes(fields[1].content, "big")
            self.bits = self.n.bit_length()
        elif alg_oid == "1.2.840.10045.2.1":
            self.kind = "ec"
            self.curve = CURVES[der.decode_oid(alg.children()[1].content)]
            self.d = int.from_bytes(der.parse(private.content).children()[1].content, "big")
            self.bits = self.curve.n.bit_length()
        else:
            raise ValueError("unsupported key type " + alg_oid)
        self.public_pem = openssl("pkey", "-in", path, "-pubout").stdout

    def sign(self, message, scheme, digest, salt_len=None):
        """scheme: pkcs1, pss or ecdsa; digest: md5, sha1, sha256, sha384, sha512; salt_len for pss."""
        if scheme == "pkcs1":
            assert self.kind == "rsa"
            sig = openssl("dgst", "-" + digest, "-sign", self.path, data=message).stdout
        elif scheme == "pss":
            assert self.kind == "rsa"
            salt_len = salt_len or PSS_SALT_LEN[digest]
            em = emsa_pss_encode(message, self.bits - 1, digest, salt_len)
            k = (self.bits + 7) // 8
            sig = openssl("pkeyutl", "-decrypt", "-inkey", self.path, "-pkeyopt", "rsa_padding_mode:none",
                          data=em.rjust(k, b"\x00")).stdout
        elif scheme == "ecdsa":
            assert self.kind == "ec"
            sig = ecdsa_sign(self.curve, self.d, message, digest)
        else:
            raise ValueError(scheme)
        self.verify(message, sig, scheme, digest, salt_len)
        return sig

    def verify(self, message, sig, scheme, digest, salt_len=None):
        with tempfile.TemporaryDirectory() as tmp:
            pub, sigfile = os.path.join(tmp, "pub.pem"), os.path.join(tmp, "sig.bin")
            with open(pub, "wb") as f:
                f.write(self.public_pem)
            with open(sigfile, "wb") as f:
                f.write(sig)
            opts = []
            if scheme == "pss":
                opts = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:%d" % salt_len,
                        "-sigopt", "rsa_mgf1_md:" + digest]
            proc = openssl("dgst", "-" + digest, "-verify", pub, *opts, "-signature", sigfile, data=message, check=False)
            if proc.returncode != 0 or b"Verified OK" not in proc.stdout:
                raise RuntimeError("signature made for %s does not verify" % self.path)


# ---------------------------------------------------------------- RSA-PSS

PSS_SALT_LEN = {"sha256": 32, "sha384": 48, "sha512": 64}


def mgf1(seed, length, digest):
    out, counter = b"", 0
    while len(out) < length:
        out += hashlib.new(digest, seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def emsa_pss_encode(message, em_bits, digest, s_len):
    """RFC 8017 9.1.1 with a salt derived from the message (deterministic output)."""
    h_len = hashlib.new(digest).digest_size
    em_len = (em_bits + 7) // 8
    m_hash = hashlib.new(digest, message).digest()
    salt = hashlib.sha256(b"ocsp-verify test vector PSS salt" + message).digest()[:s_len].ljust(s_len, b"\x00")
    h = hashlib.new(digest, b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - s_len - h_len - 2) + b"\x01" + salt
    masked = bytearray(a ^ b for a, b in zip(db, mgf1(h, em_len - h_len - 1, digest)))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


# ---------------------------------------------------------------- ECDSA (RFC 6979)

class Curve:
    def __init__(self, name, p, a, b, gx, gy, n):
        self.name, self.p, self.a, self.b, self.g, self.n = name, p, a, b, (gx, gy), n

    def add(self, P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        p = self.p
        if P[0] == Q[0]:
            if (P[1] + Q[1]) % p == 0:
                return None
            lam = (3 * P[0] * P[0] + self.a) * pow(2 * P[1], -1, p) % p
        else:
            lam = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
        x = (lam * lam - P[0] - Q[0]) % p
        return (x, (lam * (P[0] - x) - P[1]) % p)

    def mul(self, k, P):
        R = None
        while k:
            if k & 1:
                R = self.add(R, P)
            P = self.add(P, P)
            k >>= 1
        return R


P256 = Curve(
    "P-256",
    0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    -3,
    0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)
P384 = Curve(
    "P-384",
    int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF", 16),
    -3,
    int("B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF", 16),
    int("AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7", 16),
    int("3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F", 16),
    int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16),
)
CURVES = {"1.2.840.10045.3.1.7": P256, "1.3.132.0.34": P384}


def _bits2int(data, qlen):
    v = int.from_bytes(data, "big")
    blen = 8 * len(data)
    return v >> (blen - qlen) if blen > qlen else v


def rfc6979_nonce(curve, d, h1, digest):
    q = curve.n
    qlen = q.bit_length()
    rolen = (qlen + 7) // 8
    bx = d.to_bytes(rolen, "big") + (_bits2int(h1, qlen) % q).to_bytes(rolen, "big")
    hlen = hashlib.new(digest).digest_size
    v, k = b"\x01" * hlen, b"\x00" * hlen

    def mac(key, msg):
        return hmac.new(key, msg, digest).digest()

    k = mac(k, v + b"\x00" + bx)
    v = mac(k, v)
    k = mac(k, v + b"\x01" + bx)
    v = mac(k, v)
    while True:
        t = b""
        while len(t) < rolen:
            v = mac(k, v)
            t += v
        nonce = _bits2int(t, qlen)
        if 1 <= nonce < q:
            return nonce
        k = mac(k, v + b"\x00")
        v = mac(k, v)


def ecdsa_sign(curve, d, message, digest):
    """Returns the DER Ecdsa-Sig-Value (what goes inside the BIT STRING)."""
    h1 = hashlib.new(digest, message).digest()
    q = curve.n
    e = _bits2int(h1, q.bit_length())
    k = rfc6979_nonce(curve, d, h1, digest)
    r = curve.mul(k, curve.g)[0] % q
    s = pow(k, -1, q) * (e + r * d) % q
    assert r and s
    return der.seq(der.integer(r), der.integer(s))
