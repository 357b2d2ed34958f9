#!/usr/bin/env python3
"""The last line of scripts/test.sh: "N passed, N failed, N skipped", summed over the TRX files of a `dotnet test` run.

Usage: test-summary.py <results-dir> <dotnet-test-exit-status>. Exits 0 only when dotnet test succeeded, every test
project wrote its TRX summary and at least one test ran: a run that tested nothing, or whose summary is missing
(the test host crashed or was killed), is a failure, never a green "0 passed".
"""
import glob
import sys
import xml.etree.ElementTree as ET

results, status = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = summaries = 0
for path in glob.glob(f"{results}/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(".//{*}ResultSummary/{*}Counters")
    if counters is None:
        continue
    summaries += 1
    c = lambda name: int(counters.get(name, 0))
    passed += c("passed")
    failed += c("failed") + c("error") + c("timeout") + c("aborted")
    # Skipped tests are counted in total but not in executed (notExecuted stays 0 for xunit skips).
    skipped += max(c("total") - c("executed"), c("notExecuted")) + c("inconclusive")

problem = None
if summaries == 0:
    problem = f"no TRX summary in {results}: the test run did not complete"
elif passed + failed == 0:
    problem = "no test ran: a run that tests nothing is not a pass"
elif status != 0 and failed == 0:
    problem = f"dotnet test exited with {status} although no test failed (a crash or a build error)"
if problem:
    print(problem, file=sys.stderr)
    failed = max(failed, 1)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if problem or failed or status != 0 else 0)
