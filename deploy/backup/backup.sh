#!/usr/bin/env bash
# Backs up what a Phoenix gateway cannot rebuild: the audit trail and the keys file. Safe while the gateway runs.
#
#   backup.sh --data-dir DIR [--keys-file FILE] [--out BACKUP_DIR]        # SQLite audit (DIR/audit.db)
#   backup.sh --postgres [CONNSTR] --keys-file FILE [--out BACKUP_DIR]    # PostgreSQL audit
#
# --data-dir   the gateway's data directory (Phoenix:Gateway:DataDir): audit.db and, unless --keys-file, keys.json.
# --postgres   the audit database as the gateway's Npgsql connection string (Host=…;Port=…;Database=…;Username=…;
#              Password=…). Without a value, read from $PHOENIX_AUDIT_CONNECTION_STRING (keeps
#              the password out of the process list).
# --keys-file  the keys file (Phoenix:Gateway:KeysFile); default DIR/keys.json.
# --out        a new directory for the backup; default ./phoenix-backup-<UTC time>. Must not exist or be empty.
#
# The backup directory holds audit.db (SQLite) or audit.pgdump (pg_dump custom format), keys.json, manifest.txt (what,
# when, from where, how many audit rows and runs) and SHA256SUMS (`sha256sum -c SHA256SUMS` checks it; restore.sh
# does). Files are created 0600 in a 0700 directory: the keys file holds key hashes and the audit trail who ran what.
#
# Consistency: SQLite is copied with the online backup API (sqlite3 .backup), which reads one consistent snapshot
# while the gateway keeps writing (WAL mode); PostgreSQL with pg_dump, one transaction snapshot. The copy is checked
# (PRAGMA integrity_check / pg_restore --list) before the backup is declared good. Exit status 0 only then.
set -euo pipefail
umask 077

die() { echo "backup.sh: $*" >&2; exit 1; }
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

data_dir=""; keys_file=""; out=""; postgres=""; use_postgres=false
while (($#)); do
  case $1 in
    --data-dir) data_dir=${2:?}; shift 2 ;;
    --keys-file) keys_file=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --postgres)
      use_postgres=true
      if [[ $# -ge 2 && $2 != --* ]]; then postgres=$2; shift 2; else shift; fi ;;
    -h|--help) usage ;;
    *) echo "backup.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=postgres-env.sh
source "$here/postgres-env.sh"

if $use_postgres; then
  postgres=${postgres:-${PHOENIX_AUDIT_CONNECTION_STRING:-}}
  [[ -n $postgres ]] || die "--postgres needs a connection string (argument or PHOENIX_AUDIT_CONNECTION_STRING)"
  command -v pg_dump >/dev/null || die "pg_dump is required (Debian package postgresql-client)"
  command -v pg_restore >/dev/null || die "pg_restore is required (Debian package postgresql-client)"
  [[ -n $keys_file || -n $data_dir ]] || die "--keys-file is required with --postgres"
else
  [[ -n $data_dir ]] || die "--data-dir or --postgres is required"
  command -v sqlite3 >/dev/null || die "sqlite3 is required (Debian package sqlite3)"
  [[ -f $data_dir/audit.db ]] || die "no audit database at $data_dir/audit.db"
fi
keys_file=${keys_file:-$data_dir/keys.json}
[[ -f $keys_file ]] || die "no keys file at $keys_file"
command -v sha256sum >/dev/null || die "sha256sum is required (coreutils)"

out=${out:-./phoenix-backup-$(date -u +%Y%m%dT%H%M%SZ)}
if [[ -e $out ]]; then
  [[ -d $out && -z $(ls -A "$out") ]] || die "$out exists and is not empty: choose a new --out"
fi
mkdir -p "$out"
chmod 0700 "$out"
tmp="$out/.incomplete"
mkdir "$tmp"
trap 'rm -rf "$tmp"' EXIT

# --- audit ---------------------------------------------------------------------------------------------------------
if $use_postgres; then
  postgres_env "$postgres" || die "cannot read the connection string"
  pg_dump --format=custom --no-owner --no-privileges --table=audit_events --file="$tmp/audit.pgdump" \
    || die "pg_dump failed"
  pg_restore --list "$tmp/audit.pgdump" >/dev/null || die "the dump does not read back (pg_restore --list)"
  rows=$(psql -XAtq -c "SELECT count(*) FROM audit_events") || die "cannot count the audit rows"
  runs=$(psql -XAtq -c "SELECT count(DISTINCT run_id) FROM audit_events")
  kind=postgres
  source_desc="postgres://${PGHOST:-?}:${PGPORT:-5432}/${PGDATABASE:-?}"
  audit_file=audit.pgdump
else
  # .backup copies page by page through SQLite's backup API inside one read transaction: a consistent snapshot,
  # WAL content included, while the gateway goes on writing. busy_timeout covers a checkpoint in progress.
  sqlite3 -bail "$data_dir/audit.db" ".timeout 10000" ".backup '$tmp/audit.db'" || die "sqlite3 .backup failed"
  check=$(sqlite3 "$tmp/audit.db" "PRAGMA integrity_check;")
  [[ $check == ok ]] || die "the copy fails its integrity check: $check"
  # A self-contained file: no WAL needed to read it.
  sqlite3 "$tmp/audit.db" "PRAGMA journal_mode=DELETE;" >/dev/null
  rows=$(sqlite3 "$tmp/audit.db" "SELECT count(*) FROM audit_events;")
  runs=$(sqlite3 "$tmp/audit.db" "SELECT count(DISTINCT run_id) FROM audit_events;")
  kind=sqlite
  source_desc=$(cd "$data_dir" && pwd)/audit.db
  audit_file=audit.db
fi

# --- keys file -----------------------------------------------------------------------------------------------------
cp "$keys_file" "$tmp/keys.json"

# --- manifest and checksums ------------------------------------------------------------------------------------------
cat > "$tmp/manifest.txt" <<EOF
format=phoenix-backup/1
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
audit.kind=$kind
audit.file=$audit_file
audit.source=$source_desc
audit.rows=$rows
audit.runs=$runs
keys.file=keys.json
keys.source=$(cd "$(dirname "$keys_file")" && pwd)/$(basename "$keys_file")
host=$(hostname)
EOF
(cd "$tmp" && sha256sum "$audit_file" keys.json manifest.txt > SHA256SUMS)
sync "$tmp"/* 2>/dev/null || sync
mv "$tmp"/* "$out"/
rmdir "$tmp"
trap - EXIT
echo "backup.sh: $kind audit ($rows rows, $runs runs) and keys file backed up to $out" >&2
echo "$out"
