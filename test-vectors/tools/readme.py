"""Writes generated/README.md from the PKI, the catalogue and the openssl cross-check."""

import collections
import json

import pki as pki_mod
import vectors

RULES = {
    1: "Strict DER, no trailing data, size cap",
    2: "responseStatus, responseBytes, responseType",
    3: "ResponseData version",
    4: "Time encoding",
    5: "certStatus and revocation reason",
    6: "Empty response list, certificate count",
    7: "CertID matching",
    8: "Several matching SingleResponses",
    9: "Responder authorisation",
    10: "Signature and algorithm policy",
    11: "Critical extensions",
    12: "Nonce",
    13: "Freshness",
    14: "Revoked outside the window (permanent revocations; certificateHold is checked like good)",
}

# Why openssl 3.0 answers differently, where it does.
OPENSSL_NOTES = {
    "r01-trailing-byte-after-response": "ignores bytes after the outer structure",
    "r01-trailing-byte-in-response-bytes": "ignores bytes after the BasicOCSPResponse in the OCTET STRING",
    "r01-indefinite-length-outer": "decodes BER indefinite lengths",
    "r01-boolean-not-ff": "decodes a BER BOOLEAN 0x01",
    "r01-non-minimal-length": "decodes the BER length, then checks the signature over its own DER re-encoding, so "
                              "it reports a bad signature rather than an encoding error",
    "r03-version-2": "ignores the version",
    "r04-produced-at-offset": "does not look at producedAt's form",
    "r04-this-update-fractional-seconds": "parses the fraction; its time check then trips",
    "r05-revocation-reason-7": "prints reason 7 as given",
    "r05-revocation-reason-11": "prints reason 11 as given",
    "r06-nine-certs": "has no limit on certs",
    "r07-hash-algorithm-sha224": "supports SHA-224 CertIDs (asked with -sha224)",
    "r07-hash-parameters-not-null": "ignores the hash parameters",
    "r08-good-then-revoked": "takes the first matching SingleResponse",
    "r08-good-then-unknown": "takes the first matching SingleResponse",
    "r09-responder-ca": "accepts a CA:TRUE delegated responder",
    "r10-sha1-signature-default": "accepts SHA-1 signatures on responses",
    "r10-md5-signature": "accepts MD5 signatures on responses",
    "r10-ecdsa-null-parameters": "ignores ECDSA parameters",
    "r10-rsa-1024": "accepts RSA-1024 (security level 1)",
    "r11-unknown-critical-response-extension": "ignores critical response extensions",
    "r11-unknown-critical-single-extension": "ignores critical single extensions",
    "r10-pss-salt-length-20": "verifies PSS with salt 20 as declared",
    "r07-non-minimal-serial-echoed": "cannot load a certificate whose serial INTEGER is not minimal (illegal padding)",
    "r07-minimal-serial-for-nonminimal-cert": "refuses to load the certificate (illegal padding)",
}


def expect_text(e):
    if "error" in e:
        details = ["%s %s" % (k, v) for k, v in e.items() if k not in ("error", "time")]
        return "`%s`" % e["error"] + (" (%s)" % ", ".join(details) if details else "")
    if e["status"] == "revoked":
        reason = "no reason" if e["revocation_reason"] is None else "reason %d" % e["revocation_reason"]
        return "revoked (%s)" % reason
    return e["status"]


def render(pki, cat, verdicts):
    cases = cat.cases
    out = []
    w = out.append
    per_rule = collections.Counter(c["rule"] for c in cases)
    errors = collections.Counter(c["expect"]["error"] for c in cases if "error" in c["expect"])
    w("""# Generated OCSP test vectors

Made by `../generate.sh` (Python 3 with pyca/cryptography >= 44, and the openssl 3 CLI; sources in
`../tools/`).
Do not edit by hand: change the tools and regenerate. Tests never run openssl; they read these
files.

| path | what |
| --- | --- |
| `manifest.json` | one object per verification case (%d cases): response, certificate, issuer, trust, nonce, `now`, options, expected parse, expected verdict and, for some, a TLS client's decision |
| `certs.json` | what a certificate parser must see in each certificate of `pki/`, including its TLS features (RFC 7633) |
| `pki/*.der`, `*.pem`, `*.key` | the test PKI: certificates (DER and PEM) and PKCS#8 PEM private keys |
| `pki/tls/` | ECDSA P-256 chain for real TLS handshake tests |
| `responses/*.der` | OCSP responses (%d files); `responses/tls/` those for the TLS chain |
| `responses/openssl-responder-*` | responses made by `openssl ocsp` acting as a responder, with the request each answered |

## Regenerating

```
./generate.sh           # rebuild everything from the committed keys (byte-identical output)
./generate.sh --fresh   # new keys, so new certificates and responses: a large diff, on purpose only
./generate.sh --check   # rebuild into a temporary directory and compare byte for byte; exit 1 on difference
```

Everything is deterministic given the keys in `pki/`:

- RSA PKCS#1 v1.5 signatures (responses and certificates) are made by `openssl dgst -sign`.
- RSA-PSS signatures use a salt derived from the message (SHA-256 of a fixed label and the
  message) and the raw RSA operation of `openssl pkeyutl`; ECDSA signatures use RFC 6979
  deterministic nonces (pyca/cryptography's `deterministic_signing=True`). openssl 3.0 would
  pick a random salt or nonce, which would make every run differ. Each such signature is
  verified by `openssl dgst -verify` as soon as it is made, and again by the cross-check below.
- Certificates signed by ECDSA keys are issued by `openssl ca`, then their signature is
  replaced by a deterministic one over the same tbsCertificate.

So `--check` compares every file, with one exception: `responses/openssl-responder-*` come from
a real responder that stamps the real clock, so a normal run keeps them (as long as they embed
the current responder certificate) and `--check` reuses them too; their `now` in the manifest is
their thisUpdate + 1 minute. `--fresh` makes them anew. Where openssl refuses a case too, this README
says only that (its reasons vary between releases), so `--check` does not depend on the openssl
build.

## Conventions

- Normal certificates are valid 2025-01-01T00:00:00Z .. 2035-01-01T00:00:00Z.
- Normal responses: producedAt = thisUpdate = 2026-01-01T00:00:00Z, nextUpdate =
  2026-01-08T00:00:00Z, verified at `now` = 2026-01-01T01:00:00Z unless the case says otherwise.
- `options` is always the full object, all integers except `allow_sha1`; the defaults are
  `{"skew": 300, "max_age": 604800, "max_age_without_next_update": 86400, "max_lifetime": 864000,
  "allow_sha1": false, "max_response_size": 65536}`: clock skew, the maximum age of a response
  (7 days after thisUpdate, Chromium's limit for a leaf's revocation information), the tighter
  maximum age of a response without nextUpdate (1 day), the maximum nextUpdate - thisUpdate
  (10 days, mozilla::pkix's), all in seconds; whether the caller added the legacy SHA-1
  algorithms; and the size cap in bytes (only the 1000-SingleResponse benchmark raises it, to
  131072, because that response is larger than 64 KiB). A case that changes one says so in the
  table below.
- Time rules (`tools/ocsp_profile.py`, which the generator checks every accepted and every time
  case against; the skew is tolerated on every comparison with `now`):
  nextUpdate before thisUpdate is `NextUpdateBeforeThisUpdate` whatever the status. A permanent
  revocation (revoked with no reason or any reason but certificateHold) and `unknown` get no other
  time check, so a revocation is reported even outside its window (rule 14). `good`, and revoked
  with reason certificateHold (6), are checked in this order: nextUpdate - thisUpdate >
  max_lifetime is `ResponseLifetimeTooLong`; thisUpdate > now + skew is `ResponseNotYetValid`;
  now > nextUpdate + skew is `ResponseExpired`; now > thisUpdate + cap + skew is `ResponseTooOld`,
  where cap is max_age, or min(max_age, max_age_without_next_update) without nextUpdate. A
  delegated responder's certificate outside its validity at `now` (no skew) is
  `ResponderNotYetValid` or `ResponderExpired`.
- `expect` is `{"status": "good"|"unknown"}`, `{"status": "revoked", "revocation_time": ...,
  "revocation_reason": n|null}` or `{"error": "<Error variant>", ...}`. Time errors carry their
  times as RFC 3339 strings: `time` (the `now` checked) and `not_before` (`ResponseNotYetValid`:
  thisUpdate; `ResponderNotYetValid`: the certificate's notBefore) or `not_after`
  (`ResponseExpired`: nextUpdate; `ResponseTooOld`: thisUpdate + cap; `ResponderExpired`: the
  certificate's notAfter). A non-successful responseStatus is `{"error": "UnsuccessfulResponse",
  "response_status": "malformedRequest"|"internalError"|"tryLater"|"sigRequired"|"unauthorized"}`.
- `decision` (only on cases whose certificate has the TLS feature extension) is what a TLS client
  does with the certificate and the verifier's answer: `tls_features` is `status_request` when
  every listed feature is 5 (must-staple: only a good answer is accepted, in soft-fail mode too,
  since the certificate forbids soft failure) and `unsupported` when any other feature is listed
  (a staple cannot satisfy it, so the client fails closed whatever the answer, as mozilla::pkix
  does); `none_required` (no TLS feature extension) is part of the schema but no case carries it
  yet. `soft_fail` and `hard_fail` are `accept` or `reject` for a client in that mode.
- `certs.json` gives, per certificate, `tls_features` (the INTEGERs of the TLS feature extension,
  `[]` without it) and `must_staple` (5 is among them).
- `rule` is the profile rule (docs/design.md) the case is about: the rule broken for an error, the
  boundary tested for the accepted rule 8, 13 and 14 cases; null for plain good cases.
- `responder` says how the signer must be authorised for accepted cases: `issuer` (the CA
  itself), `delegated` (a certificate in `certs` issued by the CA) or `trusted` (listed in
  `trusted_responders`).
- `parse` is what a parser must report. It is `{"error": ...}` exactly when the expected error is
  one a parser finds on its own: %s. Every other error (responder, signature, matching, extension
  criticality, nonce, time window, including `NextUpdateBeforeThisUpdate`) comes from
  verifying a response that parses, so those cases carry the full parse.
- `parse.response_count` is the number of SingleResponses. `parse.responses` lists them all,
  except where `parse.responses_elided` is true (only `bench-singles-1000`): then it holds only
  the first three (a prefix: compare entry by entry and stop at the end of the list).
- `serial` in `parse` and `certs.json` is the hex of the INTEGER content octets exactly as encoded;
  `by_name` is the hex of the whole Name TLV; `nonce` is the hex of the nonce octets (the inner
  OCTET STRING's contents).
- A "re-signed" vector was signed after the change, so its signature is valid and only the named
  rule is broken. Rule 1 cases that add an element *inside* a structure add a NULL TLV (`05 00`)
  after the structure's last field, so that a strict reader sees well-formed trailing data
  rather than a malformed header; the two outer ones add a single `00` byte.
- The locally trusted responder's certificate is never embedded in its responses, so without
  local trust it is simply not found (`r09-trusted-responder-not-trusted`).

### Judgement calls (change the manifest if the crate decides otherwise)

- `rsa-ee-nonminimal-serial` has the serial INTEGER `00 10 03` (openssl cannot issue that, so its
  tbsCertificate was patched and re-signed by rsa-ca). Serials compare as exact bytes: a response
  whose CertID copies those bytes matches (`r07-non-minimal-serial-echoed`, good, so that such a
  certificate stays checkable); one with the minimal `10 03` does not
  (`r07-minimal-serial-for-nonminimal-cert`, NoMatchingResponse; a verifier that refuses the
  certificate itself would say BadDer). openssl 3.0 cannot even load this certificate.
- CertID hash algorithms other than SHA-1/256/384/512 (SHA-224, a made-up OID) and parameters
  other than absent/NULL make the entry not match (NoMatchingResponse); a wrong-length hash for a
  known algorithm is `InvalidCertIdHash` at parse time.
- ecdsa-with-SHA256 with NULL parameters and RSA-PSS with salt length 20 are
  `UnsupportedSignatureAlgorithm`, because a verifier matches the AlgorithmIdentifier bytes
  against the rustls-pki-types encodings (which `SIGNATURE_ALGORITHMS` in `tools/ocsp.py`
  reproduces exactly). No vector uses sha256WithRSAEncryption with absent parameters, since
  RFC 4055 asks verifiers to accept that form.
- `r01-boolean-not-ff` puts the non-DER BOOLEAN on the nonce extension, which is understood
  and which the caller did not ask for, so that a lenient reader has no other reason to refuse.
""" % (len(cases), len([f for f in cat.files if f.endswith(".der") and ".request." not in f]),
       ", ".join("`%s`" % e for e in sorted(vectors.PARSE_ERRORS))))

    w("## The PKI\n")
    w("| name | key | issuer | serial | validity | notes |")
    w("| --- | --- | --- | --- | --- | --- |")
    for spec in pki_mod.SPECS:
        cert = pki.certs[spec.name]
        w("| `%s` | %s | %s | `%s` | %s .. %s | %s |" % (
            cert.path[:-4], spec.key, spec.issuer or "self-signed", cert.serial_content.hex(),
            cert.not_before.date(), cert.not_after.date(), spec.note))
    w("")
    w("## Counts\n")
    w("| rule | cases | |")
    w("| --- | --- | --- |")
    for rule in sorted(per_rule, key=lambda r: (r is None, r or 0)):
        w("| %s | %d | %s |" % (rule if rule is not None else "-", per_rule[rule], RULES.get(rule, "good cases, benchmarks, TLS, TLS feature policy, real responder")))
    w("")
    w("Expected errors: " + ", ".join("`%s` %d" % kv for kv in sorted(errors.items())) + ".\n")

    w("## Every case\n")
    w("`now` is 2026-01-01T01:00:00Z where the column is empty. The last column is what `openssl ocsp` "
      "3.0 says (see below).\n")
    w("| case | response | rule | now | expect | description | openssl |")
    w("| --- | --- | --- | --- | --- | --- | --- |")
    for c in cases:
        text, judgement = verdicts[c["name"]]
        note = OPENSSL_NOTES.get(c["name"])
        # Where openssl refuses a case this crate refuses too, why it refuses (its message, and
        # which of its checks fails first) changes between openssl releases: the committed
        # README says only that it refuses, so that `--check` compares what the generator
        # decides, not the openssl build on the machine. The generator prints the details.
        if judgement == "agrees" and "error" in c["expect"]:
            text = "openssl refuses it too"
        opinion = "%s: %s" % (judgement, text)
        if note:
            opinion += " - " + note
        options = {k: v for k, v in c["options"].items() if vectors.DEFAULT_OPTIONS[k] != v}
        desc = c["description"]
        if options:
            desc += " (options: %s)" % ", ".join("%s=%s" % (k, json.dumps(v)) for k, v in options.items())
        if c["nonce"] and c["nonce"] not in desc:
            desc += " (caller nonce %s)" % c["nonce"]
        if c["trusted_responders"]:
            desc += " (trusted: %s)" % ", ".join(c["trusted_responders"])
        if "decision" in c:
            desc += " (decision: %s)" % ", ".join("%s %s" % kv for kv in c["decision"].items())
        w("| `%s` | `%s` | %s | %s | %s | %s | %s |" % (
            c["name"], c["response"].replace("responses/", ""), c["rule"] if c["rule"] is not None else "",
            "" if c["now"] == vectors.NOW else c["now"], expect_text(c["expect"]), desc.replace("|", "\\|"), opinion))
    w("")
    w("""## The openssl cross-check

`tools/crosscheck.py` runs, for every case, `openssl ocsp -respin RESPONSE -issuer ISSUER -<hash>
-cert CERT -CAfile ISSUER -verify_other ISSUER [-VAfile TRUSTED] -partial_chain -attime NOW
-no_nonce -validity_period 3000000000`. `agrees` means: for an accepted case openssl verified the
signature and reported the same status; for an error case openssl refused somewhere (parse,
signature, responder chain, no matching status, or its own time-format check). openssl checks
freshness only against the real clock and the nonce only against a request of its own, so those
cases say `not checked by openssl`. The generator fails if openssl disagrees with an accepted case
(other than the rule 8 ones, where openssl takes the first match by design).

Where openssl accepts what the profile refuses, the table says why; these are the strictness gaps
the crate exists to close.
""")
    return "\n".join(out) + "\n"
