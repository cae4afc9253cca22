"""The built-in prefill sources (plugins), one module each; importing a module registers its source. A new
source gets its own module here and a place in the import below (docs/exchange.md)."""

from tongban.forms.prefill.plugins import account, certificate, firm, person  # noqa: F401
