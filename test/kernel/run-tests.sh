#!/bin/bash
# Real-kernel tests: every executable test/kernel/k-*.sh (or those named
# in $KERNEL_TESTS), all in ONE user-mode-linux boot (or directly, when the
# host kernel has ESP).  Prints the scripts' PASS/FAIL lines; test/run-all.sh
# counts them.  Needs root.  SKIP_KERNEL_TESTS=1 skips everything.
set -u
cd "$(dirname "$0")/../.." || exit 1
here=test/kernel

if [ "${SKIP_KERNEL_TESTS:-0}" = 1 ]; then
	echo "kernel tests skipped (SKIP_KERNEL_TESTS=1)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "FAIL kernel-tests: not root (network namespaces and the UML guest need root; or set SKIP_KERNEL_TESTS=1)"
	exit 1
fi
for t in ip iptables-legacy ping modprobe; do
	command -v "$t" >/dev/null || {
		echo "FAIL kernel-tests: '$t' missing (run make deps)"
		exit 1
	}
done
# What the guest runs is the release build (ASan does not run under UML).
if ! out=$(make -s build/rel/test/kernel/xfrmtool 2>&1); then
	echo "FAIL kernel-tests: build of build/rel/test/kernel/xfrmtool failed"
	echo "$out" | tail -20
	exit 1
fi

scripts=()
if [ -n "${KERNEL_TESTS:-}" ]; then
	for s in $KERNEL_TESTS; do scripts+=("$here/$(basename "$s")"); done
else
	for s in "$here"/k-*.sh; do [ -x "$s" ] && scripts+=("$s"); done
fi

# Does the host kernel do ESP?  Try an ESP SA in a scratch namespace.
probe_ns=ikegw-probe-$$
host_esp=no
if ip netns add "$probe_ns" 2>/dev/null; then
	ip -n "$probe_ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
		reqid 1 mode tunnel enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f \
		auth-trunc 'hmac(sha256)' 0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f 128 \
		2>/dev/null && host_esp=yes
	# Where ESP is missing, the backend must say so in words.
	if [ $host_esp = no ]; then
		out=$(ip netns exec "$probe_ns" build/rel/test/kernel/xfrmtool tunnel-up \
			--local 192.0.2.1 --remote 192.0.2.2 --no-policy --spi-out 0x1001 \
			--spi-in 0x2001 --reqid 0x49470001 --alg cbc-sha256 2>&1)
		if grep -q 'kernel has no ESP support (module esp4/esp6' <<<"$out"; then
			echo "PASS host kernel without ESP: refusal says ESP support is missing"
		else
			echo "FAIL host kernel without ESP: refusal says ESP support is missing: $out"
		fi
	fi
	ip netns del "$probe_ns"
fi

start=$SECONDS
if [ $host_esp = yes ]; then
	echo "host kernel has ESP: running ${#scripts[@]} script(s) directly"
	IKEGW_OUT=$(mktemp -d) && export IKEGW_OUT
	timeout -k 10 900 "$here/run-guest.sh" "${scripts[@]}"
	rc=$?
	[ -n "${UML_OUT:-}" ] && mkdir -p "$UML_OUT" && cp -r "$IKEGW_OUT/." "$UML_OUT/"
	rm -rf "$IKEGW_OUT"
else
	if [ ! -x "${LINUX_UML:-/usr/bin/linux.uml}" ]; then
		echo "FAIL kernel-tests: host kernel has no ESP and ${LINUX_UML:-/usr/bin/linux.uml} is missing (package user-mode-linux)"
		exit 1
	fi
	"$here/uml.sh" -t 900 "$here/run-guest.sh" "${scripts[@]}"
	rc=$?
	if [ $rc -eq 125 ]; then
		echo "FAIL kernel-tests: the UML guest did not boot or did not report (see above)"
	elif [ $rc -eq 124 ]; then
		echo "FAIL kernel-tests: timed out inside the guest"
	fi
fi
echo "kernel tests: $((SECONDS - start)) s ($([ $host_esp = yes ] && echo host || echo UML))"
exit $rc
