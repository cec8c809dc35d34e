#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, from Debian's packages:
# Chromium for the browser tests (never a downloaded browser), tshark for the packet checks and the
# mosquitto broker and clients for the MQTT plugin's tests.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
if [ ${#need[@]} -eq 0 ]; then
  echo "test deps: chromium, tshark and mosquitto already installed"
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
