"""Nothing reaches the network: a fresh process blocks every outbound connection and DNS lookup
before importing anything, then ingests documents and searches them."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from ingest.offline import OFFLINE_ENV

GUARD = textwrap.dedent(
    """
    import json, socket, sys
    attempts = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo
    def local(host):
        return isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1"))
    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or local(host):
            return real_connect(self, address)
        attempts.append(str(address))
        raise OSError("blocked outbound connection")
    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not local(host):
            attempts.append("dns:" + str(host))
            raise socket.gaierror("blocked DNS lookup")
        return real_getaddrinfo(host, *args, **kwargs)
    socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo

    from pathlib import Path
    from ingest.settings import Settings
    from assistant.components import Components
    components = Components(Settings(data_dir=Path(sys.argv[2])))
    summary = components.ingester.ingest([Path(sys.argv[1])])
    hits = components.retriever.search("What does the TOM say about boards and meetings?", k=3)
    print(json.dumps({"attempts": attempts, "failed": summary.failed, "added": summary.added, "hits": len(hits)}))
    """
)


def test_offline_variables_are_set_on_import():
    for key, value in OFFLINE_ENV.items():
        assert os.environ.get(key) == value


def test_ingest_and_search_make_no_outbound_connection(docs_dir: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_ENV}  # the project must set them itself
    result = subprocess.run(
        [sys.executable, "-c", GUARD, str(docs_dir), str(tmp_path / "data")],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == [] and len(report["added"]) == 4 and report["hits"] == 3
    assert report["attempts"] == []
