#!/bin/bash
# Smoke test of the peer drivers themselves, without ikegw: strongSwan <->
# libreswan in the UML guest (real ESP), each daemon once as initiator and
# once as responder, one subnet pair and four.  Proves configs, drivers and
# topology before ikegwd is involved.  Prints PASS/FAIL lines, "# timing"
# lines and a summary (see run.sh).
#
#   test/interop/smoke.sh            (needs test/deps-interop.sh to have run)
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/run.sh" strongswan-libreswan:1-gcm-x25519 \
	libreswan-strongswan:1-gcm-x25519 \
	strongswan-libreswan:2-cbc-modp2048-pfs \
	libreswan-strongswan:4-multi-subnet-split
