#!/usr/bin/env bash
# Restores a backup made by backup.sh: the audit trail and the keys file. Stop the gateway(s) first.
#
#   restore.sh --from BACKUP_DIR --data-dir DIR [--keys-file FILE] [--force]        # SQLite audit (DIR/audit.db)
#   restore.sh --from BACKUP_DIR --postgres [CONNSTR] --keys-file FILE [--force]    # PostgreSQL audit
#
# Before anything is written: every checksum in SHA256SUMS must match, the backup must be of the kind asked for, and
# its audit copy must pass an integrity check (PRAGMA integrity_check / pg_restore --list) and hold the row count the
# manifest says. An existing audit database or keys file is never overwritten without --force; with --force it is
# moved aside (*.before-restore-<time>), not deleted. Afterwards the restored database is checked again (integrity,
# row count). Exit status 0 only when all of that held.
#
# --postgres takes the gateway's Npgsql connection string, or $PHOENIX_AUDIT_CONNECTION_STRING without a value; the
# database must have no audit_events table (a new database) unless --force, which replaces it.
set -euo pipefail
umask 077

die() { echo "restore.sh: $*" >&2; exit 1; }
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

from=""; data_dir=""; keys_file=""; force=false; postgres=""; use_postgres=false
while (($#)); do
  case $1 in
    --from) from=${2:?}; shift 2 ;;
    --data-dir) data_dir=${2:?}; shift 2 ;;
    --keys-file) keys_file=${2:?}; shift 2 ;;
    --force) force=true; shift ;;
    --postgres)
      use_postgres=true
      if [[ $# -ge 2 && $2 != --* ]]; then postgres=$2; shift 2; else shift; fi ;;
    -h|--help) usage ;;
    *) echo "restore.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=postgres-env.sh
source "$here/postgres-env.sh"

[[ -n $from ]] || die "--from BACKUP_DIR is required"
[[ -f $from/SHA256SUMS && -f $from/manifest.txt ]] || die "$from is not a backup made by backup.sh (no SHA256SUMS or manifest.txt)"
[[ -n $data_dir || -n $keys_file ]] || die "--data-dir (or --keys-file with --postgres) is required"
keys_file=${keys_file:-$data_dir/keys.json}

# --- verify the backup -------------------------------------------------------------------------------------------------
(cd "$from" && sha256sum --check --strict --quiet SHA256SUMS) || die "checksums do not match: the backup is damaged or was changed"
manifest() { sed -n "s/^$1=//p" "$from/manifest.txt" | head -n 1; }
for listed in "$(manifest audit.file)" keys.json manifest.txt; do
  grep -q "  $listed\$" "$from/SHA256SUMS" || die "$listed is not covered by SHA256SUMS"
done
[[ $(manifest format) == phoenix-backup/1 ]] || die "unknown backup format '$(manifest format)'"
kind=$(manifest audit.kind); rows=$(manifest audit.rows); audit_file=$(manifest audit.file)
[[ $rows =~ ^[0-9]+$ ]] || die "the manifest has no audit row count"
if $use_postgres; then
  [[ $kind == postgres ]] || die "this backup holds a $kind audit database, not PostgreSQL"
else
  [[ $kind == sqlite ]] || die "this backup holds a $kind audit database: use --postgres"
  [[ -n $data_dir ]] || die "--data-dir is required for a SQLite audit database"
fi
if command -v jq >/dev/null; then
  jq -e '.keys | type == "array"' "$from/keys.json" >/dev/null || die "keys.json in the backup is not a keys file"
fi

# --- audit ---------------------------------------------------------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
if $use_postgres; then
  postgres=${postgres:-${PHOENIX_AUDIT_CONNECTION_STRING:-}}
  [[ -n $postgres ]] || die "--postgres needs a connection string (argument or PHOENIX_AUDIT_CONNECTION_STRING)"
  for tool in pg_restore psql; do command -v $tool >/dev/null || die "$tool is required (Debian package postgresql-client)"; done
  pg_restore --list "$from/$audit_file" >/dev/null || die "the dump does not read (pg_restore --list)"
  if [[ -f $keys_file ]] && ! $force; then die "$keys_file exists: restore with --force to replace it (it is kept as $keys_file.before-restore-$stamp)"; fi
  postgres_env "$postgres" || die "cannot read the connection string"
  existing=$(psql -XAtq -c "SELECT to_regclass('audit_events') IS NOT NULL") || die "cannot connect to PostgreSQL"
  if [[ $existing == t ]]; then
    $force || die "the database already has an audit_events table: restore with --force to replace it"
    echo "restore.sh: --force: replacing the existing audit_events table" >&2
  fi
  pg_restore --no-owner --no-privileges --clean --if-exists --single-transaction --exit-on-error \
    --dbname="$PGDATABASE" "$from/$audit_file" || die "pg_restore failed (nothing was changed: one transaction)"
  restored=$(psql -XAtq -c "SELECT count(*) FROM audit_events")
else
  command -v sqlite3 >/dev/null || die "sqlite3 is required (Debian package sqlite3)"
  check=$(sqlite3 "file:$from/$audit_file?mode=ro" "PRAGMA integrity_check;" 2>&1) || true
  [[ $check == ok ]] || die "the backup's audit database fails its integrity check: $check"
  count=$(sqlite3 "file:$from/$audit_file?mode=ro" "SELECT count(*) FROM audit_events;")
  [[ $count == "$rows" ]] || die "the backup's audit database has $count rows, the manifest says $rows"

  target="$data_dir/audit.db"
  if ! $force; then
    for existing_file in "$target" "$target-wal" "$keys_file"; do
      if [[ -e $existing_file ]]; then die "$existing_file exists: restore with --force to replace it (the current files are kept as *.before-restore-$stamp)"; fi
    done
  fi
  mkdir -p "$data_dir"
  # Copy next to the target, then rename: the gateway never sees half a file. A WAL or shared-memory file of the
  # database being replaced must go too, or SQLite would apply the old WAL to the restored database.
  cp "$from/$audit_file" "$target.restoring"
  sync "$target.restoring"
  for suffix in "" -wal -shm -journal; do
    if [[ -e $target$suffix ]]; then mv "$target$suffix" "$target$suffix.before-restore-$stamp"; fi
  done
  mv "$target.restoring" "$target"
  check=$(sqlite3 "$target" "PRAGMA integrity_check;")
  [[ $check == ok ]] || die "the restored database fails its integrity check: $check"
  # The gateway runs the audit database in WAL mode; it switches back itself on open, this only saves it a step.
  sqlite3 "$target" "PRAGMA journal_mode=WAL;" >/dev/null
  restored=$(sqlite3 "$target" "SELECT count(*) FROM audit_events;")
fi
[[ $restored == "$rows" ]] || die "restored $restored audit rows, the backup has $rows"

# --- keys file -----------------------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$keys_file")"
cp "$from/keys.json" "$keys_file.restoring"
chmod 0600 "$keys_file.restoring"
if [[ -e $keys_file ]]; then mv "$keys_file" "$keys_file.before-restore-$stamp"; fi
mv "$keys_file.restoring" "$keys_file"

echo "restore.sh: restored $kind audit ($restored rows, $(manifest audit.runs) runs, backed up $(manifest created)) and the keys file" >&2
