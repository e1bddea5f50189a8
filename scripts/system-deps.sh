#!/usr/bin/env bash
# Installs the Debian packages CarbonDesk needs at run time (Qt's runtime libraries) and those the tests
# call (below) when they are missing. A no-op when everything is present. CARBONDESK_EXTRA_DEBS adds more
# (CI: the installer build's nsis, osslsigncode, unzip).
# Runs apt-get only as root; otherwise it prints the command to run.
set -euo pipefail

need=()
have_lib() { local libs; libs=$(ldconfig -p 2>/dev/null || true); grep -q "$1" <<<"$libs"; }  # read whole (pipefail)
have_cmd() { command -v "$1" >/dev/null 2>&1; }

have_lib 'libEGL.so.1'        || need+=(libegl1)
have_lib 'libGL.so.1'         || need+=(libgl1)
have_lib 'libxkbcommon.so.0'  || need+=(libxkbcommon0)
have_lib 'libfontconfig.so.1' || need+=(libfontconfig1)
have_lib 'libdbus-1.so.3'     || need+=(libdbus-1-3)
have_lib 'libglib-2.0.so.0'   || need+=(libglib2.0-0)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
# Qt's xcb platform (a real window on X): the libraries its plugin loads
for pkg in libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0 \
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-xfixes0 libxcb-sync1 libx11-xcb1; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# tools the tests call to check outputs with standard software, and to drive a real window:
# openssl (CMS signatures), poppler-utils (pdffonts, pdftotext, pdfsig), LibreOffice Calc (opens and
# re-saves the workbooks), Xvfb + xdotool + xclip (typing and pasting into the window)
have_cmd openssl   || need+=(openssl)
have_cmd pdfsig    || need+=(poppler-utils)
have_cmd soffice   || need+=(libreoffice-calc-nogui)
have_cmd Xvfb      || need+=(xvfb)
have_cmd xdotool   || need+=(xdotool)
have_cmd xclip     || need+=(xclip)
for extra in ${CARBONDESK_EXTRA_DEBS:-}; do
  dpkg -s "$extra" >/dev/null 2>&1 || need+=("$extra")
done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "CarbonDesk needs these system packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
