namespace Berth.Metadata.Sqlite;

/// <summary>
/// The schema, as an ordered list of scripts: script <c>i</c> is version <c>i + 1</c>. Released scripts are never
/// edited; a change is a new script appended at the end.
/// </summary>
/// <remarks>
/// Timestamps are ISO-8601 UTC text in the round-trip ("O") format: fixed width, so text order is time order and
/// <c>MAX()</c>/<c>&lt;</c> work on them. Tables are STRICT so a wrong-typed value is an error, not a silent
/// conversion. Small tables keyed by text are WITHOUT ROWID, so the primary key is the table (one b-tree, not two);
/// <c>manifests</c> keeps its rowid because its rows carry the manifest bytes.
/// </remarks>
internal static class SqliteMigrations
{
    public static IReadOnlyList<string> Scripts { get; } =
    [
        """
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID, STRICT;

        CREATE TABLE projects (
            id         TEXT PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        ) STRICT;

        -- The credential's username is the registry name; its generation moves on every password reset.
        CREATE TABLE registries (
            id                    TEXT PRIMARY KEY,
            name                  TEXT NOT NULL UNIQUE,
            project_id            TEXT NOT NULL REFERENCES projects (id),
            password_hash         TEXT NOT NULL,
            credential_generation INTEGER NOT NULL DEFAULT 1,
            storage_limit_bytes   INTEGER NOT NULL,
            created_at            TEXT NOT NULL
        ) STRICT;
        CREATE INDEX registries_project ON registries (project_id);

        CREATE TABLE repositories (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            registry_id TEXT NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            name        TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL,
            UNIQUE (registry_id, name),
            -- Target of repository_blobs' foreign key, which pins a link to its repository's registry.
            UNIQUE (id, registry_id)
        ) STRICT;

        -- Unique blobs per registry: storage usage is SUM(size).
        CREATE TABLE blobs (
            registry_id TEXT NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            digest      TEXT NOT NULL,
            size        INTEGER NOT NULL,
            created_at  TEXT NOT NULL,
            PRIMARY KEY (registry_id, digest)
        ) WITHOUT ROWID, STRICT;

        -- registry_id is redundant with the repository's, but the two foreign keys make it trustworthy and let the
        -- database itself refuse a link to a blob the registry does not hold, or dropping a blob still linked.
        CREATE TABLE repository_blobs (
            repository_id INTEGER NOT NULL,
            registry_id   TEXT NOT NULL,
            digest        TEXT NOT NULL,
            created_at    TEXT NOT NULL,
            PRIMARY KEY (repository_id, digest),
            FOREIGN KEY (repository_id, registry_id) REFERENCES repositories (id, registry_id) ON DELETE CASCADE,
            FOREIGN KEY (registry_id, digest) REFERENCES blobs (registry_id, digest)
        ) WITHOUT ROWID, STRICT;
        -- "Is this registry blob linked anywhere?" (garbage collection) and the foreign key check on blob removal.
        CREATE INDEX repository_blobs_registry_digest ON repository_blobs (registry_id, digest);

        CREATE TABLE manifests (
            repository_id    INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            digest           TEXT NOT NULL,
            media_type       TEXT NOT NULL,
            artifact_type    TEXT,
            subject_digest   TEXT,
            annotations_json TEXT,
            content          BLOB NOT NULL,
            size             INTEGER NOT NULL,
            created_at       TEXT NOT NULL,
            PRIMARY KEY (repository_id, digest)
        ) STRICT;
        -- Referrers by subject, already in digest order. Partial: only manifests that have a subject need it.
        CREATE INDEX manifests_subject ON manifests (repository_id, subject_digest, digest) WHERE subject_digest IS NOT NULL;

        CREATE TABLE manifest_links (
            repository_id   INTEGER NOT NULL,
            manifest_digest TEXT NOT NULL,
            child_digest    TEXT NOT NULL,
            is_manifest     INTEGER NOT NULL,
            size            INTEGER NOT NULL,
            PRIMARY KEY (repository_id, manifest_digest, child_digest),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
        ) WITHOUT ROWID, STRICT;

        -- Deleting a manifest deletes the tags pointing to it.
        CREATE TABLE tags (
            repository_id   INTEGER NOT NULL,
            name            TEXT NOT NULL,
            manifest_digest TEXT NOT NULL,
            updated_at      TEXT NOT NULL,
            PRIMARY KEY (repository_id, name),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
        ) WITHOUT ROWID, STRICT;
        -- The cascade above looks tags up by manifest.
        CREATE INDEX tags_manifest ON tags (repository_id, manifest_digest);

        CREATE TABLE uploads (
            id          TEXT PRIMARY KEY,
            registry_id TEXT NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            repository  TEXT NOT NULL,
            size        INTEGER NOT NULL,
            started_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        ) STRICT;
        CREATE INDEX uploads_updated ON uploads (updated_at);
        """,
        """
        -- Registries whose stored content still has to be removed; a row outlives its registry by design.
        CREATE TABLE registry_purges (
            registry_id TEXT PRIMARY KEY,
            deleted_at  TEXT NOT NULL
        ) WITHOUT ROWID, STRICT;

        -- The audit log names registries and projects by id and name, without foreign keys: it outlives them.
        CREATE TABLE audit_events (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            at            TEXT NOT NULL,
            actor         TEXT NOT NULL,
            action        TEXT NOT NULL,
            project_id    TEXT NOT NULL,
            project_name  TEXT NOT NULL,
            registry_id   TEXT,
            registry_name TEXT,
            remote_addr   TEXT,
            detail        TEXT
        ) STRICT;
        CREATE INDEX audit_events_project ON audit_events (project_id, id);
        CREATE INDEX audit_events_registry ON audit_events (registry_id, id) WHERE registry_id IS NOT NULL;

        -- Unlinking blobs after a manifest delete asks "does any manifest still refer to this blob?".
        CREATE INDEX manifest_links_child ON manifest_links (repository_id, child_digest);
        """,
        """
        -- Dashboard/API users. Usernames compare exactly (BINARY): the service layer lowercases them before they
        -- get here. security_stamp moves on with every password change.
        CREATE TABLE users (
            id             TEXT PRIMARY KEY,
            username       TEXT NOT NULL UNIQUE,
            password_hash  TEXT NOT NULL,
            is_admin       INTEGER NOT NULL,
            security_stamp INTEGER NOT NULL,
            created_at     TEXT NOT NULL
        ) STRICT;

        -- role: 1 viewer, 2 developer, 3 owner (ProjectRole).
        CREATE TABLE project_members (
            project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            role       INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),
            PRIMARY KEY (project_id, user_id)
        ) WITHOUT ROWID, STRICT;
        -- A user's memberships, and the user delete cascade.
        CREATE INDEX project_members_user ON project_members (user_id);

        -- Personal access tokens: only a hash of the secret is kept. Revoked tokens stay listed.
        CREATE TABLE access_tokens (
            id           TEXT PRIMARY KEY,
            user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            name         TEXT NOT NULL,
            secret_hash  TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            expires_at   TEXT,
            last_used_at TEXT,
            revoked_at   TEXT
        ) STRICT;
        CREATE INDEX access_tokens_user ON access_tokens (user_id, created_at);

        -- Pulls per (repository, manifest, hour), flushed in batches. Rows are hourly and never pruned for now (they
        -- could be rolled up into days later). They go with their repository; a manifest deleted later keeps its
        -- rows, which the per-manifest statistics leave out by joining the manifests that still exist.
        CREATE TABLE pull_counts (
            repository_id   INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            manifest_digest TEXT NOT NULL,
            hour_start      TEXT NOT NULL,
            count           INTEGER NOT NULL,
            last_pulled_at  TEXT NOT NULL,
            PRIMARY KEY (repository_id, manifest_digest, hour_start)
        ) WITHOUT ROWID, STRICT;
        """,
        """
        -- OSV advisories as imported, by OSV id (unique across OSV databases). json is the document exactly as
        -- imported; an import that brings the same JSON again leaves the row (source, import time) as it is. The rows
        -- carry the documents, so the table keeps its rowid (like manifests).
        CREATE TABLE advisories (
            id          TEXT PRIMARY KEY,
            source      TEXT NOT NULL,
            modified    TEXT,
            json        TEXT NOT NULL,
            imported_at TEXT NOT NULL
        ) STRICT;
        -- The per-source status (count, last import, newest modified) from the index alone, without the documents.
        CREATE INDEX advisories_source ON advisories (source, imported_at, modified);

        -- The advisory database's version, in its one row: it moves on with every import that changed something.
        CREATE TABLE advisory_database (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        ) STRICT;
        INSERT INTO advisory_database (id, version) VALUES (1, 0);

        -- The scan of a manifest, which goes with it (and so with its repository and registry). status: 1 queued,
        -- 2 running, 3 done, 4 failed (ScanStatus). claim_id/claimed_at belong to the scanner running it and are
        -- NULL otherwise. A scan queued again keeps the results of its last run (reason, advisory version, summary,
        -- report, finished_at) until the next one lands. The summary counts are all NULL or all set.
        CREATE TABLE scans (
            repository_id    INTEGER NOT NULL,
            manifest_digest  TEXT NOT NULL,
            status           INTEGER NOT NULL CHECK (status BETWEEN 1 AND 4),
            reason           TEXT,
            queued_at        TEXT NOT NULL,
            started_at       TEXT,
            finished_at      TEXT,
            claim_id         TEXT,
            claimed_at       TEXT,
            advisory_version INTEGER,
            critical         INTEGER,
            high             INTEGER,
            medium           INTEGER,
            low              INTEGER,
            unknown          INTEGER,
            report_json      TEXT,
            PRIMARY KEY (repository_id, manifest_digest),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE,
            CHECK ((critical IS NULL) = (high IS NULL) AND (critical IS NULL) = (medium IS NULL)
                   AND (critical IS NULL) = (low IS NULL) AND (critical IS NULL) = (unknown IS NULL))
        ) STRICT;
        -- Claiming walks the queued and running scans, longest queued first. Partial: finished scans never need it.
        CREATE INDEX scans_pending ON scans (queued_at) WHERE status IN (1, 2);
        """,

        // The previous password of registries and users: a client still sending it is told it was replaced, and is
        // not taken for a guesser. (Login throttling counters live in memory on the one embedded node.)
        """
        ALTER TABLE registries ADD COLUMN previous_password_hash TEXT;
        ALTER TABLE registries ADD COLUMN password_replaced_at TEXT;
        ALTER TABLE users ADD COLUMN previous_password_hash TEXT;
        ALTER TABLE users ADD COLUMN password_changed_at TEXT;
        """,

        """
        -- A deleted registry or repository is renamed out of the way (its name is free at once) and marked deleted_at;
        -- its records are then purged in the background in short batches (RegistryPurger), so one big delete never
        -- holds the database. A registry row goes last, once nothing refers to it.
        ALTER TABLE registries ADD COLUMN deleted_at TEXT;
        ALTER TABLE repositories ADD COLUMN deleted_at TEXT;
        -- The purger's queue of deleted repositories, found again after a restart.
        CREATE INDEX repositories_deleted ON repositories (deleted_at) WHERE deleted_at IS NOT NULL;
        """,

        // Bytes an upload session holds against its registry's allocation: what it received, plus what a chunk being
        // streamed reserved ahead. Usage checks sum them per registry (and count sessions), hence the index.
        """
        ALTER TABLE uploads ADD COLUMN held_bytes INTEGER NOT NULL DEFAULT 0;
        UPDATE uploads SET held_bytes = size;
        CREATE INDEX uploads_registry ON uploads (registry_id);
        """,

        // When a client last relied on an existing link (a blob HEAD that found it, a mount onto it, an upload of a blob
        // it already linked): the collector leaves a link no manifest references until this and created_at are both
        // older than its grace, so a push in progress never loses a blob it was told is there.
        """
        ALTER TABLE repository_blobs ADD COLUMN checked_at TEXT;
        """,

        // The dashboard's data-protection key ring (IDataProtectionKeyStore): each element's XML, its key material
        // encrypted with Berth:DataProtection:Key before it gets here.
        """
        CREATE TABLE data_protection_keys (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            friendly_name TEXT NOT NULL,
            xml           TEXT NOT NULL,
            created_at    TEXT NOT NULL
        ) STRICT;
        """,

        // A deleted project is renamed out of the way (its name is free at once) and keeps its old name in deleted_name:
        // the audit log and the registries still being purged refer to its row, and an administrator can still read
        // its audit log by the old name.
        """
        ALTER TABLE projects ADD COLUMN deleted_at TEXT;
        ALTER TABLE projects ADD COLUMN deleted_name TEXT;
        CREATE INDEX projects_deleted_name ON projects (deleted_name, deleted_at) WHERE deleted_name IS NOT NULL;
        """,

        // The findings of each scanned image, one row per advisory at its worst severity there (ScanSeverity: 0 unknown
        // to 4 critical), so that counts over many images (an index's platforms, a registry) are made in the database
        // without reading reports. They go with their scan. The finished scans are queued again to fill the table
        // (matching their stored inventory again: no layer is read) and to count each advisory once per image.
        """
        CREATE TABLE scan_findings (
            repository_id   INTEGER NOT NULL,
            manifest_digest TEXT NOT NULL,
            advisory_id     TEXT NOT NULL,
            severity        INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 4),
            PRIMARY KEY (repository_id, manifest_digest, advisory_id),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES scans (repository_id, manifest_digest) ON DELETE CASCADE
        ) WITHOUT ROWID, STRICT;
        UPDATE scans SET status = 1 WHERE status = 3;
        """,

        // Keyset paging of the registry and repository lists (SqlMetadataStore.Paging): each sort key an index range
        // per project or registry, the id breaking ties; by name, the unique (registry_id, name) serves repositories.
        """
        DROP INDEX registries_project;
        CREATE INDEX registries_project_name ON registries (project_id, name);
        CREATE INDEX registries_project_created ON registries (project_id, created_at, id);
        CREATE INDEX repositories_registry_updated ON repositories (registry_id, updated_at, id);
        """,

        // Keyset pages of the management listings, each an index range scan of its page size whatever the
        // repository's size: a repository's artifacts by push time (ties by digest), its tags by update time (ties
        // by name; by name they page on the primary key).
        """
        CREATE INDEX manifests_created ON manifests (repository_id, created_at, digest);
        CREATE INDEX tags_updated ON tags (repository_id, updated_at, name);
        """,

        // "Is this manifest listed by an index of the repository?" (the artifact page's top-level filter, the 409 of a
        // manifest delete) asks for a child digest that is a manifest. Without is_manifest in this index SQLite's
        // planner took the primary key instead, reading every link of the repository for each manifest on the page
        // (5.7 CPU-s for one page of a 200,000-tag repository); with it the check is one covering index lookup.
        """
        DROP INDEX manifest_links_child;
        CREATE INDEX manifest_links_child ON manifest_links (repository_id, child_digest, is_manifest);
        """,

        // Rotation with overlap: until this time the previous password (and the tokens issued under generation - 1)
        // still works; NULL when it does not (a plain reset, or the overlap revoked early).
        """
        ALTER TABLE registries ADD COLUMN previous_password_valid_until TEXT;
        """,

        // Access tokens of registries (RegistryTokenRecord). A revoked token stays (revocation is final and its id is
        // never reused); only live tokens need unique names, which the partial index enforces. scopes is the
        // comma-separated action list, repositories the glob patterns one per line ('' = every repository).
        """
        CREATE TABLE registry_tokens (
            id             TEXT PRIMARY KEY,
            registry_id    TEXT NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            name           TEXT NOT NULL,
            secret_hash    TEXT NOT NULL,
            scopes         TEXT NOT NULL,
            repositories   TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            created_by     TEXT,
            expires_at     TEXT,
            last_used_at   TEXT,
            last_used_from TEXT,
            revoked_at     TEXT
        ) STRICT;
        CREATE UNIQUE INDEX registry_tokens_live_name ON registry_tokens (registry_id, name) WHERE revoked_at IS NULL;
        CREATE INDEX registry_tokens_registry ON registry_tokens (registry_id, created_at);
        """,

        // Workload identity federation: OIDC ID tokens of an issuer, for an audience, whose claims match (JSON object of
        // claim -> exact value or glob) sign in to the registry with the rule's scopes (comma list) on the repositories
        // matching its patterns (JSON array; empty: all). They go with their registry.
        """
        CREATE TABLE federation_rules (
            id                     TEXT PRIMARY KEY,
            registry_id            TEXT NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            name                   TEXT NOT NULL,
            issuer                 TEXT NOT NULL,
            audience               TEXT NOT NULL,
            claims                 TEXT NOT NULL,
            scopes                 TEXT NOT NULL,
            repositories           TEXT NOT NULL,
            token_lifetime_minutes INTEGER NOT NULL,
            created_at             TEXT NOT NULL,
            created_by             TEXT NOT NULL,
            last_used_at           TEXT,
            UNIQUE (registry_id, name)
        ) STRICT;
        """,

        // Storage hygiene (issue 14). The recovery bin: deleted manifests (with their links, so the blobs they use stay
        // linked and counted until purged) and deleted tags, each until expires_at; the collector purges them after.
        // A tag is binned once per name (the latest delete wins). manifests.untagged_at is when a tag last stopped
        // pointing at the manifest (moved away or deleted): cleanup's "untagged for N hours" is measured from the later
        // of it and created_at. Tag immutability and cleanup policies are one row per registry; cleanup runs are kept as
        // history, at most one running per registry (heartbeat_at tells a run of a node that died).
        """
        ALTER TABLE manifests ADD COLUMN untagged_at TEXT;

        CREATE TABLE deleted_manifests (
            repository_id    INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            digest           TEXT NOT NULL,
            media_type       TEXT NOT NULL,
            artifact_type    TEXT,
            subject_digest   TEXT,
            annotations_json TEXT,
            content          BLOB NOT NULL,
            size             INTEGER NOT NULL,
            created_at       TEXT NOT NULL,
            deleted_at       TEXT NOT NULL,
            expires_at       TEXT NOT NULL,
            PRIMARY KEY (repository_id, digest)
        ) STRICT;
        CREATE INDEX deleted_manifests_expires ON deleted_manifests (expires_at);
        CREATE INDEX deleted_manifests_deleted ON deleted_manifests (repository_id, deleted_at);

        CREATE TABLE deleted_manifest_links (
            repository_id   INTEGER NOT NULL,
            manifest_digest TEXT NOT NULL,
            child_digest    TEXT NOT NULL,
            is_manifest     INTEGER NOT NULL,
            size            INTEGER NOT NULL,
            PRIMARY KEY (repository_id, manifest_digest, child_digest),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES deleted_manifests (repository_id, digest) ON DELETE CASCADE
        ) WITHOUT ROWID, STRICT;
        CREATE INDEX deleted_manifest_links_child ON deleted_manifest_links (repository_id, child_digest, is_manifest);

        CREATE TABLE deleted_tags (
            repository_id   INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            name            TEXT NOT NULL,
            manifest_digest TEXT NOT NULL,
            deleted_at      TEXT NOT NULL,
            expires_at      TEXT NOT NULL,
            PRIMARY KEY (repository_id, name)
        ) WITHOUT ROWID, STRICT;
        CREATE INDEX deleted_tags_expires ON deleted_tags (expires_at);
        CREATE INDEX deleted_tags_manifest ON deleted_tags (repository_id, manifest_digest);

        CREATE TABLE tag_immutability (
            registry_id TEXT PRIMARY KEY REFERENCES registries (id) ON DELETE CASCADE,
            rules_json  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        ) WITHOUT ROWID, STRICT;

        CREATE TABLE cleanup_policies (
            registry_id TEXT PRIMARY KEY REFERENCES registries (id) ON DELETE CASCADE,
            policy_json TEXT NOT NULL,
            schedule    TEXT NOT NULL,
            next_run_at TEXT,
            updated_at  TEXT NOT NULL
        ) WITHOUT ROWID, STRICT;
        CREATE INDEX cleanup_policies_due ON cleanup_policies (next_run_at) WHERE next_run_at IS NOT NULL;

        CREATE TABLE cleanup_runs (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            registry_id       TEXT NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            trigger           TEXT NOT NULL,
            status            TEXT NOT NULL,
            started_at        TEXT NOT NULL,
            heartbeat_at      TEXT NOT NULL,
            finished_at       TEXT,
            tags_deleted      INTEGER NOT NULL DEFAULT 0,
            manifests_deleted INTEGER NOT NULL DEFAULT 0,
            skipped           INTEGER NOT NULL DEFAULT 0,
            bytes_freed       INTEGER NOT NULL DEFAULT 0,
            errors_json       TEXT
        ) STRICT;
        CREATE INDEX cleanup_runs_registry ON cleanup_runs (registry_id, id);
        CREATE UNIQUE INDEX cleanup_runs_running ON cleanup_runs (registry_id) WHERE status = 'running';

        -- The last usage notice audited (nearly_full, full), so crossing a threshold is audited once, not per push.
        ALTER TABLE registries ADD COLUMN usage_notice TEXT;
        """,
    ];
}
