"""Read aloud with espeak-ng, in the resident's language. No Kivy here.

The UI calls :meth:`Speaker.say` with the main text of a screen or a hint (automatically when
the read-aloud option is on, or when the resident taps the speaker button) and
:meth:`Speaker.stop` whenever the screen changes, so speech never talks over the next screen.
:func:`synthesise_to_wav` renders the same speech to a file (tests, benchmarks).

Playback: espeak-ng writes the speech as WAV to a pipe and sox's ``play`` sends it to the
sound system (ALSA or PulseAudio; ``AUDIODEV``/``AUDIODRIVER`` pick another output, e.g. a USB
speaker). Without sox, espeak-ng plays by itself. Both processes stop together.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

# espeak-ng voice per kiosk language.
VOICES: dict[str, str] = {"fr": "fr-fr", "en": "en-gb", "ar": "ar"}
# Words per minute: a little slower than espeak's 175 default, for residents who read poorly.
RATE_WPM = 140
MAX_CHARS = 2000  # a screen's main text is short; bound what we hand to the synthesiser


class SpeechError(Exception):
    """Speech could not be produced (espeak-ng missing or failed)."""


def espeak_binary() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def player_binary() -> str | None:
    """sox's ``play``: drains its output properly and honours AUDIODEV (Debian package sox)."""
    return shutil.which("play")


def _command(text: str, language: str, extra: list[str]) -> list[str]:
    binary = espeak_binary()
    if binary is None:
        raise SpeechError("espeak-ng is not installed (Debian package espeak-ng)")
    voice = VOICES.get(language, VOICES["fr"])
    # "--" so that a text starting with "-" is never read as an option.
    return [binary, "-v", voice, "-s", str(RATE_WPM), *extra, "--", text[:MAX_CHARS]]


def synthesise_to_wav(text: str, language: str, path: Path) -> Path:
    """Write the speech for ``text`` to a WAV file."""
    try:
        subprocess.run(_command(text, language, ["-w", str(path)]), check=True,
                       capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as err:
        raise SpeechError(f"espeak-ng could not synthesise speech: {err}") from err
    return path


class Speaker:
    """Says one thing at a time; a new sentence or a screen change cuts the previous one."""

    def __init__(self) -> None:
        self._processes: list[subprocess.Popen[bytes]] = []
        self.last_text: str = ""
        self.last_language: str = ""
        self.available = espeak_binary() is not None
        if not self.available:
            log.warning("espeak-ng not found: read aloud is unavailable")

    def say(self, text: str, language: str) -> bool:
        """Start speaking; False (logged) when speech is unavailable."""
        self.stop()
        text = " ".join(text.split())
        if not text:
            return False
        self.last_text, self.last_language = text, language
        try:
            self._processes = self._start(text, language)
        except (OSError, SpeechError) as err:
            log.warning("read aloud failed: %s", err)
            self.stop()
            return False
        return True

    def _start(self, text: str, language: str) -> list[subprocess.Popen[bytes]]:
        player = player_binary()
        quiet = subprocess.DEVNULL
        if player is None:
            return [subprocess.Popen(_command(text, language, []), stdout=quiet, stdin=quiet,
                                     stderr=quiet)]
        synth = subprocess.Popen(_command(text, language, ["--stdout"]), stdout=subprocess.PIPE,
                                 stdin=quiet, stderr=quiet)
        assert synth.stdout is not None
        try:
            play = subprocess.Popen([player, "-q", "-t", "wav", "-"], stdin=synth.stdout,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            synth.kill()
            synth.wait()
            raise
        finally:
            synth.stdout.close()  # play holds the pipe now; espeak-ng sees it close with play
        return [synth, play]

    @property
    def speaking(self) -> bool:
        return any(p.poll() is None for p in self._processes)

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The processes of the current speech (synthesiser, then player when there is one)."""
        return list(self._processes)

    def stop(self) -> None:
        processes, self._processes = self._processes, []
        for process in reversed(processes):  # the player first: silence at once
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
