"""The provider registry: each code names one provider; a second provider under a code already
taken is refused at registration, naming the code and both classes."""

from __future__ import annotations

import pytest

from tongban.exchange.providers import base
from tongban.exchange.providers.base import Provider, ProviderAnswer, ProviderError, ProviderRequest
from tongban.exchange.providers.internal import TaxRegistry
from tongban.exchange.providers.registry import DuplicateCode, Registry


class First(Provider):
    code = "test.same"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        return ProviderAnswer(values={})


class Second(Provider):
    code = "test.same"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        return ProviderAnswer(values={"name": "the impostor"})


def test_a_second_provider_with_a_code_already_taken_is_refused() -> None:
    registry: Registry[Provider] = Registry("provider")
    first = registry.register(First())

    with pytest.raises(DuplicateCode) as refused:
        registry.register(Second())

    message = str(refused.value)
    assert "'test.same'" in message
    assert f"{__name__}.First" in message and f"{__name__}.Second" in message
    assert registry["test.same"] is first  # the first stays


def test_a_built_in_code_cannot_be_taken_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "registry", base.registry.copy())

    class Impostor(First):
        code = TaxRegistry.code

    with pytest.raises(DuplicateCode, match=r"'internal\.tax'.*TaxRegistry.*Impostor"):
        base.register(Impostor())
    assert isinstance(base.get("internal.tax"), TaxRegistry)


def test_an_unknown_code_is_an_unavailable_provider() -> None:
    with pytest.raises(ProviderError) as error:
        base.get("test.nobody")
    assert error.value.code == "unavailable"
