#!/bin/bash
# `make demo`: two ikegw gateways, a tunnel, a ping across, `ikegw down`.
# Runs test/kernel/demo-body.sh on the host kernel when it does ESP (in
# network namespaces), otherwise in a user-mode-linux guest.  Needs root and
# the release build (make all).  Exit status 0 only if every step worked.
set -u
cd "$(dirname "$0")/../.." || exit 1
body=test/kernel/demo-body.sh
namespaces="gwa gwb hosta1 hosta2 hostb1 hostb2"

die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, the UML guest); run: sudo make demo"
for f in build/rel/ikegwd build/rel/ikegw; do
	[ -x "$f" ] || die "$f is not built (run: make all)"
done
for t in ip ping python3; do
	command -v "$t" >/dev/null || die "'$t' is missing (run: make deps)"
done

# Does the host kernel do ESP?  Try an ESP SA in a scratch namespace.
host_esp=no
probe_ns=ikegw-demo-probe-$$
ip netns add "$probe_ns" 2>/dev/null || die "cannot create a network namespace"
ip -n "$probe_ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
	reqid 1 mode tunnel aead 'rfc4106(gcm(aes))' \
	0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223 128 \
	2>/dev/null && host_esp=yes
ip netns del "$probe_ns"

start=$SECONDS
if [ $host_esp = yes ]; then
	# The body owns these names for its run and deletes them after: never
	# touch namespaces that someone else made.
	for ns in $namespaces; do
		[ -e "/run/netns/$ns" ] && die "a network namespace '$ns' exists already; the demo would clash with it"
	done
	echo "demo: this kernel ($(uname -r)) does ESP; running in network namespaces on it"
	# timeout runs the body in a process group of its own (so the daemons
	# die with it on a timeout); pass an interrupt on to that group too.
	timeout -k 5 60 "$body" &
	job=$!
	trap 'kill -TERM $job 2>/dev/null' INT TERM HUP
	wait $job
	rc=$?
	# wait returns early when a trapped signal arrives; then let the body end
	while kill -0 $job 2>/dev/null; do wait $job; rc=130; done
	trap - INT TERM HUP
	[ $rc -eq 124 ] && echo "demo: timed out after 60 s" >&2
	for ns in $namespaces; do ip netns del "$ns" 2>/dev/null; done
else
	uml=${LINUX_UML:-/usr/bin/linux.uml}
	[ -x "$uml" ] || die "this kernel has no ESP and $uml is missing (package user-mode-linux; run: make deps)"
	echo "demo: this kernel ($(uname -r)) has no ESP; running in a user-mode-linux guest"
	test/kernel/uml.sh -t 60 "$body"
	rc=$?
	case $rc in
	124) echo "demo: timed out inside the guest" >&2 ;;
	125) echo "demo: the user-mode-linux guest did not boot or did not report (see above)" >&2 ;;
	esac
fi
echo "demo: $((SECONDS - start)) s"
[ $rc -eq 0 ] || echo "demo: FAILED (exit status $rc)" >&2
exit $rc
