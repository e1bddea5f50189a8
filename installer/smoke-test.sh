#!/usr/bin/env bash
# Smoke-test the frozen app (dist/CarbonDesk, from build-linux.sh) end to end, as a user on a machine
# without Python would run it: demo, calc, check, export-pdf, export-xlsx, signer create, package, verify,
# audit, the window (offscreen, screenshot), and start-up time against the venv. Fails loudly.
#
#   bash installer/smoke-test.sh [dist/CarbonDesk]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUNDLE=$(cd "${1:-dist/CarbonDesk}" && pwd)
CLI="$BUNDLE/carbondesk"
GUI="$BUNDLE/carbondesk-gui"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARBONDESK_DATA_DIR="$WORK/data" CD_PASS="smoke-test-passphrase" PYTHONIOENCODING=utf-8
# no Python of ours on the path: the bundle must carry everything
export PATH="/usr/bin:/bin" PYTHONPATH="" PYTHONHOME=""
cd "$WORK"

step() {  # step NAME EXPECTED-EXIT COMMAND...
  local name=$1 want=$2
  shift 2
  local got=0
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, expected $want" >&2
    cat "$WORK/$name.out" "$WORK/$name.err" >&2
    exit 1
  fi
  if grep -q "Traceback\|Internal error\|内部错误" "$WORK/$name.err"; then
    echo "FAIL $name: a traceback" >&2
    cat "$WORK/$name.err" >&2
    exit 1
  fi
  echo "ok   $name (exit $got)"
}

step version 0 "$CLI" --version
if [ -z "$(find "$BUNDLE" -name '_rl_accel*' -print -quit)" ]; then  # reportlab measures CJK text in C
  echo "FAIL the bundle lacks reportlab's accelerator (_rl_accel)" >&2
  exit 1
fi
echo "ok   reportlab accelerator bundled"
step demo 0 "$CLI" --lang en demo --today 2026-11-23
step demo-json 0 "$CLI" --lang en demo --json-out demo.json
step calc 0 "$CLI" --lang zh calc demo.json
grep -q "机组" "$WORK/calc.out" || { echo "FAIL calc: no Chinese output" >&2; exit 1; }
step check 1 "$CLI" --lang en check demo.json  # the demo keeps errors to fix: exit 1
step schema 0 "$CLI" schema
step export-pdf 0 "$CLI" --lang en export-pdf report.pdf --today 2026-11-23
step export-xlsx 0 "$CLI" --lang en export-xlsx report.xlsx --today 2026-11-23
step signer 0 "$CLI" --lang en signer create --name 王碳 --passphrase-env CD_PASS
step package 0 "$CLI" --lang en package pkg.zip --passphrase-env CD_PASS --allow-errors --today 2026-11-23
# the PDF was made by the program started again as its helper, not by the fallback in the same process
if grep -q "helper" "$WORK/package.err"; then
  echo "FAIL package: the PDF's helper process did not serve" >&2
  cat "$WORK/package.err" >&2
  exit 1
fi
echo "ok   package's PDF made by the helper process"
step verify 4 "$CLI" --lang en verify pkg.zip  # intact; the signer is not in the trust store
step trust 0 "$CLI" --lang en trust add "$CARBONDESK_DATA_DIR/signer/signer-cert.pem"
step verify-trusted 0 "$CLI" --lang en verify pkg.zip
step month 0 "$CLI" --lang en month amend 1# 3 --year 2025 --reason smoke --passphrase-env CD_PASS
step audit 0 "$CLI" --lang en audit verify --package pkg.zip
step gbk 0 env PYTHONIOENCODING=gbk "$CLI" --lang zh pack show --year 2022
# the other guidelines: their forms, packs and engines are in the bundle too
step demo-cement 0 "$CLI" --lang zh demo --guideline cement_clinker --today 2026-11-23
grep -q "生产线" "$WORK/demo-cement.out" || { echo "FAIL demo-cement: no clinker lines" >&2; exit 1; }
step demo-aluminium 0 "$CLI" --lang en demo --guideline aluminium_smelting --today 2026-11-23
grep -q "potline" "$WORK/demo-aluminium.out" || { echo "FAIL demo-aluminium: no potlines" >&2; exit 1; }

# the outputs are real files of their kind (each listing read whole before it is searched: under pipefail,
# "unzip -l | grep -q" fails whenever grep stops reading before unzip has written everything)
[ "$(head -c 5 report.pdf)" = "%PDF-" ] || { echo "FAIL: report.pdf is not a PDF" >&2; exit 1; }
if command -v pdffonts >/dev/null; then
  fonts=$(pdffonts report.pdf)
  grep -q "yes yes" <<<"$fonts" || { echo "FAIL: the PDF's font is not embedded" >&2; exit 1; }
fi
listing=$(unzip -l report.xlsx)
grep -q "xl/workbook.xml" <<<"$listing" || { echo "FAIL: report.xlsx is not a workbook" >&2; exit 1; }
listing=$(unzip -l pkg.zip)
grep -q "manifest.json" <<<"$listing" || { echo "FAIL: pkg.zip has no manifest" >&2; exit 1; }

# the window, offscreen: opens the demo, shows its year, saves a screenshot, quits
step window 0 env QT_QPA_PLATFORM=offscreen timeout 120 "$GUI" --demo --lang zh --today 2026-11-23 \
  --screenshot "$WORK/window.png"
[ -s "$WORK/window.png" ] || { echo "FAIL: the window saved no screenshot" >&2; exit 1; }
step window-cement 0 env QT_QPA_PLATFORM=offscreen timeout 120 "$GUI" --demo cement_clinker --lang en \
  --today 2026-11-23 --screenshot "$WORK/window-cement.png"
[ -s "$WORK/window-cement.png" ] || { echo "FAIL: the cement window saved no screenshot" >&2; exit 1; }
if [ -n "${SMOKE_SCREENSHOT:-}" ]; then cp "$WORK/window.png" "$SMOKE_SCREENSHOT"; fi

# start-up: the frozen command against the venv's (best of 5 each; printed, not asserted as a timing)
best() {
  local best_ms=999999
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    local ms=$(( (t1 - t0) / 1000000 ))
    [ "$ms" -lt "$best_ms" ] && best_ms=$ms
  done
  echo "$best_ms"
}
window_args=(--demo --lang zh --today 2026-11-23 --screenshot "$WORK/again.png")
frozen_ms=$(best "$CLI" --lang en calc demo.json)
frozen_gui_ms=$(best env QT_QPA_PLATFORM=offscreen "$GUI" "${window_args[@]}")
if [ -x "$ROOT/.venv/bin/carbondesk" ]; then
  venv_ms=$(best "$ROOT/.venv/bin/carbondesk" --lang en calc demo.json)
  venv_gui_ms=$(best env QT_QPA_PLATFORM=offscreen "$ROOT/.venv/bin/carbondesk-gui" "${window_args[@]}")
  echo "command start-up + calc of the demo: frozen ${frozen_ms} ms, venv ${venv_ms} ms (best of 5)"
  echo "window start-up to the demo year on screen: frozen ${frozen_gui_ms} ms, venv ${venv_gui_ms} ms (best of 5)"
else
  echo "command start-up + calc: frozen ${frozen_ms} ms; window: frozen ${frozen_gui_ms} ms"
fi
echo "frozen app: all smoke tests passed"
