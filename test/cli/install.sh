#!/bin/bash
# make install into a scratch DESTDIR: binaries, man pages, config 0600 and
# never overwritten, systemd unit with paths substituted.
set -u
cd "$(dirname "$0")/../.."
D=$(mktemp -d /tmp/ikegw-install.XXXXXX)
trap 'rm -rf "$D"' EXIT
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; fails=$((fails + 1)); }
t() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "$*"; fi; }

out=$(make -s install DESTDIR="$D" 2>&1); rc=$?
t install-runs [ $rc = 0 ]
[ $rc = 0 ] || echo "$out" | tail -20
t sbin-ikegwd [ -x "$D/usr/local/sbin/ikegwd" ]
t sbin-ikegw [ -x "$D/usr/local/sbin/ikegw" ]
t bin-mode [ "$(stat -c %a "$D/usr/local/sbin/ikegw")" = 755 ]
t man-ikegw [ -f "$D/usr/local/share/man/man8/ikegw.8" ]
t man-ikegwd [ -f "$D/usr/local/share/man/man8/ikegwd.8" ]
if [ -f man/ikegw.conf.5 ]; then
	t man-conf [ -f "$D/usr/local/share/man/man5/ikegw.conf.5" ]
fi
t conf-installed [ -f "$D/etc/ikegw.conf" ]
t conf-mode-0600 [ "$(stat -c %a "$D/etc/ikegw.conf")" = 600 ]
U="$D/lib/systemd/system/ikegwd.service"
t unit-installed [ -f "$U" ]
t unit-mode [ "$(stat -c %a "$U")" = 644 ]
t unit-no-placeholder sh -c "! grep -qE '@[A-Z]+@' '$U'"
t unit-execstart grep -qx 'ExecStart=/usr/local/sbin/ikegwd -f -c /etc/ikegw.conf' "$U"
t unit-reload grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$U"
t unit-runtime-dir grep -qx 'RuntimeDirectory=ikegw' "$U"
t unit-net-admin grep -q '^CapabilityBoundingSet=.*CAP_NET_ADMIN' "$U"
t unit-netlink grep -q '^RestrictAddressFamilies=.*AF_NETLINK' "$U"
# the installed binary works and finds its config check
t installed-runs sh -c "'$D/usr/local/sbin/ikegw' check-config -c '$D/etc/ikegw.conf' >/dev/null"

# a second install keeps an edited config
echo "# edited by the operator" >> "$D/etc/ikegw.conf"
sum=$(md5sum < "$D/etc/ikegw.conf")
out=$(make -s install DESTDIR="$D" 2>&1); rc=$?
t reinstall-runs [ $rc = 0 ]
t conf-not-overwritten [ "$(md5sum < "$D/etc/ikegw.conf")" = "$sum" ]

# systemd can parse the unit (paths pointed into DESTDIR so they exist)
if command -v systemd-analyze >/dev/null; then
	sed "s|@SBINDIR@|$D/usr/local/sbin|g; s|@SYSCONFDIR@|$D/etc|g" etc/ikegwd.service > "$D/ikegwd.service"
	out=$(systemd-analyze verify --man=no "$D/ikegwd.service" 2>&1 | grep -v -e 'network-online' -e '^$')
	t unit-verifies [ -z "$out" ]
	[ -z "$out" ] || echo "$out"
fi
[ $fails = 0 ]
