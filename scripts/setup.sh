#!/usr/bin/env bash
# Installs what CouncilLog needs beyond Swift: Debian's liblmdb-dev (LMDB and its lmdb.pc), and
# Debian's postgresql (the server the PostgreSQL store's tests start a throwaway cluster of).
# Safe to run again: it installs only what is missing.
set -euo pipefail
packages=()
if ! pkg-config --exists lmdb 2>/dev/null || [ ! -f /usr/include/lmdb.h ]; then
  packages+=(liblmdb-dev pkg-config)
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  packages+=(postgresql)
fi
if [ "${#packages[@]}" -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"
