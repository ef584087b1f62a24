#!/usr/bin/env bash
# Runs every test of Postbote: installs the third-party programs the interop tests drive
# (scripts/install-test-deps.sh), restores NuGet packages, builds, runs all test projects,
# and ends with one line "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install-test-deps.sh || { echo "test: installing the test dependencies failed"; echo "0 passed, 1 failed"; exit 1; }
dotnet build Postbote.slnx -c Release -nologo -v quiet 2>&1 | tail -3
if [ "${PIPESTATUS[0]}" -ne 0 ]; then echo "test: build failed"; echo "0 passed, 1 failed"; exit 1; fi

log=$(mktemp)
# One test assembly at a time: the machine has 2 cores and the integration tests start real servers.
dotnet test Postbote.slnx -c Release --no-build -nologo -m:1 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=0; failed=0
while read -r f p; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\1 \2/')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
