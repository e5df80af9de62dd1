/// The catalog's schema, as numbered migrations. Add a migration; never edit a released one.
///
/// Every table is keyed by `context`: each `/<context>/` path segment is its own deployment.
/// Rows keep their key columns for lookups and ordering, and the full record as JSON in `body`.
public enum CatalogSchema {
    public static let migrations: [Migration] = [
        Migration(1, """
            CREATE TABLE deployments (
                context TEXT PRIMARY KEY,
                body    TEXT NOT NULL
            );
            CREATE TABLE users (
                context  TEXT NOT NULL REFERENCES deployments(context) ON DELETE CASCADE,
                username TEXT NOT NULL,
                body     TEXT NOT NULL,
                PRIMARY KEY (context, username)
            );
            CREATE TABLE stores (
                context TEXT NOT NULL REFERENCES deployments(context) ON DELETE CASCADE,
                name    TEXT NOT NULL,
                seq     INTEGER NOT NULL,
                body    TEXT NOT NULL,
                PRIMARY KEY (context, name)
            );
            CREATE TABLE backups (
                context    TEXT NOT NULL REFERENCES deployments(context) ON DELETE CASCADE,
                store      TEXT NOT NULL,
                name       TEXT NOT NULL,
                start_time INTEGER NOT NULL,
                body       TEXT NOT NULL,
                PRIMARY KEY (context, store, name)
            );
            CREATE TABLE jobs (
                context TEXT NOT NULL REFERENCES deployments(context) ON DELETE CASCADE,
                jobid   TEXT NOT NULL,
                seq     INTEGER NOT NULL,
                status  TEXT NOT NULL,
                body    TEXT NOT NULL,
                PRIMARY KEY (context, jobid)
            );
            CREATE INDEX jobs_by_seq ON jobs(context, seq);
            CREATE TABLE tokens (
                digest   TEXT PRIMARY KEY,
                context  TEXT NOT NULL REFERENCES deployments(context) ON DELETE CASCADE,
                username TEXT NOT NULL,
                expires  INTEGER NOT NULL
            );
            """),
        // Opening a context reads its backups in start-time order: without this index SQLite
        // sorted every backup body (10 MB for 10,000 backups) through a temporary file at each
        // start. An existing catalog gets the index when it is next opened, in one transaction.
        Migration(2, """
            CREATE INDEX backups_by_time ON backups(context, start_time, name);
            """),
    ]
}
