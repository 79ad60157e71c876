"""Read aloud: espeak-ng really synthesises speech in each language (no mock)."""
from __future__ import annotations

import shutil
import wave

import numpy as np
import pytest

from kiosk import i18n
from kiosk.speech import Speaker, synthesise_to_wav

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed")

SENTENCE = "Touchez l'écran pour commencer"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_speech_is_synthesised_for_each_language_non_silent_with_plausible_duration(
        lang, tmp_path, artifacts_dir):
    text = i18n.translate_to(lang, SENTENCE)
    if lang != "fr":
        assert text != SENTENCE, "catalogue not compiled? run make i18n"
    wav_path = synthesise_to_wav(text, lang, tmp_path / f"{lang}.wav")
    with wave.open(str(wav_path)) as wav:
        rate, frames, width = wav.getframerate(), wav.getnframes(), wav.getsampwidth()
        samples = np.frombuffer(wav.readframes(frames), dtype=np.int16 if width == 2 else np.uint8)
    duration = frames / rate
    # A short sentence (4 to 6 words) at 140 words a minute: about 1.5 to 3 s of speech.
    assert 0.8 < duration < 6.0, duration
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    assert rms > 300, f"speech looks silent (rms {rms:.0f})"
    shutil.copy(wav_path, artifacts_dir / f"read-aloud-{lang}.wav")


def test_longer_text_makes_longer_speech(tmp_path):
    short = synthesise_to_wav("Bonjour.", "fr", tmp_path / "short.wav")
    long = synthesise_to_wav("Bonjour. " * 6, "fr", tmp_path / "long.wav")
    with wave.open(str(short)) as a, wave.open(str(long)) as b:
        assert b.getnframes() > 3 * a.getnframes()


def test_speaker_stops_when_told_and_ignores_empty_text():
    speaker = Speaker()
    assert speaker.say("   ", "fr") is False
    speaker.say("Une phrase assez longue pour être encore en cours quand on l'arrête.", "fr")
    speaker.stop()
    assert not speaker.speaking
