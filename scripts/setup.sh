#!/usr/bin/env bash
# Installs what CouncilLog needs beyond Swift: Debian's liblmdb-dev (LMDB and its lmdb.pc).
# Safe to run again: it does nothing when LMDB is already there.
set -euo pipefail
if pkg-config --exists lmdb 2>/dev/null && [ -f /usr/include/lmdb.h ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO apt-get install -y liblmdb-dev pkg-config
