namespace Berth.Metadata.Postgres;

/// <summary>
/// The schema, as an ordered list of scripts: script <c>i</c> is version <c>i + 1</c>. Released scripts are never
/// edited; a change is a new script appended at the end.
/// </summary>
/// <remarks>
/// Names, ids and digests are <c>COLLATE "C"</c>: the API pages and sorts them in ordinal (byte) order whatever the
/// database's default collation is, and plain byte comparison is also the cheapest. Times are <c>timestamptz</c>
/// (microsecond resolution). Annotations stay <c>text</c>, not <c>jsonb</c>: the referrers API hands them back exactly
/// as pushed, and jsonb would re-format them. The semantics mirror the SQLite schema table for table.
/// </remarks>
internal static class PostgresMigrations
{
    public static IReadOnlyList<string> Scripts { get; } =
    [
        """
        CREATE TABLE settings (
            key   text COLLATE "C" PRIMARY KEY,
            value text NOT NULL
        );

        CREATE TABLE projects (
            id         text COLLATE "C" PRIMARY KEY,
            name       text COLLATE "C" NOT NULL UNIQUE,
            created_at timestamptz NOT NULL
        );

        -- The credential's username is the registry name; its generation moves on every password reset.
        CREATE TABLE registries (
            id                    text COLLATE "C" PRIMARY KEY,
            name                  text COLLATE "C" NOT NULL UNIQUE,
            project_id            text COLLATE "C" NOT NULL REFERENCES projects (id),
            password_hash         text NOT NULL,
            credential_generation bigint NOT NULL DEFAULT 1,
            storage_limit_bytes   bigint NOT NULL,
            created_at            timestamptz NOT NULL
        );
        CREATE INDEX registries_project ON registries (project_id);

        CREATE TABLE repositories (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            registry_id text COLLATE "C" NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            name        text COLLATE "C" NOT NULL,
            created_at  timestamptz NOT NULL,
            updated_at  timestamptz NOT NULL,
            UNIQUE (registry_id, name),
            -- Target of repository_blobs' foreign key, which pins a link to its repository's registry.
            UNIQUE (id, registry_id)
        );

        -- Unique blobs per registry: storage usage is SUM(size).
        CREATE TABLE blobs (
            registry_id text COLLATE "C" NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            digest      text COLLATE "C" NOT NULL,
            size        bigint NOT NULL,
            created_at  timestamptz NOT NULL,
            PRIMARY KEY (registry_id, digest)
        );

        -- registry_id is redundant with the repository's, but the two foreign keys make it trustworthy and let the
        -- database itself refuse a link to a blob the registry does not hold, or dropping a blob still linked.
        CREATE TABLE repository_blobs (
            repository_id bigint NOT NULL,
            registry_id   text COLLATE "C" NOT NULL,
            digest        text COLLATE "C" NOT NULL,
            created_at    timestamptz NOT NULL,
            PRIMARY KEY (repository_id, digest),
            FOREIGN KEY (repository_id, registry_id) REFERENCES repositories (id, registry_id) ON DELETE CASCADE,
            FOREIGN KEY (registry_id, digest) REFERENCES blobs (registry_id, digest)
        );
        -- "Is this registry blob linked anywhere?" (garbage collection) and the foreign key check on blob removal.
        CREATE INDEX repository_blobs_registry_digest ON repository_blobs (registry_id, digest);

        CREATE TABLE manifests (
            repository_id    bigint NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            digest           text COLLATE "C" NOT NULL,
            media_type       text NOT NULL,
            artifact_type    text,
            subject_digest   text COLLATE "C",
            annotations_json text,
            content          bytea NOT NULL,
            size             bigint NOT NULL,
            created_at       timestamptz NOT NULL,
            PRIMARY KEY (repository_id, digest)
        );
        -- Referrers by subject, already in digest order. Partial: only manifests that have a subject need it.
        CREATE INDEX manifests_subject ON manifests (repository_id, subject_digest, digest) WHERE subject_digest IS NOT NULL;

        CREATE TABLE manifest_links (
            repository_id   bigint NOT NULL,
            manifest_digest text COLLATE "C" NOT NULL,
            child_digest    text COLLATE "C" NOT NULL,
            is_manifest     boolean NOT NULL,
            size            bigint NOT NULL,
            PRIMARY KEY (repository_id, manifest_digest, child_digest),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
        );
        -- Unlinking blobs after a manifest delete asks "does any manifest still refer to this blob?".
        CREATE INDEX manifest_links_child ON manifest_links (repository_id, child_digest);

        -- Deleting a manifest deletes the tags pointing to it.
        CREATE TABLE tags (
            repository_id   bigint NOT NULL,
            name            text COLLATE "C" NOT NULL,
            manifest_digest text COLLATE "C" NOT NULL,
            updated_at      timestamptz NOT NULL,
            PRIMARY KEY (repository_id, name),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
        );
        -- The cascade above looks tags up by manifest.
        CREATE INDEX tags_manifest ON tags (repository_id, manifest_digest);

        CREATE TABLE uploads (
            id          text COLLATE "C" PRIMARY KEY,
            registry_id text COLLATE "C" NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            repository  text NOT NULL,
            size        bigint NOT NULL,
            started_at  timestamptz NOT NULL,
            updated_at  timestamptz NOT NULL
        );
        CREATE INDEX uploads_updated ON uploads (updated_at);
        -- PostgreSQL does not index referencing columns itself; the registry delete cascade needs this one.
        CREATE INDEX uploads_registry ON uploads (registry_id);

        -- Registries whose stored content still has to be removed; a row outlives its registry by design.
        CREATE TABLE registry_purges (
            registry_id text COLLATE "C" PRIMARY KEY,
            deleted_at  timestamptz NOT NULL
        );

        -- The audit log names registries and projects by id and name, without foreign keys: it outlives them.
        CREATE TABLE audit_events (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at            timestamptz NOT NULL,
            actor         text NOT NULL,
            action        text NOT NULL,
            project_id    text COLLATE "C" NOT NULL,
            project_name  text NOT NULL,
            registry_id   text COLLATE "C",
            registry_name text,
            remote_addr   text,
            detail        text
        );
        CREATE INDEX audit_events_project ON audit_events (project_id, id);
        CREATE INDEX audit_events_registry ON audit_events (registry_id, id) WHERE registry_id IS NOT NULL;
        """,
        """
        -- Dashboard/API users. Usernames compare exactly ("C"): the service layer lowercases them before they get
        -- here. security_stamp moves on with every password change.
        CREATE TABLE users (
            id             text COLLATE "C" PRIMARY KEY,
            username       text COLLATE "C" NOT NULL UNIQUE,
            password_hash  text NOT NULL,
            is_admin       boolean NOT NULL,
            security_stamp bigint NOT NULL,
            created_at     timestamptz NOT NULL
        );

        -- role: 1 viewer, 2 developer, 3 owner (ProjectRole).
        CREATE TABLE project_members (
            project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            role       integer NOT NULL CHECK (role BETWEEN 1 AND 3),
            PRIMARY KEY (project_id, user_id)
        );
        -- A user's memberships, and the user delete cascade.
        CREATE INDEX project_members_user ON project_members (user_id);

        -- Personal access tokens: only a hash of the secret is kept. Revoked tokens stay listed.
        CREATE TABLE access_tokens (
            id           text COLLATE "C" PRIMARY KEY,
            user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            name         text NOT NULL,
            secret_hash  text NOT NULL,
            created_at   timestamptz NOT NULL,
            expires_at   timestamptz,
            last_used_at timestamptz,
            revoked_at   timestamptz
        );
        CREATE INDEX access_tokens_user ON access_tokens (user_id, created_at);

        -- Pulls per (repository, manifest, hour), flushed in batches. Rows are hourly and never pruned for now (they
        -- could be rolled up into days later). They go with their repository (the primary key serves the cascade);
        -- a manifest deleted later keeps its rows, which the per-manifest statistics leave out by joining the
        -- manifests that still exist.
        CREATE TABLE pull_counts (
            repository_id   bigint NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            manifest_digest text COLLATE "C" NOT NULL,
            hour_start      timestamptz NOT NULL,
            count           bigint NOT NULL,
            last_pulled_at  timestamptz NOT NULL,
            PRIMARY KEY (repository_id, manifest_digest, hour_start)
        );
        """,
        """
        -- OSV advisories as imported, by OSV id (unique across OSV databases). json is the document exactly as
        -- imported (text, not jsonb: an unchanged document is recognised by comparing it as it came); an import that
        -- brings the same JSON again leaves the row (source, import time) as it is.
        CREATE TABLE advisories (
            id          text COLLATE "C" PRIMARY KEY,
            source      text COLLATE "C" NOT NULL,
            modified    timestamptz,
            json        text NOT NULL,
            imported_at timestamptz NOT NULL
        );
        -- The per-source status (count, last import, newest modified) without reading the documents.
        CREATE INDEX advisories_source ON advisories (source) INCLUDE (imported_at, modified);

        -- The advisory database's version, in its one row: it moves on with every import that changed something.
        -- Bumps serialise on the row lock; a scan's completion share-locks it (see CompleteScanAsync).
        CREATE TABLE advisory_database (
            id      integer PRIMARY KEY CHECK (id = 1),
            version bigint NOT NULL
        );
        INSERT INTO advisory_database (id, version) VALUES (1, 0);

        -- The scan of a manifest, which goes with it (and so with its repository and registry; the primary key
        -- serves the cascade). status: 1 queued, 2 running, 3 done, 4 failed (ScanStatus). claim_id/claimed_at
        -- belong to the scanner running it and are NULL otherwise. A scan queued again keeps the results of its last
        -- run (reason, advisory version, summary, report, finished_at) until the next one lands. The summary counts
        -- are all NULL or all set.
        CREATE TABLE scans (
            repository_id    bigint NOT NULL,
            manifest_digest  text COLLATE "C" NOT NULL,
            status           integer NOT NULL CHECK (status BETWEEN 1 AND 4),
            reason           text,
            queued_at        timestamptz NOT NULL,
            started_at       timestamptz,
            finished_at      timestamptz,
            claim_id         text COLLATE "C",
            claimed_at       timestamptz,
            advisory_version bigint,
            critical         integer,
            high             integer,
            medium           integer,
            low              integer,
            unknown          integer,
            report_json      text,
            PRIMARY KEY (repository_id, manifest_digest),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE,
            CHECK ((critical IS NULL) = (high IS NULL) AND (critical IS NULL) = (medium IS NULL)
                   AND (critical IS NULL) = (low IS NULL) AND (critical IS NULL) = (unknown IS NULL))
        );
        -- Claiming walks the queued and running scans, longest queued first. Partial: finished scans never need it.
        CREATE INDEX scans_pending ON scans (queued_at) WHERE status IN (1, 2);
        """,

        // The previous password of registries and users (a client still sending it is told it was replaced, and
        // is not taken for a guesser), and the login throttling counters every node shares. account is
        // 'registry:<name>', 'user:<name>' or '*' (every account tried from the address).
        """
        ALTER TABLE registries ADD COLUMN previous_password_hash text, ADD COLUMN password_replaced_at timestamptz;
        ALTER TABLE users ADD COLUMN previous_password_hash text, ADD COLUMN password_changed_at timestamptz;
        CREATE TABLE login_throttles (
            account         text COLLATE "C" NOT NULL,
            address         text COLLATE "C" NOT NULL,
            failures        integer NOT NULL,
            last_failure_at timestamptz,
            last_success_at timestamptz,
            PRIMARY KEY (account, address)
        );
        """,

        """
        -- A deleted registry or repository is renamed out of the way (its name is free at once) and marked deleted_at;
        -- its records are then purged in the background in short batches (RegistryPurger), so one big delete never
        -- holds the database. A registry row goes last, once nothing refers to it.
        ALTER TABLE registries ADD COLUMN deleted_at timestamptz;
        ALTER TABLE repositories ADD COLUMN deleted_at timestamptz;
        -- The purger's queue of deleted repositories, found again after a restart.
        CREATE INDEX repositories_deleted ON repositories (deleted_at) WHERE deleted_at IS NOT NULL;
        """,

        // Bytes an upload session holds against its registry's allocation: what it received, plus what a chunk being
        // streamed reserved ahead (uploads_registry serves the per-registry sums and session counts).
        """
        ALTER TABLE uploads ADD COLUMN held_bytes bigint NOT NULL DEFAULT 0;
        UPDATE uploads SET held_bytes = size;
        """,

        // When a client last relied on an existing link (a blob HEAD that found it, a mount onto it, an upload of a blob
        // it already linked): the collector leaves a link no manifest references until this and created_at are both
        // older than its grace, so a push in progress never loses a blob it was told is there.
        """
        ALTER TABLE repository_blobs ADD COLUMN checked_at timestamptz;
        """,

        // The dashboard's data-protection key ring every node shares (IDataProtectionKeyStore): each element's XML,
        // its key material encrypted with Berth:DataProtection:Key before it gets here.
        """
        CREATE TABLE data_protection_keys (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            friendly_name text NOT NULL,
            xml           text NOT NULL,
            created_at    timestamptz NOT NULL
        );
        """,

        // A deleted project is renamed out of the way (its name is free at once) and keeps its old name in deleted_name:
        // the audit log and the registries still being purged refer to its row, and an administrator can still read
        // its audit log by the old name.
        """
        ALTER TABLE projects ADD COLUMN deleted_at timestamptz;
        ALTER TABLE projects ADD COLUMN deleted_name text COLLATE "C";
        CREATE INDEX projects_deleted_name ON projects (deleted_name, deleted_at) WHERE deleted_name IS NOT NULL;
        """,

        // The findings of each scanned image, one row per advisory at its worst severity there (ScanSeverity: 0 unknown
        // to 4 critical), so that counts over many images (an index's platforms, a registry) are made in the database
        // without reading reports. They go with their scan. The finished scans are queued again to fill the table
        // (matching their stored inventory again: no layer is read) and to count each advisory once per image.
        """
        CREATE TABLE scan_findings (
            repository_id   bigint NOT NULL,
            manifest_digest text COLLATE "C" NOT NULL,
            advisory_id     text COLLATE "C" NOT NULL,
            severity        integer NOT NULL CHECK (severity BETWEEN 0 AND 4),
            PRIMARY KEY (repository_id, manifest_digest, advisory_id),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES scans (repository_id, manifest_digest) ON DELETE CASCADE
        );
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
        ALTER TABLE registries ADD COLUMN previous_password_valid_until timestamptz;
        """,

        // Access tokens of registries (RegistryTokenRecord). A revoked token stays (revocation is final and its id is
        // never reused); only live tokens need unique names, which the partial index enforces. scopes is the
        // comma-separated action list, repositories the glob patterns one per line ('' = every repository).
        """
        CREATE TABLE registry_tokens (
            id             text COLLATE "C" PRIMARY KEY,
            registry_id    text COLLATE "C" NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            name           text COLLATE "C" NOT NULL,
            secret_hash    text NOT NULL,
            scopes         text NOT NULL,
            repositories   text NOT NULL,
            created_at     timestamptz NOT NULL,
            created_by     text,
            expires_at     timestamptz,
            last_used_at   timestamptz,
            last_used_from text,
            revoked_at     timestamptz
        );
        CREATE UNIQUE INDEX registry_tokens_live_name ON registry_tokens (registry_id, name) WHERE revoked_at IS NULL;
        CREATE INDEX registry_tokens_registry ON registry_tokens (registry_id, created_at);
        """,

        // Workload identity federation: OIDC ID tokens of an issuer, for an audience, whose claims match (JSON object of
        // claim -> exact value or glob) sign in to the registry with the rule's scopes (comma list) on the repositories
        // matching its patterns (JSON array; empty: all). They go with their registry.
        """
        CREATE TABLE federation_rules (
            id                     text COLLATE "C" PRIMARY KEY,
            registry_id            text COLLATE "C" NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            name                   text COLLATE "C" NOT NULL,
            issuer                 text NOT NULL,
            audience               text NOT NULL,
            claims                 text NOT NULL,
            scopes                 text NOT NULL,
            repositories           text NOT NULL,
            token_lifetime_minutes integer NOT NULL,
            created_at             timestamptz NOT NULL,
            created_by             text NOT NULL,
            last_used_at           timestamptz,
            UNIQUE (registry_id, name)
        );
        """,

        // Storage hygiene (issue 14). The recovery bin: deleted manifests (with their links, so the blobs they use stay
        // linked and counted until purged) and deleted tags, each until expires_at; the collector purges them after.
        // A tag is binned once per name (the latest delete wins). manifests.untagged_at is when a tag last stopped
        // pointing at the manifest (moved away or deleted): cleanup's "untagged for N hours" is measured from the later
        // of it and created_at. Tag immutability and cleanup policies are one row per registry; cleanup runs are kept as
        // history, at most one running per registry (heartbeat_at tells a run of a node that died).
        """
        ALTER TABLE manifests ADD COLUMN untagged_at timestamptz;

        CREATE TABLE deleted_manifests (
            repository_id    bigint NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            digest           text COLLATE "C" NOT NULL,
            media_type       text NOT NULL,
            artifact_type    text,
            subject_digest   text COLLATE "C",
            annotations_json text,
            content          bytea NOT NULL,
            size             bigint NOT NULL,
            created_at       timestamptz NOT NULL,
            deleted_at       timestamptz NOT NULL,
            expires_at       timestamptz NOT NULL,
            PRIMARY KEY (repository_id, digest)
        );
        CREATE INDEX deleted_manifests_expires ON deleted_manifests (expires_at);
        CREATE INDEX deleted_manifests_deleted ON deleted_manifests (repository_id, deleted_at);

        CREATE TABLE deleted_manifest_links (
            repository_id   bigint NOT NULL,
            manifest_digest text COLLATE "C" NOT NULL,
            child_digest    text COLLATE "C" NOT NULL,
            is_manifest     boolean NOT NULL,
            size            bigint NOT NULL,
            PRIMARY KEY (repository_id, manifest_digest, child_digest),
            FOREIGN KEY (repository_id, manifest_digest) REFERENCES deleted_manifests (repository_id, digest) ON DELETE CASCADE
        );
        CREATE INDEX deleted_manifest_links_child ON deleted_manifest_links (repository_id, child_digest, is_manifest);

        CREATE TABLE deleted_tags (
            repository_id   bigint NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            name            text COLLATE "C" NOT NULL,
            manifest_digest text COLLATE "C" NOT NULL,
            deleted_at      timestamptz NOT NULL,
            expires_at      timestamptz NOT NULL,
            PRIMARY KEY (repository_id, name)
        );
        CREATE INDEX deleted_tags_expires ON deleted_tags (expires_at);
        CREATE INDEX deleted_tags_manifest ON deleted_tags (repository_id, manifest_digest);

        CREATE TABLE tag_immutability (
            registry_id text COLLATE "C" PRIMARY KEY REFERENCES registries (id) ON DELETE CASCADE,
            rules_json  text NOT NULL,
            updated_at  timestamptz NOT NULL
        );

        CREATE TABLE cleanup_policies (
            registry_id text COLLATE "C" PRIMARY KEY REFERENCES registries (id) ON DELETE CASCADE,
            policy_json text NOT NULL,
            schedule    text NOT NULL,
            next_run_at timestamptz,
            updated_at  timestamptz NOT NULL
        );
        CREATE INDEX cleanup_policies_due ON cleanup_policies (next_run_at) WHERE next_run_at IS NOT NULL;

        CREATE TABLE cleanup_runs (
            id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            registry_id       text COLLATE "C" NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
            trigger           text NOT NULL,
            status            text NOT NULL,
            started_at        timestamptz NOT NULL,
            heartbeat_at      timestamptz NOT NULL,
            finished_at       timestamptz,
            tags_deleted      bigint NOT NULL DEFAULT 0,
            manifests_deleted bigint NOT NULL DEFAULT 0,
            skipped           bigint NOT NULL DEFAULT 0,
            bytes_freed       bigint NOT NULL DEFAULT 0,
            errors_json       text
        );
        CREATE INDEX cleanup_runs_registry ON cleanup_runs (registry_id, id);
        CREATE UNIQUE INDEX cleanup_runs_running ON cleanup_runs (registry_id) WHERE status = 'running';

        -- The last usage notice audited (nearly_full, full), so crossing a threshold is audited once, not per push.
        ALTER TABLE registries ADD COLUMN usage_notice text;
        """,
    ];
}
