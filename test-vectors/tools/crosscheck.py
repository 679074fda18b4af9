"""Ask `openssl ocsp` about every manifest case, as a second opinion on signatures and CertIDs.

openssl is told the same things the verifier is: the issuer (as trust anchor, and as a possible
signer), the locally trusted responders (-VAfile), and `now` (-attime, for certificate
validity). openssl checks response freshness only against the real clock, so freshness is
switched off here (-validity_period) and time rules are "not checked by openssl"; likewise the
nonce (openssl compares it with a request of its own) and the caller's options.
"""

import calendar
import os

import crypto
import der
import ocsp

HASH_NAMES = {v: k for k, v in ocsp.HASH_OIDS.items()}
NOT_CHECKED = {"ResponseNotYetValid", "ResponseExpired", "ResponseTooOld", "ResponseLifetimeTooLong", "MissingNonce",
               "NonceMismatch", "ResponseTooLarge"}


def run(case, root):
    def path(rel):
        return os.path.join(root, rel)

    def pem(rel):
        return path(rel[:-len(".der")] + ".pem")

    cert_der = path(case["cert"])
    hash_name = "sha1"
    for item in case["parse"].get("responses", []):
        with open(cert_der, "rb") as f:
            serial = ocsp_serial(f.read())
        if item["serial"] == serial and item["hash_algorithm"] in HASH_NAMES:
            hash_name = HASH_NAMES[item["hash_algorithm"]]
            break
    when = calendar.timegm(der.parse_rfc3339(case["now"]).timetuple())
    args = ["ocsp", "-respin", path(case["response"]), "-no_nonce", "-validity_period", "3000000000",
            "-partial_chain", "-attime", str(when), "-issuer", pem(case["issuer"]), "-" + hash_name,
            "-cert", pem(case["cert"]), "-CAfile", pem(case["issuer"]), "-verify_other", pem(case["issuer"])]
    for t in case["trusted_responders"]:
        args += ["-VAfile", pem(t)]
    proc = crypto.openssl(*args, check=False)
    out = proc.stdout.decode(errors="replace")
    err = proc.stderr.decode(errors="replace")
    result = summarise(out, err, pem(case["cert"]))
    if result["text"] == "cannot load the certificate":
        # Still say whether openssl can read the response on its own.
        alone = crypto.openssl("ocsp", "-respin", path(case["response"]), "-noverify", "-resp_text", check=False)
        readable = b"Error parsing response" not in alone.stdout + alone.stderr
        result["text"] += "; the response alone %s" % ("parses" if readable else "does not parse")
    return result


def ocsp_serial(cert_der):
    tbs = der.parse(cert_der).children()[0].children()
    return (tbs[1] if tbs[0].tag == 0xA0 else tbs[0]).content.hex()


def summarise(out, err, cert_pem):
    if "Could not read certificate" in err or "Unable to load certificate" in err:
        return {"verified": False, "status": None, "text": "cannot load the certificate"}
    if "Error reading OCSP response" in err or "Error parsing OCSP response" in err:
        return {"verified": False, "status": None, "text": "cannot parse the response"}
    for line in out.splitlines():
        if line.startswith("Responder Error:"):
            return {"verified": False, "status": None, "text": line.strip()}
    verified = "Response verify OK" in err
    reasons, time_reasons = [], []
    for line in (err + "\n" + out).splitlines():
        parts = line.split(":")
        if len(parts) > 6 and parts[1] == "error":
            bucket = time_reasons if parts[4] == "OCSP_check_validity" else reasons
            if parts[5] not in bucket:
                bucket.append(parts[5])
    status = None
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(cert_pem + ": "):
            status = line.split(": ", 1)[1].strip()
            if status.startswith("WARNING"):
                status = next((s.strip() for s in lines[i + 1:] if s.strip() in ("good", "revoked", "unknown")), None)
    if "No Status found" in out + err:
        status = "no status found"
    text = ("verify OK" if verified else "verify FAILED (%s)" % "; ".join(reasons[:2])) + "; " + (status or "no status")
    if time_reasons:
        text += "; status times invalid (%s)" % "; ".join(time_reasons)
    return {"verified": verified, "status": status, "times_invalid": bool(time_reasons), "text": text}


def judge(case, result):
    """agrees / DISAGREES / not checked, from the case's expectation and openssl's answer."""
    expect = case["expect"]
    accepted = result["verified"] and result["status"] in ("good", "revoked", "unknown") and not result.get("times_invalid")
    if "status" in expect:
        ok = accepted and result["status"] == expect["status"]
        return "agrees" if ok else "DISAGREES"
    if expect["error"] in NOT_CHECKED or case["options"]["allow_sha1"]:
        return "not checked by openssl"
    return "agrees" if not accepted else "DISAGREES (accepts)"
