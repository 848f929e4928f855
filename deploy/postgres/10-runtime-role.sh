#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d):
# the role the server runs as. `mdma-at db upgrade`, as the owner ($POSTGRES_USER), grants it
# only what the server needs (adapters/db/migrate.py, grant_runtime_role; ADR 0105).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v password="$MDMA_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE mdma_app LOGIN PASSWORD :'password';
SQL
