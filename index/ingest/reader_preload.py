"""Imported only by the fork server of a bulk ingest's readers (`index.ingest.jsonl.read_records`
names it as a preload): the language model is loaded and widened once there, and each reader
forked from the server starts with it. Loaded by each reader, it took 0.6 s of each one's time
at the start of a run, while the storing process waited for their first records."""

from index.ingest.normalize import widen_language_model

widen_language_model()
