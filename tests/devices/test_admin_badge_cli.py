"""`kiosk admin badge enrol|list|revoke` through the real CLI, reader on pcscd + virtual card."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.sessions.badges import BadgeRegistry, badge_key_path
from kiosk.storage import LocalStore, store_path

UID = bytes.fromhex("04C0FFEE1234")


def env_for(tmp_path, reader: str) -> dict[str, str]:
    return {"KIOSK_KIOSK_DATA_DIR": str(tmp_path / "data"),
            "KIOSK_DEVICES_READER_BACKEND": reader, "KIOSK_CONFIG": ""}


@pytest.mark.pcsc
def test_badge_presented_on_the_reader_is_enrolled_listed_and_revoked(tmp_path, pcscd,
                                                                       virtual_card):
    env = env_for(tmp_path, "pcsc")
    runner = CliRunner()
    card = virtual_card(uid=UID, reader=0)
    result = runner.invoke(main, ["admin", "badge", "enrol", "Camille", "--timeout", "20"],
                           env=env)
    assert result.exit_code == 0, result.output
    assert "Badge « Camille » enregistré." in result.output
    card.remove()

    data = tmp_path / "data"
    store = LocalStore(store_path(data))
    assert BadgeRegistry(store, badge_key_path(data)).verify(UID)
    store.close()

    listed = runner.invoke(main, ["admin", "badge", "list"], env=env)
    assert listed.exit_code == 0 and listed.output.startswith("Camille\t")
    assert UID.hex() not in listed.output.lower()

    again = runner.invoke(main, ["admin", "badge", "revoke", "Camille"], env=env)
    assert again.exit_code == 0 and "révoqué" in again.output
    missing = runner.invoke(main, ["admin", "badge", "revoke", "Camille"], env=env)
    assert missing.exit_code == 1 and "no badge named 'Camille'" in missing.output


def test_enrol_without_a_badge_gives_up_with_a_plain_message(tmp_path):
    result = CliRunner().invoke(main, ["admin", "badge", "enrol", "Camille", "--timeout", "1"],
                                env=env_for(tmp_path, "demo"))
    assert result.exit_code == 1
    assert "no badge presented within 1 s" in result.output
    assert "Traceback" not in result.output


def test_empty_registry_is_listed_plainly(tmp_path):
    result = CliRunner().invoke(main, ["admin", "badge", "list"], env=env_for(tmp_path, "demo"))
    assert result.exit_code == 0 and result.output.strip() == "Aucun badge enregistré."
