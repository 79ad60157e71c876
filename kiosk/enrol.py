"""Enrolment: `kiosk setup` trades the one-time token made in the console for this kiosk's
own bearer token (POST /api/v1/enrol), and keeps that token where the kiosk's unit reads its
secrets: the credentials directory of ``LoadCredential=`` (/etc/kiosk/credentials), root only.

Errors come back as :class:`EnrolmentError` with a message in plain French for the installer
(the token refused, the server unreachable or not a kiosk server); nothing is written then.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk import __version__
from kiosk_wire.schema import EnrolmentRefusal, EnrolmentReply, EnrolmentRequest

CREDENTIALS_DIR = Path("/etc/kiosk/credentials")  # LoadCredential=kiosk:<this> in kiosk.service
TOKEN_CREDENTIAL = "sync.token"

REFUSALS_FR = {
    EnrolmentRefusal.UNKNOWN: "Ce jeton d'installation n'existe pas : vérifiez-le (il est "
                              "affiché une seule fois dans la console, sur la page de la borne).",
    EnrolmentRefusal.USED: "Ce jeton d'installation a déjà servi : créez-en un nouveau dans la "
                           "console (Parc et comptes, page de la borne).",
    EnrolmentRefusal.EXPIRED: "Ce jeton d'installation a expiré (48 h) : créez-en un nouveau "
                              "dans la console (Parc et comptes, page de la borne).",
}


class EnrolmentError(Exception):
    """Enrolment failed; the message is for the installer, in French."""


@dataclass(frozen=True)
class Enrolled:
    kiosk_name: str
    site_name: str
    token: str
    catalogue_public_key: str


def exchange(server_url: str, enrolment_token: str, ca_file: str = "",
             timeout_s: float = 15.0) -> Enrolled:
    from kiosk.sync.https_client import HttpError, HttpsClient

    try:
        asked = EnrolmentRequest(enrolment_token=enrolment_token.strip())
    except ValueError:
        raise EnrolmentError(REFUSALS_FR[EnrolmentRefusal.UNKNOWN]) from None
    try:
        with HttpsClient(server_url, timeout_s=timeout_s, ca_file=ca_file,
                         headers={"User-Agent": f"kiosk/{__version__}"}) as client:
            answer = client.request("POST", "/api/v1/enrol", json=asked.model_dump())
    except (HttpError, OSError) as err:
        raise EnrolmentError(f"Serveur injoignable ({server_url}) : {err}. Vérifiez l'adresse "
                             "et le réseau de la borne.") from None
    try:
        body = answer.json()
    except ValueError:
        body = None
    if answer.status_code == 403 and isinstance(body, dict):
        try:
            raise EnrolmentError(REFUSALS_FR[EnrolmentRefusal(body.get("error"))])
        except ValueError:
            pass
    if answer.status_code == 429:
        raise EnrolmentError("Trop d'essais : attendez une minute avant de recommencer.")
    try:
        if answer.status_code != 200:
            raise ValueError(answer.status_code)
        reply = EnrolmentReply.model_validate(body)
    except ValueError:
        raise EnrolmentError(f"Le serveur {server_url} a répondu {answer.status_code} : est-ce "
                             "bien l'adresse du serveur de statistiques ?") from None
    return Enrolled(reply.kiosk_name, reply.site_name, reply.token, reply.catalogue_public_key)


def write_credential(directory: Path, name: str, value: str) -> Path:
    """Write one credential file, mode 0600 in a 0700 directory (systemd's LoadCredential reads
    it as root and hands it to the kiosk's unit alone); atomically, never readable by others."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(value + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, directory / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return directory / name
