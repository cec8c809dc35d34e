#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, from Debian's packages:
# Chromium for the browser tests (never a downloaded browser), tshark for the packet checks, and
# pymodbus (with the serial modules its server imports) as the independent Modbus TCP peer, and
# PostgreSQL 15 + mosquitto for the MQTT, Sparkplug and fleet tests (started per test on loopback, temp dirs),
# and poppler's pdftoppm, with which the commissioning test looks at the printed report's first page.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
/usr/bin/python3 -c "import pymodbus.server" >/dev/null 2>&1 ||
  need+=(python3-pymodbus python3-serial python3-serial-asyncio)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -eq 0 ]; then
  echo "test deps: chromium, tshark, pymodbus, postgresql, mosquitto and pdftoppm already installed"
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
