"""Start the tests' OpenID provider (tests/oidc_provider/) and walk its sign-in with
`requests`, as a browser would."""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

CLIENT_ID = "ai-hiring-tests"
CLIENT_SECRET = "provider-issued-secret-for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Provider:
    port: int
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextlib.contextmanager
def oidc_provider(tmp: Path, *, redirect_uris: list[str], people: list[str]) -> Iterator[Provider]:
    """`people`: "username:password:email[:name[:unverified]]"."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    env = {
        **os.environ,
        "OIDC_PROVIDER_DATABASE": str(tmp / "provider.sqlite3"),
        "OIDC_PROVIDER_RSA_KEY": pem,
        "OIDC_PROVIDER_ISSUER": issuer,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    arguments = [
        sys.executable,
        "-m",
        "tests.oidc_provider.serve",
        "--port",
        str(port),
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
    ]
    for uri in redirect_uris:
        arguments += ["--redirect-uri", uri]
    for person in people:
        arguments += ["--person", person]
    log = (tmp / "provider.log").open("wb")
    process = subprocess.Popen(
        arguments, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError((tmp / "provider.log").read_text())
            try:
                answer = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
                if answer.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the OpenID provider did not start")
            time.sleep(0.2)
        yield Provider(port=port, issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def provider_sign_in(authorize_url: str, *, username: str, password: str) -> str:
    """Follow the authorization request through the provider's own sign-in form, as a
    browser would; returns the URL the provider sends the browser back to (the callback)."""
    browser = requests.Session()
    answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    login_url = urljoin(authorize_url, answer.headers["Location"])
    form = browser.get(login_url, timeout=10)
    token = CSRF.search(form.text)
    assert token, form.text[:500]
    next_path = re.search(r'name="next" value="([^"]*)"', form.text)
    posted = browser.post(
        login_url,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": password,
            "next": (next_path.group(1) if next_path else "").replace("&amp;", "&"),
        },
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 302, posted.text[:500]
    authorize_again = urljoin(login_url, posted.headers["Location"])
    back = browser.get(authorize_again, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:500]
    return back.headers["Location"]
