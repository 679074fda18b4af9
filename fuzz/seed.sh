#!/usr/bin/env bash
# Seeds the fuzz corpora from test-vectors/ (corpus/ is gitignored: seeds are copied at run
# time, so they follow the vectors as they change).
#
#   fuzz/seed.sh            # from anywhere; idempotent (files keep their names)
#
# Every DER file under test-vectors/ is sorted by its first element:
#   OCSPResponse  ::= SEQUENCE { responseStatus ENUMERATED, ... }  -> parse_response, verify
#   Certificate   ::= SEQUENCE { tbsCertificate SEQUENCE, ... }    -> parse_certificate
# (OCSP requests also start with a SEQUENCE; as certificate seeds they cost nothing.) The
# verify corpus thereby holds every genuine, validly signed response the vectors have, so the
# fuzzer starts past the signature check.
set -euo pipefail

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
vectors="$fuzz_dir/../test-vectors"
corpus="$fuzz_dir/corpus"
mkdir -p "$corpus/parse_response" "$corpus/parse_certificate" "$corpus/verify" \
    "$corpus/parse_request" "$corpus/cli_input" "$corpus/exporter_request" "$corpus/targets_file" \
    "$corpus/state_file"
# The state files: the TLS test PKI's responses, what a stapler of tls-server saves.
cp "$vectors"/generated/responses/tls/*.der "$corpus/state_file/"
# The exporter's request heads and the --targets files: hand-written seeds, committed under
# seeds/ (the vectors hold none); tests/fuzz_regressions.rs replays them too.
for target in exporter_request targets_file; do
    cp "$fuzz_dir/seeds/$target/"* "$corpus/$target/"
done
# Requests: the ones openssl made for the generated vectors, and pyca's.
find "$vectors" -type f \( -name '*request*.der' -o -name '*-req.der' \) -print0 \
    | while IFS= read -r -d '' file; do
        cp "$file" "$corpus/parse_request/$(realpath --relative-to="$vectors" "$file" | tr '/' '_')"
    done
# The tool's inputs: PEM certificates (bundles among them) and a few DER files.
find "$vectors" -type f -name '*.pem' -print0 | while IFS= read -r -d '' file; do
    cp "$file" "$corpus/cli_input/$(realpath --relative-to="$vectors" "$file" | tr '/' '_')"
done

# The tag of the first element inside the outer SEQUENCE, as two hex digits; empty if the
# file does not start with a SEQUENCE.
first_inner_tag() {
    local bytes
    read -r -a bytes < <(od -An -tx1 -N8 -v "$1" | tr -s ' \n' ' ')
    [[ ${#bytes[@]} -ge 3 && ${bytes[0]} == 30 ]] || return 0
    local len=$((16#${bytes[1]})) at=2
    if ((len >= 0x80)); then at=$((2 + (len & 0x7f))); fi
    ((at < ${#bytes[@]})) && echo "${bytes[$at]}"
}

responses=0 certificates=0
while IFS= read -r -d '' file; do
    # A name that stays unique across folders: real-world/openssl/D1.der -> real-world_openssl_D1.der
    name=$(realpath --relative-to="$vectors" "$file" | tr '/' '_')
    case "$(first_inner_tag "$file")" in
        0a)
            cp "$file" "$corpus/parse_response/$name"
            cp "$file" "$corpus/verify/$name"
            responses=$((responses + 1))
            ;;
        30)
            cp "$file" "$corpus/parse_certificate/$name"
            certificates=$((certificates + 1))
            ;;
    esac
done < <(find "$vectors" -name '*.der' -type f -print0 | sort -z)

# Saved crash inputs are seeds too: the fuzzer restarts from where it once broke things.
for target in "$fuzz_dir"/regressions/*/; do
    target=$(basename "$target")
    mkdir -p "$corpus/$target"
    find "$fuzz_dir/regressions/$target" -type f ! -name '.*' ! -name '*.md' \
        -exec cp {} "$corpus/$target/" \;
done

cp "$corpus/parse_response/"generated_responses_good-* "$corpus/cli_input/" 2>/dev/null || true
echo "seeded $responses responses (parse_response, verify), $certificates certificates" \
    "(parse_certificate), $(ls "$corpus/parse_request" | wc -l) requests (parse_request)," \
    "$(ls "$corpus/cli_input" | wc -l) files (cli_input), $(ls "$corpus/exporter_request" | wc -l)" \
    "request heads (exporter_request) and $(ls "$corpus/targets_file" | wc -l) targets files" \
    "(targets_file)"
