#!/bin/bash
# Inside one guest boot: run each kernel test script given, in order, with
# the topology torn down between them.  Prints their PASS/FAIL lines; exit
# status 0 only if every script exited 0.
cd "$(dirname "$0")/../.." || exit 1
rc=0
for s in "$@"; do
	echo "== $s"
	"$s"
	st=$?
	[ $st -eq 0 ] || { echo "FAIL $(basename "$s"): exit status $st"; rc=1; }
	test/kernel/topo.sh down
done
exit $rc
