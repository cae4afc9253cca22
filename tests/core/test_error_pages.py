"""The platform's error pages speak the page's language and carry no inline style (the CSP
forbids it): a refused CSRF check, a missing page, a refused page and a server error."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

from tongban.core import error_views
from tongban.urls import urlpatterns as site_patterns


def _boom(request: object) -> None:
    raise RuntimeError("boom")


urlpatterns = [*site_patterns, path("boom", _boom)]
handler404 = "tongban.core.error_views.page_not_found"
handler500 = "tongban.core.error_views.server_error"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("prefix", "expected"), [("en", "Page not found"), ("zh", "页面不存在")])
def test_a_missing_page_is_in_the_pages_language(prefix: str, expected: str) -> None:
    response = Client().get(f"/{prefix}/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert expected in body and "<style" not in body and "Not Found</h1>" not in body


@pytest.mark.parametrize(("prefix", "expected"), [("en", "The form could not be sent"), ("zh", "表单未能发送")])
def test_a_refused_csrf_check_explains_itself_in_the_pages_language(prefix: str, expected: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/{prefix}/login/", {"username": "x", "password": "y"})
    body = response.content.decode()
    assert response.status_code == 403
    assert expected in body and "<style" not in body and "CSRF verification failed" not in body


@override_settings(ROOT_URLCONF=__name__, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_a_server_error_page_is_bilingual_and_needs_nothing_from_the_request() -> None:
    response = Client(raise_request_exception=False).get("/boom")
    body = response.content.decode()
    assert response.status_code == 500
    assert "服务暂时不可用" in body and "Service temporarily unavailable" in body and "<style" not in body


def test_the_handlers_are_wired() -> None:
    from django.conf import settings

    import tongban.urls

    assert tongban.urls.handler404 == "tongban.core.error_views.page_not_found"
    assert tongban.urls.handler403 == "tongban.core.error_views.permission_denied"
    assert settings.CSRF_FAILURE_VIEW == "tongban.core.error_views.csrf_failure"
    assert callable(error_views.bad_request)
