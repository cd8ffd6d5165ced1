#!/usr/bin/env bash
# Issue 12's acceptance run for this example: 50 seeds of the default swarm and 10 seeds of every other
# scenario, in the plain and the PreVote/CheckQuorum/ReadIndex modes, all with --verify-determinism.
# Usage: examples/go-etcd-raft/acceptance.sh [ADAPTER_BINARY] [MODE...]   (MODE: plain, full, membership;
# default plain and full; membership adds the membership scenarios, with etcd's repeated auto-leave fixed)
# Prints one line per run and exits 1 if any run failed. Extra seaworthy flags go in $SEAWORTHY_FLAGS
# (e.g. "--jobs 2").
set -uo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-examples/go-etcd-raft/go-etcd-raft}
shift || true
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(plain full)
status=0
for mode in "${modes[@]}"; do
  case "$mode" in
    plain) cmd="$binary" ;;
    full) cmd="$binary -pre-vote -check-quorum -read-index" ;;
    membership) cmd="$binary -membership -fix-auto-leave" ;;
    *) echo "acceptance.sh: unknown mode $mode, expected plain, full or membership" >&2; exit 2 ;;
  esac
  for scenario in $(npx tsx cli/bin.ts scenarios | awk '{print $1}'); do
    seeds=10
    [ "$scenario" = random ] && seeds=50
    start=$SECONDS
    # shellcheck disable=SC2086 # SEAWORTHY_FLAGS is a list of flags
    if out=$(npx tsx cli/bin.ts run --impl-cmd "$cmd" --scenario "$scenario" --seeds "$seeds" \
        --verify-determinism ${SEAWORTHY_FLAGS:-} 2>&1); then
      verdict=ok
    else
      verdict=FAIL
      status=1
    fi
    echo "$mode $scenario seeds=$seeds $verdict $((SECONDS - start))s: $(echo "$out" | grep -E '^(✔|✘|⚠ skipped)' | tr '\n' ' ')"
    [ "$verdict" = FAIL ] && echo "$out" | tail -25 | sed 's/^/    /'
  done
done
exit $status
