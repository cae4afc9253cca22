"""Back-office URLs (under /<lang>/backoffice/)."""

from __future__ import annotations

from django.urls import path

from tongban.backoffice import case_views, views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<slug:code>/", views.agency_detail, name="agency"),
    path("agencies/<slug:code>/roles/<int:role_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("people/verify/", views.person_verify, name="person_verify"),
    path("audit/", views.audit_trail, name="audit"),
    path("cases/", case_views.queue, name="queue"),
    path("cases/<str:number>/", case_views.case_detail, name="case"),
    path("cases/<str:number>/act/", case_views.case_action, name="case_act"),
    path("cases/<str:number>/assign/", case_views.case_assign_view, name="case_assign"),
    path("cases/<str:number>/files/<int:upload_id>/", case_views.case_file, name="case_file"),
]
