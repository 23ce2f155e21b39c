#!/bin/bash
# Man pages render without groff warnings (make lint-man) and document
# every ikegw command and exit status.
set -u
cd "$(dirname "$0")/../.."
fails=0
out=$(make -s lint-man 2>&1) && echo "PASS lint-man" || { echo "FAIL lint-man"; echo "$out"; fails=1; }
txt=$(LC_ALL=C.UTF-8 MANWIDTH=200 groff -man -Tutf8 -P-cbou man/ikegw.8 2>/dev/null)
for c in status up down reload check-config diagnose help --json --no-wait --timeout; do
	grep -q -- "$c" <<<"$txt" && echo "PASS ikegw.8-documents-$c" ||
		{ echo "FAIL ikegw.8-documents-$c"; fails=1; }
done
for s in 0 1 2 3 4 5; do
	grep -qE "^ +$s[[:space:]]+[[:alnum:]]" <<<"$txt" && echo "PASS ikegw.8-exit-$s" ||
		{ echo "FAIL ikegw.8-exit-$s"; fails=1; }
done
txt=$(LC_ALL=C.UTF-8 MANWIDTH=200 groff -man -Tutf8 -P-cbou man/ikegwd.8 2>/dev/null)
for w in SIGTERM SIGHUP SO_PEERCRED SOCK_SEQPACKET .lock --keylog; do
	grep -q -- "$w" <<<"$txt" && echo "PASS ikegwd.8-documents-$w" ||
		{ echo "FAIL ikegwd.8-documents-$w"; fails=1; }
done
[ $fails = 0 ]
