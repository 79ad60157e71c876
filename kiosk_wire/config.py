"""Every setting of the kiosk and its server, declared once (type, default, help).

Values come, lowest precedence first, from: the defaults below, a TOML file (``--config`` or
``KIOSK_CONFIG``), credential files (systemd ``LoadCredential=``: ``$CREDENTIALS_DIRECTORY/<name>``
for the secrets listed in ``CREDENTIALS``), then environment variables ``KIOSK_<SECTION>_<KEY>``.
``kiosk config show``
prints each effective value with where it came from. Errors name the file and the key and are
raised as :class:`ConfigError`, which the CLI turns into a plain message and exit code 2.

To add a setting: append one :class:`Setting` to ``SETTINGS`` (in its section's block) and
document it in docs/configuration.md (tests/test_docs.py checks that).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

ENV_PREFIX = "KIOSK_"
CONFIG_ENV = "KIOSK_CONFIG"


class ConfigError(Exception):
    """A settings file or variable that cannot be used; the message is for an installer."""


class Source(str, Enum):
    DEFAULT = "default"
    FILE = "file"
    CREDENTIAL = "credential"
    ENV = "env"
    OVERRIDE = "override"


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    secret: bool = False

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def env_var(self) -> str:
        return f"{ENV_PREFIX}{self.section.upper()}_{self.key.upper()}"


def _s(section: str, key: str, type_: type, default: Any, help: str, **kw: Any) -> Setting:
    return Setting(section, key, type_, default, help, **kw)


SETTINGS: tuple[Setting, ...] = (
    # --- kiosk: identity, storage, features --------------------------------------------------
    _s("kiosk", "name", str, "borne-1",
       "Name of this kiosk shown to mediators (no personal data)."),
    _s("kiosk", "data_dir", str, "~/.local/share/kiosk",
       "Directory of the local store (SQLite), the session journal and the drawn icons' cache; "
       "must survive reboots."),
    _s("kiosk", "credentials_dir", str, "",
       "Directory of root-only secret files named after their setting (server.secret_key, "
       "server.database_url, sync.token), read when $CREDENTIALS_DIRECTORY is not set; a file "
       "other users may read is refused."),
    _s("kiosk", "session_dir", str, "auto",
       "Where session files (scans, PDFs) live until wiped. 'auto' picks a RAM-backed "
       "filesystem (/dev/shm, $XDG_RUNTIME_DIR) when one is writable, else data_dir."),
    _s("kiosk", "log_dir", str, "", "Directory for log files; empty logs to standard error only."),
    _s("kiosk", "log_level", str, "INFO", "Log level.",
       choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    _s("kiosk", "default_language", str, "fr", "Language shown when a session starts.",
       choices=("fr", "en", "ar")),
    _s("kiosk", "practice_enabled", bool, True, "Show the practice (site fantôme) tile."),
    _s("kiosk", "scan_enabled", bool, True, "Show the scan/copy tile."),
    _s("kiosk", "print_enabled", bool, True, "Show the print tile."),
    _s("kiosk", "help_enabled", bool, True, "Show the 'call a mediator' tile."),
    _s("kiosk", "place_name", str, "",
       "Name of the place shown at the top of every resident screen after « Borne numérique » "
       "(e.g. 'France Services de Lille-Moulins'); empty: « Borne numérique en libre-service »."),
    _s("kiosk", "where_to_go", str, "l'accueil",
       "Where residents should go when the kiosk is out of order or offline (shown on screen)."),
    # --- session: inactivity ---------------------------------------------------------------
    _s("session", "idle_timeout_s", int, 180,
       "Seconds without a touch before the idle warning appears.", minimum=10, maximum=3600),
    _s("session", "idle_warning_s", int, 30,
       "Seconds of countdown on the idle warning before the session ends.", minimum=5, maximum=600),
    # --- ui ----------------------------------------------------------------------------------
    _s("ui", "fullscreen", bool, True, "Run fullscreen without decorations (kiosk mode)."),
    _s("ui", "width", int, 1280, "Window width in pixels when not fullscreen.", minimum=320),
    _s("ui", "height", int, 800, "Window height in pixels when not fullscreen.", minimum=240),
    _s("ui", "show_cursor", bool, False, "Show the mouse cursor (off on touch hardware)."),
    _s("ui", "rotation", int, 0,
       "Screen rotation in degrees, clockwise, applied by the compositor (a portrait screen "
       "mounted on its side).", choices=(0, 90, 180, 270)),
    _s("ui", "screen_off_idle_s", int, 0,
       "Seconds without a touch before the compositor turns the screen off (a touch turns it "
       "back on); 0 keeps it on.", minimum=0, maximum=86400),
    # --- mediator ----------------------------------------------------------------------------
    _s("mediator", "pin_hash", str, "",
       "Salted slow hash (argon2) of the mediator PIN; set it with `kiosk admin set-pin`.",
       secret=True),
    # --- devices -----------------------------------------------------------------------------
    _s("devices", "printer_backend", str, "auto", "Printer backend.",
       choices=("auto", "cups", "demo")),
    _s("devices", "printer_queue", str, "", "CUPS queue to print to; empty uses the CUPS default."),
    _s("devices", "cups_server", str, "",
       "CUPS server (host:port or socket path); empty uses the system default."),
    _s("devices", "scanner_backend", str, "auto", "Scanner backend.",
       choices=("auto", "sane", "demo")),
    _s("devices", "scanner_device", str, "", "SANE device name; empty picks the first found."),
    _s("devices", "reader_backend", str, "auto", "Badge reader backend.",
       choices=("auto", "pcsc", "demo")),
    _s("devices", "hotplug_backend", str, "auto", "Hotplug backend.",
       choices=("auto", "udev", "demo")),
    _s("devices", "print_quota_pages", int, 20,
       "Pages a session may print; a mediator can reset it.", minimum=0, maximum=1000),
    _s("devices", "usb_storage", str, "refuse",
       "What to do with a USB key: refuse it with a message, or offer it to save scans.",
       choices=("refuse", "offer")),
    _s("devices", "demo_output_dir", str, "",
       "Where the demo printer writes its PDFs; empty uses data_dir/demo-printer."),
    _s("devices", "scan_dpi", int, 300,
       "Resolution of scans and copies (dots per inch).", minimum=75, maximum=600),
    _s("devices", "hotplug_debounce_ms", int, 500,
       "Milliseconds to wait after a USB event before looking again at what is plugged in.",
       minimum=50, maximum=1900),
    _s("devices", "reprobe_s", int, 30,
       "Seconds between two looks for a device whose service (cupsd, SANE, pcscd) was missing: "
       "it becomes ready without restarting the kiosk (a USB plug also triggers a look).",
       minimum=5, maximum=3600),
    # --- practice ----------------------------------------------------------------------------
    _s("practice", "extra_dir", str, "",
       "A folder of this site's own procedures, added to the shipped catalogue."),
    _s("practice", "parcours_dir", str, "",
       "A folder of this site's own parcours files, added to the shipped parcours."),
    _s("practice", "card_key", str, "",
       "Secret signing the parcours progress cards (HMAC-SHA256): the same on every kiosk of "
       "the fleet, so a card printed at one is read at any other; empty generates one per "
       "data_dir (cards then work on this kiosk only).", secret=True),
    # --- browser: official sites in the locked-down browser ----------------------------------
    _s("browser", "enabled", bool, True,
       "Offer 'Faire ma démarche en ligne' (official sites in the kiosk's locked-down browser)."),
    _s("browser", "sites", str,
       "service_public,ants,caf,ameli,impots,france_travail,info_retraite,assurance_retraite,"
       "msa,franceconnect,mesdroitssociaux",
       "National official sites the browser may open (allowlist keys, comma-separated); "
       "each allows its domain and subdomains."),
    _s("browser", "local_sites", str, "",
       "This site's own additions (domains, comma-separated, e.g. 'mairie-exemple.fr'): "
       "allowed with their subdomains, counted as 'local' in statistics."),
    _s("browser", "chromium", str, "/usr/bin/chromium", "The Chromium program the browser drives."),
    # --- sync: the kiosk's link to the central server ----------------------------------------
    _s("sync", "server_url", str, "",
       "Base URL of the central server; empty keeps statistics local."),
    _s("sync", "token", str, "",
       "This kiosk's bearer token (from `kiosk-server admin kiosk create`).",
       secret=True),
    _s("sync", "ca_file", str, "", "A CA bundle to verify the server's TLS certificate."),
    _s("sync", "interval_s", int, 60, "Seconds between two sends of queued records.",
       minimum=1, maximum=86400),
    _s("sync", "heartbeat_s", int, 30, "Seconds between two heartbeats.", minimum=1, maximum=3600),
    _s("sync", "help_poll_s", int, 3,
       "While a resident's help request waits for a mediator, seconds between two asks of its "
       "status (so \"Un médiateur arrive\" shows without waiting for a heartbeat).",
       minimum=1, maximum=60),
    _s("sync", "batch_size", int, 200, "Records sent per request.", minimum=1, maximum=500),
    _s("sync", "timeout_s", int, 10, "Seconds before a request to the server is abandoned.",
       minimum=1, maximum=300),
    _s("sync", "catalogue_public_key", str, "",
       "The server's public key for catalogue bundles (64 hex digits, printed by `kiosk-server "
       "admin catalogue-key`); empty: the kiosk takes no published procedure, only its shipped "
       "ones."),
    # --- server: the central statistics server -----------------------------------------------
    _s("server", "database_url", str, "",
       "SQLAlchemy URL of the server database; empty uses a SQLite file in data_dir. "
       "Use postgresql+psycopg://... at scale."),
    _s("server", "host", str, "127.0.0.1", "Address the server listens on."),
    _s("server", "port", int, 8470, "Port the server listens on.", minimum=1, maximum=65535),
    _s("server", "workers", int, 1,
       "Server processes serving the one listening socket (uvicorn workers); 1 serves in the "
       "`kiosk-server run` process itself. More use more CPU cores against one PostgreSQL "
       "database (not SQLite).", minimum=1, maximum=64),
    _s("server", "retention_months", int, 24,
       "Raw session records older than this are deleted once aggregated.", minimum=1),
    _s("server", "small_count_threshold", int, 5,
       "Survey and autonomy counts below this are masked (docs/privacy.md).", minimum=1),
    _s("server", "secret_key", str, "",
       "Secret used to sign console cookies; empty generates one per data_dir.", secret=True),
    _s("server", "catalogue_signing_key", str, "",
       "Ed25519 private key signing the sites' catalogue bundles (64 hex digits); empty "
       "generates one per data_dir. Give every kiosk its public key (sync.catalogue_public_key).",
       secret=True),
    _s("server", "max_body_bytes", int, 2_000_000,
       "Largest request body the API accepts (413 above).", minimum=1024),
    _s("server", "local_procedures", str, "",
       "Ids of this deployment's own practice procedures (comma-separated), accepted in records "
       "beside the shipped catalogue's; any other id is refused."),
    _s("server", "local_parcours", str, "",
       "Ids of this deployment's own parcours files (comma-separated), accepted in records "
       "beside the shipped parcours and those built in the console; any other parcours id is "
       "refused."),
    _s("server", "clock_skew_days", int, 1,
       "How many days ahead of the server's date a kiosk's record may be dated (a kiosk clock "
       "a little fast); later ones are refused.", minimum=0, maximum=7),
    _s("server", "forwarded_allow_ips", str, "127.0.0.1",
       "Addresses of the reverse proxies whose X-Forwarded-For/-Proto headers are believed "
       "(comma-separated; '*' for any): the client address then is the real one, for login "
       "limits and logs, and cookies get Secure behind a TLS proxy."),
    _s("server", "metrics_allow_ips", str, "127.0.0.1",
       "Addresses or networks (comma-separated) allowed to read GET /metrics (Prometheus); "
       "empty turns it off. Never public."),
    _s("server", "rate_limit_per_min", int, 120,
       "Requests a kiosk may make per minute to the API, per server process (429 above).",
       minimum=1),
    _s("server", "max_in_flight", int, 48,
       "Kiosk API requests one server process works on at once; more are refused at once with "
       "503 and Retry-After (the kiosks come back later, nothing is lost).", minimum=1),
    _s("server", "report_smtp_host", str, "",
       "Mail server (SMTP, no login) through which each site's monthly report is e-mailed; "
       "empty sends none (the reports are kept in the console either way)."),
    _s("server", "report_smtp_port", int, 25, "Port of server.report_smtp_host.",
       minimum=1, maximum=65535),
    _s("server", "report_mail_from", str, "",
       "Sender address of the monthly report e-mails."),
    _s("server", "report_mail_to", str, "",
       "Addresses (comma-separated) each site's monthly report is e-mailed to."),
    _s("server", "shed_retry_after_s", int, 15,
       "Seconds a kiosk refused by an overloaded server waits before trying again (Retry-After; "
       "kiosks add up to half of it at random).", minimum=1, maximum=3600),
)

_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(s.section for s in SETTINGS))
# One settings format for both programs; each shows (``config show``) what it reads. The server
# reads [kiosk] for data_dir and logging, and [server].
SERVER_SECTIONS: tuple[str, ...] = ("kiosk", "server")
TERMINAL_SECTIONS: tuple[str, ...] = tuple(s for s in SECTIONS if s != "server")


@dataclass(frozen=True)
class Value:
    setting: Setting
    value: Any
    source: Source
    origin: str = ""  # file path or variable name

    def display(self) -> str:
        """The value as TOML, secrets masked (a secret setting whole, a URL's password)."""
        from kiosk_wire.secrets import MASK, mask_url

        value = self.value
        if self.setting.secret and value:
            value = MASK
        elif isinstance(value, str):
            value = mask_url(value)
        return toml_literal(value)


def toml_literal(value: Any) -> str:
    """A TOML value: true/false, numbers, basic strings (JSON's escapes are TOML's too)."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _coerce(setting: Setting, raw: Any, where: str) -> Any:
    """Convert a TOML or environment value to the setting's type, or explain why not."""
    expected = setting.type.__name__
    try:
        if setting.type is bool:
            if isinstance(raw, bool):
                value: Any = raw
            elif isinstance(raw, str) and raw.strip().lower() in {"1", "true", "yes", "on"}:
                value = True
            elif isinstance(raw, str) and raw.strip().lower() in {"0", "false", "no", "off"}:
                value = False
            else:
                raise ValueError
        elif setting.type is int:
            if isinstance(raw, (bool, float)):
                raise ValueError
            value = int(raw)
        elif setting.type is float:
            if isinstance(raw, bool):
                raise ValueError
            value = float(raw)
        elif setting.type is str:
            if not isinstance(raw, str):
                raise ValueError
            value = raw
        else:  # pragma: no cover - declarations only use the types above
            value = setting.type(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{where}: '{setting.name}' must be {expected}, got {raw!r}."
        ) from None
    if setting.choices is not None and value not in setting.choices:
        raise ConfigError(
            f"{where}: '{setting.name}' must be one of "
            f"{', '.join(map(str, setting.choices))}; got {value!r}."
        )
    if setting.minimum is not None and value < setting.minimum:
        raise ConfigError(
            f"{where}: '{setting.name}' must be at least {setting.minimum}; got {value}.")
    if setting.maximum is not None and value > setting.maximum:
        raise ConfigError(
            f"{where}: '{setting.name}' must be at most {setting.maximum}; got {value}.")
    return value


class Section:
    """Attribute access to one section: ``settings.session.idle_timeout_s``."""

    def __init__(self, settings: Settings, name: str) -> None:
        self._settings = settings
        self._name = name

    def __getattr__(self, key: str) -> Any:
        try:
            return self._settings.get(f"{self._name}.{key}")
        except KeyError:
            raise AttributeError(f"no setting {self._name}.{key}") from None


@dataclass
class Settings:
    values: dict[str, Value] = field(default_factory=dict)
    file: Path | None = None

    def get(self, name: str) -> Any:
        return self.values[name].value

    def __getattr__(self, section: str) -> Section:
        if section in SECTIONS:
            return Section(self, section)
        raise AttributeError(section)

    def secrets(self) -> list[str]:
        """Every secret value of these settings (to mask in logs and outputs): the secret
        settings and the passwords inside URL settings."""
        import urllib.parse

        found = [str(v.value) for v in self.values.values() if v.setting.secret and v.value]
        for v in self.values.values():
            if isinstance(v.value, str) and "://" in v.value:
                try:
                    password = urllib.parse.urlsplit(v.value).password
                except ValueError:
                    continue
                if password:
                    found.append(password)
        return found

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """A copy with some values replaced (pushed settings, tests); values are checked."""
        values = dict(self.values)
        for name, raw in overrides.items():
            setting = _BY_NAME.get(name)
            if setting is None:
                raise ConfigError(f"override: unknown setting '{name}'.")
            values[name] = Value(setting, _coerce(setting, raw, "override"), Source.OVERRIDE)
        return Settings(values, self.file)

    @property
    def data_dir(self) -> Path:
        return Path(self.get("kiosk.data_dir")).expanduser()


def _read_toml(path: Path) -> dict[str, Any]:
    # Imported here: without a settings file (the demo, most tests) the kiosk's cold start does
    # not pay for the TOML parser (~25 ms on a small machine).
    import tomllib

    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: settings file not found.") from None
    except PermissionError:
        raise ConfigError(f"{path}: settings file cannot be read (permission denied).") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: the file is not UTF-8 text.") from None


def load(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Effective settings: defaults, then the TOML file, then credential files, then
    ``KIOSK_*`` variables."""
    env = os.environ if environ is None else environ
    values = {s.name: Value(s, s.default, Source.DEFAULT) for s in SETTINGS}
    file: Path | None = None
    if path is None and env.get(CONFIG_ENV):
        path = env[CONFIG_ENV]
    if path is not None:
        file = Path(path).expanduser()
        data = _read_toml(file)
        for section, table in data.items():
            if section not in SECTIONS:
                raise ConfigError(
                    f"{file}: unknown section [{section}]; known sections: {', '.join(SECTIONS)}."
                )
            if not isinstance(table, dict):
                raise ConfigError(f"{file}: '{section}' must be a table ([{section}]).")
            for key, raw in table.items():
                setting = _BY_NAME.get(f"{section}.{key}")
                if setting is None:
                    known = ", ".join(s.key for s in SETTINGS if s.section == section)
                    raise ConfigError(
                        f"{file}: unknown key '{key}' in [{section}]; known keys: {known}."
                    )
                values[setting.name] = Value(
                    setting, _coerce(setting, raw, str(file)), Source.FILE, str(file)
                )
    configured_dir = str(values["kiosk.credentials_dir"].value)
    if env.get("KIOSK_KIOSK_CREDENTIALS_DIR") is not None:
        configured_dir = env["KIOSK_KIOSK_CREDENTIALS_DIR"]
    values.update(_credentials(env, os.path.expanduser(configured_dir) if configured_dir else ""))
    for setting in SETTINGS:
        raw_env = env.get(setting.env_var)
        if raw_env is not None:
            values[setting.name] = Value(
                setting, _coerce(setting, raw_env, setting.env_var), Source.ENV, setting.env_var
            )
    return Settings(values, file)


def _credentials(env: Mapping[str, str], configured_dir: str) -> dict[str, Value]:
    from kiosk_wire import credentials

    return {name: Value(_BY_NAME[name], _coerce(_BY_NAME[name], raw, str(path)),
                        Source.CREDENTIAL, str(path))
            for name, (raw, path) in credentials.read(env, configured_dir).items()}


def defaults() -> Settings:
    return load(path=None, environ={})


def unknown_env_vars(environ: Mapping[str, str] | None = None) -> list[str]:
    """``KIOSK_*`` variables that match no setting (a likely typo, reported by the CLI)."""
    env = os.environ if environ is None else environ
    known = {s.env_var for s in SETTINGS} | {CONFIG_ENV}
    return sorted(k for k in env if k.startswith(ENV_PREFIX) and k not in known)
