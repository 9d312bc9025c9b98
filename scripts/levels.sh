# Test levels of make test: each starts from nothing, leaves
# LOGDIR/LEVEL.ktap (its results) and LOGDIR/LEVEL.rc (its exit status),
# which harness/summarize.py reads. Sourced by scripts/run-tests.sh and by
# the unit tests, which put stand-ins behind bed_args and selftests_dir.
# shellcheck shell=bash

ZCNIC_BED=${ZCNIC_BED:-$ZCNIC_TOP/harness/zcnic-bed}

# fail_level LEVEL REASON: record a level that could not run
fail_level() {
	printf 'KTAP version 1\n1..1\nnot ok 1 %s # %s\n' "$1" "$2" > "$LOGDIR/$1.ktap"
	say "$1: $2"
}

# level_begin LEVEL: forget whatever an earlier run left for LEVEL in a
# reused LOGDIR, so that only this run's results can count
level_begin() {
	rm -rf --one-file-system "${LOGDIR:?}/$1" "$LOGDIR/$1".ktap "$LOGDIR/$1".rc \
		"$LOGDIR/$1".out "$LOGDIR/$1".err "$LOGDIR/$1".junit.xml "$LOGDIR/$1".secs
}

# level_end LEVEL RC: record the exit status of what produced the results
level_end() {
	echo "$2" > "$LOGDIR/$1.rc"
}

# Ctrl-C (or a CI time-out's SIGTERM, a closed terminal's SIGHUP) stops the
# whole run, not just the level in flight: the bed has already stopped its
# QEMU and removed its namespace by then. run_bed returns 130 when its bed
# was interrupted; "run_bed ... || interrupted" ends the run there.
interrupted() {
	say "interrupted: no further levels run (logs: $LOGDIR)"
	exit 130
}
trap_interrupts() { trap interrupted INT TERM HUP; }

bed_args() { "$ZCNIC_TOP/scripts/bed-args.sh"; }
selftests_dir() { "$ZCNIC_TOP/scripts/build-selftests.sh"; }

# run_bed LEVEL ZCNIC-BED-OPTIONS...: one guest boot for a test level, with
# the selftests on board (the guest tests use their YNL too). Returns 130
# when the run was interrupted.
run_bed() {
	local level=$1 args ksft rc
	shift
	if ! args=$(bed_args) || ! ksft=$(selftests_dir); then
		fail_level "$level" "the bed or the selftests did not build"
		return 0
	fi
	eval "set -- $args \"\$@\""
	"$ZCNIC_BED" run "$@" --payload "ksft=$ksft" \
		--logdir "$LOGDIR/$level" --junit "$LOGDIR/$level.junit.xml" \
		"${ZCNIC_VFLAG[@]}" > "$LOGDIR/$level.out"
	rc=$?
	level_end "$level" "$rc"
	[ "$rc" -eq 130 ] && return 130
	cp "$LOGDIR/$level/summary.ktap" "$LOGDIR/$level.ktap" 2>/dev/null ||
		fail_level "$level" "the run produced no results (see $LOGDIR/$level and $LOGDIR/$level.out)"
	return 0
}
