#!/bin/bash
# Run every test: Check unit suites (sanitized), shell-level CLI/daemon
# tests, then the real-kernel tests.  Ends with one summary line.
#
# A shell test prints "PASS name" / "FAIL name" lines; a Check suite its
# own summary.  SKIP_KERNEL_TESTS=1 skips the kernel tests (and the interop
# tests, which also run in UML); SKIP_INTEROP_TESTS=1 only the interop tests.
set -u
cd "$(dirname "$0")/.."
export CK_FORK=yes
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0 failed=()
log=build/test-logs
mkdir -p "$log"

for t in build/san/test/check_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$("$t" 2>&1); rc=$?
	echo "$out" > "$log/$name.log"
	sum=$(echo "$out" | grep -E '^[0-9]+%: Checks: ' | tail -1)
	echo "$name: ${sum:-no summary (rc=$rc)}"
	n=$(echo "$sum" | sed -nE 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/p')
	if [ -z "$n" ]; then
		fail=$((fail + 1)); failed+=("$name"); echo "$out" | tail -20; continue
	fi
	set -- $n
	bad=$(($2 + $3))
	pass=$((pass + $1 - bad)); fail=$((fail + bad))
	if [ "$bad" -ne 0 ] || [ $rc -ne 0 ]; then
		[ "$bad" -eq 0 ] && fail=$((fail + 1))
		failed+=("$name"); echo "$out" | grep -vE '^[0-9]+%|Passed$' | tail -20
	fi
done

run_script() {
	local s=$1 name out rc p f
	name=${s#test/}
	out=$(timeout "${2:-300}" "$s" 2>&1); rc=$?
	echo "$out" > "$log/${name//\//_}.log"
	p=$(echo "$out" | grep -c '^PASS ')
	f=$(echo "$out" | grep -c '^FAIL ')
	echo "$name: $p passed, $f failed (rc=$rc)"
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -ne 0 ] || [ $rc -ne 0 ] || [ "$p" -eq 0 ]; then
		[ "$f" -eq 0 ] && fail=$((fail + 1))
		failed+=("$name"); echo "$out" | grep -E '^(FAIL|  )' | head -40
		echo "$out" | tail -15
	fi
}

for s in test/cli/*.sh; do
	[ -x "$s" ] && run_script "$s" 300
done

if [ "${SKIP_KERNEL_TESTS:-0}" = 1 ]; then
	echo "kernel tests: skipped (SKIP_KERNEL_TESTS=1)"
else
	[ -x test/kernel/run-tests.sh ] && run_script test/kernel/run-tests.sh 1800
	# ikegw against strongSwan and libreswan (issue #6), one more UML boot
	if [ "${SKIP_INTEROP_TESTS:-0}" = 1 ]; then
		echo "interop tests: skipped (SKIP_INTEROP_TESTS=1)"
	elif [ -x test/interop/run-ci.sh ]; then
		run_script test/interop/run-ci.sh 1260
	fi
fi

[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]} (logs in $log/)"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
