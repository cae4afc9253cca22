"""Django app configuration for certificates."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "tongban.certificates"
    label = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from tongban.certificates.personal_data import certificates_section
        from tongban.core import personal_data

        personal_data.register("certificates", certificates_section)
