"""The database: models, engine and migrations."""
