"""Text embeddings from wordllama's packaged model, fully offline.

wordllama ships its weights and tokenizer inside its wheel. Its own `WordLlama.load` looks for
the tokenizer only under ~/.cache/wordllama/tokenizers (whatever `cache_dir` says) and downloads
it from Hugging Face when it is missing, so this module builds the model from the two packaged
files itself: nothing is ever fetched. The model loads once per process, on first use (~0.3 s).

An embedding is `DIM` float32 numbers of unit length (cosine similarity = dot product), stored
as `DIM * 4` little-endian bytes in the `embedding` column of job posts and profiles.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from wordllama.inference import WordLlamaInference

MODEL = "l2_supercat"
DIM = 256
_DTYPE = np.dtype("<f4")
_lock = threading.Lock()
_model: WordLlamaInference | None = None


def _load() -> WordLlamaInference:
    import wordllama
    from safetensors import safe_open
    from wordllama.config import Config
    from wordllama.inference import WordLlamaInference
    from wordllama.tokenizers import tokenizer_from_file

    package = Path(wordllama.__file__).parent
    config = Config._configurations[MODEL]
    tokenizer = tokenizer_from_file(package / "tokenizers" / f"{MODEL}_tokenizer_config.json")
    with safe_open(str(package / "weights" / f"{MODEL}_{DIM}.safetensors"), framework="np", device="cpu") as f:
        weights = f.get_tensor("embedding.weight")
    return WordLlamaInference(weights, config, tokenizer)


def model() -> WordLlamaInference:
    """The process's model, loaded on first call."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load()
    return _model


def embed_many(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), DIM) float32 rows of unit length; an empty or wordless text gives zeros."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = model().embed(list(texts), norm=False, batch_size=256).astype(np.float32, copy=False)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def embed(text: str) -> np.ndarray:
    return embed_many([text])[0]


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=_DTYPE).tobytes()


def from_bytes(raw: bytes | None) -> np.ndarray | None:
    if raw is None or len(raw) != DIM * _DTYPE.itemsize:
        return None
    return np.frombuffer(raw, dtype=_DTYPE)


def job_text(title: str, description: str) -> str:
    """What a job post's embedding is computed from."""
    return f"{title}\n{description}"


def profile_text(bio: str) -> str:
    """What a profile's embedding is computed from: the bio (a display name carries no meaning)."""
    return bio
