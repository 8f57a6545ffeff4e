#!/usr/bin/env bash
# Generate the reference pages in docs/reference/ (the three modules, the role, an index) from the
# documentation inside the plugins and the role's argument_specs, with antsibull-docs.
#
#   hacking/gen_reference_docs.sh [DEST]     DEST defaults to docs/reference
#
# The pages are documented from the *installed* collection: build/collections, which every run of
# noxfile.py builds (`make reference-docs` runs this script), or COLLECTIONS=<dir holding ansible_collections/>.
# The output is RST in antsibull-docs' simplified-rst format, which GitHub renders (antsibull-docs
# has no Markdown output). It holds no timestamp and no tool version, so the docs session of
# noxfile.py can regenerate it into a temporary folder and fail when docs/reference differs.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${1:-$REPO/docs/reference}
COLLECTIONS=${COLLECTIONS:-$REPO/build/collections}

if [[ ! -f "$COLLECTIONS/ansible_collections/datagrok/platform/MANIFEST.json" ]]; then
    echo "ERROR: no installed datagrok.platform under $COLLECTIONS; run 'make venv' first" >&2
    exit 1
fi
# antsibull-docs runs ansible-doc: both from the project's venv unless one is active.
if ! command -v antsibull-docs >/dev/null 2>&1; then
    export PATH="$REPO/.venv/bin:$PATH"
fi

WORK=$(mktemp -d /tmp/datagrok-refdocs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"  # antsibull-docs refuses a destination that others may write to

ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ANSIBLE_NOCOLOR=1 antsibull-docs collection \
    --use-current --squash-hierarchy --output-format simplified-rst \
    --no-add-antsibull-docs-version --fail-on-error --cleanup everything \
    --dest-dir "$WORK" datagrok.platform

mkdir -p "$DEST"
# Replace the generated pages only (a README or other hand-written file in DEST stays).
find "$DEST" -maxdepth 1 -name '*.rst' -delete
cp "$WORK"/*.rst "$DEST"/
echo "wrote $(find "$DEST" -maxdepth 1 -name '*.rst' | wc -l) pages to $DEST"
