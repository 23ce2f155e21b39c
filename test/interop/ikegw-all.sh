#!/bin/bash
# The interop matrix of issue #6: every scenario with ikegw as side a
# against each peer daemon the scenario is meant for (its PEERS), with
# ikegw as initiator and as responder, all in one UML boot (~21 min).
# Run by hand; `make test` runs the subset in run-ci.sh.  Needs
# build/rel/ikegwd and build/rel/ikegw (make all).  Last result: README.md.
#
#   test/interop/ikegw-all.sh [strongswan|libreswan]   (default: both)
here=$(cd "$(dirname "$0")" && pwd)
only=${1:-}
cases=()
for f in "$here"/scenarios/*.scn; do
	scn=$(basename "$f" .scn)
	peers=$(PEERS="strongswan libreswan"; . "$here/topo.sh"; . "$f"; echo "$PEERS")
	for p in $peers; do
		[ -n "$only" ] && [ "$p" != "$only" ] && continue
		cases+=("ikegw-$p:$scn:initiator" "ikegw-$p:$scn:responder")
	done
done
export INTEROP_TIMEOUT=${INTEROP_TIMEOUT:-3600}
[ "${IKEGW_ALL_LIST:-0}" = 1 ] && { printf "%s\n" "${cases[@]}"; exit 0; }
exec "$here/run.sh" "${cases[@]}"
