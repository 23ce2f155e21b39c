#!/bin/sh
# Install the Debian packages the build and the tests need; a no-op when
# they are present.  Run as root on Debian 12 (make deps).
set -e
pkgs="gcc make pkg-config libmnl-dev libsodium-dev libssl-dev check clang
      user-mode-linux kmod iproute2 iptables tshark socat groff-base groff procps
      psmisc tcpdump python3 iputils-ping"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q $missing >/dev/null || {
		apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null
	}
fi
# The interop peers: libreswan installed (never started), strongSwan
# unpacked into a cache directory (the two packages conflict).
exec "$(dirname "$0")/deps-interop.sh"
