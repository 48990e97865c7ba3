#!/usr/bin/env bash
# Vendor the front-end assets into static/vendor/ so that the browser never
# fetches anything from outside the deployment (no CDN, no web fonts).
#
# Usage: scripts/vendor-static.sh
#
# Needs node + npm and access to the npm registry. Installs the PINNED
# versions below into a temporary directory (no install scripts run), copies
# only the files a server-rendered Django app needs, strips sourceMappingURL
# comments (the .map files are not shipped, and ManifestStaticFilesStorage
# would fail on them), and refuses to finish if any vendored CSS/JS file still
# references an external URL.
#
# static/vendor/ is owned by this script: everything in it except README.md is
# replaced on each run. To upgrade, change a version below, run the script and
# commit the result.
set -euo pipefail

# --- Pinned versions -------------------------------------------------------------
TABLER_VERSION="1.6.1"          # @tabler/core
BOOTSTRAP_VERSION="5.3.8"       # bootstrap: only its LICENSE is vendored, since
                                # tabler.min.js already bundles Bootstrap's JS (checked below)
BOOTSTRAP_ICONS_VERSION="1.13.2"
HTMX_VERSION="2.0.11"           # newest 2.0.x; do NOT move to 4.x (different API)
ECHARTS_VERSION="6.1.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"

die() { printf 'vendor-static: ERROR: %s\n' "$*" >&2; exit 1; }
log() { printf 'vendor-static: %s\n' "$*"; }

command -v npm >/dev/null || die "npm not found"
command -v node >/dev/null || die "node not found"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# --- Install into a throw-away directory -------------------------------------------
log "installing pinned packages into $TMP"
(
    cd "$TMP"
    printf '{ "name": "minqing-vendor-static", "private": true }\n' > package.json
    npm install --no-audit --no-fund --ignore-scripts --no-package-lock --save-exact \
        "@tabler/core@${TABLER_VERSION}" \
        "bootstrap@${BOOTSTRAP_VERSION}" \
        "bootstrap-icons@${BOOTSTRAP_ICONS_VERSION}" \
        "htmx.org@${HTMX_VERSION}" \
        "echarts@${ECHARTS_VERSION}" >/dev/null
)
NM="$TMP/node_modules"

pkg_version() { node -p "require(process.argv[1]).version" "$NM/$1/package.json"; }

check_version() {
    local pkg="$1" want="$2" got
    got="$(pkg_version "$pkg")"
    [[ "$got" == "$want" ]] || die "$pkg: wanted $want, npm installed $got"
}
check_version "@tabler/core" "$TABLER_VERSION"
check_version "bootstrap" "$BOOTSTRAP_VERSION"
check_version "bootstrap-icons" "$BOOTSTRAP_ICONS_VERSION"
check_version "htmx.org" "$HTMX_VERSION"
check_version "echarts" "$ECHARTS_VERSION"
POPPER_VERSION="$(pkg_version "@popperjs/core")"

# --- Stage the files ------------------------------------------------------------------
OUT="$TMP/out"
mkdir -p "$OUT"/{tabler,bootstrap-icons/fonts,htmx,echarts}

cp_file() {  # cp_file SRC DEST: fail loudly if a file moved in a new release
    [[ -f "$1" ]] || die "expected file missing from package: ${1#"$NM"/}"
    cp "$1" "$2"
}

# Tabler (CSS + JS; the JS bundles Bootstrap's components and Popper).
T="$NM/@tabler/core"
cp_file "$T/dist/css/tabler.min.css" "$OUT/tabler/tabler.min.css"
cp_file "$T/dist/js/tabler.min.js" "$OUT/tabler/tabler.min.js"

# The @tabler/core npm package ships no LICENSE file; its package.json says MIT.
# Write the MIT text with the copyright lines from Tabler's own banner.
if compgen -G "$T/LICENSE*" >/dev/null; then
    cp "$(compgen -G "$T/LICENSE*" | head -n1)" "$OUT/tabler/LICENSE"
else
    tabler_license="$(node -p "require(process.argv[1]).license" "$T/package.json")"
    [[ "$tabler_license" == "MIT" ]] || die "@tabler/core license is '$tabler_license', not MIT: review before vendoring"
    tabler_copyright="$(grep -m2 -o 'Copyright [^*]*' "$T/dist/css/tabler.min.css" | sed 's/[[:space:]]*$//')"
    [[ -n "$tabler_copyright" ]] || die "could not read Tabler's copyright banner"
    cat > "$OUT/tabler/LICENSE" <<EOF
The MIT License (MIT)

${tabler_copyright}

(The @tabler/core npm package ships no LICENSE file; its package.json declares
"license": "MIT". This text was written by scripts/vendor-static.sh from that
declaration and the copyright banner of tabler.min.css.)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
EOF
fi
# Code bundled inside tabler.min.js keeps its own notices.
cp_file "$NM/bootstrap/LICENSE" "$OUT/tabler/LICENSE-bootstrap"
cp_file "$NM/@popperjs/core/LICENSE.md" "$OUT/tabler/LICENSE-popper.md"

# tabler.min.js must really contain Bootstrap's JS (Modal, Dropdown, ... and the
# data-bs-* data API); otherwise bootstrap.bundle.min.js would be needed too.
TJS="$OUT/tabler/tabler.min.js"
bundled_bs="$(grep -o 'VERSION(){return"[0-9][0-9.]*"}' "$TJS" | head -n1 | grep -o '[0-9][0-9.]*' || true)"
if [[ -z "$bundled_bs" ]] || ! grep -q 'bs\.modal' "$TJS" || ! grep -q 'data-bs-toggle' "$TJS"; then
    die "tabler.min.js no longer seems to bundle Bootstrap's JS: vendor bootstrap@${BOOTSTRAP_VERSION} dist/js/bootstrap.bundle.min.js into static/vendor/bootstrap/ and update the templates"
fi
[[ "$bundled_bs" == "$BOOTSTRAP_VERSION" ]] \
    || die "tabler.min.js bundles Bootstrap JS $bundled_bs but BOOTSTRAP_VERSION is $BOOTSTRAP_VERSION: update the pin (its LICENSE is vendored)"

# Bootstrap Icons (CSS references url("fonts/bootstrap-icons.woff2?...")).
BI="$NM/bootstrap-icons"
cp_file "$BI/font/bootstrap-icons.min.css" "$OUT/bootstrap-icons/bootstrap-icons.min.css"
cp_file "$BI/font/fonts/bootstrap-icons.woff2" "$OUT/bootstrap-icons/fonts/bootstrap-icons.woff2"
cp_file "$BI/font/fonts/bootstrap-icons.woff" "$OUT/bootstrap-icons/fonts/bootstrap-icons.woff"
cp_file "$BI/LICENSE" "$OUT/bootstrap-icons/LICENSE"

# htmx
cp_file "$NM/htmx.org/dist/htmx.min.js" "$OUT/htmx/htmx.min.js"
cp_file "$NM/htmx.org/LICENSE" "$OUT/htmx/LICENSE"

# ECharts (Apache-2.0: LICENSE and NOTICE must travel with it; it embeds d3 code).
E="$NM/echarts"
cp_file "$E/dist/echarts.min.js" "$OUT/echarts/echarts.min.js"
cp_file "$E/LICENSE" "$OUT/echarts/LICENSE"
cp_file "$E/NOTICE" "$OUT/echarts/NOTICE"
for extra in "$E"/licenses/LICENSE-*; do
    if [[ -f "$extra" ]]; then cp "$extra" "$OUT/echarts/"; fi
done

# --- Clean up the copies -----------------------------------------------------------------
mapfile -t ASSETS < <(find "$OUT" -type f \( -name '*.js' -o -name '*.css' \) | sort)

# Strip sourceMappingURL comments: CSS "/*# sourceMappingURL=... */" anywhere,
# JS "//# sourceMappingURL=..." only when it is the whole line (never touch code).
for f in "${ASSETS[@]}"; do
    sed -i -E \
        -e 's@/\*[#@][[:space:]]*sourceMappingURL=[^*]*\*/@@g' \
        -e '/^[[:space:]]*\/\/[#@][[:space:]]*sourceMappingURL=[^[:space:]]*[[:space:]]*$/d' \
        "$f"
done
if grep -l -E '[#@][[:space:]]*sourceMappingURL=' "${ASSETS[@]}"; then
    die "sourceMappingURL comment left in the file(s) above"
fi

# Forbidden: anything that makes the browser fetch from outside.
# (Font-family NAMES such as "Inter Var" are fine; only URLs are forbidden.
#  data: URIs are fine too, even though SVG data contains xmlns='http://...'.)
FORBIDDEN_RE='url\([[:space:]]*["'"'"']?[[:space:]]*(https?:)?//|@import[[:space:]]+["'"'"'](https?:)?//|fonts\.googleapis|fonts\.gstatic|rsms\.me'

check_no_external() {  # check_no_external FILE...: prints offenders, returns 1 if any
    local f bad=0
    for f in "$@"; do
        if grep -q -i -E "$FORBIDDEN_RE" "$f"; then
            printf '  %s:\n' "${f#"$OUT"/}" >&2
            grep -o -i -E ".{0,40}(${FORBIDDEN_RE}).{0,60}" "$f" | head -n5 | sed 's/^/      /' >&2
            bad=1
        fi
    done
    return "$bad"
}

# Tabler has shipped "@import url(https://rsms.me/inter/inter.css)" for its web
# font in some releases: drop any remote @import from tabler.min.css (the
# font-family name stays and falls back to system fonts), then check everything.
sed -i -E \
    -e 's#@import[[:space:]]+url\([[:space:]]*["'"'"']?[[:space:]]*(https?:)?//[^)]*\)[^;]*;##gI' \
    -e 's#@import[[:space:]]+["'"'"'](https?:)?//[^"'"'"']*["'"'"'][^;]*;##gI' \
    "$OUT/tabler/tabler.min.css"

if ! check_no_external "${ASSETS[@]}"; then
    die "vendored CSS/JS above would make the browser fetch from outside the deployment; fix the sed rules or pick another version"
fi

# --- Versions file ---------------------------------------------------------------------------
cat > "$OUT/VERSIONS.txt" <<EOF
# Front-end packages vendored by scripts/vendor-static.sh (from the npm registry).
# Do not edit by hand: change the pins in the script and re-run it.
@tabler/core@${TABLER_VERSION}
bootstrap-icons@${BOOTSTRAP_ICONS_VERSION}
htmx.org@${HTMX_VERSION}
echarts@${ECHARTS_VERSION}
# Bundled inside tabler/tabler.min.js (no separate files; licenses in tabler/):
bootstrap@${bundled_bs}
@popperjs/core@${POPPER_VERSION}
EOF

# --- Replace static/vendor/ (README.md is kept) -------------------------------------------
chmod -R u=rwX,go=rX "$OUT"
mkdir -p "$DEST"
find "$DEST" -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
cp -R "$OUT"/. "$DEST"/

# Belt and braces: re-check what actually landed in static/vendor/.
mapfile -t FINAL < <(find "$DEST" -type f \( -name '*.js' -o -name '*.css' \) | sort)
OUT="$DEST" check_no_external "${FINAL[@]}" \
    || die "static/vendor/ contains external URLs (see above)"

log "done: $(du -sh "$DEST" | cut -f1) in ${DEST#"$ROOT"/}"
sed -n '/^[^#]/s/^/  /p' "$DEST/VERSIONS.txt"
