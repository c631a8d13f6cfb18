#!/usr/bin/env bash
# Runs the curl examples of docs/api.md (the ```sh block under "## With curl") against the demo
# trial served by a real `balint-trial serve` on 127.0.0.1, so the API documentation cannot rot.
# Every curl there uses --fail-with-body, so any refusal fails the run; the answers must also say
# that the randomization showed an arm and that the audit trail verifies.
# Usage: run_api_docs.sh BINARY REPO_ROOT
set -euo pipefail
binary=$1
root=$2
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

"$binary" demo --db demo.db >demo.out
"$binary" serve --db demo.db --port 0 >serve.out 2>serve.log &
server=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' serve.out 2>/dev/null && break
  sleep 0.1
done
base=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' serve.out)
[ -n "$base" ] || { echo "the server did not start:"; cat serve.log; exit 1; }

# The block, with BASE pointing at this server.
awk '/^## With curl/ {found=1} found && /^```sh$/ {inblock=1; next} inblock && /^```$/ {exit}
     inblock {print}' "$root/docs/api.md" | sed "s|^BASE=.*|BASE=$base|" >examples.sh
lines=$(grep -c '^curl\|^CSRF' examples.sh || true)
[ "$lines" -ge 20 ] || { echo "found only $lines curl commands in docs/api.md"; exit 1; }

status=0
SECONDS=0
bash -euo pipefail examples.sh >answers.txt 2>&1 || status=$?
echo "the examples took ${SECONDS} s"
if [ "$status" -ne 0 ]; then
  echo "FAIL: the curl examples of docs/api.md stopped with exit $status; their last answers:"
  tail -c 3000 answers.txt | sed 's/^/    | /'
  echo
  echo "the server's log:"
  tail -n 20 serve.log
  exit 1
fi
for expected in '"arm":"' '"ok":true' '"status":"excused"' '"name":"leader-b"' '"signed_out":true' \
    '"submitted":true'; do
  if ! grep -qF -- "$expected" answers.txt; then
    echo "FAIL: no answer of the curl examples holds $expected"
    exit 1
  fi
done
head -c 30 wide.csv | grep -q '^id,arm,' || { echo "FAIL: wide.csv is not the export"; exit 1; }

kill -TERM "$server"
wait "$server"
server=""
echo "api docs: $lines curl commands run against $base, all answered as documented"
