"""Django app configuration for the data exchange."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = "Data exchange"

    def ready(self) -> None:
        from tongban.audit import streams
        from tongban.exchange.models import AccessLogEntry
        from tongban.exchange.providers import http, internal  # noqa: F401  (internal registers the registries)

        streams.register(AccessLogEntry)
        http.register_from_settings()  # other agencies' REST endpoints (EXCHANGE_HTTP_PROVIDERS)
