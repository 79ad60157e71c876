"""ASGI middleware of the API."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk_server.api.errors import error_response


class BodySizeLimit:
    """413 for a request body over ``max_bytes``, before the app sees any of it.

    A declared Content-Length over the limit is refused at once; a body without one (chunked)
    is read here up to the limit: past it the request is refused, and the app never runs (a
    truncated body must not be parsed: a valid batch followed by padding would be stored).
    A body within the limit is handed to the app as it came."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(scope, receive, send)
                    return
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                messages.append(message)
                break
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            messages.append(message)
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "too_large", f"request body larger than {self.max_bytes} "
                                  "bytes; nothing of it was read nor stored")
        await response(scope, receive, send)
