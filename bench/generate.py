"""Generate the benchmark data set in its own PostgreSQL database, fast.

    DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.generate [--force] [--cases N]

**The scale** is the number of cases (``--cases`` or ``BENCH_CASES``, default 1 M): persons, firms
and the big firm's cases grow with it (``Sizes.scaled``: at 10 M cases 1 M persons, 20 k firms,
the big firm at 100 k cases; the 1 M set is exactly as it always was), and each size has its own
database (``tongban_bench`` at 1 M, ``tongban_bench_10m`` at 10 M, ``tongban_bench_<size>``
otherwise; ``BENCH_DATABASE_URL`` overrides) and its own key files (``var/bench/`` at 1 M,
``var/bench/<database>/`` otherwise), so sizes live side by side (``make bench-scale``).

What it makes (sizes from the environment, defaults in brackets):

* the demo city through its own loader (agencies, offices, centres, the demo services, the
  demo firm 莱茵精密机械 with its legal representative and HR manager, staff, the key ring) and
  the working-day calendar;
* ``BENCH_SERVICES`` [5000] published services in total: the demo's 16 plus generated ones with
  bilingual names and guides made of real Chinese service vocabulary, each a ServiceItem +
  published ServiceVersion (search text built by the catalogue's own ``build_search_text``, with the
  demo city's search synonyms) +
  FormDefinition (a copy of ``si-enrolment``'s form) + topics + one or two materials;
* ``BENCH_PERSONS`` [100000 per million cases] persons with accounts: checksummed resident ID numbers on a running
  sequence, ONE precomputed Argon2 hash of ``BENCH_PASSWORD`` shared by every account;
* ``BENCH_FIRMS`` [2000 per million cases, at least BENCH_APPLICANTS] small firms with valid USCCs; the first ``BENCH_APPLICANTS`` [1024]
  persons are the *applicants*: each holds the social-security power of one small firm, and the
  first ``BENCH_BIG_FIRM_STAFF`` [256] of them also the social-security and foreign-staff powers
  of the demo firm;
* ``BENCH_CASES`` [1000000] cases in total, each with its submitted application and its history
  (1 to 4 CaseEvent rows, the submit event always): ``BENCH_BIG_FIRM_CASES`` [12000 per million
  cases, at most 100000] for the
  demo firm, 100 per small firm, 24 own cases per applicant, ``BENCH_RATEABLE_CASES`` [32] more
  own cases per applicant that are closed and not rated (the ``review`` phase rates them), the
  rest spread over all persons and all individual services. Instant services' cases are closed; review services' cases are spread
  over submitted / accepted / under review / approved / rejected / withdrawn;
* ``BENCH_BASELINE_ROWS`` [100000] rows in the baseline table.

Personal data is encrypted as production encrypts it (ADR 0029): the persons' ID numbers, their
lookup digests and every application's and case's form data are computed in Python with the same
``tongban.core.crypto`` functions the model fields use, under the data keys the generator writes
under ``var/bench/``, and loaded with COPY.

Small tables go in with PostgreSQL COPY (psycopg ``cursor.copy()``); the million-row tables are
made set-based inside PostgreSQL (``INSERT … SELECT`` over ``generate_series``, joined to the
COPY-loaded ciphertexts), with foreign-key
triggers off (``session_replication_role = replica``) while loading when the role may do that.
Then ``VACUUM ANALYZE``. A ``bench_benchmeta`` row records the sizes; ``ensure()`` reuses a
database whose recorded sizes and row counts match (``BENCH_REGENERATE=1`` forces a new one).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

GENERATOR_VERSION = 6  # 6: closed, unrated cases per applicant for the review phase
BENCH_PASSWORD_DEFAULT = "Tongban-Bench-2026"
MAX_BIG_FIRM_CASES = 100_000
DATABASE_URL_PREFIX = "postgres://postgres@127.0.0.1:5432/"


def size_label(cases: int) -> str:
    """``1m``, ``10m``, ``250k``, ``1500``: how a data set's size names its database."""
    if cases % 1_000_000 == 0:
        return f"{cases // 1_000_000}m"
    if cases % 1000 == 0:
        return f"{cases // 1000}k"
    return str(cases)


def default_database_name(cases: int) -> str:
    """``tongban_bench`` at the default 1 M cases (as before), ``tongban_bench_<size>`` otherwise,
    so that data sets of several sizes live side by side (``make bench-scale``)."""
    return "tongban_bench" if cases == Sizes.cases else f"tongban_bench_{size_label(cases)}"


def default_database_url() -> str:
    """The bench database for the size ``BENCH_CASES`` asks for (``BENCH_DATABASE_URL`` wins)."""
    cases = _int_env("BENCH_CASES", Sizes.cases)
    return os.environ.get("BENCH_DATABASE_URL") or DATABASE_URL_PREFIX + default_database_name(cases)


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Sizes:
    services: int = 5000
    persons: int = 100_000
    firms: int = 2000
    applicants: int = 1024
    big_firm_staff: int = 256
    cases: int = 1_000_000
    big_firm_cases: int = 12_000
    cases_per_small_firm: int = 100
    own_cases_per_applicant: int = 24
    rateable_cases_per_applicant: int = 32  # closed, never rated: the review phase rates them (bench/review.py)
    baseline_rows: int = 100_000

    @classmethod
    def from_env(cls) -> Sizes:
        """The sizes the environment asks for. ``BENCH_CASES`` is the scale: persons, firms and the
        big firm's cases grow with it (``scaled``); any size set on its own wins."""
        cases = _int_env("BENCH_CASES", cls.cases)
        scaled = cls.scaled(cases)
        return cls(
            services=_int_env("BENCH_SERVICES", cls.services),
            persons=_int_env("BENCH_PERSONS", scaled.persons),
            firms=_int_env("BENCH_FIRMS", scaled.firms),
            applicants=_int_env("BENCH_APPLICANTS", cls.applicants),
            big_firm_staff=_int_env("BENCH_BIG_FIRM_STAFF", cls.big_firm_staff),
            cases=cases,
            big_firm_cases=_int_env("BENCH_BIG_FIRM_CASES", scaled.big_firm_cases),
            own_cases_per_applicant=_int_env("BENCH_OWN_CASES", cls.own_cases_per_applicant),
            rateable_cases_per_applicant=_int_env("BENCH_RATEABLE_CASES", cls.rateable_cases_per_applicant),
            baseline_rows=_int_env("BENCH_BASELINE_ROWS", cls.baseline_rows),
        )

    @classmethod
    def scaled(cls, cases: int) -> Sizes:
        """The data set of a city with ``cases`` cases (issue 18): per million cases 100,000
        persons, 2,000 firms and 12,000 cases of the big firm, the big firm at most 100,000 (so
        10 M cases: 1 M persons, 20 k firms, the big firm at 100 k). The 1,024 applicants, the
        5,000 services and the per-applicant cases stay: the load is the same at every size, only
        the database grows. Below 1 M the firms stay at least as many as the applicants."""
        factor = cases / cls.cases
        return cls(
            cases=cases,
            persons=round(cls.persons * factor),
            firms=max(round(cls.firms * factor), cls.applicants),
            big_firm_cases=min(round(cls.big_firm_cases * factor), MAX_BIG_FIRM_CASES),
        )

    def check(self) -> None:
        if self.applicants > self.firms or self.applicants + self.firms > self.persons:
            raise SystemExit("BENCH_APPLICANTS <= BENCH_FIRMS and APPLICANTS + FIRMS <= BENCH_PERSONS are needed")
        if self.big_firm_staff > self.applicants:
            raise SystemExit("BENCH_BIG_FIRM_STAFF must not exceed BENCH_APPLICANTS")
        fixed = self.big_firm_cases + self.firms * self.cases_per_small_firm
        fixed += self.applicants * (self.own_cases_per_applicant + self.rateable_cases_per_applicant)
        if fixed > self.cases:
            raise SystemExit(f"BENCH_CASES must be at least {fixed} for these sizes")


_T0 = time.monotonic()


def log(message: str) -> None:
    sys.stdout.write(f"[bench.generate +{time.monotonic() - _T0:5.0f} s] {message}\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------
# The database itself


def database_url() -> str:
    return default_database_url()


def _split(url: str) -> tuple[str, str]:
    """(maintenance URL on the ``postgres`` database, name of the bench database)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"BENCH_DATABASE_URL must name a dedicated database, not {name!r}")
    if name.startswith("test_"):
        raise SystemExit("BENCH_DATABASE_URL must not be a test database")
    return urlunsplit(parts._replace(path="/postgres")), name


def database_exists() -> bool:
    admin_url, name = _split(database_url())
    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable ({exc}).\nStart it (e.g. pg_ctlcluster 15 main start) or set BENCH_DATABASE_URL."
        ) from None
    with conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database() -> None:
    admin_url, name = _split(database_url())
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    log(f"created database {name}")


def recorded_meta() -> dict[str, Any] | None:
    """The generator's record in an existing bench database, if its row counts still hold."""
    try:
        with psycopg.connect(database_url()) as conn:
            row = conn.execute("SELECT value FROM bench_benchmeta WHERE key = 'dataset'").fetchone()
            if row is None:
                return None
            meta: dict[str, Any] = row[0]
            counts = conn.execute(
                """SELECT (SELECT count(*) FROM cases_case),
                          (SELECT count(*) FROM identity_person),
                          (SELECT count(*) FROM catalogue_serviceversion WHERE status = 'published'),
                          (SELECT count(*) FROM cases_case WHERE firm_id = %s)""",
                [meta["big_firm_id"]],
            ).fetchone()
    except psycopg.Error:
        return None
    assert counts is not None
    cases, persons, services, firm_cases = counts
    sizes = meta["sizes"]
    if (
        meta.get("generator_version") == GENERATOR_VERSION
        and cases >= sizes["cases"]
        and persons >= sizes["persons"]
        and services == sizes["services"]
        and firm_cases >= sizes["big_firm_cases"]
    ):
        meta["counts"] = {"cases": cases, "persons": persons, "services": services, "big_firm_cases": firm_cases}
        return meta
    return None


def ensure(*, force: bool = False) -> dict[str, Any]:
    """Reuse the bench database if it holds the data set these sizes ask for; else make it."""
    sizes = Sizes.from_env()
    sizes.check()
    force = force or os.environ.get("BENCH_REGENERATE", "") not in ("", "0")
    exists = database_exists()  # also says clearly when PostgreSQL is not reachable
    if not force and exists:
        meta = recorded_meta()
        if meta is not None and meta["sizes"] == asdict(sizes):
            log(f"reusing the data set in {_split(database_url())[1]} (BENCH_REGENERATE=1 makes a new one)")
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", interactive=False, verbosity=0)  # schema changes since it was made
            return meta
    return generate(sizes)


# --------------------------------------------------------------------------------------------
# Vocabulary: real words of Chinese service guides, with their English


AGENCY_AREAS = {
    "market-regulation": ("licences", "annual_report"),
    "hrss": ("social_security",),
    "science-tech": ("foreign_staff",),
    "exit-entry": ("foreign_staff",),
    "taxation": ("tax",),
}
SUBJECTS = (
    ("企业", "enterprise"),
    ("个体工商户", "individual business"),
    ("社会保险", "social insurance"),
    ("住房公积金", "housing provident fund"),
    ("医疗保险", "medical insurance"),
    ("养老保险", "pension insurance"),
    ("失业保险", "unemployment insurance"),
    ("工伤保险", "work-injury insurance"),
    ("外国人", "foreigner"),
    ("食品经营", "food business"),
    ("药品经营", "pharmaceutical business"),
    ("医疗器械", "medical device"),
    ("建设工程", "construction project"),
    ("道路运输", "road transport"),
    ("出租汽车", "taxi"),
    ("网约车", "ride-hailing"),
    ("民办学校", "private school"),
    ("幼儿园", "kindergarten"),
    ("职业技能", "vocational skills"),
    ("人才引进", "talent introduction"),
    ("户籍", "household registration"),
    ("居住证", "residence permit"),
    ("出入境", "exit and entry"),
    ("港澳通行证", "Hong Kong and Macao permit"),
    ("护照", "passport"),
    ("税务", "tax"),
    ("增值税", "value-added tax"),
    ("个人所得税", "individual income tax"),
    ("发票", "invoice"),
    ("排污", "pollutant discharge"),
    ("危险化学品", "hazardous chemicals"),
    ("特种设备", "special equipment"),
    ("消防", "fire safety"),
    ("广告", "advertising"),
    ("商标", "trademark"),
    ("专利", "patent"),
    ("高新技术企业", "high-tech enterprise"),
    ("科技型中小企业", "tech SME"),
    ("残疾人", "persons with disabilities"),
    ("退役军人", "veterans"),
    ("老年人", "senior citizens"),
    ("婚姻", "marriage"),
    ("生育", "childbirth"),
    ("殡葬", "funeral services"),
    ("文物", "cultural relics"),
    ("旅行社", "travel agency"),
    ("娱乐场所", "entertainment venue"),
    ("印刷", "printing"),
    ("出版物", "publications"),
    ("电力", "electric power"),
    ("燃气", "gas supply"),
    ("供水", "water supply"),
    ("物业", "property management"),
    ("房屋租赁", "housing lease"),
    ("不动产", "real estate"),
    ("农药", "pesticides"),
    ("兽药", "veterinary drugs"),
    ("种子", "seeds"),
    ("渔业", "fisheries"),
    ("林木", "forestry"),
    ("水利", "water works"),
    ("档案", "archives"),
    ("统计", "statistics"),
)
ACTIONS = (
    ("设立登记", "registration"),
    ("变更登记", "change registration"),
    ("注销登记", "deregistration"),
    ("许可", "licence"),
    ("许可证延续", "licence renewal"),
    ("许可证补办", "licence replacement"),
    ("备案", "filing"),
    ("年度报告", "annual report"),
    ("资格认定", "qualification recognition"),
    ("补贴申领", "subsidy claim"),
    ("证明开具", "certificate issuance"),
    ("信息查询", "record enquiry"),
    ("关系转移", "record transfer"),
    ("待遇核定", "benefit assessment"),
    ("费用报销", "expense reimbursement"),
    ("核准", "approval"),
    ("审批", "approval by review"),
    ("验收", "acceptance inspection"),
    ("检验", "inspection"),
    ("评估", "assessment"),
    ("申报", "declaration"),
    ("缴费", "contribution payment"),
    ("退费", "refund"),
    ("减免", "reduction and exemption"),
    ("奖励申请", "award application"),
)
QUALIFIERS = (
    ("", ""),
    ("首次", "first "),
    ("跨省", "inter-provincial "),
    ("线上", "online "),
    ("临时", "temporary "),
    ("年度", "annual "),
    ("专项", "special "),
    ("简易", "simplified "),
)
TOPIC_CODES = ("international", "employment", "social-security", "business", "tax", "residence")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌波宇浩凯俊鹏辉晨欣怡子轩梓涵雨"
INDUSTRIES = ("科技", "贸易", "制造", "物流", "咨询", "餐饮", "建筑", "医药", "文化", "电子", "机械", "信息技术")
PLACES = ("申江", "浦江", "海纳", "东方", "华盛", "恒信", "博远", "锦程", "天成", "瑞丰", "鼎新", "汇通")
#: Terms ``bench.run`` searches the catalogue for (all occur in generated names or guides).
SEARCH_TERMS = (
    "许可",
    "登记",
    "社会保险",
    "住房公积金",
    "补贴申领",
    "外国人",
    "变更登记",
    "证明开具",
    "食品经营",
    "建设工程",
    "居住证",
    "发票",
    "备案",
    "年度报告",
    "医疗",
    "注销",
    "人才引进",
    "消防",
    # Everyday words the catalogue's search synonyms expand (ADR 0031): found through the
    # synonyms added to the search text, at the same cost per term as the words above.
    "社保",
    "公积金",
    "营业执照",
    "执照",
    "年报",
)


def service_texts(index: int) -> dict[str, Any]:
    subject_zh, subject_en = SUBJECTS[index % len(SUBJECTS)]
    action_zh, action_en = ACTIONS[(index // len(SUBJECTS)) % len(ACTIONS)]
    qual_zh, qual_en = QUALIFIERS[(index // (len(SUBJECTS) * len(ACTIONS))) % len(QUALIFIERS)]
    number = index // (len(SUBJECTS) * len(ACTIONS) * len(QUALIFIERS))
    suffix_zh = f"（{number + 1}类）" if number else ""
    suffix_en = f" (type {number + 1})" if number else ""
    name_zh = f"{qual_zh}{subject_zh}{action_zh}{suffix_zh}"
    name_en = f"{(qual_en + subject_en).capitalize()} {action_en}{suffix_en}"
    return {
        "name_zh": name_zh[:120],
        "name_en": name_en[:200],
        "summary_zh": (
            f"申请人依法办理{subject_zh}{action_zh}。符合条件的，经办机构按规定受理、审查并作出决定；"
            f"材料齐全、符合法定形式的，可以当场办结。办理结果可通过“我的办件”查询，相关电子证照同步归集。"
        ),
        "summary_en": (
            f"The {action_en} of {subject_en}. When the conditions are met the agency accepts, reviews and "
            f"decides within the time limit; complete applications may be settled on the spot. Follow the case "
            f"under My cases."
        ),
        "eligibility_zh": f"在本市办理{subject_zh}相关事项的个人和单位。",
        "eligibility_en": f"Individuals and organisations with {subject_en} matters in the city.",
    }


# --------------------------------------------------------------------------------------------
# Generation


def _copy(cursor: psycopg.Cursor[Any], table: str, columns: list[str], rows: Any) -> int:
    count = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def resident_id(index: int) -> str:
    """A checksummed resident ID on a running sequence: 3 districts x 25000 days x 999."""
    from stdnum.cn import ric

    region = ("310101", "310104", "310115")[index % 3]
    day = date(1965, 1, 1) + timedelta(days=(index // 3) // 999)
    seventeen = f"{region}{day:%Y%m%d}{(index // 3) % 999 + 1:03d}"
    return seventeen + ric.calc_check_digit(seventeen + "0")


def firm_code(index: int) -> str:
    """A valid unified social credit code for small firm ``index``."""
    from stdnum.cn import uscc

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    digits = []
    value = index + 1000
    for _ in range(7):
        digits.append(alphabet[value % 31])
        value //= 31
    base = "91" + ("310101", "310104", "310115")[index % 3] + "MB" + "".join(reversed(digits))
    return base + uscc.calc_check_digit(base)


def person_name(index: int) -> str:
    surname = SURNAMES[index % len(SURNAMES)]
    first = GIVEN[(index // len(SURNAMES)) % len(GIVEN)]
    second = GIVEN[(index // (len(SURNAMES) * len(GIVEN))) % len(GIVEN)] if index % 3 else ""
    return surname + first + second


def _next_ids(cursor: psycopg.Cursor[Any], tables: list[str]) -> dict[str, int]:
    ids = {}
    for table in tables:
        row = cursor.execute(
            sql.SQL("SELECT coalesce(max(id), 0) + 1 FROM {}").format(sql.Identifier(table))
        ).fetchone()
        assert row is not None
        ids[table] = int(row[0])
    return ids


def _reset_sequences(cursor: psycopg.Cursor[Any], tables: list[str]) -> None:
    for table in tables:
        cursor.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT coalesce(max(id), 1) FROM {}))").format(
                sql.Identifier(table)
            ),
            [table],
        )


def generate(sizes: Sizes) -> dict[str, Any]:
    started = time.monotonic()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    recreate_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    os.makedirs(settings.BENCH_VAR_DIR, exist_ok=True)  # type: ignore[misc]  # bench.settings only
    call_command("keyring_generate", verbosity=0, stdout=io.StringIO())
    call_command("migrate", interactive=False, verbosity=0)
    call_command("calendar_seed", verbosity=0, stdout=io.StringIO())
    log("migrated, key ring and calendar ready")
    from tongban.demo.loader import load

    load()
    log("demo city loaded")
    from django.db import connection

    connection.close()
    meta = _bulk(sizes, started)
    log(f"done in {time.monotonic() - started:.0f} s")
    return meta


def form_data(g: int) -> dict[str, str]:
    """The form data of generated case ``g`` (its application's and its case's)."""
    return {
        "contact_phone": f"139{g % 100_000_000:08d}",
        "reason": "本人申请办理，所填信息真实有效。",
        "reference": f"R{g}",
    }


def _seal_form_data(cur: psycopg.Cursor[Any], chunk: int = 50_000) -> None:
    """Encrypt each planned case's form data in Python, exactly as ``EncryptedJSONField`` does
    (``core.crypto.encrypt_json``, bound to its table and column), and COPY the ciphertexts into
    the temporary table ``sealed`` that the set-based INSERTs join."""
    from tongban.core.crypto import encrypt_json

    cur.execute("CREATE TEMP TABLE sealed (sealed_rn bigint PRIMARY KEY, application_data text, case_data text)")
    cur.execute("CREATE INDEX ON plan2 (rn)")
    last = 0
    while True:
        plan = cur.execute("SELECT rn, g FROM plan2 WHERE rn > %s ORDER BY rn LIMIT %s", [last, chunk]).fetchall()
        if not plan:
            return
        _copy(
            cur,
            "sealed",
            ["sealed_rn", "application_data", "case_data"],
            (
                (
                    rn,
                    encrypt_json(form_data(g), table="forms_application", column="data"),
                    encrypt_json(form_data(g), table="cases_case", column="data"),
                )
                for rn, g in plan
            ),
        )
        last = plan[-1][0]


def _bulk(sizes: Sizes, started: float) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password

    from tongban.catalogue.models import ServiceItem, ServiceVersion, Topic
    from tongban.catalogue.search_text import build_search_text
    from tongban.catalogue.selectors import synonym_specs
    from tongban.core.crypto import encrypt_text, lookup_digest
    from tongban.demo.loader import firm_uscc
    from tongban.identity.models import Agency

    password_hash = make_password(os.environ.get("BENCH_PASSWORD", BENCH_PASSWORD_DEFAULT))
    now = datetime.now().astimezone()
    agencies = {a.code: a for a in Agency.objects.all()}
    topics = {t.code: t for t in Topic.objects.all()}
    synonyms = synonym_specs()  # the demo city's, loaded before the bulk rows

    with psycopg.connect(database_url()) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        superuser = cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
        if superuser and superuser[0]:
            cur.execute("SET session_replication_role = replica")  # no FK triggers while loading
        tables = [
            "identity_account",
            "identity_person",
            "identity_firm",
            "identity_power",
            "catalogue_serviceitem",
            "catalogue_serviceversion",
            "catalogue_serviceversion_topics",
            "catalogue_material",
            "forms_formdefinition",
            "forms_application",
            "cases_case",
            "cases_caseevent",
            "bench_baselinerow",
        ]
        ids = _next_ids(cur, tables)

        # --- Accounts and persons -----------------------------------------------------------
        first_account, first_person = ids["identity_account"], ids["identity_person"]
        # The numbers are encrypted: the demo's persons are told apart by their lookup digests.
        existing = {r[0] for r in cur.execute("SELECT id_number_digest FROM identity_person").fetchall()}
        numbers: list[str] = []
        index = 0
        while len(numbers) < sizes.persons:
            number = resident_id(index)
            index += 1
            if lookup_digest(number) not in existing:
                numbers.append(number)
        districts = ("310101", "310104", "310115")
        _copy(
            cur,
            "identity_account",
            [
                "id",
                "password",
                "username",
                "display_name",
                "email",
                "phone",
                "preferred_language",
                "is_active",
                "created_at",
            ],
            (
                (
                    first_account + i,
                    password_hash,
                    f"bench.p{i:06d}",
                    person_name(i),
                    f"bench.p{i:06d}@example.test",
                    f"139{i:08d}",
                    "zh-hans" if i % 4 else "en",
                    True,
                    now,
                )
                for i in range(sizes.persons)
            ),
        )
        _copy(
            cur,
            "identity_person",
            [
                "id",
                "public_id",
                "account_id",
                "id_type",
                "id_number",
                "id_number_digest",
                "nationality",
                "name",
                "latin_name",
                "birth_date",
                "registered_district",
                "verification_level",
                "created_at",
            ],
            (
                (
                    first_person + i,
                    uuid.uuid4(),
                    first_account + i,
                    "resident_id",
                    encrypt_text(numbers[i], table="identity_person", column="id_number"),
                    lookup_digest(numbers[i]),
                    "CN",
                    person_name(i),
                    "",
                    date(int(numbers[i][6:10]), int(numbers[i][10:12]), int(numbers[i][12:14])),
                    districts[i % 3],
                    2,
                    now,
                )
                for i in range(sizes.persons)
            ),
        )
        log(f"{sizes.persons} accounts and persons")

        # --- Firms and powers ---------------------------------------------------------------
        first_firm = ids["identity_firm"]
        legal_rep_of = [first_person + sizes.applicants + f for f in range(sizes.firms)]
        _copy(
            cur,
            "identity_firm",
            [
                "id",
                "uscc",
                "name_zh",
                "name_en",
                "firm_type",
                "legal_representative_id",
                "registered_district",
                "verification_level",
                "created_at",
            ],
            (
                (
                    first_firm + f,
                    firm_code(f),
                    f"上海{PLACES[f % len(PLACES)]}{INDUSTRIES[(f // len(PLACES)) % len(INDUSTRIES)]}有限公司（{f + 1}）",
                    f"Shanghai Bench Firm {f + 1} Co., Ltd.",
                    "limited_company",
                    legal_rep_of[f],
                    districts[f % 3],
                    2,
                    now,
                )
                for f in range(sizes.firms)
            ),
        )
        big = cur.execute(
            "SELECT f.id, f.uscc, f.legal_representative_id, p.account_id FROM identity_firm f "
            "JOIN identity_person p ON p.id = f.legal_representative_id WHERE f.uscc = %s",
            [firm_uscc()],
        ).fetchone()
        assert big is not None, "the demo firm is missing"
        big_firm_id, big_uscc, big_legal_rep, _big_rep_account = big
        powers: list[tuple[Any, ...]] = []
        first_power = ids["identity_power"]
        granted, expires = now - timedelta(days=30), now + timedelta(days=365)
        for i in range(sizes.applicants):
            powers.append(
                (
                    first_power + len(powers),
                    first_firm + i,
                    first_person + i,
                    "social_security",
                    legal_rep_of[i],
                    granted,
                    expires,
                    "",
                )
            )
        for i in range(sizes.big_firm_staff):
            for area in ("social_security", "foreign_staff"):
                powers.append(
                    (
                        first_power + len(powers),
                        big_firm_id,
                        first_person + i,
                        area,
                        big_legal_rep,
                        granted,
                        expires,
                        "",
                    )
                )
        _copy(
            cur,
            "identity_power",
            ["id", "firm_id", "grantee_id", "area", "granted_by_id", "granted_at", "expires_at", "revoke_reason"],
            powers,
        )
        power_of_applicant = {i: first_power + i for i in range(sizes.applicants)}
        log(f"{sizes.firms} firms, {len(powers)} powers")

        # --- Services -------------------------------------------------------------------------
        published = ServiceVersion.objects.filter(status="published").count()
        template_form = cur.execute(
            "SELECT d.schema, d.layout FROM forms_formdefinition d JOIN catalogue_serviceversion v ON v.id = d.version_id "
            "JOIN catalogue_serviceitem i ON i.id = v.item_id WHERE i.code = 'si-enrolment'"
        ).fetchone()
        assert template_form is not None
        schema, layout = Jsonb(template_form[0]), Jsonb(template_form[1])
        generated = sizes.services - published
        first_item, first_version = ids["catalogue_serviceitem"], ids["catalogue_serviceversion"]
        agency_codes = sorted(AGENCY_AREAS)
        item_rows, version_rows, topic_rows, material_rows, form_rows = [], [], [], [], []
        for s in range(generated):
            agency = agencies[agency_codes[s % len(agency_codes)]]
            areas = AGENCY_AREAS[agency.code]
            area = areas[(s // len(agency_codes)) % len(areas)]
            code = f"bench-{s + 1:05d}"
            texts = service_texts(s)
            kind = s % 10  # 0-5 individuals, 6-8 firms, 9 both
            for_individuals, for_firms = kind <= 5 or kind == 9, kind >= 6
            instant = s % 5 < 2
            chosen_topics = [
                topics[TOPIC_CODES[s % len(TOPIC_CODES)]],
                topics[TOPIC_CODES[(s // 7) % len(TOPIC_CODES)]],
            ]
            chosen_topics = list({t.pk: t for t in chosen_topics}.values())
            version = ServiceVersion(item=ServiceItem(code=code, agency=agency), **texts)
            search_text = build_search_text(version, chosen_topics, synonyms)
            item_rows.append((first_item + s, code, agency.pk, area, now, 15))
            version_rows.append(
                (
                    first_version + s,
                    first_item + s,
                    1,
                    "published",
                    now,
                    now,
                    texts["name_zh"],
                    texts["name_en"],
                    texts["summary_zh"],
                    texts["summary_en"],
                    texts["eligibility_zh"],
                    texts["eligibility_en"],
                    for_individuals,
                    for_firms,
                    s % 13 == 0,
                    "",
                    "",
                    "",
                    "",
                    0 if instant else 20,
                    0 if instant else 10,
                    "不收费",
                    "Free of charge",
                    0,
                    "both",
                    True,
                    "city",
                    "instant" if instant else "review",
                    False,
                    f"咨询电话：{agency.phone}",
                    f"Enquiries: {agency.phone}",
                    search_text,
                    False,  # paper_result (NOT NULL, no database default: ADR 0040)
                )
            )
            for topic in chosen_topics:
                topic_rows.append((first_version + s, topic.pk))
            material_rows.append(
                (first_version + s, "application-form", 0, "申请表", "Application form", "", "", not instant, False)
            )
            if s % 2:
                material_rows.append(
                    (first_version + s, "id-document", 1, "身份证明", "Proof of identity", "", "", False, True)
                )
            form_rows.append((first_version + s, schema, layout, "", Jsonb({})))
        _copy(
            cur, "catalogue_serviceitem", ["id", "code", "agency_id", "area", "created_at", "window_minutes"], item_rows
        )
        _copy(
            cur,
            "catalogue_serviceversion",
            [
                "id",
                "item_id",
                "number",
                "status",
                "created_at",
                "published_at",
                "name_zh",
                "name_en",
                "summary_zh",
                "summary_en",
                "eligibility_zh",
                "eligibility_en",
                "for_individuals",
                "for_firms",
                "for_foreigners",
                "legal_basis_zh",
                "legal_basis_en",
                "conditions_zh",
                "conditions_en",
                "statutory_limit_workdays",
                "promised_limit_workdays",
                "fee_zh",
                "fee_en",
                "fee_amount_fen",
                "channel",
                "fully_online",
                "handling_level",
                "workflow",
                "four_eyes",
                "contact_zh",
                "contact_en",
                "search_text",
                "paper_result",
            ],
            version_rows,
        )
        _copy(cur, "catalogue_serviceversion_topics", ["serviceversion_id", "topic_id"], topic_rows)
        _copy(
            cur,
            "catalogue_material",
            [
                "version_id",
                "code",
                "position",
                "name_zh",
                "name_en",
                "description_zh",
                "description_en",
                "required",
                "government_may_hold",
            ],
            material_rows,
        )
        _copy(
            cur, "forms_formdefinition", ["version_id", "schema", "layout", "points_table", "points_fields"], form_rows
        )
        cur.execute(
            "UPDATE catalogue_serviceitem i SET published_version_id = v.id FROM catalogue_serviceversion v "
            "WHERE v.item_id = i.id AND i.id >= %s",
            [first_item],
        )
        log(f"{generated} generated services, {published + generated} published")

        # --- The plan of cases: which person applies for which service, when ----------------
        cur.execute(
            """CREATE TEMP TABLE svc AS
               SELECT row_number() OVER (ORDER BY v.id) AS n, v.id AS version_id, i.id AS item_id, i.area,
                      i.agency_id, o.id AS office_id, v.workflow, v.for_individuals, v.for_firms,
                      v.statutory_limit_workdays AS statutory, v.promised_limit_workdays AS promised
               FROM catalogue_serviceversion v JOIN catalogue_serviceitem i ON i.id = v.item_id
               JOIN identity_agencyoffice o ON o.agency_id = i.agency_id AND o.district_code = ''
               WHERE v.status = 'published'"""
        )
        for name, condition in (
            ("svc_ind", "for_individuals"),
            ("svc_firm", "for_firms"),
            ("svc_big", "for_firms AND area IN ('social_security', 'foreign_staff')"),
        ):
            cur.execute(
                sql.SQL(
                    "CREATE TEMP TABLE {} AS SELECT row_number() OVER (ORDER BY version_id) - 1 AS k, * FROM svc WHERE "
                ).format(sql.Identifier(name))
                + sql.SQL(condition)
            )
            cur.execute(sql.SQL("CREATE INDEX ON {} (k)").format(sql.Identifier(name)))
        counts = {
            name: cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()[0]  # type: ignore[index]
            for name in ("svc_ind", "svc_firm", "svc_big")
        }
        big_staff = [first_person + i for i in range(sizes.big_firm_staff)]
        cur.execute(
            """CREATE TEMP TABLE plan (
                 g bigint PRIMARY KEY, person_id bigint, firm_id bigint, power_id bigint, pool text, k bigint,
                 submitted_at timestamptz, closed boolean NOT NULL DEFAULT false)"""
        )
        n_big = sizes.big_firm_cases
        n_small = sizes.firms * sizes.cases_per_small_firm
        n_own = sizes.applicants * sizes.own_cases_per_applicant
        n_rate = sizes.applicants * sizes.rateable_cases_per_applicant
        # Pseudo-random but reproducible choices: multiplicative hashing of the row number g.
        when = "now() - make_interval(secs => ((g * 2654435761) %% 63072000)::double precision) - interval '1 day'"
        cur.execute(
            f"""INSERT INTO plan
                SELECT g, (%(staff)s::bigint[])[1 + g %% %(n_staff)s], %(big)s, NULL, 'svc_big',
                       (g * 40503) %% %(n_svc_big)s, {when}
                FROM generate_series(1, %(n)s::bigint) g""",  # noqa: S608 - constant fragments only
            {
                "staff": big_staff,
                "n_staff": len(big_staff),
                "big": big_firm_id,
                "n_svc_big": counts["svc_big"],
                "n": n_big,
            },
        )
        cur.execute(
            f"""INSERT INTO plan
                SELECT g, %(rep0)s + (g %% %(firms)s), %(firm0)s + (g %% %(firms)s), NULL, 'svc_firm',
                       (g * 40503) %% %(n_svc)s, {when}
                FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g""",  # noqa: S608 - constant fragments only
            {
                "rep0": first_person + sizes.applicants,
                "firms": sizes.firms,
                "firm0": first_firm,
                "n_svc": counts["svc_firm"],
                "lo": n_big + 1,
                "hi": n_big + n_small,
            },
        )
        cur.execute(
            f"""INSERT INTO plan
                SELECT g, %(p0)s + (g %% %(apps)s), NULL, NULL, 'svc_ind', (g * 40503) %% %(n_svc)s, {when}
                FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g""",  # noqa: S608 - constant fragments only
            {
                "p0": first_person,
                "apps": sizes.applicants,
                "n_svc": counts["svc_ind"],
                "lo": n_big + n_small + 1,
                "hi": n_big + n_small + n_own,
            },
        )
        # Closed cases of each applicant that nobody rated: the review phase rates each once.
        cur.execute(
            f"""INSERT INTO plan
                SELECT g, %(p0)s + (g %% %(apps)s), NULL, NULL, 'svc_ind', (g * 40503) %% %(n_svc)s, {when}, true
                FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g""",  # noqa: S608 - constant fragments only
            {
                "p0": first_person,
                "apps": sizes.applicants,
                "n_svc": counts["svc_ind"],
                "lo": n_big + n_small + n_own + 1,
                "hi": n_big + n_small + n_own + n_rate,
            },
        )
        cur.execute(
            f"""INSERT INTO plan
                SELECT g, %(p0)s + ((g * 2246822519) %% %(persons)s), NULL, NULL, 'svc_ind',
                       (g * 40503) %% %(n_svc)s, {when}
                FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g""",  # noqa: S608 - constant fragments only
            {
                "p0": first_person,
                "persons": sizes.persons,
                "n_svc": counts["svc_ind"],
                "lo": n_big + n_small + n_own + n_rate + 1,
                "hi": sizes.cases,
            },
        )
        columns = (
            "p.g, p.person_id, p.firm_id, p.power_id, p.submitted_at, s.version_id, s.item_id, s.area, s.agency_id, "
            "s.office_id, s.workflow, s.statutory, s.promised, p.closed"
        )
        union = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {} FROM plan p JOIN {} s ON p.pool = {} AND s.k = p.k").format(
                sql.SQL(columns), sql.Identifier(pool), sql.Literal(pool)
            )
            for pool in ("svc_ind", "svc_firm", "svc_big")
        )
        cur.execute(sql.SQL("CREATE TEMP TABLE plan1 AS {}").format(union))
        # Review cases are spread over the lifecycle; instant ones are closed at once. Ids follow
        # submission time (rn), as they do in a live system, so a firm's cases are spread over the
        # id range rather than bunched together.
        cur.execute(
            """CREATE TEMP TABLE plan2 AS
               SELECT *, row_number() OVER (ORDER BY submitted_at, g) AS rn, CASE WHEN workflow = 'instant' OR closed THEN 'closed'
                              ELSE (ARRAY['submitted', 'accepted', 'under_review', 'under_review', 'approved',
                                          'approved', 'approved', 'approved', 'approved', 'approved', 'approved',
                                          'rejected', 'withdrawn', 'approved', 'accepted', 'approved', 'approved',
                                          'approved', 'approved', 'approved'])[1 + (g * 7) % 20] END AS status
               FROM plan1"""
        )
        log(f"planned {sizes.cases} cases")

        # --- Applications, cases, events ------------------------------------------------------
        app0, case0 = ids["forms_application"], ids["cases_case"]
        _seal_form_data(cur)
        log("form data encrypted")
        cur.execute(
            """INSERT INTO forms_application (id, public_id, person_id, firm_id, power_id, version_id, status, data,
                                              sources, step, office_id, created_at, updated_at, submitted_at,
                                              looked_up_for, channel)
               SELECT %(a0)s + rn, gen_random_uuid(), person_id, firm_id, power_id, version_id, 'submitted',
                      d.application_data,
                      '{}'::jsonb, 2, NULL, submitted_at - interval '20 minutes', submitted_at, submitted_at, '',
                      'online'
               FROM plan2 JOIN sealed d ON d.sealed_rn = plan2.rn""",
            {"a0": app0},
        )
        log("applications")
        crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        b32 = " || ".join(
            f"substr('{crockford}', (((%(c0)s + rn) >> {5 * k}) & 31)::int + 1, 1)" for k in range(5, -1, -1)
        )
        cur.execute(
            f"""INSERT INTO cases_case (id, number, application_id, version_id, item_id, area, agency_id, office_id,
                                        applicant_id, firm_id, power_id, channel, status, lock_version, data,
                                        submitted_at, accepted_at, decided_at, closed_at, statutory_due_on,
                                        promised_due_on, assigned_to_id, supplement_items, proposal,
                                        decision_reason, decision_legal_basis)
                SELECT %(c0)s + rn,
                       'TB' || to_char(submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || {b32},
                       %(a0)s + rn, version_id, item_id, area, agency_id, office_id, person_id, firm_id, power_id,
                       'online', status,
                       CASE status WHEN 'submitted' THEN 1 WHEN 'accepted' THEN 2 WHEN 'under_review' THEN 3
                                   WHEN 'withdrawn' THEN 2 WHEN 'closed' THEN 2 ELSE 4 END,
                       d.case_data,
                       submitted_at,
                       CASE WHEN status IN ('submitted', 'withdrawn') THEN NULL
                            WHEN workflow = 'instant' THEN submitted_at ELSE submitted_at + interval '1 day' END,
                       CASE WHEN status IN ('approved', 'rejected') THEN submitted_at + interval '6 days'
                            WHEN status = 'closed' THEN submitted_at END,
                       CASE WHEN status = 'closed' THEN submitted_at
                            WHEN status = 'withdrawn' THEN submitted_at + interval '1 day' END,
                       CASE WHEN status IN ('accepted', 'under_review') THEN (submitted_at + make_interval(days => statutory * 7 / 5 + 1))::date END,
                       CASE WHEN status IN ('accepted', 'under_review') THEN (submitted_at + make_interval(days => promised * 7 / 5 + 1))::date END,
                       NULL, '[]'::jsonb, '{{}}'::jsonb,
                       CASE WHEN status = 'approved' THEN '材料齐全，符合法定条件，准予办理。'
                            WHEN status = 'rejected' THEN '不符合申请条件。' ELSE '' END,
                       CASE WHEN status IN ('approved', 'rejected') THEN '相关法律法规' ELSE '' END
                FROM plan2 JOIN sealed d ON d.sealed_rn = plan2.rn""",  # noqa: S608 - constant fragments only
            {"c0": case0, "a0": app0},
        )
        log("cases")
        cur.execute(
            """INSERT INTO cases_caseevent (case_id, at, action, from_status, to_status, actor_account_id,
                                            actor_role, acting_for, power_id, reason, legal_basis, data)
               SELECT %(c0)s + p.rn, p.submitted_at + e.after, e.action, e.from_status, e.to_status,
                      CASE WHEN e.action IN ('submit', 'withdraw') THEN a.account_id END, e.role,
                      '', NULL,
                      CASE WHEN e.action = 'reject' THEN '不符合申请条件。' ELSE '' END,
                      CASE WHEN e.action IN ('approve', 'reject') THEN '相关法律法规' ELSE '' END, '{}'::jsonb
               FROM plan2 p
               JOIN identity_person a ON a.id = p.person_id
               JOIN (VALUES
                   ('*', 0, 'submit', '', 'submitted', 'applicant', interval '0'),
                   ('closed', 1, 'accept', 'submitted', 'accepted', 'system', interval '0'),
                   ('closed', 2, 'close', 'accepted', 'closed', 'system', interval '0'),
                   ('accepted', 1, 'accept', 'submitted', 'accepted', 'officer', interval '1 day'),
                   ('under_review', 1, 'accept', 'submitted', 'accepted', 'officer', interval '1 day'),
                   ('under_review', 2, 'start_review', 'accepted', 'under_review', 'officer', interval '2 days'),
                   ('approved', 1, 'accept', 'submitted', 'accepted', 'officer', interval '1 day'),
                   ('approved', 2, 'start_review', 'accepted', 'under_review', 'officer', interval '2 days'),
                   ('approved', 3, 'approve', 'under_review', 'approved', 'supervisor', interval '6 days'),
                   ('rejected', 1, 'accept', 'submitted', 'accepted', 'officer', interval '1 day'),
                   ('rejected', 2, 'start_review', 'accepted', 'under_review', 'officer', interval '2 days'),
                   ('rejected', 3, 'reject', 'under_review', 'rejected', 'supervisor', interval '6 days'),
                   ('withdrawn', 1, 'withdraw', 'submitted', 'withdrawn', 'applicant', interval '1 day')
               ) AS e(status, seq, action, from_status, to_status, role, after)
                 ON e.status = '*' OR e.status = p.status
               ORDER BY p.rn, e.seq""",
            {"c0": case0},
        )
        log("case events")
        cur.execute(
            "INSERT INTO bench_baselinerow (value, created_at) SELECT 'row ' || g, now() FROM generate_series(1, %s::bigint) g",
            [sizes.baseline_rows],
        )
        _reset_sequences(cur, tables)
        si = cur.execute(
            "SELECT v.id FROM catalogue_serviceversion v JOIN catalogue_serviceitem i ON i.id = v.item_id "
            "WHERE i.code = 'si-enrolment' AND v.status = 'published'"
        ).fetchone()
        assert si is not None
        meta: dict[str, Any] = {
            "generator_version": GENERATOR_VERSION,
            "sizes": asdict(sizes),
            "generated_at": now.isoformat(),
            "first_person_id": first_person,
            "first_account_id": first_account,
            "first_firm_id": first_firm,
            "applicant_power_ids": [power_of_applicant[i] for i in range(sizes.applicants)],
            "big_firm_id": big_firm_id,
            "big_firm_uscc": big_uscc,
            "si_enrolment_version_id": si[0],
            "search_terms": list(SEARCH_TERMS),
        }
        cur.execute(
            "INSERT INTO bench_benchmeta (key, value) VALUES ('dataset', %s) ON CONFLICT (key) DO UPDATE SET value = "
            "EXCLUDED.value",
            [Jsonb(meta)],
        )
        cur.execute("SET session_replication_role = DEFAULT")
        conn.commit()
        log("committed; VACUUM ANALYZE")
    with psycopg.connect(database_url(), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    log("vacuumed and analysed")
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="regenerate even if a matching data set exists")
    parser.add_argument("--cases", type=int, help="the scale: cases in total (BENCH_CASES; default 1000000)")
    parser.add_argument(
        "--no-statistics", action="store_true", help="do not fill the statistics fact tables (slow at 10 M)"
    )
    args = parser.parse_args(argv)
    if args.cases:
        os.environ["BENCH_CASES"] = str(args.cases)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    meta = ensure(force=args.force)
    log(f"data set: {meta['sizes']}")
    import django

    from bench import statistics as statistics_phase

    django.setup()
    if not args.no_statistics:
        statistics_phase.fill(log)  # the fact tables, by the real catch-up (incremental)


if __name__ == "__main__":
    main()
