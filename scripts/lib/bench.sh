# shellcheck shell=bash
# Sourced by the bench scripts: time commands side by side in one run and
# summarize them. The sourcing script sets work, a scratch directory.
# shellcheck disable=SC2154 # work is the sourcing script's
#
#   timed NAME CMD...   runs CMD (its output to $work/last.log, shown on
#                       failure), appends its wall seconds to $work/NAME and
#                       the engine's CPU seconds to $work/NAME-cpu
#   median NAME         the median of $work/NAME
#   pct A B             100 * A / B

now() { date +%s.%N; }

# engine_cpu: the CPU seconds of the engine scripts' engine, its own and
# its finished children's (the steps' processes); 0 for an engine elsewhere.
engine_cpu() {
	local pid
	pid=$(pgrep -o -f 'dagger-engine --config' || true)
	if [ -n "$pid" ]; then
		awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15 + $16 + $17) / t}' "/proc/$pid/stat"
	else
		echo 0
	fi
}

timed() {
	local name=$1 t0 t1 c0 c1
	shift
	t0=$(now) c0=$(engine_cpu)
	"$@" >"$work/last.log" 2>&1 || { tail -n 30 "$work/last.log" >&2; echo "bench: $name failed" >&2; exit 1; }
	t1=$(now) c1=$(engine_cpu)
	echo "$t1 - $t0" | bc -l >>"$work/$name"
	echo "$c1 - $c0" | bc -l >>"$work/$name-cpu"
}

median() { sort -g "$work/$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

pct() { echo "100 * ($1) / ($2)" | bc -l; }
