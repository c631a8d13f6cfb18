#!/usr/bin/env bash
# Runs the commands shown in the documentation, so the docs cannot rot.
#
# In each Markdown file, every ```console block is a session: lines starting with "$ " are run
# (in one fresh folder per file, with balint-trial on PATH and docs/examples/*.csv copied in); the
# other lines of the block are expected output, each of which must appear in what the command
# printed (lines with "..." are skipped). A command may end with "# exit N" to expect exit code N
# (default 0).
# Usage: run_docs.sh BINARY REPO_ROOT FILE.md...
set -uo pipefail
binary=$1
root=$2
shift 2
bindir=$(mktemp -d)
ln -s "$binary" "$bindir/balint-trial"
export PATH="$bindir:$PATH"
failures=0
checked=0

for doc in "$@"; do
  work=$(mktemp -d)
  # The sample files the guides point to (docs/examples), so a guide and its files agree.
  cp "$root"/docs/examples/*.csv "$root"/docs/examples/*.json "$work/"
  cp -r "$root"/docs/examples/instruments "$work/"
  in_block=0
  cmd=""
  expect_exit=0
  out=""
  line_no=0
  finish_command() {
    :
  }
  while IFS= read -r line || [ -n "$line" ]; do
    line_no=$((line_no + 1))
    if [ $in_block -eq 0 ]; then
      [[ "$line" == '```console' ]] && in_block=1
      continue
    fi
    if [[ "$line" == '```' ]]; then
      in_block=0
      continue
    fi
    if [[ "$line" == '$ '* ]]; then
      cmd=${line#\$ }
      expect_exit=0
      if [[ "$cmd" =~ \#\ exit\ ([0-9]+)$ ]]; then
        expect_exit=${BASH_REMATCH[1]}
        cmd=${cmd%%# exit*}
      fi
      out=$(cd "$work" && bash -c "$cmd" 2>&1)
      rc=$?
      checked=$((checked + 1))
      if [ "$rc" -ne "$expect_exit" ]; then
        echo "FAIL $doc:$line_no: '$cmd' exited $rc, the docs say $expect_exit"
        echo "$out" | sed 's/^/    | /'
        failures=$((failures + 1))
      fi
      continue
    fi
    [ -z "$line" ] && continue
    [[ "$line" == *"..."* ]] && continue
    if ! grep -qF -- "$line" <<<"$out"; then
      echo "FAIL $doc:$line_no: expected output line not printed by '$cmd':"
      echo "    expected: $line"
      echo "$out" | sed 's/^/    | /'
      failures=$((failures + 1))
    fi
  done <"$root/$doc"
  rm -rf "$work"
done
rm -rf "$bindir"
echo "docs: $checked commands run, $failures failures"
[ "$checked" -gt 0 ] && [ "$failures" -eq 0 ]
