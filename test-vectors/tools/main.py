"""Entry point behind generate.sh: PKI, responses, manifest.json, certs.json, README.md."""

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crosscheck  # noqa: E402
import pki as pki_mod  # noqa: E402
import readme  # noqa: E402
import vectors  # noqa: E402


def dump_manifest(cases):
    """Pretty JSON, with small objects (options, expect, decision, responder_id, each parsed
    SingleResponse) on one line each, so the manifest stays readable and small."""
    text_cases = []
    for case in cases:
        case = json.loads(json.dumps(case))
        inline = []

        def hold(value):
            inline.append(json.dumps(value))
            return "@@INLINE%d@@" % (len(inline) - 1)

        case["options"] = hold(case["options"])
        case["expect"] = hold(case["expect"])
        if "decision" in case:
            case["decision"] = hold(case["decision"])
        parse = case["parse"]
        if "responder_id" in parse:
            parse["responder_id"] = hold(parse["responder_id"])
        if "responses" in parse:
            parse["responses"] = [hold(item) for item in parse["responses"]]
        text = json.dumps(case, indent=2)
        for i, value in enumerate(inline):
            text = text.replace('"@@INLINE%d@@"' % i, value, 1)
        text_cases.append("  " + text.replace("\n", "\n  "))
    return "[\n" + ",\n".join(text_cases) + "\n]\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True, help="the generated/ directory")
    ap.add_argument("--fresh", action="store_true", help="new keys and new openssl-responder responses")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    out = os.path.abspath(args.out)
    if args.fresh and os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)

    pki = pki_mod.Pki(out, fresh=args.fresh, log=log)
    pki.build()
    pki.verify_chain()

    cat = vectors.Catalogue(pki, out, fresh=args.fresh, log=log)
    cat.build()

    # Remove response files this run did not write (renamed or dropped vectors).
    keep = {os.path.join(out, rel) for rel in cat.files}
    for dirpath, _dirs, files in os.walk(os.path.join(out, "responses")):
        for fname in files:
            full = os.path.join(dirpath, fname)
            if full not in keep:
                os.remove(full)
                log("removed stale %s" % os.path.relpath(full, out))

    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write(dump_manifest(cat.cases))
    certs = [pki.certs[spec.name].describe() for spec in pki_mod.SPECS]
    with open(os.path.join(out, "certs.json"), "w") as f:
        json.dump(certs, f, indent=2)
        f.write("\n")

    verdicts = {}
    for case in cat.cases:
        result = crosscheck.run(case, out)
        verdicts[case["name"]] = (result["text"], crosscheck.judge(case, result))
    disagree = [n for n, (_t, j) in verdicts.items() if j.startswith("DISAGREES")]
    log("openssl cross-check: %d cases, %d where openssl disagrees: %s" % (len(verdicts), len(disagree), ", ".join(disagree)))

    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(readme.render(pki, cat, verdicts))

    # An accepted case openssl does not accept means a generator bug, except where openssl is
    # knowingly stricter or different: rule 8 (openssl takes the first matching SingleResponse)
    # and a certificate whose serial is not minimally encoded (openssl cannot load it at all).
    openssl_cannot = {"r07-non-minimal-serial-echoed"}
    broken = [c["name"] for c in cat.cases
              if "status" in c["expect"] and c["rule"] != 8 and c["name"] not in openssl_cannot
              and verdicts[c["name"]][1] != "agrees"]
    if broken:
        log("openssl does not accept these accepted cases: " + ", ".join(broken))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
