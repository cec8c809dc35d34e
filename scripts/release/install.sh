#!/bin/sh
# Installs this unpacked release bundle as a systemd service. Run as root from the unpacked bundle:
#   sudo ./install/install.sh [--prefix /opt/bms-supervisor] [--data-dir /var/lib/bms-supervisor] \
#        [--update-key update-key.pub] [--root <dir>] [--no-systemd]
# - a system user `bms` (no login, no home) owns the data directory, mode 0700;
# - the release goes to <prefix>/<version>, with <prefix>/current pointing at it (read-only for `bms`);
# - --update-key pins the ed25519 public key over-the-air updates must be signed with
#   (<data-dir>/update-key.pub); without it the supervisor refuses every update;
# - --root installs into a staging root (packaging, tests) and --no-systemd skips user creation and
#   systemctl, for machines or tests without them.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
prefix=/opt/bms-supervisor
data_dir=/var/lib/bms-supervisor
update_key=
root=
systemd=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --update-key) update_key=$2; shift 2 ;;
    --root) root=$2; shift 2 ;;
    --no-systemd) systemd=no; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$prefix$data_dir" in *@*|*\|*) echo "install.sh: paths may not hold @ or |" >&2; exit 2 ;; esac
version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$here/lib/package.json")
command -v node >/dev/null || { echo "install.sh: Node.js 20 or newer must be on the PATH" >&2; exit 1; }

if [ "$systemd" = yes ] && ! id bms >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir "$data_dir" --shell /usr/sbin/nologin bms
fi
mkdir -p "$root$prefix/$version" "$root$data_dir"
cp -R "$here/." "$root$prefix/$version/"
ln -sfn "$version" "$root$prefix/current"
if [ -n "$update_key" ]; then
  cp "$update_key" "$root$data_dir/update-key.pub"
  chmod 0644 "$root$data_dir/update-key.pub"
fi
chmod 0700 "$root$data_dir"
unit_dir="$root/etc/systemd/system"
mkdir -p "$unit_dir"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@DATA_DIR@|$data_dir|g" "$here/install/bms-supervisor.service" \
  > "$unit_dir/bms-supervisor.service"
if [ "$systemd" = yes ]; then
  chown -R bms:bms "$root$data_dir"
  # The key stays root's: the supervisor may read it, never replace it.
  [ -z "$update_key" ] || chown root:root "$root$data_dir/update-key.pub"
  systemctl daemon-reload
  systemctl enable --now bms-supervisor.service
fi
echo "installed bms-supervisor $version in $root$prefix (data: $root$data_dir)"
