"""Where the central server is and how the kiosk talks to it: one :class:`ServerLink` built
from the settings (checked once), and the request helper every sync part uses.

TLS certificates are verified (``sync.ca_file`` adds a CA bundle); the token travels only in the
``Authorization`` header, and a server URL carrying credentials is refused.
"""
from __future__ import annotations

import logging
import ssl
import urllib.parse
from dataclasses import dataclass
from typing import Any

from kiosk import __version__
from kiosk.sync.https_client import HttpError, HttpsClient
from kiosk_wire.config import Settings

log = logging.getLogger(__name__)


class SyncConfigError(Exception):
    """The sync settings cannot be used (bad URL, credentials in the URL, missing CA file)."""


class LinkError(Exception):
    """A request to the server did not get a usable answer."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None,
                 body: Any = None) -> None:
        super().__init__(message)
        self.status, self.retry_after, self.body = status, retry_after, body


@dataclass(frozen=True)
class ServerLink:
    """Where the server is and how to talk to it; each thread makes its own client."""

    base_url: str
    token: str
    ca_file: str = ""
    timeout_s: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLink | None:
        """None when no server is configured (statistics stay queued locally)."""
        url = settings.get("sync.server_url").strip()
        if not url:
            return None
        return cls.checked(url, settings.get("sync.token"), settings.get("sync.ca_file"),
                           float(settings.get("sync.timeout_s")))

    @classmethod
    def checked(cls, url: str, token: str, ca_file: str = "", timeout_s: float = 10.0
                ) -> ServerLink:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise SyncConfigError(f"sync.server_url must be an https:// URL, got {url!r}")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise SyncConfigError("sync.server_url must not carry credentials, a query or a "
                                  "fragment; put the token in sync.token")
        if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
            log.warning("sync.server_url uses plain http: statistics travel unencrypted")
        if ca_file:
            try:
                ssl.create_default_context().load_verify_locations(cafile=ca_file)
            except ssl.SSLError:  # (a subclass of OSError)
                raise SyncConfigError(f"sync.ca_file {ca_file}: not a PEM certificate "
                                      "bundle") from None
            except OSError as err:
                raise SyncConfigError(f"sync.ca_file {ca_file}: {err.strerror}") from None
        return cls(url.rstrip("/"), token, ca_file, timeout_s)

    def client(self) -> HttpsClient:
        """A client with one persistent connection (TLS verified, a custom CA added, never
        a bypass); close it, or use it in a ``with`` block."""
        return HttpsClient(self.base_url, timeout_s=self.timeout_s, ca_file=self.ca_file,
                           headers={"Authorization": f"Bearer {self.token}",
                                    "User-Agent": f"kiosk/{__version__}"})

    @staticmethod
    def call(client: Any, method: str, path: str, json: Any = None) -> Any:
        """One request; the JSON answer, or :class:`LinkError` saying why not. ``client`` is
        :meth:`client`'s, or anything with the same ``request`` (FastAPI's TestClient)."""
        try:
            response = client.request(method, path, json=json)
        except HttpError as err:
            raise LinkError(f"server unreachable: {err}") from None
        if response.status_code >= 400:
            retry_after = None
            if "retry-after" in response.headers:
                try:
                    retry_after = float(response.headers["retry-after"])
                except ValueError:
                    pass
            try:
                body = response.json()
            except ValueError:
                body = None
            raise LinkError(f"server answered {response.status_code}", response.status_code,
                            retry_after, body)
        try:
            return response.json()
        except ValueError:
            raise LinkError("server answered something that is not JSON",
                            response.status_code) from None
