"""Operational endpoints and settings: /healthz, JWKS, the API, production settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from tongban.core.crypto import new_ring
from tongban.core.keyring import new_private_jwk


@pytest.mark.django_db
def test_healthz_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_503_when_database_is_down(client: Client) -> None:
    with mock.patch("tongban.core.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable", "error": "OperationalError"}


def test_jwks_publishes_public_keys_only(client: Client) -> None:
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys and all("d" not in key for key in keys)
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519" and keys[0]["alg"] == "EdDSA"


@pytest.mark.django_db
def test_api_status_and_openapi(client: Client) -> None:
    assert client.get("/api/v1/status").json()["status"] == "ok"
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Tongban API"


def test_production_settings_pass_check_deploy() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.conf.production",
        "SECRET_KEY": "x" * 20 + "Q7f#k2L9!pR4vW8zM1nB6cT3yH5jD0sA",
        "ALLOWED_HOSTS": "services.example.gov.cn",
        "SIGNING_KEYS_JSON": json.dumps({"keys": [new_private_jwk()]}),
        "DATA_KEYS_JSON": json.dumps(new_ring()),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests of this process only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "tongban.conf.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_settings_doc_lists_every_variable() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "settings_doc"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tongban.conf.base"},
    )
    names = ("DATABASE_URL", "SECRET_KEY", "SIGNING_KEYS_FILE", "PUBLIC_BASE_URL", "RATE_LIMIT_LOGIN_NAME_CLIENT")
    for name in (*names, "DATA_KEYS_FILE", "DATA_KEYS_JSON", "DATA_CIPHER", "DATA_LOOKUP_HMAC"):
        assert name in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/healthz", "/en/", "/zh/services/", "/en/services/?q=permit", "/en/accessibility/", "/robots.txt"]
)
def test_pages_answer_head_as_monitors_and_link_checkers_ask(client: Client, path: str) -> None:
    """HEAD is answered like GET, without the body (uptime monitors and link checkers use it)."""
    get, head = client.get(path), client.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b"" and head["Content-Type"] == get["Content-Type"]
