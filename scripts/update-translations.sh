#!/usr/bin/env bash
# Refreshes resources/i18n/*.ts from the sources with lupdate (Debian qt6-l10n-tools):
# new texts are added as unfinished entries, texts no longer in the code are dropped.
# Then translate the unfinished ones (Qt Linguist, or by hand: fill <translation> and remove
# type="unfinished") and rebuild; tests/tst_ui_i18n.cpp fails while any is left.
# Usage: scripts/update-translations.sh [--check]
#   --check: change nothing; list the texts the .ts files lack or leave untranslated, exit 1
#            if there are any.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LUPDATE="${LUPDATE:-$(command -v lupdate || echo /usr/lib/qt6/bin/lupdate)}"
[ -x "$LUPDATE" ] || { echo "update-translations: no lupdate (scripts/install-deps.sh installs qt6-l10n-tools)" >&2; exit 2; }
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1
cd "$ROOT"
# The window's texts: ui/ and the tables in core/ it shows (knob table, presets, close
# reasons, failure hints). No line numbers in the .ts, so that moving code changes nothing.
SOURCES=(ui core)
status=0
for ts in resources/i18n/poolscope_*.ts; do
    out="$ts"
    if [ "$CHECK" = 1 ]; then
        out="$(mktemp --suffix=.ts)"
        cp "$ts" "$out"
    fi
    "$LUPDATE" -silent -locations none -no-obsolete -no-ui-lines "${SOURCES[@]}" -ts "$out"
    n=$(grep -c 'type="unfinished"' "$out" || true)
    echo "$ts: $(grep -c '<message' "$out") messages, $n unfinished"
    if [ "$n" -gt 0 ]; then
        status=1
        python3 - "$out" <<'PY'
import sys, xml.etree.ElementTree as ET
for ctx in ET.parse(sys.argv[1]).getroot():
    name = ctx.findtext('name')
    for m in ctx.findall('message'):
        if m.find('translation').get('type') == 'unfinished':
            print(f"  [{name}] {m.findtext('source')[:100]!r}")
PY
    fi
    [ "$CHECK" = 1 ] && rm -f "$out"
done
[ "$CHECK" = 1 ] && exit $status
exit 0
