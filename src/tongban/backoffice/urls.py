"""Back-office URLs (under /<lang>/backoffice/)."""

from __future__ import annotations

from django.urls import path

from tongban.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<slug:code>/", views.agency_detail, name="agency"),
    path("agencies/<slug:code>/roles/<int:role_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("people/verify/", views.person_verify, name="person_verify"),
    path("audit/", views.audit_trail, name="audit"),
]
