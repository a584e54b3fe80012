"""A process that keeps one store open and answers queries in a loop, as `tom serve` does.

    python -m tests.ingest.store_reader DATA_DIR VECTOR_JSON WORD

Every 0.1 s it prints one JSON line: the time, the documents of the 5 nearest chunks to the vector,
the documents whose chunks hold WORD (the keyword index), the document list, and any error.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(data_dir: Path, vector: list[float], word: str) -> None:
    from ingest.settings import Settings
    from ingest.store import ChunkStore
    from ingest.text import tokenize

    store = ChunkStore(Settings(data_dir=data_dir))
    while True:
        line: dict = {"t": time.time(), "error": None}
        try:
            store.revision()  # a request's one freshness check
            line["query"] = sorted({str(c.metadata.get("document")) for c, _ in store.query(vector, 5)})
            line["keyword"] = sorted({hit.document for hit in store.keywords.search(tokenize(word), 5)})
            line["documents"] = [info.document for info in store.documents()]
        except Exception as error:  # noqa: BLE001  (reported to the test, which fails on it)
            line["error"] = f"{type(error).__name__}: {error}"
        print(json.dumps(line), flush=True)
        time.sleep(0.1)


if __name__ == "__main__":
    main(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()), sys.argv[3])
