-- Creates one database per service for the application PostgreSQL of docker-compose.yml.
-- Mounted into /docker-entrypoint-initdb.d/, so the postgres image runs it once, as the
-- superuser POSTGRES_USER (tdkt), when the data volume is first initialised. Each service
-- owns its database and runs its own Alembic migrations in it at start-up.
-- To re-run it, remove the volume: docker compose down -v

CREATE DATABASE tdkt_intake OWNER tdkt ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE tdkt_review OWNER tdkt ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE tdkt_decisions OWNER tdkt ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE tdkt_notifications OWNER tdkt ENCODING 'UTF8' TEMPLATE template0;
