"""Local fake "official" sites over HTTPS, under their real host names.

One threaded HTTPS server on 127.0.0.1 answers for every host (Chromium's
``--host-resolver-rules`` sends the real names here); the page depends on the Host header. Its
leaf certificate is issued by a test CA made here with the ``openssl`` command and trusted by
Chromium through ``--ignore-certificate-errors-spki-list`` (that leaf's key only, not a blanket
ignore). A second server with a self-signed certificate nobody trusts stands for a site whose
certificate fails. Every request is logged, so a test can show a refused site was never reached.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import ssl
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ALLOWED_HOST = "www.caf.fr"
OTHER_ALLOWED_HOST = "www.ameli.fr"
BAD_CERT_HOST = "espace.impots.gouv.fr"   # allowed, but its certificate cannot be verified
OUTSIDE_HOST = "www.evil.example"          # not in any list

PAGES: dict[tuple[str, str], str] = {
    (ALLOWED_HOST, "/"): (
        "<h1 id=title>Caisse d'allocations familiales</h1>"
        f"<p><a id=outside href='https://{OUTSIDE_HOST}/phish'>ailleurs</a></p>"
        f"<p><a id=other href='https://{OTHER_ALLOWED_HOST}/'>ameli</a></p>"
        "<p><a id=redirect href='/redirect'>redirection</a></p>"
        "<p><a id=file href='file:///etc/passwd'>fichier</a></p>"
        "<p><a id=mail href='mailto:a@example.org'>mail</a></p>"
        "<p><input id=email type=email inputmode=email></p>"
        "<p><a id=envoi href='/envoi'>envoyer un justificatif</a></p>"
        "<p>Vos <span id=aides>aides</span> en ligne</p>"
    ),
    (ALLOWED_HOST, "/frames"): (
        "<h1 id=title>Cadres</h1>"
        f"<iframe id=outside src='https://{OUTSIDE_HOST}/framed'></iframe>"
        "<iframe id=data src='data:text/html,<h1 id=inside>donnees</h1>'></iframe>"
        f"<iframe id=inlist src='https://{OTHER_ALLOWED_HOST}/framed'></iframe>"
    ),
    (ALLOWED_HOST, "/popups"): (
        "<h1 id=title>Fenetres</h1>"
        f"<button id=outside onclick=\"window.open('https://{OUTSIDE_HOST}/popup')\">x</button>"
        f"<button id=inlist onclick=\"window.open('https://{OTHER_ALLOWED_HOST}/popup')\">y</button>"
    ),
    (OTHER_ALLOWED_HOST, "/"): "<h1 id=title>ameli</h1>",
    (OTHER_ALLOWED_HOST, "/framed"): "<h1 id=title>ameli cadre</h1>",
    (OTHER_ALLOWED_HOST, "/popup"): "<h1 id=title>ameli fenetre</h1>",
}
# A page that leaves every kind of trace a browser keeps: a cookie, local storage, a cached
# script, a download. TOKEN is looked for everywhere on disk after the wipe.
TOKEN = f"kiosk-trace-{secrets.token_hex(6)}"  # per run: found nowhere else
ACCOUNT = (f"<h1 id=title>Mon compte</h1><script src='/cached.js'></script>"
           f"<script>localStorage.setItem('who', '{TOKEN}-storage');"
           f"sessionStorage.setItem('who', '{TOKEN}-session');</script>"
           "<a id=download href='/attestation.pdf'>attestation</a>")
PAGES[(ALLOWED_HOST, "/compte")] = ACCOUNT
PAGES[(ALLOWED_HOST, "/envoi")] = (
    "<h1 id=title>Envoyer un justificatif</h1>"
    "<form id=form method=post action='/recu' enctype='multipart/form-data'>"
    "<input id=upload name=piece type=file accept='.pdf,image/*'>"
    "<button id=send type=submit>Envoyer</button></form>")
# Fields of every kind a keyboard is chosen for, and text to select for read aloud.
PAGES[(ALLOWED_HOST, "/champs")] = (
    "<main><h1 id=title>Votre dossier</h1>"
    "<p id=para>Le <span id=word>montant</span> de votre aide change en janvier.</p>"
    "<p><input id=name> <input id=tel type=tel> <input id=number type=number>"
    " <input id=code inputmode=numeric> <input id=decimal inputmode=decimal>"
    " <input id=mail type=email> <input id=day type=date>"
    " <input id=fixed readonly> <textarea id=note></textarea></p></main>")
PAGES[(ALLOWED_HOST, "/fichiers")] = (
    "<h1 id=title>Vos fichiers</h1>"
    "<a id=image href='/photo.png'>photo</a> <a id=docx href='/formulaire.docx'>formulaire</a>")
REDIRECTS = {(ALLOWED_HOST, "/redirect"): f"https://{OUTSIDE_HOST}/stolen"}


def photo_png() -> bytes:
    """A landscape picture a site offers (a scanned card, a photo): red, with a blue band."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 250), (200, 30, 30))
    ImageDraw.Draw(image).rectangle((0, 100, 400, 150), fill=(20, 40, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# Not a real Word file (a zip archive with its first entry), but what the kiosk sees of one.
DOCX = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 64


def attestation_pdf() -> bytes:
    """A one-page PDF carrying TOKEN in clear (uncompressed), like a site's attestation."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=f"Attestation {TOKEN}-download")
    return bytes(pdf.output())


def _openssl(cwd: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], cwd=cwd, input=data, check=True,
                          capture_output=True).stdout


def _ec_key_and_request(cwd: Path, name: str, subject: str) -> None:
    _openssl(cwd, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)


def spki_sha256(cwd: Path, cert: str) -> str:
    public = _openssl(cwd, "x509", "-in", cert, "-pubkey", "-noout")
    der = _openssl(cwd, "pkey", "-pubin", "-outform", "der", data=public)
    return base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")


def make_certificates(cwd: Path, hosts: list[str]) -> tuple[Path, Path, str, Path, Path]:
    """A test CA, a leaf it signs for ``hosts``, and an untrusted self-signed leaf.
    Returns (chain, key, leaf SPKI sha256 base64, bad chain, bad key)."""
    _openssl(cwd, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=kiosk test CA")
    _ec_key_and_request(cwd, "leaf", f"/CN={hosts[0]}")
    (cwd / "leaf.ext").write_text(
        "subjectAltName=" + ",".join(f"DNS:{h}" for h in hosts) + "\n"
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    _openssl(cwd, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext")
    (cwd / "chain.pem").write_bytes((cwd / "leaf.pem").read_bytes() + (cwd / "ca.pem").read_bytes())
    _openssl(cwd, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", "bad.key", "-out", "bad.pem", "-days", "2",
             "-subj", f"/CN={BAD_CERT_HOST}", "-addext", f"subjectAltName=DNS:{BAD_CERT_HOST}")
    return (cwd / "chain.pem", cwd / "leaf.key", spki_sha256(cwd, "leaf.pem"),
            cwd / "bad.pem", cwd / "bad.key")


@dataclass
class FakeSites:
    port: int
    bad_port: int
    spki: str
    hits: list[tuple[str, str]] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    def switches(self) -> tuple[str, ...]:
        return ((f"--host-resolver-rules=MAP {BAD_CERT_HOST} 127.0.0.1:{self.bad_port}, "
                 f"MAP * 127.0.0.1:{self.port}, EXCLUDE localhost"),
                f"--ignore-certificate-errors-spki-list={self.spki}",
                "--disable-quic")

    def reached(self, host: str) -> list[str]:
        return [path for hit_host, path in list(self.hits) if hit_host == host]

    def received(self) -> list[bytes]:
        return list(self.uploads)

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def _handler(sites: FakeSites) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").split(":")[0]
            sites.hits.append((host, self.path))
            target = REDIRECTS.get((host, self.path))
            if target:
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path == "/cached.js":
                self._send(f"var who = '{TOKEN}-cache';".encode(), "text/javascript",
                           [("Cache-Control", "max-age=86400")])
                return
            if self.path == "/attestation.pdf":
                self._send(attestation_pdf(), "application/pdf",
                           [("Content-Disposition", "attachment; filename=attestation.pdf")])
                return
            if self.path == "/photo.png":
                self._send(photo_png(), "image/png",
                           [("Content-Disposition", "attachment; filename=photo.png")])
                return
            if self.path == "/formulaire.docx":
                self._send(DOCX, "application/vnd.openxmlformats-officedocument."
                           "wordprocessingml.document",
                           [("Content-Disposition", "attachment; filename=formulaire.docx")])
                return
            extra = [("Set-Cookie", f"sid={TOKEN}-cookie; Secure; Path=/; Max-Age=86400")] \
                if self.path == "/compte" else []
            body = PAGES.get((host, self.path), f"<h1 id=title>{host}{self.path}</h1>")
            data = f"<!doctype html><meta charset=utf-8><body>{body}</body>".encode()
            self._send(data, "text/html; charset=utf-8", extra)

        def do_POST(self) -> None:
            host = (self.headers.get("Host") or "").split(":")[0]
            sites.hits.append((host, self.path))
            length = int(self.headers.get("Content-Length") or 0)
            sites.uploads.append(self.rfile.read(length))
            self._send(b"<h1 id=title>Bien recu</h1>", "text/html; charset=utf-8")

        def _send(self, data: bytes, content_type: str,
                  headers: list[tuple[str, str]] | None = None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers or []:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _serve(sites: FakeSites, chain: Path, key: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(sites))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="fake-sites", daemon=True).start()
    return server


def start_fake_sites(workdir: Path) -> FakeSites:
    hosts = [ALLOWED_HOST, "caf.fr", OTHER_ALLOWED_HOST, "ameli.fr", OUTSIDE_HOST,
             "*.service-public.fr", "service-public.fr"]
    chain, key, spki, bad_chain, bad_key = make_certificates(workdir, hosts)
    sites = FakeSites(port=0, bad_port=0, spki=spki)
    good = _serve(sites, chain, key)
    bad = _serve(sites, bad_chain, bad_key)
    sites.port, sites.bad_port = good.server_address[1], bad.server_address[1]
    sites.servers = [good, bad]
    return sites


Waiter = Callable[[], bool]
