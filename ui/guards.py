"""What every request passes before any route sees it: Host, Origin and body size checks.

- Host: Starlette's `TrustedHostMiddleware` accepts only 127.0.0.1, localhost, the configured
  TOM_HOST and any `allowed_hosts`, so a DNS-rebinding page (evil.example resolving to
  127.0.0.1) is refused.
- Origin: a state-changing request (POST, PUT, PATCH, DELETE; Gradio's included) that carries an
  Origin other than the server's own is refused 403, so a page the officer happens to visit
  cannot post a form (a CORS "simple request") to 127.0.0.1. Scripts send no Origin and pass;
  they still need a key when keys are set.
- Body size: FastAPI's own `max_body_size` (Starlette's `RequestBodyLimitMiddleware`) refuses 413
  from Content-Length when it is declared, and by counting the bytes as they arrive when it is
  not (chunked), for the API and the mounted UI alike; `body_limit` gives its size and
  `body_too_large` the message, which names the limit.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ingest.settings import Settings

log = logging.getLogger(__name__)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_SLACK = 100_000  # multipart framing and form fields around an upload of the largest allowed size


class OriginCheck:
    """Refuse (403) a state-changing request whose Origin is not this server's own origin."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str] | None = None) -> None:
        self.app = app
        self.allowed = {origin.rstrip("/").lower() for origin in allowed_origins or []}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in WRITES:
            headers = dict(scope["headers"])
            origin = headers.get(b"origin", b"").decode("latin-1").rstrip("/").lower()
            own = f"{scope['scheme']}://{headers.get(b'host', b'').decode('latin-1')}".lower()
            if origin and origin != own and origin not in self.allowed:
                log.warning("refused a %s to %s from origin %s", scope["method"], scope["path"], origin)
                detail = f"requests from {origin} are not accepted: this server takes changes only from its own pages and scripts"
                await JSONResponse({"detail": detail}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def body_limit(settings: Settings) -> int:
    """The largest request body accepted: the largest upload plus its form framing."""
    return settings.max_upload_bytes + BODY_SLACK


def body_too_large(settings: Settings):
    """A handler for HTTPException that says which limit a 413 from the body limiter is (our own 413s are UserErrors)."""
    async def handler(request: Request, error: HTTPException) -> Response:
        if error.status_code == 413:
            return JSONResponse({"detail": f"the request body is over the limit of {body_limit(settings)} bytes "
                                           "(TOM_MAX_UPLOAD_BYTES plus form framing)"}, status_code=413)
        return await http_exception_handler(request, error)
    return handler


def install_guards(app, settings: Settings, extra_hosts: list[str] | None = None) -> None:
    """Add the Host and Origin checks to `app` (the last added is the outermost: Host, then Origin)."""
    hosts = {"127.0.0.1", "localhost", settings.host, *(extra_hosts or []), *settings.allowed_hosts}
    app.add_exception_handler(HTTPException, body_too_large(settings))
    app.add_middleware(OriginCheck, allowed_origins=list(settings.allowed_origins))
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=sorted(hosts))
