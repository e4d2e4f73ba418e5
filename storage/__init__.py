"""eCabinet storage: models, database engine and migrations."""
