"""Ed25519 as the catalogue bundles use it (kiosk_wire/ed25519.py): the RFC 8032 test vectors,
the openssl command's verdict on our signatures (another program than the one signing), and the
server's command printing the public key kiosks need."""
from __future__ import annotations

import base64
import shutil
import subprocess
import sys

import pytest

from kiosk_wire import ed25519

# RFC 8032, section 7.1, tests 1 to 3: (secret key, public key, message, signature).
VECTORS = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
     "1cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
     "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760"
     "984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), VECTORS)
def test_the_rfc_8032_vectors(secret, public, message, signature):
    seed, msg = bytes.fromhex(secret), bytes.fromhex(message)
    assert ed25519.public_key(seed).hex() == public
    assert ed25519.sign(seed, msg).hex() == signature
    assert ed25519.verify(bytes.fromhex(public), msg, bytes.fromhex(signature))


def test_a_changed_message_or_signature_or_key_does_not_verify():
    seed = bytes(range(32))
    public, sig = ed25519.public_key(seed), ed25519.sign(seed, b"catalogue")
    assert ed25519.verify(public, b"catalogue", sig)
    assert not ed25519.verify(public, b"catalogu3", sig)
    assert not ed25519.verify(public, b"catalogue", sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not ed25519.verify(ed25519.public_key(bytes(32)), b"catalogue", sig)
    assert not ed25519.verify(public, b"catalogue", sig[:10])
    with pytest.raises(ed25519.BadKey):
        ed25519.sign(b"short", b"x")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_openssl_accepts_our_signatures(tmp_path):
    seed = bytes(range(1, 33))
    message = b'{"version":"0123456789abcdef","procedures":[]}'
    spki = bytes.fromhex("302a300506032b6570032100") + ed25519.public_key(seed)
    pem = ("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(spki).decode()
           + "\n-----END PUBLIC KEY-----\n")
    (tmp_path / "pub.pem").write_text(pem)
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(ed25519.sign(seed, message))
    verify = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin",
              "-in", "msg", "-sigfile", "sig"]
    ok = subprocess.run(verify, cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "msg").write_bytes(message + b" ")
    assert subprocess.run(verify, cwd=tmp_path, capture_output=True).returncode != 0


def test_the_server_prints_the_public_key_of_its_signing_key(tmp_path):
    env = {"KIOSK_KIOSK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "PYTHONPATH": ":".join(p for p in sys.path if p)}
    run = [sys.executable, "-m", "kiosk_server.cli", "admin", "catalogue-key"]
    first = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    again = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    seed = bytes.fromhex((tmp_path / "catalogue-signing-key").read_text())
    assert first == again == ed25519.public_key(seed).hex() + "\n"
    assert (tmp_path / "catalogue-signing-key").stat().st_mode & 0o077 == 0
