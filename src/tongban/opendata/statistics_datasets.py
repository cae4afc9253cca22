"""Where the public statistics become open datasets: the registration point for
``tongban.statistics`` (issue 17).

Each statistics dataset is a :class:`tongban.opendata.registry.Dataset` built from a statistics
selector that reads the fact tables only (the same rows the page ``/<lang>/statistics/`` shows,
unfiltered): ``rows`` from the selector, ``revision`` from
:func:`tongban.statistics.selectors.revision` (the catch-up's watermarks), so a file is made once
per catch-up run that changed a figure, never from the cases. ``OpenDataConfig.ready`` registers
them after the built-in ones, and the page, the downloads and the DCAT catalogue pick them up
with no other change.

Rates are shares between 0 and 1 (four decimals), empty where there is nothing to divide by;
satisfaction rows with fewer ratings than ``REVIEW_MIN_PUBLIC_COUNT`` are left out, as on the page.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Model

from tongban.catalogue.models import ServiceItem
from tongban.identity.models import Agency, ServiceCentre
from tongban.opendata.registry import Dataset, Field, Frequency, Row
from tongban.reviews.selectors import Month
from tongban.reviews.selectors import Row as SatisfactionRow
from tongban.statistics import selectors
from tongban.statistics.selectors import Completions, Filters

_KEYWORDS_ZH = ("政务服务", "统计数据")
_KEYWORDS_EN = ("government services", "statistics")


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _mean(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _codes(model: type[Model], keys: object) -> dict[int, str]:
    return dict(model._default_manager.filter(pk__in=keys).values_list("pk", "code"))


# --- Fields shared by the case datasets ----------------------------------------------------------

_MONTH = Field("month", "string", "月份（YYYY-MM，按本市时区）", "Month (YYYY-MM, in the city's time zone)")
_CASE_FIELDS = (
    Field("submitted", "integer", "当月提交的办件数", "Cases submitted"),
    Field("completed", "integer", "办结（作出决定）的办件数", "Cases completed (decided)"),
    Field(
        "on_time",
        "integer",
        "在法定时限内办结的办件数（只计有法定时限的事项）",
        "Completed cases decided within the statutory limit (services with a limit only)",
    ),
    Field("on_time_rate", "number", "按时办结率（0–1）", "Share decided within the statutory limit (0-1)"),
    Field("mean_workdays", "number", "平均办理工作日", "Mean working days from submission to decision"),
    Field(
        "zero_visits",
        "integer",
        "无需到现场办结的办件数（“一网通办”）",
        "Completed cases that needed no visit in person",
    ),
    Field("one_stop_rate", "number", "零跑动办结率（0–1）", "Share of completed cases that needed no visit (0-1)"),
    Field(
        "at_most_one_visit_rate",
        "number",
        "最多跑一次办结率（0–1）",
        "Share of completed cases that needed at most one visit (0-1)",
    ),
)


def _case_figures(submitted: int, done: Completions) -> dict[str, int | float | None]:
    return {
        "submitted": submitted,
        "completed": done.completed,
        "on_time": done.on_time,
        "on_time_rate": _share(done.on_time_rate),
        "mean_workdays": _mean(done.mean_workdays),
        "zero_visits": done.zero_visits,
        "one_stop_rate": _share(done.one_stop_rate),
        "at_most_one_visit_rate": _share(done.at_most_one_visit_rate),
    }


# --- Cases by month, city-wide -------------------------------------------------------------------


def monthly_rows() -> Iterator[Row]:
    for row in selectors.monthly(Filters()):
        yield {
            "month": row.month.strftime("%Y-%m"),
            **_case_figures(row.submitted, row.completions),
            "p90_workdays": row.completions.p90_workdays,
            "materials": row.materials,
            "reused": row.reused,
            "exchange_reads": row.exchange_reads,
        }


CASES_MONTHLY = Dataset(
    id="statistics-cases-monthly",
    title_zh="全市政务服务办件统计（按月）",
    title_en="Government service cases per month, city-wide",
    description_zh=(
        "全市每月提交和办结的政务服务办件数、按时办结率、办理工作日、零跑动和最多跑一次比例、"
        "免交材料数和数据共享调用次数。由平台的统计事实表生成，每隔几分钟更新。"
    ),
    description_en=(
        "Cases submitted and completed each month across the city, the share decided on time, the "
        "working days taken, the shares needing no visit or at most one, materials not asked for "
        "again and data-exchange reads. Made from the platform's statistics fact tables, updated "
        "every few minutes."
    ),
    frequency=Frequency.CONTINUOUS,
    keywords_zh=(*_KEYWORDS_ZH, "办件量", "一网通办"),
    keywords_en=(*_KEYWORDS_EN, "cases", "one-stop online"),
    fields=(
        _MONTH,
        *_CASE_FIELDS,
        Field(
            "p90_workdays",
            "integer",
            "90% 的办件在多少个工作日内办结",
            "90 % of completed cases took at most this many working days",
        ),
        Field("materials", "integer", "当月提交的申请材料数", "Materials provided with the month's cases"),
        Field(
            "reused",
            "integer",
            "以电子证照代替、无需申请人提交的材料数（免交）",
            "Materials not asked for again: taken from e-certificates the government held",
        ),
        Field(
            "exchange_reads",
            "integer",
            "通过数据共享交换成功调用其他部门数据的次数",
            "Successful reads of other agencies' data through the data exchange",
        ),
    ),
    revision=selectors.revision,
    rows=monthly_rows,
)


# --- Cases per agency and per channel --------------------------------------------------------------


def agency_rows() -> Iterator[Row]:
    groups = selectors.by_agency(Filters())
    codes = _codes(Agency, [int(group.key) for group in groups])
    for group in groups:
        yield {
            "agency_code": codes.get(int(group.key), ""),
            "agency_zh": group.name_zh,
            "agency_en": group.name_en,
            **_case_figures(group.submitted, group.completions),
        }


CASES_BY_AGENCY = Dataset(
    id="statistics-cases-by-agency",
    title_zh="各部门政务服务办件统计",
    title_en="Government service cases per agency",
    description_zh="各实施部门累计提交和办结的办件数、按时办结率、平均办理工作日和零跑动比例。",
    description_en=(
        "Per agency, all time: cases submitted and completed, the share decided on time, the mean "
        "working days and the share needing no visit in person."
    ),
    frequency=Frequency.CONTINUOUS,
    keywords_zh=(*_KEYWORDS_ZH, "办件量", "部门"),
    keywords_en=(*_KEYWORDS_EN, "cases", "agencies"),
    fields=(
        Field(
            "agency_code", "string", "实施部门编码（见数据集 service-catalogue）", "Agency code (see service-catalogue)"
        ),
        Field("agency_zh", "string", "实施部门名称（中文）", "Agency, in Chinese"),
        Field("agency_en", "string", "实施部门名称（英文）", "Agency, in English"),
        *_CASE_FIELDS,
    ),
    revision=selectors.revision,
    rows=agency_rows,
)


def channel_rows() -> Iterator[Row]:
    for group in selectors.by_channel(Filters()):
        yield {
            "channel": group.key,
            "channel_zh": group.name_zh,
            "channel_en": group.name_en,
            **_case_figures(group.submitted, group.completions),
        }


CASES_BY_CHANNEL = Dataset(
    id="statistics-cases-by-channel",
    title_zh="各渠道政务服务办件统计",
    title_en="Government service cases per channel",
    description_zh="网上、窗口和接口三个渠道累计提交和办结的办件数及相关比例。",
    description_en="Cases submitted and completed online, at a window and through the API, all time.",
    frequency=Frequency.CONTINUOUS,
    keywords_zh=(*_KEYWORDS_ZH, "办理渠道"),
    keywords_en=(*_KEYWORDS_EN, "channels"),
    fields=(
        Field("channel", "string", "渠道代码：online、window、api", "Channel code: online, window, api"),
        Field("channel_zh", "string", "渠道名称（中文）", "Channel, in Chinese"),
        Field("channel_en", "string", "渠道名称（英文）", "Channel, in English"),
        *_CASE_FIELDS,
    ),
    revision=selectors.revision,
    rows=channel_rows,
)


# --- Registrations ------------------------------------------------------------------------------------


def registration_rows() -> Iterator[Row]:
    for row in selectors.registrations(Filters()):
        yield {
            "month": row.month.strftime("%Y-%m"),
            "persons": row.persons,
            "verified_persons": row.verified_persons,
            "firms": row.firms,
        }


REGISTRATIONS = Dataset(
    id="statistics-registrations",
    title_zh="平台注册个人和企业数（按月）",
    title_en="People and firms registered on the platform, per month",
    description_zh="每月在平台注册账号的个人数（其中实名核验等级高于自行注册的人数）和登记的企业数。",
    description_en=(
        "People who registered an account each month (and of them those verified above "
        "self-registration) and firms recorded."
    ),
    frequency=Frequency.CONTINUOUS,
    keywords_zh=(*_KEYWORDS_ZH, "注册用户"),
    keywords_en=(*_KEYWORDS_EN, "registrations"),
    fields=(
        _MONTH,
        Field("persons", "integer", "注册的个人数", "People registered"),
        Field(
            "verified_persons",
            "integer",
            "其中实名核验等级高于自行注册的人数",
            "Of them, verified above self-registration",
        ),
        Field("firms", "integer", "登记的企业和其他组织数", "Firms and organisations recorded"),
    ),
    revision=selectors.revision,
    rows=registration_rows,
)


# --- Waiting times ---------------------------------------------------------------------------------


def waiting_rows() -> Iterator[Row]:
    waits = selectors.waiting_times(Filters())
    codes = _codes(ServiceCentre, [wait.key for wait in waits])
    for wait in waits:
        yield {
            "centre_code": codes.get(wait.key, ""),
            "centre_zh": wait.name_zh,
            "centre_en": wait.name_en,
            "tickets": wait.tickets,
            "mean_minutes": _mean(wait.mean_minutes),
            "p90_minutes": wait.p90_minutes,
        }


WAITING_TIMES = Dataset(
    id="statistics-waiting-times",
    title_zh="政务服务中心排队等候时间",
    title_en="Waiting times at the service centres",
    description_zh="各政务服务中心累计叫号数、从取号到叫号的平均等候分钟数和 90% 的办事人在多少分钟内被叫号。",
    description_en=(
        "Per service centre, all time: tickets called, the mean minutes from taking a ticket to "
        "being called, and the minutes within which 90 % were called."
    ),
    frequency=Frequency.CONTINUOUS,
    keywords_zh=(*_KEYWORDS_ZH, "服务中心", "等候时间"),
    keywords_en=(*_KEYWORDS_EN, "service centres", "waiting times"),
    fields=(
        Field("centre_code", "string", "服务中心编码（见数据集 service-centres）", "Centre code (see service-centres)"),
        Field("centre_zh", "string", "服务中心名称（中文）", "Centre, in Chinese"),
        Field("centre_en", "string", "服务中心名称（英文）", "Centre, in English"),
        Field("tickets", "integer", "叫号数", "Tickets called"),
        Field("mean_minutes", "number", "平均等候分钟数", "Mean minutes waited"),
        Field("p90_minutes", "integer", "90% 的办事人在多少分钟内被叫号", "90 % were called within this many minutes"),
    ),
    revision=selectors.revision,
    rows=waiting_rows,
)


# --- Satisfaction (好差评) ------------------------------------------------------------------------------

_RATING_FIELDS = (
    Field("ratings", "integer", "评价数", "Ratings"),
    Field("satisfied", "integer", "“非常满意”和“满意”的评价数", "Ratings 'very satisfied' or 'satisfied'"),
    Field("satisfaction_rate", "number", "满意率（0–1）", "Satisfaction rate (0-1)"),
)
_DIMENSIONS = (
    ("agencies", "agency", Agency),
    ("services", "service", ServiceItem),
    ("centres", "centre", ServiceCentre),
)


def satisfaction_rows() -> Iterator[Row]:
    figures = selectors.satisfaction()
    for name, dimension, model in _DIMENSIONS:
        rows = figures[name]
        assert isinstance(rows, list)
        codes = _codes(model, [row.key for row in rows])
        for row in rows:
            assert isinstance(row, SatisfactionRow)
            yield {
                "dimension": dimension,
                "code": codes.get(row.key, ""),
                "name_zh": row.name_zh,
                "name_en": row.name_en,
                "ratings": row.total,
                "satisfied": row.satisfied,
                "satisfaction_rate": _share(row.rate),
                "rectifications": row.tickets,
                "rectified_on_time": row.on_time,
                "rectified_on_time_rate": _share(row.on_time_rate),
            }


SATISFACTION = Dataset(
    id="statistics-satisfaction",
    title_zh="政务服务好差评统计（按部门、事项和服务中心）",
    title_en="Satisfaction with government services per agency, service and centre",
    description_zh=(
        "好差评的汇总数据：各部门、各事项和各服务中心收到的评价数、满意（“非常满意”和“满意”）数和满意率，"
        "差评引起的整改工单数和按时整改率。只公布汇总数，评价数不足最低公布数的行不公布，不含评价内容。"
    ),
    description_en=(
        "Aggregates of the ratings (好差评) per agency, service and centre: ratings, satisfied ones "
        "(very satisfied and satisfied), the satisfaction rate, the rectification tickets bad ratings "
        "opened and the share answered on time. Aggregates only: rows with fewer ratings than the "
        "published minimum are left out; no comment is published."
    ),
    frequency=Frequency.CONTINUOUS,
    keywords_zh=(*_KEYWORDS_ZH, "好差评", "满意度"),
    keywords_en=(*_KEYWORDS_EN, "satisfaction", "ratings"),
    fields=(
        Field(
            "dimension",
            "string",
            "统计对象：agency（部门）、service（事项）、centre（服务中心）",
            "What the row counts: agency, service or centre",
        ),
        Field("code", "string", "部门、事项或服务中心的编码", "Code of the agency, service or centre"),
        Field("name_zh", "string", "名称（中文）", "Name in Chinese"),
        Field("name_en", "string", "名称（英文）", "Name in English"),
        *_RATING_FIELDS,
        Field("rectifications", "integer", "差评引起的整改工单数", "Rectification tickets opened by bad ratings"),
        Field("rectified_on_time", "integer", "按时整改的工单数", "Tickets answered within their limits"),
        Field("rectified_on_time_rate", "number", "按时整改率（0–1）", "Share of tickets answered on time (0-1)"),
    ),
    revision=selectors.revision,
    rows=satisfaction_rows,
)


def satisfaction_month_rows() -> Iterator[Row]:
    months = selectors.satisfaction()["months"]
    assert isinstance(months, list)
    for month in months:
        assert isinstance(month, Month)
        yield {
            "month": month.month.strftime("%Y-%m"),
            "ratings": month.total,
            "satisfied": month.satisfied,
            "satisfaction_rate": _share(month.rate),
        }


SATISFACTION_MONTHLY = Dataset(
    id="statistics-satisfaction-monthly",
    title_zh="政务服务满意率（按月）",
    title_en="Satisfaction with government services per month",
    description_zh="全市每月的评价数、满意数和满意率；评价数不足最低公布数的月份不公布。",
    description_en="Ratings, satisfied ones and the satisfaction rate per month, city-wide; months below the published minimum are left out.",
    frequency=Frequency.CONTINUOUS,
    keywords_zh=(*_KEYWORDS_ZH, "好差评", "满意度"),
    keywords_en=(*_KEYWORDS_EN, "satisfaction", "ratings"),
    fields=(
        _MONTH,
        *_RATING_FIELDS,
    ),
    revision=selectors.revision,
    rows=satisfaction_month_rows,
)


def datasets() -> list[Dataset]:
    """The statistics datasets, in the order the open-data page lists them."""
    return [
        CASES_MONTHLY,
        CASES_BY_AGENCY,
        CASES_BY_CHANNEL,
        REGISTRATIONS,
        WAITING_TIMES,
        SATISFACTION,
        SATISFACTION_MONTHLY,
    ]
