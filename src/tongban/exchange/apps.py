"""Django app configuration for the data exchange."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = "Data exchange"

    def ready(self) -> None:
        from tongban.audit import streams
        from tongban.audit.pruning import retention_rule
        from tongban.core import personal_data, retention
        from tongban.exchange import personal_data as exports
        from tongban.exchange.models import AccessLogEntry
        from tongban.exchange.providers import http, internal  # noqa: F401  (internal registers the registries)

        streams.register(AccessLogEntry)
        retention.register(
            "access_log_segments",
            retention_rule(AccessLogEntry.STREAM),
            "Whole checkpointed segments of the access log.",
        )
        personal_data.register("data_exchange", exports.data_exchange_section)
        http.register_from_settings()  # other agencies' REST endpoints (EXCHANGE_HTTP_PROVIDERS)
