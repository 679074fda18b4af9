"""Keys and signatures: the openssl CLI for RSA, pyca/cryptography for deterministic ECDSA.

Why not `openssl dgst -sign` for everything: openssl 3.0 draws a random nonce for ECDSA and a
random salt for RSA-PSS, so every run would produce different bytes and the committed vectors
could not be checked by regenerating them. So:

- RSA PKCS#1 v1.5: `openssl dgst -<md> -sign` (deterministic by nature).
- RSA-PSS: the EMSA-PSS encoding is built here with a salt derived from the message
  (the first saltLength bytes of SHA-256 over a fixed label and the message), then the raw RSA
  private-key operation is done by `openssl pkeyutl -decrypt -pkeyopt rsa_padding_mode:none`
  (m^d mod n; `pkeyutl -sign` refuses an input longer than a digest). Verifiers do not care
  where the salt came from. This part has to stay hand-written: pyca/cryptography's PSS signer
  always draws a random salt (there is no way to pass one in) and it offers no raw RSA
  private-key operation to apply to an encoding made elsewhere.
- ECDSA P-256/P-384: pyca/cryptography (>= 44) with `deterministic_signing=True`, i.e. RFC 6979
  nonces, which makes the same signature for the same key and message on every run.

Every signature made here is checked at once with `openssl dgst -verify` against the public
key, so a bug in this file cannot produce a silently wrong vector.
"""

import base64
import hashlib
import os
import subprocess
import tempfile

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

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
        with open(path, "rb") as f:
            self.private = serialization.load_pem_private_key(f.read(), password=None)
        if isinstance(self.private, rsa.RSAPrivateKey):
            self.kind = "rsa"
        elif isinstance(self.private, ec.EllipticCurvePrivateKey):
            self.kind = "ec"
        else:
            raise ValueError("unsupported key type in " + path)
        self.bits = self.private.key_size  # modulus bits for RSA, 256 or 384 for the curves
        self.public_pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

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
            # DER Ecdsa-Sig-Value (what goes inside the BIT STRING), RFC 6979 nonce.
            sig = self.private.sign(message, ec.ECDSA(ECDSA_HASHES[digest](), deterministic_signing=True))
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


ECDSA_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


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
