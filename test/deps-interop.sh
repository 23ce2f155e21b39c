#!/bin/sh
# Install what the interop tests need; fast no-op when all is present.
#
# libreswan (pluto) comes from apt.  Debian's strongSwan charon packages
# conflict with libreswan, so strongSwan is only unpacked (dpkg-deb -x) into
# $IKEGW_STRONGSWAN_ROOT; the kernel harness stacks that tree as an extra
# overlay lower layer inside the UML guest.  Nothing of strongSwan is
# installed on the host, and neither daemon is ever started on the host:
# ipsec.service is disabled and service starts are refused during install.
set -e
root=${IKEGW_STRONGSWAN_ROOT:-/var/cache/ikegw-test/strongswan}
sspkgs="libstrongswan libstrongswan-standard-plugins libstrongswan-extra-plugins
        strongswan-libcharon libcharon-extra-plugins strongswan-charon
        strongswan-swanctl"
base="libreswan libnss3-tools"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# Run-time libraries of the unpacked strongSwan: the Depends of its debs,
# minus strongSwan's own packages and virtual alternatives we do not need.
ss_runtime_deps() {
	for d in "$root"/.debs/*.deb; do
		dpkg-deb -f "$d" Depends
	done | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/[[:space:]]//g' |
		grep -v -e '^$' -e strongswan -e '^libcharon' -e '^iproute' |
		sort -u
}

need_root() {
	[ "$(id -u)" = 0 ] && return 0
	echo "deps-interop: $1 (run as root)" >&2
	exit 1
}

apt_install() {
	echo "deps-interop: installing $*"
	need_root "missing packages: $*"
	# policy-rc.d 101: no service may start during the install.
	prc=/usr/sbin/policy-rc.d
	saved=
	if [ -e $prc ]; then saved=$(mktemp); cp -p $prc "$saved"; fi
	printf '#!/bin/sh\nexit 101\n' >$prc; chmod 755 $prc
	rc=0
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null ||
		{ apt-get update -q >/dev/null &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; } ||
		rc=$?
	if [ -n "$saved" ]; then mv "$saved" $prc; else rm -f $prc; fi
	return $rc
}

missing=
for p in $base; do installed "$p" || missing="$missing $p"; done
[ -z "$missing" ] || apt_install $missing

# pluto must never auto-start on the host.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
	systemctl is-enabled -q ipsec.service 2>/dev/null &&
		systemctl disable -q ipsec.service
	systemctl is-active -q ipsec.service 2>/dev/null &&
		systemctl stop ipsec.service
fi
if [ -x /usr/sbin/update-rc.d ] && [ -e /etc/init.d/ipsec ] &&
   ls /etc/rc[2345].d/S*ipsec >/dev/null 2>&1; then
	update-rc.d ipsec disable >/dev/null 2>&1 || true
fi

# strongSwan tree: the stamp names the package versions it was built from.
want=$(apt-cache policy $sspkgs 2>/dev/null |
	awk '/^[a-z]/{p=$1} /Candidate:/{print p $2}' | tr '\n' ' ')
case "$want" in *"(none)"*|"") want=unknown ;; esac
if [ ! -x "$root/usr/lib/ipsec/charon" ] || [ ! -x "$root/usr/sbin/swanctl" ] ||
   { [ "$want" != unknown ] && [ "$(cat "$root/.stamp" 2>/dev/null)" != "$want" ]; }; then
	need_root "strongSwan tree $root missing or stale"
	echo "deps-interop: unpacking strongSwan into $root"
	tmp="$root.new"
	rm -rf "$tmp"; mkdir -p "$tmp/.debs"
	chmod 755 "$tmp/.debs"	# apt's _apt user downloads here
	(cd "$tmp/.debs" && apt-get download -q $sspkgs >/dev/null 2>&1) ||
		{ apt-get update -q >/dev/null &&
		  (cd "$tmp/.debs" && apt-get download -q $sspkgs >/dev/null); }
	for d in "$tmp"/.debs/*.deb; do dpkg-deb -x "$d" "$tmp"; done
	# The packaged configuration would load every plugin: drop it, the
	# drivers write their own strongswan.conf per instance.
	rm -rf "$tmp/etc/apparmor.d" "$tmp/usr/share/doc" "$tmp/usr/share/man"
	echo "$want" >"$tmp/.stamp"
	rm -rf "$root"; mv "$tmp" "$root"
fi

missing=
for p in $(ss_runtime_deps); do installed "$p" || missing="$missing $p"; done
[ -z "$missing" ] || apt_install $missing
exit 0
