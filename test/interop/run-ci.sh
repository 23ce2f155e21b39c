#!/bin/bash
# The interop cases of `make test` (test/run-all.sh runs this): ikegw
# against strongSwan and libreswan, every scenario of issue #6 at least
# once per peer it applies to, ikegw as initiator in some and responder in
# others (both roles for scenarios 1 and 9), all in ONE UML boot.  The full
# matrix (50 cases) is ikegw-all.sh, run by hand.
#
# Prints run.sh's PASS/FAIL lines and summary.  SKIP_KERNEL_TESTS=1 (or
# SKIP_INTEROP_TESTS=1) skips it.  Runs test/deps-interop.sh first (a fast
# no-op when the peers are present) and fails clearly when it cannot.
# Logs of failing cases: build/test-logs/interop/ (UML_OUT).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

for v in SKIP_KERNEL_TESTS SKIP_INTEROP_TESTS; do
	if [ "${!v:-0}" = 1 ]; then
		echo "interop tests skipped ($v=1)"
		exit 0
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "FAIL interop: not root (the UML guest and its namespaces need root; or set SKIP_KERNEL_TESTS=1)"
	exit 1
fi
if ! out=$("$repo/test/deps-interop.sh" 2>&1); then
	echo "FAIL interop: test/deps-interop.sh could not provide strongSwan and libreswan:"
	echo "$out" | tail -10 | sed 's/^/  /'
	exit 1
fi
if ! out=$(make -s -C "$repo" all 2>&1); then
	echo "FAIL interop: release build (build/rel/ikegwd, ikegw) failed"
	echo "$out" | tail -20
	exit 1
fi

# Which cases and why: README.md's "CI set".
cases=(
	ikegw-strongswan:1-gcm-x25519:initiator
	ikegw-strongswan:1-gcm-x25519:responder
	ikegw-strongswan:2-cbc-modp2048-pfs:responder
	ikegw-strongswan:3-cloud-defaults:initiator
	ikegw-strongswan:4-multi-subnet-one-sa:responder
	ikegw-strongswan:5-peer-one-remote-subnet:initiator
	ikegw-strongswan:6-nat:responder
	ikegw-strongswan:7-peer-rekey:initiator
	ikegw-strongswan:8-peer-delete:initiator
	ikegw-strongswan:9-psk-mismatch:initiator
	ikegw-strongswan:9-psk-mismatch:responder
	ikegw-strongswan:9-dh-mismatch:responder
	ikegw-strongswan:9-ts-mismatch:initiator
	ikegw-strongswan:9-dh-invalid-ke:initiator
	ikegw-libreswan:1-gcm-x25519:initiator
	ikegw-libreswan:1-gcm-x25519:responder
	ikegw-libreswan:2-cbc-modp2048-pfs:initiator
	ikegw-libreswan:3-cloud-defaults-libreswan:responder
	ikegw-libreswan:4-multi-subnet-split:initiator
	ikegw-libreswan:5-peer-one-remote-subnet:responder
	ikegw-libreswan:6-nat:initiator
	ikegw-libreswan:7-peer-rekey:responder
	ikegw-libreswan:8-peer-delete:responder
	ikegw-libreswan:9-psk-mismatch:responder
	ikegw-libreswan:9-dh-mismatch:initiator
	ikegw-libreswan:9-ts-mismatch:responder
	ikegw-libreswan:9-ts-mismatch:initiator
	ikegw-libreswan:9-dh-invalid-ke:initiator
)
[ "${INTEROP_CI_LIST:-0}" = 1 ] && { printf "%s\n" "${cases[@]}"; exit 0; }

mkdir -p "$repo/build/test-logs/interop"
export UML_OUT=${UML_OUT:-$repo/build/test-logs/interop}
export INTEROP_TIMEOUT=${INTEROP_TIMEOUT:-1080}
exec "$here/run.sh" "${cases[@]}"
