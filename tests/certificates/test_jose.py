"""Certificate JWS and VC 2.0 credentials: signed by us (joserfc), checked by us AND by PyJWT.

Every token that should verify is also decoded by PyJWT from the JWK Set that the real
``/.well-known/jwks.json`` serves, so a bug shared by our signing and our verifying code cannot hide.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import translation

from tongban.certificates import contexts, jose
from tongban.certificates.jose import JwsError
from tongban.core.keyring import KeyRing, get_keyring, new_private_jwk

NOW = datetime.now(UTC).replace(microsecond=0)
ISSUER = "https://tongban.example"
V2_SHA256 = "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"


def claims(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "issuer": ISSUER,
        "subject": "urn:uuid:6f1c1f2e-8d4b-4c43-9a55-2f4a3c0b9e11",
        "number": "SH-2026-000123",
        "issued_at": NOW - timedelta(hours=1),
        "valid_from": NOW - timedelta(hours=1),
        "valid_until": NOW + timedelta(days=365),
        "certificate_type": "business-licence",
        "fields": {"registeredCapital": "1000000 CNY", "address": "上海市浦东新区世纪大道 100 号"},
        "holder_name": "上海通办科技有限公司",
        "issuing_agency": "上海市市场监督管理局",
    }
    values.update(overrides)
    return values


def served_jwks(client: Client) -> dict[str, Any]:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def pyjwt_decode(token: str, jwks: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The independent check: PyJWT, the key picked from the served JWK Set by the token's kid."""
    key_set = jwt.PyJWKSet.from_dict(jwks)
    kid = jwt.get_unverified_header(token)["kid"]
    decoded: dict[str, Any] = jwt.decode(token, key=key_set[kid], algorithms=["EdDSA"], **kwargs)
    return decoded


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value: Any) -> str:
    return b64(json.dumps(value).encode())


def unb64json(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def change_one_character(token: str, part: int) -> str:
    """Change exactly one base64url character of ``part`` (0 header, 1 payload) so that the part still
    decodes to a JSON object with the same alg and kid: the change reaches the signature check."""
    segments = token.split(".")
    original = segments[part]
    header = unb64json(segments[0])
    for position in range(len(original) - 2, 0, -1):
        for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_":
            candidate = original[:position] + char + original[position + 1 :]
            if candidate == original:
                continue
            try:
                value = unb64json(candidate)
            except ValueError:
                continue
            if not isinstance(value, dict) or value == unb64json(original):
                continue
            if part == 0 and (value.get("alg"), value.get("kid")) != (header["alg"], header["kid"]):
                continue
            segments[part] = candidate
            return ".".join(segments)
    raise AssertionError("no JSON-preserving one-character change found")


def error_code(token: str, jwks: dict[str, Any], **kwargs: Any) -> str:
    with pytest.raises(JwsError) as info:
        jose.verify_jws(token, jwks, **kwargs)
    return info.value.code


# --- round trip ---------------------------------------------------------------------------------------


def test_round_trip_verified_by_pyjwt_from_the_wellknown_endpoint_and_by_us(client: Client) -> None:
    payload = jose.certificate_payload(**claims())
    token = jose.sign_jws(payload)
    jwks = served_jwks(client)

    assert pyjwt_decode(token, jwks) == payload
    verified = jose.verify_jws(token, jwks, now=NOW)
    assert verified.payload == payload
    assert verified.key_id == get_keyring().active.kid
    assert verified.header == {"alg": "EdDSA", "kid": get_keyring().active.kid, "typ": "JWT"}
    assert jwt.get_unverified_header(token) == verified.header


def test_certificate_claims() -> None:
    payload = jose.certificate_payload(**claims(issuer=ISSUER + "/"))
    assert payload == {
        "iss": ISSUER,
        "sub": "urn:uuid:6f1c1f2e-8d4b-4c43-9a55-2f4a3c0b9e11",
        "iat": int((NOW - timedelta(hours=1)).timestamp()),
        "nbf": int((NOW - timedelta(hours=1)).timestamp()),
        "exp": int((NOW + timedelta(days=365)).timestamp()),
        "jti": "SH-2026-000123",
        "type": "business-licence",
        "fields": {"registeredCapital": "1000000 CNY", "address": "上海市浦东新区世纪大道 100 号"},
        "holder": "上海通办科技有限公司",
        "agency": "上海市市场监督管理局",
    }
    assert "exp" not in jose.certificate_payload(**claims(valid_until=None))


def test_field_values_are_made_json_and_bad_input_is_refused() -> None:
    payload = jose.certificate_payload(
        **claims(fields={"capital": Decimal("12.50"), "foundedOn": date(2020, 5, 1), "tags": ("a", "b")})
    )
    assert payload["fields"] == {"capital": "12.50", "foundedOn": "2020-05-01", "tags": ["a", "b"]}
    for bad_fields in ({"id": "x"}, {"@context": "x"}, {"a:b": 1}, {"nan": float("nan")}, {"o": object()}):
        with pytest.raises(ValueError):
            jose.certificate_payload(**claims(fields=bad_fields))
    with pytest.raises(ValueError):
        jose.certificate_payload(**claims(subject="310101199001011234"))  # an ID number is no URI
    with pytest.raises(ValueError):
        jose.certificate_payload(**claims(valid_from=datetime(2026, 1, 1)))  # naive on purpose
    with pytest.raises(ValueError):
        jose.certificate_payload(**claims(issuer="ftp://tongban.example"))


# --- tampering and foreign tokens ---------------------------------------------------------------------


@pytest.mark.parametrize("part", [0, 1], ids=["header", "payload"])
def test_one_changed_character_is_refused_by_both(client: Client, part: int) -> None:
    token = jose.sign_jws(jose.certificate_payload(**claims()))
    tampered = change_one_character(token, part)
    assert tampered != token
    assert sum(a != b for a, b in zip(tampered, token, strict=True)) == 1
    jwks = served_jwks(client)

    with pytest.raises(jwt.InvalidSignatureError):
        pyjwt_decode(tampered, jwks)
    with pytest.raises(JwsError) as info:
        jose.verify_jws(tampered, jwks)
    assert info.value.code == "bad_signature"
    with translation.override("en"):  # the JWKS request above left the site's default language active
        assert str(info.value.message) == "The signature does not match: the content was changed after it was signed."


def test_token_of_another_ring_is_an_unknown_key(client: Client) -> None:
    stranger = KeyRing.from_jwks({"keys": [new_private_jwk()]})
    token = jose.sign_jws(jose.certificate_payload(**claims()), keyring=stranger)
    jwks = served_jwks(client)
    assert error_code(token, jwks) == "unknown_key"
    with pytest.raises(KeyError):  # PyJWT's key set has no such kid either
        jwt.PyJWKSet.from_dict(jwks)[stranger.active.kid]


def test_another_key_claiming_our_kid_is_a_bad_signature(client: Client) -> None:
    our_kid = get_keyring().active.kid
    forger = KeyRing.from_jwks({"keys": [{**new_private_jwk(), "kid": our_kid}]})
    token = jose.sign_jws(jose.certificate_payload(**claims()), keyring=forger)
    jwks = served_jwks(client)
    assert jwt.get_unverified_header(token)["kid"] == our_kid
    assert error_code(token, jwks) == "bad_signature"
    with pytest.raises(jwt.InvalidSignatureError):
        pyjwt_decode(token, jwks)


def test_alg_none_is_refused_by_both(client: Client) -> None:
    jwks = served_jwks(client)
    payload = jose.certificate_payload(**claims())
    header = {"alg": "none", "kid": get_keyring().active.kid, "typ": "JWT"}
    for token in (f"{b64json(header)}.{b64json(payload)}.", f"{b64json(header)}.{b64json(payload)}.AAAA"):
        assert error_code(token, jwks) == "unsupported_algorithm"
        with pytest.raises(jwt.InvalidAlgorithmError):
            jwt.decode(token, key=jwt.PyJWKSet.from_dict(jwks)[header["kid"]], algorithms=["EdDSA"])


def test_hs256_with_the_public_key_as_secret_is_refused_by_both(client: Client) -> None:
    """The classic algorithm-confusion attack: HMAC keyed with the (public) verification key."""
    jwks = served_jwks(client)
    kid = get_keyring().active.kid
    public_x = jwks["keys"][0]["x"]
    token = jwt.encode(jose.certificate_payload(**claims()), public_x, algorithm="HS256", headers={"kid": kid})
    assert error_code(token, jwks) == "unsupported_algorithm"
    with pytest.raises(jwt.InvalidAlgorithmError):
        pyjwt_decode(token, jwks)


def test_a_key_embedded_in_the_header_is_never_used(client: Client) -> None:
    attacker = new_private_jwk()
    ring = KeyRing.from_jwks({"keys": [attacker]})
    payload = jose.certificate_payload(**claims())
    public = {name: attacker[name] for name in ("kty", "crv", "x", "kid")}
    header = {"alg": "EdDSA", "kid": attacker["kid"], "typ": "JWT", "jwk": public}
    signing_input = f"{b64json(header)}.{b64json(payload)}"
    _, signature = ring.sign(signing_input.encode())
    token = f"{signing_input}.{b64(signature)}"
    assert error_code(token, served_jwks(client)) == "unknown_key"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not a token",
        "a.b",
        "a.b.c.d",
        "!!!.e30.AAAA",
        b64json(["not", "an", "object"]) + ".e30.AAAA",
        b64json({"typ": "JWT"}) + ".e30.AAAA",  # no alg
    ],
)
def test_malformed_tokens(token: str) -> None:
    assert error_code(token, get_keyring().public_jwks()) == "malformed"


def test_crit_header_and_non_object_payload_are_malformed() -> None:
    ring = get_keyring()
    header = {"alg": "EdDSA", "kid": ring.active.kid, "crit": ["exp"], "exp": 1}
    signing_input = f"{b64json(header)}.{b64json({'a': 1})}"
    token = f"{signing_input}.{b64(ring.sign(signing_input.encode())[1])}"
    assert error_code(token, ring.public_jwks()) == "malformed"

    list_payload = jose.sign_jws(["a", "list"])  # deliberately not a mapping
    assert error_code(list_payload, ring.public_jwks()) == "malformed"


# --- validity in time ---------------------------------------------------------------------------------


def test_expired_certificate(client: Client) -> None:
    token = jose.sign_jws(
        jose.certificate_payload(
            **claims(
                issued_at=NOW - timedelta(days=400),
                valid_from=NOW - timedelta(days=400),
                valid_until=NOW - timedelta(days=35),
            )
        )
    )
    jwks = served_jwks(client)
    assert error_code(token, jwks, now=NOW) == "expired"
    assert jose.verify_jws(token, jwks).payload["jti"] == "SH-2026-000123"  # without `now`: signature only
    with pytest.raises(jwt.ExpiredSignatureError):
        pyjwt_decode(token, jwks)


def test_not_yet_valid_certificate_with_60_seconds_of_clock_skew(client: Client) -> None:
    jwks = served_jwks(client)
    later = jose.sign_jws(jose.certificate_payload(**claims(valid_from=NOW + timedelta(days=1))))
    assert error_code(later, jwks, now=NOW) == "not_yet_valid"
    with pytest.raises(jwt.ImmatureSignatureError):
        pyjwt_decode(later, jwks)

    skewed = jose.sign_jws(jose.certificate_payload(**claims(valid_from=NOW + timedelta(seconds=59))))
    assert jose.verify_jws(skewed, jwks, now=NOW).payload["nbf"] == int(NOW.timestamp()) + 59
    too_early = jose.sign_jws(jose.certificate_payload(**claims(valid_from=NOW + timedelta(seconds=61))))
    assert error_code(too_early, jwks, now=NOW) == "not_yet_valid"


def test_the_end_of_validity_has_no_leeway() -> None:
    payload = jose.certificate_payload(**claims(valid_until=NOW))
    with pytest.raises(JwsError) as info:
        jose.check_validity(payload, now=NOW)
    assert info.value.code == "expired"
    jose.check_validity(payload, now=NOW - timedelta(seconds=1))
    with pytest.raises(ValueError):
        jose.check_validity(payload, now=NOW.replace(tzinfo=None))


# --- key rotation -------------------------------------------------------------------------------------


def test_rotation_keeps_old_certificates_verifiable_and_signs_new_ones_with_the_new_key(client: Client) -> None:
    old_ring = json.loads(settings.SIGNING_KEYS_JSON)
    old_kid = get_keyring().active.kid
    before = jose.sign_jws(jose.certificate_payload(**claims(number="OLD-1")))

    retired = [{**jwk, "status": "retired"} for jwk in old_ring["keys"]]
    for jwk in retired:
        jwk.pop("d")  # a retired key may lose its private half and still verify
    rotated = {"keys": [new_private_jwk(), *retired]}
    with override_settings(SIGNING_KEYS_JSON=json.dumps(rotated)):
        new_kid = get_keyring().active.kid
        assert new_kid != old_kid
        jwks = served_jwks(client)
        assert [key["kid"] for key in jwks["keys"]] == [new_kid, old_kid]

        assert jose.verify_jws(before, jwks, now=NOW).key_id == old_kid
        assert pyjwt_decode(before, jwks)["jti"] == "OLD-1"

        after = jose.sign_jws(jose.certificate_payload(**claims(number="NEW-1")))
        assert jwt.get_unverified_header(after)["kid"] == new_kid
        assert jose.verify_jws(after, jwks, now=NOW).key_id == new_kid
        assert pyjwt_decode(after, jwks)["jti"] == "NEW-1"

    # The old ring never knew the new key.
    assert error_code(after, served_jwks(client)) == "unknown_key"


# --- the verifiable credential ------------------------------------------------------------------------

XSD_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def test_credential_has_the_vc_2_0_required_properties() -> None:
    document = jose.credential(**claims(), name={"zh-Hans": "营业执照", "en": "Business licence"})
    base = settings.PUBLIC_BASE_URL.rstrip("/")

    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert document["@context"][1] == f"{base}/contexts/certificates/v1"
    assert "VerifiableCredential" in document["type"] and "TongbanCertificate" in document["type"]
    assert document["issuer"] == {"id": ISSUER, "name": "上海市市场监督管理局"}
    assert document["id"] == f"{base}/verify/SH-2026-000123"
    for key in ("validFrom", "validUntil"):
        assert XSD_DATETIME.match(document[key]), document[key]
        assert datetime.fromisoformat(document[key]).tzinfo is not None
    assert document["validFrom"] == (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["credentialSubject"] == {
        "id": "urn:uuid:6f1c1f2e-8d4b-4c43-9a55-2f4a3c0b9e11",
        "name": "上海通办科技有限公司",
        "registeredCapital": "1000000 CNY",
        "address": "上海市浦东新区世纪大道 100 号",
    }
    assert document["credentialStatus"] == {
        "id": f"{ISSUER}/verify/SH-2026-000123.json",
        "type": "TongbanStatus2026",
    }
    assert document["name"] == [
        {"@value": "营业执照", "@language": "zh-Hans"},
        {"@value": "Business licence", "@language": "en"},
    ]
    assert "vc" not in document and "nbf" not in document and "exp" not in document
    assert "validUntil" not in jose.credential(**claims(valid_until=None))


def test_certificate_numbers_are_percent_encoded_in_urls() -> None:
    document = jose.credential(**claims(number="沪(2026)0001/A"))
    assert document["credentialStatus"]["id"] == f"{ISSUER}/verify/%E6%B2%AA%282026%290001%2FA.json"
    assert document["certificateNumber"] == "沪(2026)0001/A"


def test_signed_credential_is_a_vc_jwt_verified_by_pyjwt_and_by_us(client: Client) -> None:
    document = jose.credential(**claims())
    token = jose.sign_credential(document)
    jwks = served_jwks(client)

    assert jwt.get_unverified_header(token) == {
        "alg": "EdDSA",
        "kid": get_keyring().active.kid,
        "typ": "vc+jwt",
        "cty": "vc",
    }
    assert pyjwt_decode(token, jwks) == document  # the claims set IS the credential: no "vc" wrapper
    verified = jose.verify_jws(token, jwks, now=NOW)
    assert verified.payload == document
    summary = jose.summarize(verified.payload)
    assert (summary.kind, summary.number, summary.holder_name) == ("vc", "SH-2026-000123", "上海通办科技有限公司")
    assert summary.status_url == f"{ISSUER}/verify/SH-2026-000123.json"
    assert summary.fields == {"registeredCapital": "1000000 CNY", "address": "上海市浦东新区世纪大道 100 号"}

    with pytest.raises(jwt.InvalidSignatureError):
        pyjwt_decode(change_one_character(token, 1), jwks)
    assert error_code(change_one_character(token, 1), jwks) == "bad_signature"


def test_credential_validity_comes_from_valid_from_and_valid_until() -> None:
    jwks = get_keyring().public_jwks()
    expired = jose.sign_credential(
        jose.credential(**claims(valid_from=NOW - timedelta(days=9), valid_until=NOW - timedelta(days=1)))
    )
    assert error_code(expired, jwks, now=NOW) == "expired"
    future = jose.sign_credential(jose.credential(**claims(valid_from=NOW + timedelta(days=1))))
    assert error_code(future, jwks, now=NOW) == "not_yet_valid"


def test_sign_credential_refuses_what_is_not_a_vc_2_0_document() -> None:
    with pytest.raises(ValueError):
        jose.sign_credential({"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["VerifiableCredential"]})
    with pytest.raises(ValueError):
        jose.sign_credential({**jose.credential(**claims()), "vc": {}})


def test_summarize_refuses_a_signed_token_that_is_not_a_certificate() -> None:
    with pytest.raises(JwsError) as info:
        jose.summarize({"sub": "someone", "aud": "login"})
    assert info.value.code == "malformed"


# --- bundled JSON-LD contexts -------------------------------------------------------------------------


def test_bundled_contexts_load_and_nothing_else_does() -> None:
    v2 = contexts.load_document("https://www.w3.org/ns/credentials/v2")
    assert v2["@context"]["@protected"] is True
    assert "VerifiableCredential" in v2["@context"]
    assert "BitstringStatusListEntry" in v2["@context"]  # the final (2025) Recommendation's context

    ours = contexts.load_document(contexts.certificates_context_url())
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    assert ours["@context"]["@vocab"] == f"{base}/contexts/certificates/v1#"
    assert ours["@context"]["TongbanCertificate"] == f"{base}/contexts/certificates/v1#TongbanCertificate"
    assert "{PUBLIC_BASE_URL}" not in json.dumps(ours)

    for url in ("https://www.w3.org/2018/credentials/v1", "https://evil.example/ctx", "file:///etc/passwd"):
        with pytest.raises(contexts.ContextNotBundledError):
            contexts.load_document(url)

    v2["@context"]["VerifiableCredential"] = "changed"  # callers get copies
    assert contexts.load_document(contexts.CREDENTIALS_V2_URL)["@context"]["VerifiableCredential"] != "changed"


def test_bundled_v2_context_is_the_w3c_file_byte_for_byte() -> None:
    path = Path(contexts.__file__).parent / "contexts" / "credentials-v2.jsonld"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == V2_SHA256


@override_settings(PUBLIC_BASE_URL="https://gov.example/")
def test_our_context_follows_the_deployments_base_url() -> None:
    assert contexts.certificates_context_url() == "https://gov.example/contexts/certificates/v1"
    ours = contexts.load_document("https://gov.example/contexts/certificates/v1")
    assert ours["@context"]["certificateNumber"] == "https://gov.example/contexts/certificates/v1#certificateNumber"
    assert jose.credential(**claims())["@context"][1] == "https://gov.example/contexts/certificates/v1"


def test_credential_expands_with_pyld_using_only_the_bundled_contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    jsonld = pytest.importorskip("pyld.jsonld")

    def no_network(url: str, options: dict[str, Any] | None = None) -> Any:
        raise AssertionError(f"pyld tried to fetch {url}")

    monkeypatch.setattr(jsonld, "_default_document_loader", no_network)
    loaded: list[str] = []

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        loaded.append(url)
        return contexts.pyld_document_loader(url, options)

    document = jose.credential(**claims())
    expanded = jsonld.expand(document, {"documentLoader": loader})

    assert set(loaded) <= set(contexts.bundled_urls())
    (node,) = expanded
    vocab = contexts.certificates_context_url() + "#"
    assert node["@type"] == ["https://www.w3.org/2018/credentials#VerifiableCredential", vocab + "TongbanCertificate"]
    (subject,) = node["https://www.w3.org/2018/credentials#credentialSubject"]
    assert subject["@id"] == document["credentialSubject"]["id"]
    assert subject["https://schema.org/name"] == [{"@value": "上海通办科技有限公司"}]
    assert subject[vocab + "registeredCapital"] == [{"@value": "1000000 CNY"}]
    (valid_from,) = node["https://www.w3.org/2018/credentials#validFrom"]
    assert valid_from["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"
    (status,) = node["https://www.w3.org/2018/credentials#credentialStatus"]
    assert status["@type"] == [vocab + "TongbanStatus2026"]
