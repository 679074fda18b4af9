#!/usr/bin/env bash
# Builds the generated OCSP test vectors in generated/ (see generated/README.md).
#
#   ./generate.sh           rebuild from the committed keys (byte-identical output)
#   ./generate.sh --fresh   new keys, certificates and responses (a large diff, on purpose only)
#   ./generate.sh --check   rebuild into a temporary directory, compare byte for byte, exit 1 on difference
#
# Needs python3 (>= 3.8) with the cryptography package (>= 44, for deterministic ECDSA) and the
# openssl 3 CLI (OPENSSL=... to pick one).
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1  # keep tools/ free of __pycache__

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/generated"
tools="$here/tools"

usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# Fail early, in one line, rather than with a traceback from deep inside tools/.
require_cryptography() {
  local found
  if ! found=$(python3 -c '
import sys
try:
    import cryptography
except ImportError:
    sys.exit("not installed")
if int(cryptography.__version__.split(".")[0]) < 44:
    sys.exit("version " + cryptography.__version__)
' 2>&1); then
    echo "generate.sh needs the Python package cryptography >= 44 (pip install \"cryptography>=44\"); found: ${found:-no python3}" >&2
    exit 1
  fi
}

case "${1:-}" in
  "")
    require_cryptography
    python3 "$tools/main.py" --out "$out"
    ;;
  --fresh)
    require_cryptography
    python3 "$tools/main.py" --out "$out" --fresh
    ;;
  --check)
    [ -d "$out" ] || { echo "nothing to check: $out does not exist" >&2; exit 1; }
    require_cryptography
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # A rebuild reuses only the keys and what the real openssl responder made (it stamps the clock).
    (cd "$out" && find . -type f \( -name '*.key' -o -name 'openssl-responder-*' \)) | while read -r f; do
      mkdir -p "$tmp/$(dirname "$f")"
      cp -p "$out/$f" "$tmp/$f"
    done
    python3 "$tools/main.py" --out "$tmp" --quiet
    if diff -r -q "$out" "$tmp" >&2; then
      echo "check OK: a rebuild is byte-identical to $out" >&2
    else
      echo "check FAILED: the files above differ from a rebuild (see: diff -r $out <rebuild>)" >&2
      exit 1
    fi
    ;;
  -h|--help)
    usage
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
