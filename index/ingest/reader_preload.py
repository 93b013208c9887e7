"""Imported only by the fork server of a bulk ingest's readers (`index.ingest.jsonl.read_records`
names it as a preload): the language model is loaded and widened once there, and each reader
forked from the server starts with it (loaded by each reader, it took 0.6 s of CPU in each), and
shares its pages."""

from index.ingest.normalize import widen_language_model

widen_language_model()
