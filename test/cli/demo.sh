#!/bin/bash
# `make demo` works: runs test/kernel/demo.sh (as `make demo` does after
# building) and checks its exit status, the lines a viewer must see (both
# sides ESTABLISHED, the ping without loss, the counters risen, nothing
# left in the kernel), its run time (under 60 s) and that it left no UML
# guest, ikegwd or network namespace behind.  SKIP_KERNEL_TESTS=1 skips the
# run (only the static checks print PASS lines).
set -u
cd "$(dirname "$0")/../.." || exit 1
repo=$PWD
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; fails=$((fails + 1)); }
# expect NAME REGEX: PASS if the demo's output has a line matching REGEX.
expect() { grep -qE -- "$2" <<<"$out" && pass "$1" || fail "$1" "no line matching /$2/"; }

# Static checks, also without a kernel run.
for f in test/kernel/demo.sh test/kernel/demo-body.sh; do
	if [ -x "$f" ] && bash -n "$f"; then pass "demo: $f is executable and parses"
	else fail "demo: $f is executable and parses"; fi
done
grep -qE '^demo: deps' Makefile && grep -q 'test/kernel/demo.sh' Makefile &&
	pass "demo: make demo runs test/kernel/demo.sh" || fail "demo: make demo runs test/kernel/demo.sh"

if [ "${SKIP_KERNEL_TESTS:-0}" = 1 ]; then
	echo "demo run skipped (SKIP_KERNEL_TESTS=1)"
	exit $((fails > 0))
fi
if [ "$(id -u)" != 0 ]; then
	fail "demo: runs" "not root (network namespaces and the UML guest need root; or set SKIP_KERNEL_TESTS=1)"
	exit 1
fi
make -s all >/dev/null 2>&1 || { fail "demo: release build (make all)"; exit 1; }

# Processes of this repository: UML guests booted with our init, ikegwd
# from our build.  Other worktrees' guests are not ours to count.
ours() {
	local p exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case $exe in
		"$repo"/build/*/ikegwd | "$repo"/ikegwd) echo "${p#/proc/}" ;;
		*linux.uml*) grep -qa "init=$repo/test/kernel/" "$p/cmdline" 2>/dev/null && echo "${p#/proc/}" ;;
		esac
	done | sort
}
namespaces() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep -xE 'gwa|gwb|host[ab][12]' | sort; }
procs0=$(ours) ns0=$(namespaces)

t0=$SECONDS
out=$(timeout -k 5 120 test/kernel/demo.sh 2>&1)
rc=$?
dt=$((SECONDS - t0))
[ $rc -eq 0 ] && pass "demo: exits 0" || fail "demo: exits 0" "exit status $rc; last lines: $(tail -5 <<<"$out" | tr '\n' '|')"
[ $dt -lt 60 ] && pass "demo: finishes in under a minute ($dt s)" || fail "demo: finishes in under a minute" "$dt s"
expect "demo: says where it runs" '^demo: this kernel .*(has no ESP; running in a user-mode-linux guest|does ESP; running in network namespaces)'
expect "demo: shows a config with the PSK masked" '^ +psk = \*+'
grep -q 'demo-only key' <<<"$out" && fail "demo: the PSK itself is never shown" || pass "demo: the PSK itself is never shown"
expect "demo: shows the commands" '^\[gwa\] \$ ikegw up office'
# Both sides' status, each with phase 1 and phase 2 established.
for ns in gwa gwb; do
	st=$(awk -v p="[$ns] \$ ikegw status office" 'index($0, p) == 1 { on = 1; next } /^(\[|==)/ { on = 0 } on' <<<"$out" | head -4)
	grep -q 'phase 1 ESTABLISHED' <<<"$st" && grep -q 'phase 2 SA #1 ESTABLISHED' <<<"$st" &&
		pass "demo: $ns shows phase 1 and phase 2 ESTABLISHED" ||
		fail "demo: $ns shows phase 1 and phase 2 ESTABLISHED" "$(tr '\n' '|' <<<"$st")"
done
expect "demo: the ping across loses nothing" '^ +4 packets transmitted, 4 received, 0% packet loss'
expect "demo: gwa's counters risen" '^ +counters risen on gwa: [4-9][0-9]* ESP packets out, [4-9][0-9]* in'
expect "demo: gwb's counters risen" '^ +counters risen on gwb: [4-9][0-9]* ESP packets out, [4-9][0-9]* in'
expect "demo: nothing of ikegwd left after ikegw down" \
	'^ +left in the kernel by ikegwd: gwa 0 SAs \+ 0 policies, gwb 0 SAs \+ 0 policies$'
expect "demo: says it worked" '^demo: all steps worked\.$'
left=$(comm -13 <(echo "$procs0") <(ours) | tr '\n' ' ')
[ -z "$left" ] && pass "demo: no UML guest or ikegwd left running" ||
	fail "demo: no UML guest or ikegwd left running" "pids $left"
left=$(comm -13 <(echo "$ns0") <(namespaces) | tr '\n' ' ')
[ -z "$left" ] && pass "demo: no network namespace left on the host" ||
	fail "demo: no network namespace left on the host" "$left"
[ $fails -eq 0 ] || { echo "--- demo output"; echo "$out"; }
exit $((fails > 0))
