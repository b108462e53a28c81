# Sourced by backup.sh and restore.sh: postgres_env CONNSTR exports the libpq environment (PGHOST, PGPORT,
# PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE) from the gateway's Npgsql connection string
# (Host=…;Port=…;Database=…;Username=…;Password=…;SSL Mode=…), so that no password appears on a command line.
postgres_env() {
  local conn=$1 part key value
  if [[ $conn == postgres://* || $conn == postgresql://* ]]; then
    echo "postgres-env.sh: give the gateway's Npgsql connection string (Host=…;Database=…), not a URI" >&2
    return 1
  fi
  local IFS=';'
  for part in $conn; do
    [[ -z ${part// /} ]] && continue
    key=${part%%=*}; value=${part#*=}
    key=$(tr -d ' ' <<<"${key,,}")
    case $key in
      host|server) export PGHOST=$value ;;
      port) export PGPORT=$value ;;
      database|db) export PGDATABASE=$value ;;
      username|userid|user) export PGUSER=$value ;;
      password|pwd) export PGPASSWORD=$value ;;
      sslmode) value=${value,,}; value=${value/verifyfull/verify-full}; export PGSSLMODE=${value/verifyca/verify-ca} ;;
      *) ;;  # pooling, timeouts and the like mean nothing to pg_dump
    esac
  done
  [[ -n ${PGHOST:-} && -n ${PGDATABASE:-} ]] || { echo "postgres-env.sh: the connection string needs Host and Database" >&2; return 1; }
}
