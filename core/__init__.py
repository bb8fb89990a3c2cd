"""Cross-cutting infrastructure: settings, clock, database, security, domain errors."""
