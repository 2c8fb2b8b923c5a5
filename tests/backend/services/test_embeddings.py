"""The embedding model loads from the installed package alone: no cache folder, no network."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np

from backend.app.core.config import PROJECT_ROOT
from backend.app.services import embeddings

NO_NETWORK = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network use during embedding")

    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from backend.app.services import embeddings

    vectors = embeddings.embed_many(["Design a logo for a tea shop", "Graphic designer: branding and posters"])
    print(vectors.shape[1], round(float(vectors[0] @ vectors[1]), 3))
    """
)


def test_model__loads_offline_with_an_empty_home_and_no_network(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    dim, similarity = result.stdout.split()
    assert int(dim) == embeddings.DIM
    assert float(similarity) > 0.2
    assert list(tmp_path.iterdir()) == []  # nothing cached, nothing downloaded


def test_embed_many__unit_rows_and_zeros_for_wordless_text():
    vectors = embeddings.embed_many(["Audit our Vyper escrow", "", "Translate app strings into Japanese"])
    assert vectors.shape == (3, embeddings.DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), [1, 0, 1], atol=1e-5)
    assert np.array_equal(embeddings.from_bytes(embeddings.to_bytes(vectors[0])), vectors[0])
    assert embeddings.from_bytes(b"short") is None
