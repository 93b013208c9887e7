"""The archive itself: records, ingestion, catalog and the Whoosh engine. Knows nothing of HTTP."""
