"""The schema as numbered steps, applied once each and in order on both back ends (column types via the dialect)."""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: snapshots (IF NOT EXISTS: stores created before numbered steps already hold this table)
    (
        """CREATE TABLE IF NOT EXISTS snapshots (
            id text PRIMARY KEY,
            title text NOT NULL,
            created_at {time} NOT NULL,
            expires_at {time},
            size {int} NOT NULL,
            payload_sha256 text NOT NULL,
            code_hash text,
            delete_hash text NOT NULL,
            metadata text NOT NULL,
            payload {blob} NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS snapshots_expires_at ON snapshots (expires_at) WHERE expires_at IS NOT NULL",
    ),
    # 2: one counter row per guarded id, so counting an attempt and checking the limit is one atomic upsert
    (
        "DROP TABLE IF EXISTS snapshot_failures",
        "CREATE TABLE access_attempts (subject text PRIMARY KEY, window_start {time} NOT NULL, attempts integer NOT NULL)",
        "CREATE INDEX access_attempts_window ON access_attempts (window_start)",
    ),
    # 3: workspaces: a head pointer for optimistic concurrency, immutable versions, file bytes stored once per content
    (
        """CREATE TABLE workspaces (
            id text PRIMARY KEY,
            name text NOT NULL,
            created_at {time} NOT NULL,
            code_hash text,
            head integer NOT NULL
        )""",
        """CREATE TABLE workspace_versions (
            workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            number integer NOT NULL,
            created_at {time} NOT NULL,
            description text NOT NULL,
            manifest text NOT NULL,
            manifest_sha256 text NOT NULL,
            PRIMARY KEY (workspace_id, number)
        )""",
        """CREATE TABLE workspace_files (
            workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            sha256 text NOT NULL,
            size {int} NOT NULL,
            content {blob} NOT NULL,
            PRIMARY KEY (workspace_id, sha256)
        )""",
    ),
    # 4: the 软弱涣散整顿台账: one row per branch and period with a revision for optimistic concurrency, and every change kept
    (
        """CREATE TABLE ledger_entries (
            workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            period text NOT NULL,
            branch_id text NOT NULL,
            name text NOT NULL,
            parent text NOT NULL,
            township text NOT NULL,
            source text NOT NULL,
            fields text NOT NULL,
            revision integer NOT NULL,
            updated_at {time} NOT NULL,
            PRIMARY KEY (workspace_id, period, branch_id)
        )""",
        """CREATE TABLE ledger_history (
            workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            period text NOT NULL,
            branch_id text NOT NULL,
            revision integer NOT NULL,
            position integer NOT NULL,
            changed_at {time} NOT NULL,
            changed_by text NOT NULL,
            field text NOT NULL,
            old text NOT NULL,
            new text NOT NULL,
            PRIMARY KEY (workspace_id, period, branch_id, revision, position)
        )""",
    ),
)
