#!/bin/bash
# Every scenario between the two peer daemons (no ikegw): checks that all
# scenario files, both drivers and run.sh's phases work, long before ikegw
# is involved.  ~15 min.  Not part of any test runner.
here=$(cd "$(dirname "$0")" && pwd)
export INTEROP_TIMEOUT=${INTEROP_TIMEOUT:-1800}
exec "$here/run.sh" \
	strongswan-libreswan:1-gcm-x25519 libreswan-strongswan:1-gcm-x25519 \
	strongswan-libreswan:2-cbc-modp2048-pfs libreswan-strongswan:2-cbc-modp2048-pfs \
	strongswan-strongswan:3-cloud-defaults \
	strongswan-libreswan:3-cloud-defaults-libreswan libreswan-strongswan:3-cloud-defaults-libreswan \
	strongswan-strongswan:4-multi-subnet-one-sa \
	strongswan-libreswan:4-multi-subnet-split libreswan-strongswan:4-multi-subnet-split \
	strongswan-libreswan:5-peer-one-remote-subnet \
	strongswan-libreswan:6-nat libreswan-strongswan:6-nat strongswan-libreswan:6-nat:responder \
	strongswan-libreswan:7-peer-rekey libreswan-strongswan:7-peer-rekey \
	strongswan-libreswan:8-peer-delete \
	strongswan-libreswan:9-psk-mismatch libreswan-strongswan:9-psk-mismatch:responder \
	strongswan-libreswan:9-dh-mismatch libreswan-strongswan:9-dh-mismatch \
	strongswan-libreswan:9-dh-invalid-ke \
	strongswan-libreswan:9-ts-mismatch libreswan-strongswan:9-ts-mismatch:responder
