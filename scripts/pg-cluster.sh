#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on 127.0.0.1 with password authentication:
#   pg-cluster.sh init DIR PASSWORD   creates DIR/data on a free port, starts it, and creates the
#                                     role and database `councillog` with PASSWORD; prints the port
#   pg-cluster.sh start DIR           starts it again on the same port
#   pg-cluster.sh stop DIR            stops it (fast shutdown); nothing when it is not running
#   pg-cluster.sh kill DIR            kills the server with SIGKILL (a crash)
#   pg-cluster.sh root DIR NAME       makes DIR a place for clusters the server can write to and
#                                     prints it; as root, when the postgres user cannot reach DIR
#                                     (a checkout under /root, say), a temporary /tmp/NAME.XXXXXX
# The server refuses to run as root: as root, it runs as the postgres user.
# PG_FSYNC=on (at init and start) runs it durably, with fsync on, for benchmarks; by default it
# runs with fsync off, which the tests do not need and which makes them faster.
set -euo pipefail
# Whatever else the caller had open (a test process, say) is closed: the server started from
# here would otherwise keep it open for as long as it runs.
for fd in /proc/$$/fd/*; do
  fd="${fd##*/}"
  # (255 is the one bash reads this script from.)
  if [ "$fd" -gt 2 ] 2>/dev/null && [ "$fd" -ne 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
command="$1"
dir="$2"

bin=""
for candidate in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$candidate/initdb" ]; then bin="$candidate"; break; fi
done
if [ -z "$bin" ]; then
  echo "pg-cluster.sh: no PostgreSQL server binaries under /usr/lib/postgresql (run scripts/setup.sh)" >&2
  exit 1
fi
as_server=()
if [ "$(id -u)" -eq 0 ]; then as_server=(runuser -u postgres --); fi

start() {
  local port
  port="$(cat "$dir/port")"
  local fsync="${PG_FSYNC:-off}"
  case "$fsync" in on | off) ;; *) echo "pg-cluster.sh: PG_FSYNC must be on or off" >&2; exit 2 ;; esac
  "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=$fsync" \
    start >/dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
}

case "$command" in
  init)
    password="$3"
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir/socket"
    port=""
    for _ in $(seq 1 200); do
      candidate=$((20000 + RANDOM % 30000))
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port="$candidate"; break; fi
    done
    if [ -z "$port" ]; then echo "pg-cluster.sh: no free port" >&2; exit 1; fi
    echo "$port" >"$dir/port"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
    "${as_server[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    start
    "${as_server[@]}" "$bin/psql" -h "$dir/socket" -p "$port" -U postgres -d postgres -q \
      -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE ROLE councillog LOGIN PASSWORD '$password';
CREATE DATABASE councillog OWNER councillog;
SQL
    echo "$port"
    ;;
  start) start ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true
    fi
    ;;
  kill)
    if [ -f "$dir/data/postmaster.pid" ]; then
      # A crash of the whole server: the postmaster and every process it started.
      pid="$(head -1 "$dir/data/postmaster.pid")"
      children="$(pgrep -P "$pid" || true)"
      # shellcheck disable=SC2086
      kill -9 "$pid" $children 2>/dev/null || true
      for _ in $(seq 1 100); do
        alive=0
        for process in $pid $children; do
          if kill -0 "$process" 2>/dev/null; then alive=1; fi
        done
        if [ "$alive" -eq 0 ]; then break; fi
        sleep 0.1
      done
      rm -f "$dir/data/postmaster.pid" "$dir"/socket/.s.PGSQL.*
    fi
    ;;
  root)
    name="$3"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        dir="$(mktemp -d "/tmp/$name.XXXXXX")"
        chown postgres:postgres "$dir"
      fi
    fi
    echo "$dir"
    ;;
  *) echo "usage: pg-cluster.sh init|start|stop|kill|root DIR [PASSWORD|NAME]" >&2; exit 2 ;;
esac
