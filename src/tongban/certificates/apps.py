"""Django app configuration for certificates."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "tongban.certificates"
    label = "certificates"
    verbose_name = "Certificates"
