-- Operations console sessions (docs/operations.md, "Operations console"), in the store so that every
-- replica behind a load balancer knows a session made on another. The session id (the cookie) is
-- kept only as its SHA-256: a copy of this table logs no one in.
CREATE TABLE console_session (
    id_hash    CHAR(64)    PRIMARY KEY,   -- lower-case hex SHA-256 of the session id
    client     VARCHAR(64) NOT NULL,      -- the API client that logged in
    csrf_token VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX console_session_created ON console_session (created_at);
