#!/usr/bin/env bash
# The browser tests, as ctest runs them: run.sh BALINT_TRIAL_BINARY ARTIFACTS_DIR [PLAYWRIGHT ARGS]
# Lints src/web/*.js with ESLint (a lint error exits 1 before any browser starts), builds a demo
# database, serves it on a free port, runs the Playwright specs against it and stops the server
# (SIGTERM, also when interrupted). Exits with Playwright's status, or 1 when the tests passed
# but the server did not stop cleanly.
# BALINT_UPDATE_DOC_SCREENSHOTS=1 also writes the specs' screenshots to docs/images/.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BALINT_TRIAL_BINARY ARTIFACTS_DIR [PLAYWRIGHT ARGS, e.g. specs/leader.spec.js]" >&2
  exit 2
fi
binary=$(realpath "$1")
mkdir -p "$2"
artifacts=$(realpath "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

# Install the pinned Playwright and ESLint only when missing or when the lock file changed since.
if [ ! -d node_modules/@playwright/test ] || [ ! -d node_modules/eslint ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

# Lint the pages' JavaScript first (eslint.config.js); a lint error fails the step. ESLint runs
# from the repository root so that src/web lies inside its base path.
echo "run.sh: eslint src/web"
(cd "$here/../.." && "$here/node_modules/.bin/eslint" --config "$here/eslint.config.js" \
  --max-warnings 0 src/web)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/balint-browser.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$binary" demo --db "$tmp/demo.db" > "$artifacts/demo.txt"

# The server prints "listening on http://127.0.0.1:PORT" once it accepts connections.
"$binary" serve --db "$tmp/demo.db" --port 0 > "$tmp/serve.out" 2> "$artifacts/serve.log" &
server_pid=$!
base_url=
for _ in $(seq 1 100); do
  if line=$(head -n 1 "$tmp/serve.out" 2>/dev/null) && [[ $line == "listening on http://"* ]]; then
    base_url=${line#listening on }
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$base_url" ]; then
  echo "run.sh: the server did not start; its log:" >&2
  cat "$artifacts/serve.log" >&2 || true
  exit 1
fi
echo "run.sh: serving the demo trial at $base_url"

export BALINT_BASE_URL=$base_url
export BALINT_BROWSER_ARTIFACTS=$artifacts
status=0
npx --no-install playwright test "$@" || status=$?

# Stop the server; it must stop cleanly (exit 0 on SIGTERM, no sanitizer report).
kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=
if [ "$server_status" -ne 0 ]; then
  echo "run.sh: the server exited with status $server_status on SIGTERM; its log:" >&2
  tail -n 40 "$artifacts/serve.log" >&2 || true
  [ "$status" -eq 0 ] && status=1
fi
exit "$status"
