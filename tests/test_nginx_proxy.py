"""The example reverse proxy (deploy/nginx/kiosk-server.conf) is valid nginx and, in front of a
real `kiosk-server run`, gives console cookies Secure and the server the client's real address
(not one the client wrote in its own X-Forwarded-For)."""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from kiosk_server import tables, tenancy
from kiosk_server.demo import spawn_server

EXAMPLE = Path(__file__).parents[1] / "deploy" / "nginx" / "kiosk-server.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(NGINX is None,
                                reason="nginx not installed (apt-get install nginx-light)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_setup(tmp_path: Path, upstream_port: int = 8471) -> tuple[Path, int]:
    """A main nginx.conf in tmp_path including the example, with a self-signed certificate and
    its ports moved to free local ones; returns the file and the HTTPS port."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=stats.example.org", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    https, http = free_port(), free_port()
    site = EXAMPLE.read_text()
    site = site.replace("/etc/ssl/certs/kiosk-server.pem", str(cert))
    site = site.replace("/etc/ssl/private/kiosk-server.key", str(key))
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = re.sub(r"server 127\.0\.0\.1:847\d;", f"server 127.0.0.1:{upstream_port};", site)
    (tmp_path / "site.conf").write_text(site)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(f"""
daemon off;
master_process on;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
""")
    tmp_path.chmod(0o755)  # nginx's workers (nobody) read nothing here but traverse it
    return main, https


def test_the_example_config_is_accepted_by_nginx(tmp_path):
    main, _ = nginx_setup(tmp_path)
    result = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.mark.slow
def test_behind_the_example_proxy_cookies_are_secure_and_the_client_address_is_the_real_one(
        tmp_path):
    server = spawn_server(tmp_path / "server",
                          env={"KIOSK_SERVER_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'server' / 'server.sqlite'}")
    with engine.begin() as conn:
        tenancy.create_user(conn, "admin-proxy", "un mot de passe solide 42", "admin")
    main, https = nginx_setup(tmp_path / "nginx", upstream_port=int(server.url.rsplit(":", 1)[1]))
    nginx = subprocess.Popen([NGINX, "-c", str(main), "-p", str(main.parent)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # The browser connects from 127.0.0.2 (nginx's own address towards the server is
        # 127.0.0.1) and claims another address in its own header, which nginx replaces.
        transport = httpx.HTTPTransport(local_address="127.0.0.2", verify=False)
        with httpx.Client(base_url=f"https://127.0.0.1:{https}", transport=transport,
                          headers={"X-Forwarded-For": "203.0.113.66"}) as browser:
            for _ in range(100):
                try:
                    form = browser.get("/console/login")
                    break
                except httpx.ConnectError:
                    time.sleep(0.05)
            token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            wrong = browser.post("/console/login", data={
                "username": "admin-proxy", "password": "pas le bon", "csrf": token})
            assert wrong.status_code == 401
            with engine.connect() as conn:
                keys = set(conn.scalars(sa.select(tables.login_failures.c.key)))
            assert "ip:127.0.0.2" in keys and not any("203.0.113.66" in k for k in keys)
            form = browser.get("/console/login")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            right = browser.post("/console/login", data={
                "username": "admin-proxy", "password": "un mot de passe solide 42",
                "csrf": token})
            assert right.status_code in (302, 303)
            cookie = right.headers["set-cookie"]
            assert "kiosk_console=" in cookie and "secure" in cookie.lower()
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        server.stop()
        engine.dispose()
