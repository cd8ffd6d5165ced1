#!/usr/bin/env bash
# Issue 12's acceptance run for this example: 50 seeds of the default swarm and 10 seeds of every other
# scenario, with --verify-determinism, in the plain mode and the pre-vote mode (--pre-vote: libraft's pre-vote,
# declaring pre-vote and check-quorum). Scenarios needing a capability it does not declare are skipped.
# Usage: examples/c-raft/acceptance.sh [ADAPTER_BINARY] [MODE...]   (MODE: plain, pre-vote; default both)
# Prints one line per run and exits 1 if any run failed. Extra seaworthy flags go in $SEAWORTHY_FLAGS.
set -uo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-examples/c-raft/c-raft}
shift || true
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(plain pre-vote)
status=0
for mode in "${modes[@]}"; do
  case "$mode" in
    plain) cmd="$binary" ;;
    pre-vote) cmd="$binary --pre-vote" ;;
    *) echo "acceptance.sh: unknown mode $mode, expected plain or pre-vote" >&2; exit 2 ;;
  esac
  for scenario in $(npx tsx cli/bin.ts scenarios | awk '{print $1}'); do
    seeds=10
    [ "$scenario" = random ] && seeds=50
    start=$SECONDS
    # shellcheck disable=SC2086 # SEAWORTHY_FLAGS is a list of flags
    if out=$(npx tsx cli/bin.ts run --impl-cmd "$cmd" --scenario "$scenario" --seeds "$seeds" \
        --verify-determinism --no-artifacts ${SEAWORTHY_FLAGS:-} 2>&1); then
      verdict=ok
    else
      verdict=FAIL
      status=1
    fi
    echo "$mode $scenario seeds=$seeds $verdict $((SECONDS - start))s: $(echo "$out" | grep -E '^(✔|✘|⚠ skipped|[0-9]+ passed)' | tr '\n' ' ')"
  done
done
exit $status
