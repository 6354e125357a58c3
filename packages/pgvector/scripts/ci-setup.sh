#!/usr/bin/env bash
# PostgreSQL 15 with pgvector for @memgar/pgvector's integration tests (`pnpm test:int`).
# Run as root on Debian 12 by .ci/run before the integration tests. Idempotent: installs what is
# missing and does nothing else on a second run. Starts no server (the test starts its own cluster).
#
# bookworm ships no pgvector binary package, so pgvector's Debian source package is fetched from a
# trixie deb-src entry kept in a private apt configuration (the system's sources list and package
# cache are not touched) and built against PostgreSQL 15's server headers.
set -euo pipefail

PG_MAJOR=15
PG_CONFIG=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config

if [ "$(id -u)" -ne 0 ]; then
  echo "ci-setup (pgvector): run as root (apt-get, make install)" >&2
  exit 1
fi

missing=()
for pkg in "postgresql-${PG_MAJOR}" "postgresql-server-dev-${PG_MAJOR}" make gcc; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

LIBDIR=$("$PG_CONFIG" --pkglibdir)
SHAREDIR=$("$PG_CONFIG" --sharedir)
if [ -f "$LIBDIR/vector.so" ] && [ -f "$SHAREDIR/extension/vector.control" ]; then
  echo "ci-setup (pgvector): pgvector already installed for PostgreSQL ${PG_MAJOR} ($LIBDIR/vector.so)"
  exit 0
fi

work=$(mktemp -d /tmp/memgar-pgvector-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # apt's _apt user downloads into it
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
  >"$work/sources.list"
APT_PRIVATE=(
  -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=$work/no-parts"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
)
apt-get "${APT_PRIVATE[@]}" update -qq
chown _apt "$work/src" 2>/dev/null || true
(cd "$work/src" && apt-get "${APT_PRIVATE[@]}" source --download-only -qq pgvector)

orig=$(ls "$work"/src/pgvector_*.orig.tar.* | head -n 1)
mkdir -p "$work/build"
tar -xf "$orig" -C "$work/build" --strip-components=1
make -s -C "$work/build" PG_CONFIG="$PG_CONFIG"
make -s -C "$work/build" PG_CONFIG="$PG_CONFIG" install
echo "ci-setup (pgvector): installed pgvector $(basename "$orig" | sed 's/^pgvector_\(.*\)\.orig.*/\1/') for PostgreSQL ${PG_MAJOR}"
