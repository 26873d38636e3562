#!/usr/bin/env bash
# Proves the README's two commands work in a fresh clone inside a private (mode 0700) folder, as the
# current user (run it as root: that is the case it exists for), with DATABASE_URL unset:
#   npm install && npm start   until GET /health is 200, then SIGTERM to npm: nothing may survive;
#   npm test                   the whole suite against the embedded PostgreSQL.
# Usage: scripts/fresh-clone-check.sh [repository-or-worktree (default: this one)]
# Bounded: every step has a timeout; the whole check fails loudly (exit 1) on the first problem.
set -euo pipefail

source_repo=$(cd "${1:-$(dirname "$0")/..}" && git rev-parse --show-toplevel)
commit=$(git -C "$source_repo" rev-parse HEAD)
INSTALL_TIMEOUT=${INSTALL_TIMEOUT:-600}
START_TIMEOUT=${START_TIMEOUT:-180}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}
TEST_TIMEOUT=${TEST_TIMEOUT:-1500}

fail() { echo "FRESH-CLONE CHECK FAILED: $*" >&2; exit 1; }
# True while the process exists and is not a zombie.
running() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [ "${state:0:1}" != "Z" ]; }

parent=$(mktemp -d)   # mode 0700, owned by the current user
chmod 700 "$parent"
clone="$parent/clone"
npm_pid=""

cleanup() {
  if [ -n "$npm_pid" ] && kill -0 "$npm_pid" 2>/dev/null; then kill -KILL "$npm_pid" 2>/dev/null || true; fi
  # As root the embedded clusters live under the service folder; each data folder names its own.
  for location in "$clone"/.data/*.location; do
    [ -f "$location" ] || continue
    cluster=$(cat "$location")
    case "$cluster" in */clusters/*) rm -rf -- "$cluster" ;; esac
  done
  rm -rf -- "$parent"
}
trap cleanup EXIT

echo "== fresh clone of $source_repo at $commit into $clone (parent mode $(stat -c %a "$parent"), user $(id -un))"
if [ -n "$(git -C "$source_repo" status --porcelain --untracked-files=no)" ]; then
  echo "note: $source_repo has uncommitted changes; they are not part of this check"
fi
git clone --quiet --no-hardlinks "$source_repo" "$clone"
git -C "$clone" checkout --quiet --detach "$commit"
cd "$clone"

# What the README promises: no environment. Unset what a CI runner may carry.
unset DATABASE_URL DATABASE_LISTEN_URL DATABASE_MIGRATION_URL PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE DATA_DIR NODE_ENV

echo "== npm install"
timeout "$INSTALL_TIMEOUT" npm install --no-audit --no-fund </dev/null >"$parent/install.log" 2>&1 \
  || { tail -n 40 "$parent/install.log"; fail "npm install failed or took more than ${INSTALL_TIMEOUT}s"; }

echo "== npm start (until GET /health is 200)"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
PORT="$port" npm start </dev/null >"$parent/start.log" 2>&1 &
npm_pid=$!
healthy=""
for _ in $(seq 1 "$START_TIMEOUT"); do
  if curl -fsS -m 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"db":"up"'; then healthy=yes; break; fi
  kill -0 "$npm_pid" 2>/dev/null || break
  sleep 1
done
if [ -z "$healthy" ]; then
  tail -n 40 "$parent/start.log"
  fail "npm start did not answer GET /health with 200 within ${START_TIMEOUT}s"
fi
echo "GET /health is 200 on port $port"
grep -E 'Embedded PostgreSQL \(data in' "$parent/start.log" | sed 's/.*"msg":"\(.*\)"}/\1/' || true

node_pid=$(pgrep -P "$npm_pid" | head -n 1 || true)
[ -n "$node_pid" ] || fail "npm start has no child process"
# The cluster's postmaster, from its pid file (root: under the service folder; else in .data).
cluster_data="$clone/.data/postgres"
[ -f "$clone/.data/postgres.location" ] && cluster_data="$(cat "$clone/.data/postgres.location")/data"
postmaster_pid=$(head -n 1 "$cluster_data/postmaster.pid" 2>/dev/null || true)
[ -n "$postmaster_pid" ] || fail "no postmaster.pid in $cluster_data"

echo "== SIGTERM to npm (pid $npm_pid; node $node_pid; PostgreSQL $postmaster_pid)"
kill -TERM "$npm_pid"
for _ in $(seq 1 "$STOP_TIMEOUT"); do
  running "$npm_pid" || running "$node_pid" || running "$postmaster_pid" || break
  sleep 1
done
for pid in "$npm_pid" "$node_pid" "$postmaster_pid"; do
  if running "$pid"; then
    tail -n 20 "$parent/start.log"
    fail "process $pid ($(ps -o args= -p "$pid")) still runs ${STOP_TIMEOUT}s after SIGTERM to npm"
  fi
done
wait "$npm_pid" 2>/dev/null || true
npm_pid=""
if pgrep -f -- "$cluster_data" >/dev/null; then fail "a process of $cluster_data outlived npm start"; fi
echo "npm, node and PostgreSQL all stopped"

echo "== secrets readable by others"
for f in "$clone/.data/secrets.json" "$clone/.data/postgres.password" "${cluster_data%/data}/password"; do
  [ -e "$f" ] || continue
  mode=$(stat -c %a "$f")
  [ "${mode: -1}" = "0" ] && [ "${mode: -2:1}" = "0" ] || fail "$f has mode $mode"
done
leaked=$(find /tmp -maxdepth 1 -name 'pg-password-*' -newer "$parent/install.log" 2>/dev/null || true)
[ -z "$leaked" ] || fail "password files left in /tmp: $leaked"

echo "== npm test (DATABASE_URL unset)"
status=0
timeout "$TEST_TIMEOUT" npm test </dev/null >"$parent/test.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  grep -E '^(FAIL|Tests:|Test Suites:)|●' "$parent/test.log" | head -n 40
  [ "$status" -eq 124 ] && fail "npm test did not finish within ${TEST_TIMEOUT}s"
  fail "npm test failed (exit code $status)"
fi
grep -E '^(Tests|Test Suites):' "$parent/test.log" || true
echo "FRESH-CLONE CHECK PASSED ($commit)"
