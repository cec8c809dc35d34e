#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, from Debian's packages:
# Chromium for the browser tests (never a downloaded browser), tshark for the packet checks, and
# pymodbus (with the serial modules its server imports) as the independent Modbus TCP peer.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
/usr/bin/python3 -c "import pymodbus.server" >/dev/null 2>&1 ||
  need+=(python3-pymodbus python3-serial python3-serial-asyncio)
if [ ${#need[@]} -eq 0 ]; then
  echo "test deps: chromium, tshark and pymodbus already installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
echo "test deps: installing ${need[*]} from Debian"
if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${need[@]}"; then
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${need[@]}"
fi
