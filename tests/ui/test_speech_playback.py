"""Read aloud through the real audio path: espeak-ng -> sox's play -> ALSA. The ALSA "default"
device is an ALSA file plugin (an ~/.asoundrc in a temporary HOME), so what the kiosk plays
lands in a WAV file or a named pipe that the test reads, instead of a loudspeaker."""
from __future__ import annotations

import os
import select
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk import i18n
from kiosk.speech import Speaker

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("play") is None,
    reason="needs espeak-ng and sox (Debian packages espeak-ng, sox)")

SENTENCE = "Touchez l'écran pour commencer"


def alsa_file_device(monkeypatch: pytest.MonkeyPatch, home: Path, target: Path,
                     fmt: str) -> None:
    """ALSA's default output for the processes the kiosk starts: the file (or pipe) target."""
    home.mkdir(exist_ok=True)
    (home / ".asoundrc").write_text(
        "pcm.!default {\n    type file\n    slave.pcm \"null\"\n"
        f"    file \"{target}\"\n    format \"{fmt}\"\n}}\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AUDIODRIVER", "alsa")
    monkeypatch.delenv("AUDIODEV", raising=False)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_speech_is_played_through_the_sound_system_in_each_language(
        lang, tmp_path, monkeypatch, artifacts_dir):
    played = tmp_path / "played.wav"
    alsa_file_device(monkeypatch, tmp_path / "home", played, "wav")
    speaker = Speaker()
    assert speaker.say(i18n.translate_to(lang, SENTENCE), lang)
    synth, player = speaker.processes
    assert [Path(str(p.args[0])).name for p in (synth, player)] == ["espeak-ng", "play"]
    assert player.wait(timeout=60) == 0 and synth.wait(timeout=60) == 0
    with wave.open(str(played)) as wav:
        rate, frames = wav.getframerate(), wav.getnframes()
        samples = np.frombuffer(wav.readframes(frames), dtype=np.int16)
    duration = frames / rate
    assert 0.8 < duration < 6.0, duration  # 4 to 6 words at 140 words a minute
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    assert rms > 300, f"what reached the sound system looks silent (rms {rms:.0f})"
    shutil.copy(played, artifacts_dir / f"played-aloud-{lang}.wav")


@pytest.mark.display
def test_speaking_stops_when_the_screen_changes(driver, ui_app, tmp_path, monkeypatch):
    """The welcome text is read into a pipe nobody drains after the first chunk: the player is
    still busy (as with a loudspeaker) when the resident touches "start"."""
    fifo = tmp_path / "speaker.pipe"
    os.mkfifo(fifo)
    alsa_file_device(monkeypatch, tmp_path / "home", fifo, "raw")
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    speaker = ui_app.runtime.speaker
    try:
        welcome = driver.screen()
        driver.tap(welcome.ids.speak)  # "Écouter": the welcome text, read aloud
        assert speaker.speaking
        first = b""
        for _ in range(200):  # bounded wait for the first audio to reach the "loudspeaker"
            ready, _w, _x = select.select([reader], [], [], 0.1)
            if ready:
                first += os.read(reader, 65536)
            if len(first) >= 8192:
                break
        samples = np.frombuffer(first[: len(first) // 2 * 2], dtype=np.int16)
        assert samples.size and np.abs(samples.astype(np.int32)).max() > 1000, "no speech"
        processes = speaker.processes
        assert any(p.poll() is None for p in processes)  # still playing

        driver.tap(welcome.ids.start)  # the screen changes
        assert driver.screen().name == "home"
        assert not speaker.speaking
        assert all(p.returncode is not None for p in processes)
        assert processes[-1].returncode < 0  # the player was stopped, it did not finish
    finally:
        speaker.stop()
        os.close(reader)
