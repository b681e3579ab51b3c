"""Semantic and keyword search over memories.

`embeddings` turns text into unit-length vectors (the packaged MiniLM model, an
OpenAI-compatible service, or none); `memories` runs the searches; `reembed` fills
in embeddings that are missing or come from another model.
"""
