#!/usr/bin/env bash
# Build the frozen one-folder app here (dist/CarbonDesk/) and compile the NSIS installer script against it
# (dist/CarbonDesk-<version>-setup.exe). On Linux the installer holds the Linux bundle: it proves that the
# script compiles with the files the bundle has; the real Windows installer comes from build-windows.ps1.
# Prints the sizes and fails when the targets are exceeded (bundle <= 200 MB, installer <= 70 MB).
#
#   bash installer/build-linux.sh            (uses .venv, made by `make`; installs PyInstaller into it)
#   SKIP_NSIS=1 bash installer/build-linux.sh   the bundle only
#   CODESIGN_PFX=cert.pfx CODESIGN_PASSWORD=... [CODESIGN_CA=ca.pem] [TIMESTAMP_URL=...]   sign the installer
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="${PYTHON:-$ROOT/.venv/bin/python}"
DIST="$ROOT/dist"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' desktop/__init__.py)
[ -n "$VERSION" ] || { echo "no __version__ in desktop/__init__.py" >&2; exit 1; }
BUNDLE_MAX_MB=${BUNDLE_MAX_MB:-200}
SETUP_MAX_MB=${SETUP_MAX_MB:-70}

echo "== CarbonDesk $VERSION: frozen bundle"
"$PY" -m pip install --quiet -c constraints.txt -e '.[installer]'
if [ ! -f resources/translations/carbondesk_zh_CN.qm ]; then
  "$(dirname "$PY")/pyside6-lrelease" -silent resources/translations/carbondesk_zh_CN.ts \
    -qm resources/translations/carbondesk_zh_CN.qm
fi
rm -rf "$DIST/CarbonDesk" build/pyinstaller
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath build/pyinstaller installer/carbondesk.spec
bundle_mb=$(du -sm "$DIST/CarbonDesk" | cut -f1)
echo "bundle: $DIST/CarbonDesk  ${bundle_mb} MB (target <= ${BUNDLE_MAX_MB} MB)"

status=0
if [ "$bundle_mb" -gt "$BUNDLE_MAX_MB" ]; then
  echo "ERROR: the bundle is larger than ${BUNDLE_MAX_MB} MB" >&2
  status=1
fi

if [ -z "${SKIP_NSIS:-}" ]; then
  if ! command -v makensis >/dev/null; then
    echo "makensis not found: apt-get install nsis (scripts/system-deps.sh installs it for CI)" >&2
    exit 1
  fi
  echo "== NSIS installer script, checked against the Linux bundle"
  setup="$DIST/CarbonDesk-$VERSION-setup.exe"
  makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$VERSION" -DBUNDLE="$DIST/CarbonDesk" -DOUTFILE="$setup" \
    -DEXE_SUFFIX= -DICON="$ROOT/resources/icons/carbondesk.ico" installer/carbondesk.nsi
  if [ -n "${CODESIGN_PFX:-}" ]; then  # Authenticode with osslsigncode, as build-windows.ps1 does without signtool
    args=(sign -pkcs12 "$CODESIGN_PFX" -h sha256 -n CarbonDesk -in "$setup" -out "$setup.signed")
    [ -n "${CODESIGN_PASSWORD:-}" ] && args+=(-pass "$CODESIGN_PASSWORD")
    [ -n "${TIMESTAMP_URL:-}" ] && args+=(-ts "$TIMESTAMP_URL")
    osslsigncode "${args[@]}" >/dev/null
    mv "$setup.signed" "$setup"
    verify=(verify -in "$setup")
    [ -n "${CODESIGN_CA:-}" ] && verify+=(-CAfile "$CODESIGN_CA")
    verified=$(osslsigncode "${verify[@]}" 2>&1 || true)  # read whole: under pipefail a grep -q stopping early fails the pipe
    grep -q "Signature verification: ok" <<<"$verified" \
      || { echo "ERROR: the installer's Authenticode signature does not verify" >&2; exit 1; }
    echo "installer signed (Authenticode, SHA-256) and verified with osslsigncode"
  fi
  setup_mb=$(( ($(stat -c %s "$setup") + 1048575) / 1048576 ))
  echo "installer: $setup  ${setup_mb} MB (target <= ${SETUP_MAX_MB} MB; Linux files inside: a check, not for Windows)"
  if [ "$setup_mb" -gt "$SETUP_MAX_MB" ]; then
    echo "ERROR: the installer is larger than ${SETUP_MAX_MB} MB" >&2
    status=1
  fi
fi

# the wheel carries the compiled translations and the data too (pip install users)
rm -rf "$DIST/wheel"
"$PY" -m pip wheel --quiet --no-deps --no-build-isolation -w "$DIST/wheel" . 2>/dev/null \
  || "$PY" -m pip wheel --quiet --no-deps -w "$DIST/wheel" .
wheel=$(ls "$DIST"/wheel/carbondesk-*.whl)
"$PY" - "$wheel" <<'EOF'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = [
    "desktop/_data/resources/translations/carbondesk_zh_CN.qm",
    "desktop/_data/resources/fonts/wqy-microhei.ttc",
    "desktop/_data/resources/icons/carbondesk.png",
    "desktop/_data/forms/power_generation.toml",
    "desktop/storage/migrations/env.py",
]
missing = [n for n in needed if n not in names]
print(f"wheel: {sys.argv[1]}  ({len(names)} files)")
if missing:
    sys.exit(f"ERROR: the wheel lacks {missing}")
EOF
exit $status
