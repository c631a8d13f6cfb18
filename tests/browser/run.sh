#!/usr/bin/env bash
# The browser tests, as ctest runs them: run.sh BALINT_TRIAL_BINARY ARTIFACTS_DIR [PLAYWRIGHT ARGS]
# Lints src/web/*.js with ESLint (a lint error exits 1 before any browser starts), builds a demo
# database and a site of trials (a directory), serves each on a free port, runs the Playwright
# specs against them and stops the servers (SIGTERM, also when interrupted). Exits with
# Playwright's status, or 1 when the tests passed but a server did not stop cleanly.
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
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server DB NAME: serves DB on a free port; sets server_url. The server prints
# "listening on http://127.0.0.1:PORT" once it accepts connections; its log is NAME.log.
start_server() {
  "$binary" serve --db "$1" --port 0 > "$tmp/$2.out" 2> "$artifacts/$2.log" &
  local pid=$!
  server_pids+=("$pid")
  server_url=
  for _ in $(seq 1 100); do
    if line=$(head -n 1 "$tmp/$2.out" 2>/dev/null) && [[ $line == "listening on http://"* ]]; then
      server_url=${line#listening on }
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run.sh: the server of $1 did not start; its log:" >&2
  cat "$artifacts/$2.log" >&2 || true
  exit 1
}

"$binary" demo --db "$tmp/demo.db" > "$artifacts/demo.txt"
start_server "$tmp/demo.db" serve
base_url=$server_url
echo "run.sh: serving the demo trial at $base_url"

# A site of several trials (a directory) with one trial and a site admin without a role in it,
# for the spec that starts a second trial from the web (site.spec.js).
"$binary" trial create --db "$tmp/site" --seed 5 > /dev/null
echo 'site-admin-password' |
  "$binary" user add --db "$tmp/site" --name site-admin --role admin > /dev/null
echo 'site-coordinator-password' |
  "$binary" user add --db "$tmp/site" --name lee --role coordinator > /dev/null
start_server "$tmp/site" site-serve
echo "run.sh: serving a site of trials at $server_url"
export BALINT_SITE_URL=$server_url

export BALINT_BASE_URL=$base_url
# The end-to-end spec of a trial of its own (wellbeing.spec.js) runs the command line itself.
export BALINT_TRIAL_BINARY=$binary
export BALINT_BROWSER_ARTIFACTS=$artifacts
status=0
npx --no-install playwright test "$@" || status=$?

# Stop the servers; each must stop cleanly (exit 0 on SIGTERM, no sanitizer report).
for i in "${!server_pids[@]}"; do
  pid=${server_pids[$i]}
  server_status=0
  kill -TERM "$pid"
  wait "$pid" || server_status=$?
  if [ "$server_status" -ne 0 ]; then
    log=$([ "$i" -eq 0 ] && echo serve.log || echo site-serve.log)
    echo "run.sh: a server exited with status $server_status on SIGTERM; its log:" >&2
    tail -n 40 "$artifacts/$log" >&2 || true
    [ "$status" -eq 0 ] && status=1
  fi
done
server_pids=()
exit "$status"
