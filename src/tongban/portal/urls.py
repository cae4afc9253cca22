"""Portal URLs (mounted under the language prefix /zh/ or /en/)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from tongban.portal.views import (
    applications,
    appointments,
    auth,
    cases,
    centre_queue,
    centres,
    certificates,
    data,
    delivery,
    export,
    firm,
    my,
    pages,
    reviews,
    services,
)

app_name = "portal"

urlpatterns = [
    path("", pages.home, name="home"),
    path("individuals/", pages.individuals, name="individuals"),
    path("firms/", pages.firms, name="firms"),
    path("international/", pages.international, name="international"),
    path("search/", pages.search, name="search"),
    path("contact/", pages.contact, name="contact"),
    path("faq/", pages.faq, name="faq"),
    path("guide/", pages.guide, name="guide"),
    path("guide/<slug:part>/", pages.guide_page, name="guide_page"),
    path("privacy/", pages.privacy, name="privacy"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("agencies/", pages.agencies, name="agencies"),
    path("centres/", centres.centre_list, name="centres"),
    path("centres/<slug:centre_code>/", centres.centre_detail, name="centre"),
    path("centres/<slug:centre_code>/kiosk/", centre_queue.kiosk, name="centre_kiosk"),
    path("centres/<slug:centre_code>/display/", centre_queue.display, name="centre_display"),
    path("centres/<slug:centre_code>/display/state", centre_queue.display_state, name="centre_display_state"),
    path("centres/<slug:centre_code>/ticket/", centre_queue.centre_ticket, name="centre_ticket"),
    path("centres/<slug:centre_code>/ticket/<int:ticket_id>/", centre_queue.centre_my_ticket, name="centre_my_ticket"),
    # Catalogue and applying
    path("services/", services.service_list, name="services"),
    path("services/<slug:code>/", services.service_guide, name="service"),
    path("services/<slug:code>/apply/", applications.apply, name="apply"),
    path("applications/<uuid:public_id>/", applications.application_resume, name="application"),
    path("applications/<uuid:public_id>/submit/", applications.application_submit, name="application_submit"),
    path("applications/<uuid:public_id>/delete/", applications.application_delete, name="application_delete"),
    path("applications/<uuid:public_id>/<slug:step>/", applications.application_step, name="application_step"),
    # Appointments at service centres
    path("appointments/book/", appointments.book, name="appointment_book"),
    path("my/appointments/", appointments.my_appointments, name="my_appointments"),
    path("my/appointments/<str:code>/", appointments.appointment_detail, name="appointment"),
    path("my/appointments/<str:code>/cancel/", appointments.appointment_cancel_view, name="appointment_cancel"),
    path("my/appointments/<str:code>/move/", appointments.appointment_move, name="appointment_move"),
    # Cases and messages
    path("my/cases/", cases.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", cases.my_case, name="my_case"),
    path("my/cases/<str:number>/rating/", reviews.case_rating, name="case_rating"),
    path("my/ratings/", reviews.my_ratings, name="my_ratings"),
    path("my/visits/<int:ticket_id>/rating/", reviews.visit_rating, name="visit_rating"),
    path("my/appointments/<str:code>/rating/", reviews.appointment_rating, name="appointment_rating"),
    path("satisfaction/", reviews.satisfaction, name="satisfaction"),
    path("helpful/", reviews.helpful, name="helpful"),
    path("my/cases/<str:number>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("my/cases/<str:number>/delivery/", delivery.case_delivery, name="case_delivery"),
    path("my/cases/<str:number>/supplement/", cases.case_supplement, name="case_supplement"),
    path("my/cases/<str:number>/files/<int:upload_id>/", cases.case_file, name="case_file"),
    path("my/firms/<str:uscc>/cases/", cases.firm_cases, name="firm_cases"),
    path("my/messages/", cases.messages_inbox, name="inbox"),
    path("my/messages/<int:message_id>/", cases.message_detail, name="message"),
    # E-certificates: the wallet and public verification
    path("my/certificates/", certificates.wallet, name="wallet"),
    path("my/certificates/<slug:number>/", certificates.certificate_detail, name="certificate"),
    path("my/certificates/<slug:number>/pdf/", certificates.certificate_pdf, name="certificate_pdf"),
    path(
        "my/certificates/<slug:number>/credential/", certificates.certificate_credential, name="certificate_credential"
    ),
    path("my/certificates/<slug:number>/share/", certificates.certificate_share_view, name="certificate_share"),
    path("my/firms/<str:uscc>/certificates/", certificates.firm_certificates, name="firm_certificates"),
    path("verify/", certificates.verify_token, name="verify_token"),
    path("verify/<slug:number>/", certificates.verify, name="verify"),
    # Accounts
    path("login/", auth.login_view, name="login"),
    path("login/code/", auth.login_code_view, name="login_code"),
    path("login/verify/", auth.login_verify_view, name="login_verify"),
    path("login/authenticator/", auth.totp_enrol_view, name="totp_enrol"),
    path("logout/", auth.logout_view, name="logout"),
    path("register/", auth.register_view, name="register"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password-reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    # My space and the firm's space
    path("my/", my.my_space, name="my_space"),
    path("my/profile/", my.profile_edit, name="profile_edit"),
    path("my/notifications/", my.notification_choice, name="notification_choice"),
    path("my/firms/<str:uscc>/", firm.firm_space, name="firm_space"),
    path("my/firms/<str:uscc>/areas/<slug:area>/", firm.firm_area, name="firm_area"),
    path("my/firms/<str:uscc>/staff/", firm.firm_staff, name="firm_staff"),
    path("my/firms/<str:uscc>/powers/<int:power_id>/revoke/", firm.power_revoke_view, name="power_revoke"),
    # My data: who used it, consents, verification against the registries
    path("my/data-use/", data.data_use, name="data_use"),
    path("my/data-use.csv", data.data_use_csv, name="data_use_csv"),
    path("my/consents/", data.consents, name="consents"),
    path("my/consents/<int:consent_id>/withdraw/", data.consent_withdraw_view, name="consent_withdraw"),
    path("my/verify-registry/", data.verify_registry, name="verify_registry"),
    path("my/personal-data/", export.personal_data_page, name="personal_data"),
    path("my/personal-data.json", export.personal_data_download, name="personal_data_download"),
    path("my/firms/<str:uscc>/data-use/", data.firm_data_use, name="firm_data_use"),
    path("my/firms/<str:uscc>/data-use.csv", data.firm_data_use_csv, name="firm_data_use_csv"),
    path("my/firms/<str:uscc>/consents/", data.firm_consents, name="firm_consents"),
    path(
        "my/firms/<str:uscc>/consents/<int:consent_id>/withdraw/",
        data.firm_consent_withdraw_view,
        name="firm_consent_withdraw",
    ),
    path("my/firms/<str:uscc>/verify-registry/", data.firm_verify_registry, name="firm_verify_registry"),
]
