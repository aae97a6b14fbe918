-- The schema the raw-sqlite3 central storage created (meta.schema_version = 1), before
-- Alembic: tests/central/test_storage_migrations.py migrates a database written with it.

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
    terminal_id TEXT PRIMARY KEY,
    secret_hex TEXT NOT NULL,
    registered_at REAL NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS staff_tokens (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS trusted_keys (
    key_id TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    terminal_id TEXT NOT NULL,
    key TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response BLOB NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (terminal_id, key)
);
CREATE TABLE IF NOT EXISTS sequences (
    region_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (region_code, day)
);
CREATE TABLE IF NOT EXISTS cases (
    case_no TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    item_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    subject_hash TEXT NOT NULL,
    field_names TEXT NOT NULL,
    local_ref TEXT,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS case_events (
    case_no TEXT NOT NULL REFERENCES cases(case_no),
    status TEXT NOT NULL,
    at REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_no, status)
);
CREATE TABLE IF NOT EXISTS ratings (
    rating_id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_no TEXT NOT NULL UNIQUE REFERENCES cases(case_no),
    item_code TEXT NOT NULL,
    level TEXT NOT NULL,
    tags TEXT NOT NULL,
    comment TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    rated_at REAL,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ratings_received ON ratings(received_at);
CREATE TABLE IF NOT EXISTS heartbeats (
    terminal_id TEXT PRIMARY KEY REFERENCES terminals(terminal_id),
    received_at REAL NOT NULL,
    devices TEXT NOT NULL,
    catalogue_version INTEGER NOT NULL,
    outbox_depth INTEGER NOT NULL,
    app_version TEXT NOT NULL,
    uptime_s REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS catalogues (
    version INTEGER PRIMARY KEY,
    bundle BLOB NOT NULL,
    etag TEXT NOT NULL,
    items INTEGER NOT NULL,
    published_at REAL NOT NULL,
    published_by TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS documents (
    code TEXT PRIMARY KEY,
    case_no TEXT NOT NULL REFERENCES cases(case_no),
    item_code TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    title TEXT NOT NULL,
    issuer TEXT NOT NULL,
    summary TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    sha256 TEXT,
    pages INTEGER,
    registered_at REAL
);
CREATE INDEX IF NOT EXISTS documents_case ON documents(case_no);

CREATE TABLE IF NOT EXISTS payments (
    order_no TEXT PRIMARY KEY REFERENCES cases(case_no),
    terminal_id TEXT NOT NULL,
    item_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    items TEXT NOT NULL,
    payee_zh TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('unpaid', 'paid', 'closed', 'refunded')),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    paid_at REAL,
    channel TEXT,
    payer_app TEXT,
    einvoice_no TEXT UNIQUE,
    check_code TEXT,
    refunded_at REAL,
    closed_reason TEXT,
    failure_code TEXT,
    failure_message TEXT,
    notifications INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS payments_einvoice ON payments(einvoice_no);
INSERT OR IGNORE INTO meta VALUES ('schema_version', '1');
