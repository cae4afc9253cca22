"""Back-office URLs (under /<lang>/backoffice/)."""

from __future__ import annotations

from django.urls import path

from tongban.backoffice import (
    case_views,
    catalogue_views,
    certificate_views,
    exchange_views,
    queue_views,
    reauth_views,
    statistics_views,
    structure_views,
    synonym_views,
    views,
)

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<slug:code>/", views.agency_detail, name="agency"),
    path("agencies/<slug:code>/roles/<int:role_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("agencies/<slug:code>/staff/new/", views.staff_add, name="staff_add"),
    path("agencies/<slug:code>/staff/<int:account_id>/totp-reset/", views.totp_reset, name="totp_reset"),
    path("reauth/", reauth_views.reauth, name="reauth"),
    path("people/verify/", views.person_verify, name="person_verify"),
    path("window/", queue_views.window_screen, name="window_screen"),
    path("audit/", views.audit_trail, name="audit"),
    path("structure/", structure_views.structure, name="structure"),
    path("structure/agencies/new/", structure_views.agency_new, name="structure_agency_new"),
    path("structure/agencies/<slug:code>/", structure_views.agency_edit, name="structure_agency_edit"),
    path("structure/agencies/<slug:code>/offices/new/", structure_views.office_new, name="structure_office_new"),
    path("structure/offices/<int:office_id>/", structure_views.office_edit, name="structure_office_edit"),
    path("structure/centres/new/", structure_views.centre_new, name="structure_centre_new"),
    path("structure/centres/<slug:code>/", structure_views.centre_edit, name="structure_centre_edit"),
    path("catalogue/", catalogue_views.catalogue, name="catalogue"),
    path("catalogue/new/", catalogue_views.service_new, name="service_new"),
    path("catalogue/points/<slug:code>/", catalogue_views.points_table, name="points_table"),
    path("catalogue/synonyms/", synonym_views.synonyms, name="synonyms"),
    path("catalogue/synonyms/<int:synonym_id>/remove/", synonym_views.synonym_remove, name="synonym_remove"),
    path("catalogue/<slug:code>/", catalogue_views.service_edit, name="service_edit"),
    path("catalogue/<slug:code>/draft/", catalogue_views.service_draft, name="service_draft"),
    path("catalogue/<slug:code>/form/", catalogue_views.service_form, name="service_form"),
    path("catalogue/<slug:code>/publish/", catalogue_views.service_publish, name="service_publish"),
    path("catalogue/<slug:code>/materials/", catalogue_views.material_add, name="material_add"),
    path(
        "catalogue/<slug:code>/materials/<slug:material_code>/delete/",
        catalogue_views.material_delete,
        name="material_delete",
    ),
    path("calendar/", catalogue_views.calendar, name="calendar"),
    path("calendar/<str:day>/remove/", catalogue_views.calendar_remove, name="calendar_remove"),
    path("calendar/years/<int:year>/complete/", catalogue_views.calendar_complete, name="calendar_complete"),
    path("certificates/", certificate_views.certificate_list, name="certificates"),
    path("certificates/<slug:number>/", certificate_views.certificate_detail, name="certificate"),
    path("certificates/<slug:number>/revoke/", certificate_views.certificate_revoke_view, name="certificate_revoke"),
    path("statistics/once-only/", statistics_views.reuse, name="reuse"),
    path("statistics/exchange/", exchange_views.statistics, name="exchange_statistics"),
    path("exchange/", exchange_views.resource_catalogue, name="exchange"),
    path("exchange/grants/", exchange_views.grants, name="exchange_grants"),
    path("exchange/grants/new/", exchange_views.grant_new, name="exchange_grant_new"),
    path("exchange/grants/<int:grant_id>/decide/", exchange_views.grant_decide_view, name="exchange_grant_decide"),
    path("exchange/grants/<int:grant_id>/revoke/", exchange_views.grant_revoke_view, name="exchange_grant_revoke"),
    path("cases/", case_views.queue, name="queue"),
    path("cases/<str:number>/", case_views.case_detail, name="case"),
    path("cases/<str:number>/act/", case_views.case_action, name="case_act"),
    path("cases/<str:number>/assign/", case_views.case_assign_view, name="case_assign"),
    path("cases/<str:number>/fetch/", case_views.case_fetch, name="case_fetch"),
    path("cases/<str:number>/files/<int:upload_id>/", case_views.case_file, name="case_file"),
]
