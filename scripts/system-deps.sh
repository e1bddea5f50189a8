#!/usr/bin/env bash
# Installs the Debian packages CarbonDesk needs at run time (Qt's runtime libraries, fonts for
# screenshots, tools the tests call) when they are missing. A no-op when everything is present.
# Runs apt-get only as root; otherwise it prints the command to run.
set -euo pipefail

need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }

have_lib 'libEGL.so.1'        || need+=(libegl1)
have_lib 'libGL.so.1'         || need+=(libgl1)
have_lib 'libxkbcommon.so.0'  || need+=(libxkbcommon0)
have_lib 'libfontconfig.so.1' || need+=(libfontconfig1)
have_lib 'libdbus-1.so.3'     || need+=(libdbus-1-3)
have_lib 'libglib-2.0.so.0'   || need+=(libglib2.0-0)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
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
