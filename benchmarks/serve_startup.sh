#!/usr/bin/env bash
# Time from `make serve` in a fresh clone to the first answer of `{ me { email } }`,
# then again in the same clone (warm: venv and data exist).
#   bash benchmarks/serve_startup.sh [PORT]
set -euo pipefail
port="${1:-8790}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone"

first_answer() {
  local label="$1" start token
  start=$(date +%s.%N)
  # its own process group, so Ctrl-C can be sent to it as a terminal would
  (cd "$work/clone" && GRAPH_API_PORT="$port" exec setsid make serve >"$work/serve.log" 2>&1) &
  local pid=$!
  until token=$(grep -o 'gapi_[A-Za-z0-9_-]*' "$work/serve.log" 2>/dev/null | head -1) && [ -n "$token" ]; do
    sleep 0.2
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  done
  until curl -sf "http://127.0.0.1:$port/graphql" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d '{"query":"{ me { email } }"}' | grep -q demo@example.com; do
    sleep 0.1
  done
  printf '%s: %.1f s to the first answer\n' "$label" "$(echo "$(date +%s.%N) - $start" | bc)"
  kill -INT -- "-$pid"   # Ctrl-C
  wait "$pid" 2>/dev/null || true
}

first_answer "cold (fresh clone: venv, install, initdb, migrate, seed)"
first_answer "warm (same clone: data and venv kept)"
