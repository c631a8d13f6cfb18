-- 004: people who sign in to the web application (issue 8), their browser sessions and the
-- failed sign-ins that rate-limit password guessing. Passwords are never stored: only
-- PBKDF2-HMAC-SHA256 of them with a per-user salt; session tokens only as their SHA-256.

CREATE TABLE user (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  role           TEXT NOT NULL CHECK (role IN ('coordinator', 'leader', 'analyst', 'admin')),
  password_hash  TEXT NOT NULL CHECK (length(password_hash) = 64),  -- hex of 32 bytes
  salt           TEXT NOT NULL CHECK (length(salt) = 32),            -- hex of 16 bytes
  iterations     INTEGER NOT NULL CHECK (iterations >= 600000),
  created_at     TEXT NOT NULL,
  disabled_at    TEXT
) STRICT;

-- A signed-in browser. The cookie holds the token; the database only its SHA-256, so a copy of
-- the file does not let anyone sign in.
CREATE TABLE web_session (
  token_hash    TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
  user_id       INTEGER NOT NULL REFERENCES user (id),
  created_at    TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  csrf_token    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX web_session_user ON web_session (user_id);

-- Every sign-in attempt by user name (also names that do not exist), for the rate limit.
CREATE TABLE login_attempt (
  id         INTEGER PRIMARY KEY,
  user_name  TEXT NOT NULL,
  at         TEXT NOT NULL,
  ok         INTEGER NOT NULL CHECK (ok IN (0, 1))
) STRICT;

CREATE INDEX login_attempt_user_at ON login_attempt (user_name, at);
