#!/usr/bin/env bash
# The whole test suite, from a fresh clone, as root on Debian with Node 20:
# installs what it needs, builds, lints, runs the unit tests and the e2e tests
# against the lab (real sshd, sudo and etcd in network namespaces).
# Ends with one line "tests: N passed, N failed" summing both jest projects.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "The e2e tests build network namespaces and run sshd: run the suite as root." >&2
  exit 1
fi

bash scripts/setup.sh

echo "== build, typecheck, lint"
npm run --silent build
npm run --silent typecheck
npm run --silent lint

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0

echo "== unit tests"
node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js --selectProjects unit \
  --json --outputFile="$results/unit.json" "$@" || status=1

echo "== e2e tests (lab)"
node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js --selectProjects e2e --runInBand \
  --json --outputFile="$results/e2e.json" "$@" || status=1

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed += 1; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
  if (passed === 0) process.exit(1);
' "$results/unit.json" "$results/e2e.json" || status=1
exit $status
