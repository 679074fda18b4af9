#!/usr/bin/env bash
# The documentation and the package, checked: the README's length, fenced blocks that say what
# they hold, no README paragraph repeated in docs/, every table written once, relative links
# that resolve, no internal issue numbers, the feature table against Cargo.toml, the commands
# of the docs run (tests/doc_commands.rs) and their Rust snippets compiled (the doc tests of
# src/lib.rs's `documentation` module), and what `cargo package` would publish. Called once by
# .ci/run; runs alone too (from anywhere). Needs python3, bash, openssl and curl.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n--- %s\n' "$*"; }

missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "the text: length, fences, repetitions, tables, links, issue numbers, features"
mkdir -p target
cargo metadata --locked --no-deps --format-version 1 >target/docs-metadata.json
python3 - <<'PY'
import json, pathlib, re, subprocess, sys

root = pathlib.Path(".")
failures = []
fail = failures.append
readme = root / "README.md"
docs = sorted((root / "docs").glob("*.md"))

# 1. The README stays short: what it is, the two commands, quick starts, links.
lines = readme.read_text().count("\n")
print(f"README.md: {lines} lines (at most 300)")
if lines > 300:
    fail(f"README.md has {lines} lines, more than 300")

def fenced(path):
    """(info, first line number, lines) of every fenced block, and the text outside them."""
    blocks, prose, current = [], [], None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("```"):
            if current is None:
                current = (line[3:].strip(), number, [])
            else:
                blocks.append(current)
                current = None
            continue
        (current[2] if current else prose).append(line)
    if current is not None:
        fail(f"{path}:{current[1]}: a fence that never closes")
    return blocks, prose

# 2. Every block says what it holds (rustdoc compiles an unmarked one as Rust), and no Rust
#    block escapes compilation.
for path in [readme, *docs]:
    blocks, _ = fenced(path)
    for info, number, _ in blocks:
        if not info:
            fail(f"{path}:{number}: a fenced block without a language (```text, ```console, ...)")
        elif info.split(",")[0] == "rust" and re.search(r"\bignore\b", info):
            fail(f"{path}:{number}: ```{info}: README and docs snippets are compiled, not ignored")

# 3. No paragraph of the README repeated in docs/: no run of 12 words of the README (prose or
#    code) appears in a docs/ file. Markup is dropped first, so a copy with other emphasis or
#    other line breaks is still found.
WINDOW = 12
def words(text):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: their text only
    return re.findall(r"[\w'./:=-]+", text.replace("`", " ").replace("*", " ").lower())

def shingles(text):
    w = words(text)
    return {" ".join(w[i:i + WINDOW]) for i in range(len(w) - WINDOW + 1)}

def chunks(path):
    """The README's paragraphs and fenced blocks, with their first line."""
    out, current, start, in_block = [], [], 0, False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("```"):
            if in_block:
                out.append((start, "\n".join(current)))
                current, in_block = [], False
            else:
                if current:
                    out.append((start, "\n".join(current)))
                current, start, in_block = [], number + 1, True
            continue
        if not in_block and not line.strip():
            if current:
                out.append((start, "\n".join(current)))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        out.append((start, "\n".join(current)))
    return out

docs_shingles = {str(path): shingles(path.read_text()) for path in docs}
repeated = 0
for start, chunk in chunks(readme):
    mine = shingles(chunk)
    for name, theirs in docs_shingles.items():
        common = mine & theirs
        if common:
            repeated += 1
            fail(f"README.md:{start}: repeated in {name}: \"{sorted(common)[0]} ...\"")
print(f"README paragraphs and blocks repeated in docs/: {repeated}")

# 4. Every table written once: a table row (in Markdown, or in rustdoc) that appears in two
#    places is a table written twice, which will drift.
rows = {}
sources = [readme, *docs, *sorted(root.glob("src/**/*.rs")), *sorted(root.glob("capi/src/**/*.rs"))]
for path in sources:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        text = re.sub(r"^\s*//[/!]\s?", "", line) if path.suffix == ".rs" else line
        if not (path.suffix == ".md" or re.match(r"^\s*//[/!]", line)):
            continue
        if not text.startswith("|") or re.fullmatch(r"[|\s:-]+", text):
            continue
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        key = " | ".join(cells).lower()
        if len([c for c in cells if c]) >= 3 and len(key.split()) >= 8:
            rows.setdefault(key, []).append(f"{path}:{number}")
twice = {key: where for key, where in rows.items() if len(where) > 1}
for key, where in twice.items():
    fail(f"a table row written {len(where)} times ({', '.join(where)}): {key[:100]}")
print(f"table rows: {len(rows)}, written more than once: {len(twice)}")

# 5. Relative links resolve, anchors included.
def slug(heading):
    heading = heading.strip().lower().replace("`", "")
    heading = re.sub(r"[^\w\- ]", "", heading)
    return heading.replace(" ", "-")

def anchors(path):
    found = set()
    in_block = False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            in_block = not in_block
        elif not in_block and line.startswith("#"):
            found.add(slug(line.lstrip("#")))
    return found

link_sources = [readme, *docs, root / "CHANGELOG.md", *sorted(root.glob("**/README.md"))]
link_sources = [p for p in link_sources if "target" not in p.parts and ".git" not in p.parts]
links = 0
for path in link_sources:
    _, prose = fenced(path)
    for target in re.findall(r"\]\(([^)\s]+)\)", "\n".join(prose)):
        if re.match(r"[a-z]+:", target):
            continue
        links += 1
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path.resolve()
        if not resolved.exists():
            fail(f"{path}: a link to {target}, which does not exist")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            fail(f"{path}: a link to {target}, whose heading does not exist")
print(f"relative links checked: {links}")

# 6. No internal issue numbers: a reader of the code, the docs or the CHANGELOG cannot follow
#    them.
grep = subprocess.run(
    ["git", "grep", "-n", "-I", "-i", "-E", r"\bissue #?[0-9]+|\(#[0-9]+\)", "--", "."],
    capture_output=True, text=True)
for hit in grep.stdout.splitlines():
    fail(f"an internal issue number: {hit}")

# 7. The feature table of the crate documentation names every feature of Cargo.toml.
metadata = json.loads(pathlib.Path("target/docs-metadata.json").read_text())
package = next(p for p in metadata["packages"] if p["name"] == "ocsp-verify")
lib = (root / "src/lib.rs").read_text()
table = [l for l in lib.splitlines() if l.startswith("//! | `")]
for feature in sorted(set(package["features"]) - {"default"}):
    if not any(f"`{feature}`" in row.split("|")[1] for row in table):
        fail(f"feature `{feature}` is not in the feature table of src/lib.rs")
print(f"features in the table: {len(package['features']) - 1}")

if failures:
    print("\n".join(["", "FAIL:"] + failures), file=sys.stderr)
    sys.exit(1)
PY

step "cargo package: what ocsp-verify would publish"
cargo package --locked --list --allow-dirty -p ocsp-verify >target/package-list.txt
cat target/package-list.txt
python3 - <<'PY'
import pathlib, sys
listed = pathlib.Path("target/package-list.txt").read_text().split()
needed = ["Cargo.toml", "Cargo.lock", "README.md", "CHANGELOG.md", "LICENSE-APACHE",
          "LICENSE-MIT", "src/lib.rs", "src/bin/ocsp-check/main.rs", "docs/design.md"]
# docs/ is needed too: README links to it, and src/lib.rs includes it for its doc tests.
needed += [str(p) for p in pathlib.Path("docs").glob("*.md")]
corpora = ("test-vectors/", "tests/", "fuzz/", "benches/", "examples/", "capi/", ".ci/")
failures = [f"missing from the package: {n}" for n in needed if n not in listed]
failures += [f"a test corpus or tool in the package: {f}" for f in listed if f.startswith(corpora)]
print(f"{len(listed)} files")
if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
PY
# The archive itself (not compiled: the test step builds the same sources).
version=$(grep -m1 '^version = ' Cargo.toml | cut -d'"' -f2)
rm -f "target/package/ocsp-verify-$version.crate"
if ! cargo package --locked --no-verify --allow-dirty -p ocsp-verify \
  2>target/package-warnings.txt; then
  cat target/package-warnings.txt >&2
  exit 1
fi
# Cargo warns once for each test, bench and example it leaves out of the package (on purpose:
# they read the test vectors): counted, not printed. Any other warning is printed.
left=' is not included in the published package'
echo "tests, benches and examples left out: $(grep -c "$left" target/package-warnings.txt || true)"
grep -v "$left" target/package-warnings.txt || true
test -s "target/package/ocsp-verify-$version.crate"

step "unpublished crates say so"
for manifest in capi fuzz tests/firmware tests/no-std; do
  manifest=$manifest/Cargo.toml
  grep -qx 'publish = false' "$manifest" ||
    { echo "FAIL: $manifest lacks publish = false" >&2; exit 1; }
done
echo "capi, fuzz, tests/firmware, tests/no-std: publish = false"

step "the commands of the docs, run; their Rust snippets, compiled"
cargo test --locked --all-features --test doc_commands
cargo test --locked --all-features --doc -- documentation

step "docs: all green"
