"""What the API's routers and the UI's tabs share: the container, the auth rule, the lanes, the ingest lock.

Made once per server by `ui.server.build_app` (or by `create_app` for the API alone) and passed
down, so the API and the UI obey one auth rule and queue in the same lanes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from assistant.components import Components
from ingest.settings import Settings
from ui.auth import Auth
from ui.lanes import Lanes

log = logging.getLogger(__name__)


@dataclass
class Services:
    components: Components
    auth: Auth
    lanes: Lanes
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)  # one upload, delete or re-ingest at a time

    @classmethod
    def of(cls, components: Components, ingest_lock: threading.Lock | None = None) -> "Services":
        settings = components.settings
        return cls(components, Auth.from_settings(settings), Lanes.from_settings(settings), ingest_lock or threading.Lock())

    @property
    def settings(self) -> Settings:
        return self.components.settings
