"""Which addresses the kiosk's browser may show: the allowlist and its verdicts.

Pure functions over URL strings, no browser: the guard asks :meth:`Allowlist.judge` for every
document (top-level page, frame, pop-up, each hop of a redirect) before Chromium fetches it.

Only ``https`` on the default port, to a host that is an allowed domain or one of its
subdomains, compared label by label (``caf.fr.evil.example`` and ``notcaf.fr`` are not
``caf.fr``). Everything else is refused: other schemes (file:, chrome:, devtools:, view-source:,
data:, javascript:, mailto:, tel:, intent:, http:), IP literals, user names in the address,
other ports. ``about:blank``/``about:srcdoc`` (the empty documents pages create for their own
frames) carry nothing from outside and stay allowed.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from kiosk.browser.sites import BY_KEY, LOCAL_KEY, NATIONAL_SITES, OfficialSite, local_site

EMPTY_DOCUMENTS = frozenset({"about:blank", "about:srcdoc"})


class Refusal(str, Enum):
    """Why an address is not shown (for logs and the refusal page; never sent anywhere)."""
    NOT_LISTED = "not_listed"     # a web site outside the list
    SCHEME = "scheme"             # file:, chrome:, data:, mailto:, http:, ...
    ADDRESS = "address"           # an IP address, a user name, another port, unreadable
    CERTIFICATE = "certificate"   # the site's certificate could not be verified
    POPUP = "popup"               # a new window outside the list
    UNREACHABLE = "unreachable"   # the site did not answer (or an error page was shown)


@dataclass(frozen=True)
class Verdict:
    refusal: Refusal | None  # None: allowed
    site_key: str | None = None  # the allowlist key of an allowed web page

    @property
    def allowed(self) -> bool:
        return self.refusal is None


ALLOWED_EMPTY = Verdict(None)


class AllowlistError(ValueError):
    """A setting naming an unknown site or an unusable domain; the message is for an installer."""


def normalise_domain(text: str) -> str:
    """A bare domain as a site manager writes it, lower-case and IDNA-encoded ('Mairie-X.fr.'
    -> 'mairie-x.fr'). A leading 'www.' is kept: the site then allows only that host."""
    domain = text.strip().lower().rstrip(".")
    if not domain or "/" in domain or ":" in domain or "@" in domain or " " in domain:
        raise AllowlistError(f"« {text} » n'est pas un nom de domaine "
                             "(exemple : mairie-exemple.fr)")
    if "." not in domain:
        raise AllowlistError(f"« {text} » n'est pas un nom de domaine complet "
                             "(exemple : mairie-exemple.fr)")
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        pass
    else:
        raise AllowlistError(f"« {text} » est une adresse IP : indiquez un nom de domaine")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError as err:
        raise AllowlistError(f"« {text} » n'est pas un nom de domaine valide ({err})") from None


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


class Allowlist:
    def __init__(self, sites: Iterable[OfficialSite] = NATIONAL_SITES,
                 local_domains: Iterable[str] = ()) -> None:
        self.sites: tuple[OfficialSite, ...] = tuple(sites)
        self.local_domains: tuple[str, ...] = tuple(normalise_domain(d) for d in local_domains)

    @classmethod
    def from_setting_values(cls, site_keys: str, local_domains: str) -> Allowlist:
        """From ``browser.sites`` (allowlist keys, comma-separated) and ``browser.local_sites``
        (domains, comma-separated)."""
        keys = [k.strip() for k in site_keys.split(",") if k.strip()]
        unknown = [k for k in keys if k not in BY_KEY]
        if unknown:
            raise AllowlistError(f"browser.sites : site(s) inconnu(s) {', '.join(unknown)} ; "
                                 f"possibles : {', '.join(BY_KEY)}")
        domains = [d for d in local_domains.split(",") if d.strip()]
        return cls([BY_KEY[k] for k in keys], domains)

    def cards(self) -> tuple[OfficialSite, ...]:
        """What the resident can open from the list: the national sites, then the place's."""
        return self.sites + tuple(local_site(d) for d in self.local_domains)

    def site_key(self, host: str) -> str | None:
        """The allowlist key of an allowed host, or None. The longest (most precise) domain wins."""
        host = host.lower().rstrip(".")
        best: tuple[int, str] | None = None
        for site in self.sites:
            if _within(host, site.domain) and (best is None or len(site.domain) > best[0]):
                best = (len(site.domain), site.key)
        for domain in self.local_domains:
            if _within(host, domain) and (best is None or len(domain) > best[0]):
                best = (len(domain), LOCAL_KEY)
        return best[1] if best else None

    def judge(self, url: str) -> Verdict:
        """May Chromium fetch and show this document (page, frame, pop-up, redirect hop)?"""
        if url in EMPTY_DOCUMENTS:
            return ALLOWED_EMPTY
        if url.startswith("blob:"):  # blob:https://www.caf.fr/<uuid>: the origin's verdict
            return self.judge(url[len("blob:"):])
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return Verdict(Refusal.ADDRESS)
        if parts.scheme.lower() != "https":
            return Verdict(Refusal.SCHEME)
        host = (parts.hostname or "").rstrip(".")
        if not host or parts.username is not None or parts.password is not None \
                or port not in (None, 443):
            return Verdict(Refusal.ADDRESS)
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            pass
        else:
            return Verdict(Refusal.ADDRESS)
        key = self.site_key(host)
        return Verdict(None, key) if key else Verdict(Refusal.NOT_LISTED)
