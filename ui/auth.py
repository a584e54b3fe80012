"""One auth rule for every face: with API keys set, writes need a key, and reads too with TOM_AUTH_READS.

A caller proves it holds a key either with `Authorization: Bearer <key>` (scripts, the OpenAI
endpoint, Gradio's API) or with the login cookie the /login page sets after a person types a
key (the browser). The cookie holds an expiry and an HMAC of it under the key, so it needs no
server-side session store, works across processes sharing the keys, and dies with its key. Every
comparison uses `hmac.compare_digest` against each configured key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request
from starlette.requests import HTTPConnection

from ingest.settings import Settings

log = logging.getLogger(__name__)
COOKIE = "tom_login"
LOGIN_HOURS = 12
ANONYMOUS = "anonymous"  # the Gradio user name of a caller without a key when reads are open
KEY_USER, BROWSER_USER = "api-key", "browser"


def _sign(key: str, expires: int) -> str:
    return hmac.new(key.encode("utf-8"), f"tom-assistant login until {expires}".encode(), hashlib.sha256).hexdigest()


class Auth:
    """Who a request is, and what it may do, from the configured keys."""

    def __init__(self, keys: list[str], reads_need_key: bool) -> None:
        self._keys = [key for key in keys if key]
        self.reads_need_key = bool(self._keys) and reads_need_key

    @classmethod
    def from_settings(cls, settings: Settings) -> "Auth":
        return cls(list(settings.api_keys), settings.auth_reads)

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def valid_key(self, candidate: str | None) -> str | None:
        """The configured key equal to `candidate` (each compared in constant time), else None."""
        if not candidate:
            return None
        given, found = candidate.encode("utf-8"), None
        for key in self._keys:  # no early exit: the time does not depend on which key matched
            if hmac.compare_digest(given, key.encode("utf-8")):
                found = key
        return found

    def login_cookie(self, key: str) -> tuple[str, int]:
        """The cookie value for a person who typed `key`, and its lifetime in seconds."""
        expires = int(time.time()) + LOGIN_HOURS * 3600
        return f"{expires}.{_sign(key, expires)}", LOGIN_HOURS * 3600

    def _valid_cookie(self, value: str | None) -> bool:
        expires, _, signature = (value or "").partition(".")
        if not expires.isdigit() or int(expires) < time.time():
            return False
        ok = False
        for key in self._keys:
            ok |= hmac.compare_digest(signature.encode(), _sign(key, int(expires)).encode())
        return ok

    def identity(self, connection: HTTPConnection) -> str | None:
        """KEY_USER for a valid Bearer key, BROWSER_USER for a valid login cookie, else None."""
        header = connection.headers.get("authorization", "")
        if header[:7].lower() == "bearer " and self.valid_key(header[7:].strip()):
            return KEY_USER
        if self._valid_cookie(connection.cookies.get(COOKIE)):
            return BROWSER_USER
        return None

    def permits(self, connection: HTTPConnection, write: bool) -> bool:
        if not self.enabled or (not write and not self.reads_need_key):
            return True
        return self.identity(connection) is not None

    def may_write(self, user: str | None) -> bool:
        """For a Gradio handler: may the event's user (from `gradio_user`) change things?"""
        return not self.enabled or user in (KEY_USER, BROWSER_USER)

    def dependency(self, write: bool) -> Callable[[Request], Awaitable[None]]:
        """A FastAPI dependency (async: it never takes a worker thread) that answers 401 when not permitted."""
        async def check(request: Request) -> None:
            if not self.permits(request, write):
                raise HTTPException(401, "a valid API key is needed: send 'Authorization: Bearer <key>', or log in at /login",
                                    headers={"WWW-Authenticate": "Bearer"})
        return check

    def gradio_user(self, request: Request) -> str | None:
        """Gradio's `auth_dependency`: the caller's name, ANONYMOUS when reads are open, None (401) otherwise."""
        user = self.identity(request)
        if user is None and not self.reads_need_key:
            return ANONYMOUS
        return user
