"""Operations: readiness checks, metrics, logs and the request context on every log line."""
