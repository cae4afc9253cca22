"""The built-in datasets: the published service catalogue, the service centres with their weekly
opening hours, and the centres' windows with what each may handle.

Each revision is a digest of a few indexed look-ups: the newest audit event of each action that
changes the rows (``audit_event_action`` index: one backward index step each) and the highest
primary key of the tables whose rows are made anew when they change (a new version, new opening
hours, a new window), which also catches rows loaded without a service (the demo seed).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import time

from django.db.models import Model

from tongban.audit.models import AuditEvent
from tongban.catalogue.models import Channel, ServiceItem, ServiceVersion
from tongban.identity.models import Agency, ServiceCentre
from tongban.opendata.registry import Dataset, Field, Frequency, Row
from tongban.service_centres.models import OpeningHours, Weekday, Window, WindowScope

#: Separates several values in one cell (centre codes, opening intervals).
LIST_SEPARATOR = ";"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _revision(actions: tuple[str, ...], models: tuple[type[Model], ...]) -> str:
    parts = []
    for action in actions:
        newest = AuditEvent.objects.filter(action=action).order_by("-id").values_list("id", flat=True).first()
        parts.append(f"{action}={newest or 0}")
    for model in models:
        highest = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        parts.append(f"{model._meta.label}={highest or 0}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


# --- The service catalogue ----------------------------------------------------------------------

_CATALOGUE_ACTIONS = (
    "catalogue.version_published",
    "identity.agency_created",
    "identity.agency_updated",
    "identity.centre_created",
    "identity.centre_updated",
    "service_centres.window_saved",
)


def catalogue_revision() -> str:
    return _revision(_CATALOGUE_ACTIONS, (ServiceVersion, Agency, ServiceCentre, Window))


def _coverage() -> tuple[list[str], dict[int, set[str]], dict[int, set[str]]]:
    """Which centres handle what, from their active windows: the centres with a comprehensive
    window, and per agency id and per service item id the centres whose windows list it."""
    comprehensive: set[str] = set()
    by_agency: dict[int, set[str]] = defaultdict(set)
    by_item: dict[int, set[str]] = defaultdict(set)
    windows = Window.objects.filter(active=True)
    comprehensive.update(windows.filter(scope=WindowScope.COMPREHENSIVE).values_list("centre__code", flat=True))
    for agency_id, code in Window.agencies.through.objects.filter(
        window__active=True, window__scope=WindowScope.AGENCIES
    ).values_list("agency_id", "window__centre__code"):
        by_agency[agency_id].add(code)
    for item_id, code in Window.services.through.objects.filter(
        window__active=True, window__scope=WindowScope.SERVICES
    ).values_list("serviceitem_id", "window__centre__code"):
        by_item[item_id].add(code)
    return sorted(comprehensive), by_agency, by_item


def catalogue_rows() -> Iterator[Row]:
    comprehensive, by_agency, by_item = _coverage()
    items = (
        ServiceItem.objects.filter(published_version__isnull=False)
        .select_related("agency", "published_version")
        .order_by("code")
    )
    for item in items:
        version = item.published_version
        assert version is not None  # filtered above
        centres = (
            set()
            if version.channel == Channel.ONLINE
            else {*comprehensive, *by_agency.get(item.agency_id, ()), *by_item.get(item.pk, ())}
        )
        yield {
            "code": item.code,
            "name_zh": version.name_zh,
            "name_en": version.name_en,
            "agency_code": item.agency.code,
            "agency_zh": item.agency.name_zh,
            "agency_en": item.agency.name_en,
            "for_individuals": version.for_individuals,
            "for_firms": version.for_firms,
            "for_foreigners": version.for_foreigners,
            "eligibility_zh": version.eligibility_zh,
            "eligibility_en": version.eligibility_en,
            "channel": version.channel,
            "fully_online": version.fully_online,
            "statutory_limit_workdays": version.statutory_limit_workdays,
            "promised_limit_workdays": version.promised_limit_workdays,
            "fee_zh": version.fee_zh,
            "fee_en": version.fee_en,
            "fee_amount_fen": version.fee_amount_fen,
            "in_person_centres": LIST_SEPARATOR.join(sorted(centres)),
        }


SERVICE_CATALOGUE = Dataset(
    id="service-catalogue",
    title_zh="政务服务事项目录",
    title_en="Catalogue of government services",
    description_zh=(
        "本平台公布的全部政务服务事项（现行版本）：事项编码、名称、实施部门、服务对象、办理渠道、"
        "是否全程网办、法定和承诺办结时限、收费，以及可到现场办理的服务中心。"
    ),
    description_en=(
        "Every government service published on the platform (its current version): code, name, "
        "responsible agency, who may apply, channels, whether it can be done fully online, statutory "
        "and promised time limits, fee, and the service centres where it can be handled in person."
    ),
    frequency=Frequency.CONTINUOUS,
    keywords_zh=("政务服务", "办事指南", "事项目录"),
    keywords_en=("government services", "service catalogue"),
    fields=(
        Field("code", "string", "事项编码，在本平台唯一", "The service's code, unique on the platform"),
        Field("name_zh", "string", "事项名称（中文）", "Name in Chinese"),
        Field("name_en", "string", "事项名称（英文）", "Name in English"),
        Field("agency_code", "string", "实施部门编码", "Code of the responsible agency"),
        Field("agency_zh", "string", "实施部门名称（中文）", "Responsible agency, in Chinese"),
        Field("agency_en", "string", "实施部门名称（英文）", "Responsible agency, in English"),
        Field("for_individuals", "boolean", "自然人可以申请", "A person may apply"),
        Field("for_firms", "boolean", "法人或其他组织可以申请", "A firm or organisation may apply"),
        Field("for_foreigners", "boolean", "面向外国人", "Open to foreign nationals"),
        Field("eligibility_zh", "string", "申请条件说明（中文）", "Who may apply, in Chinese"),
        Field("eligibility_en", "string", "申请条件说明（英文）", "Who may apply, in English"),
        Field(
            "channel",
            "string",
            "办理渠道：online（网上）、window（窗口）、both（网上或窗口）",
            "Channel: online, window (at a service-centre window) or both",
        ),
        Field("fully_online", "boolean", "可全程网办", "Can be done fully online"),
        Field("statutory_limit_workdays", "integer", "法定办结时限（工作日）", "Statutory time limit (working days)"),
        Field("promised_limit_workdays", "integer", "承诺办结时限（工作日）", "Promised time limit (working days)"),
        Field("fee_zh", "string", "收费说明（中文）", "Fee, in Chinese"),
        Field("fee_en", "string", "收费说明（英文）", "Fee, in English"),
        Field("fee_amount_fen", "integer", "收费金额（分），不收费为 0", "Fee in fen (0.01 yuan); 0 if free"),
        Field(
            "in_person_centres",
            "string",
            "可现场办理的服务中心编码，以分号分隔（见数据集 service-centres）",
            "Codes of the service centres where it can be handled in person, separated by semicolons "
            "(see the dataset service-centres)",
        ),
    ),
    revision=catalogue_revision,
    rows=catalogue_rows,
)


# --- The service centres and their hours ---------------------------------------------------------

_CENTRE_ACTIONS = (
    "identity.centre_created",
    "identity.centre_updated",
    "service_centres.hours_replaced",
    "service_centres.window_saved",
)


def centres_revision() -> str:
    return _revision(_CENTRE_ACTIONS, (ServiceCentre, OpeningHours, Window))


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def centre_rows() -> Iterator[Row]:
    hours: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for centre_id, weekday, start, end in OpeningHours.objects.order_by("centre_id", "weekday", "start").values_list(
        "centre_id", "weekday", "start", "end"
    ):
        hours[centre_id][weekday].append(f"{_hhmm(start)}-{_hhmm(end)}")
    windows: dict[int, list[str]] = defaultdict(list)
    for centre_id, scope in Window.objects.filter(active=True).values_list("centre_id", "scope"):
        windows[centre_id].append(scope)
    for centre in ServiceCentre.objects.order_by("code"):
        scopes = windows.get(centre.pk, [])
        yield {
            "code": centre.code,
            "name_zh": centre.name_zh,
            "name_en": centre.name_en,
            "address_zh": centre.address_zh,
            "address_en": centre.address_en,
            "district": centre.district,
            "level": centre.level,
            "phone": centre.phone,
            "accessibility_zh": centre.accessibility_zh,
            "accessibility_en": centre.accessibility_en,
            **{
                f"hours_{name}": LIST_SEPARATOR.join(hours[centre.pk].get(day, []))
                for day, name in zip(Weekday.values, WEEKDAYS, strict=True)
            },
            "windows": len(scopes),
            "comprehensive_windows": scopes.count(WindowScope.COMPREHENSIVE),
        }


_DAY_NAMES_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

SERVICE_CENTRES = Dataset(
    id="service-centres",
    title_zh="政务服务中心及开放时间",
    title_en="Service centres and their opening hours",
    description_zh=(
        "全市政务服务中心：名称、地址、所在区、电话、无障碍设施、每周各日的常规开放时间，以及开放窗口数和综合窗口数。"
        "节假日的调整不在本数据集内，请以服务中心页面为准。"
    ),
    description_en=(
        "The city's service centres: name, address, district, phone, accessibility, the regular opening "
        "hours of each weekday, and how many windows are open, of which how many are comprehensive. "
        "Changes on public holidays are not in this dataset; see the centre's page."
    ),
    frequency=Frequency.CONTINUOUS,
    keywords_zh=("政务服务中心", "开放时间", "窗口"),
    keywords_en=("service centres", "opening hours", "windows"),
    fields=(
        Field("code", "string", "服务中心编码", "The centre's code"),
        Field("name_zh", "string", "名称（中文）", "Name in Chinese"),
        Field("name_en", "string", "名称（英文）", "Name in English"),
        Field("address_zh", "string", "地址（中文）", "Address in Chinese"),
        Field("address_en", "string", "地址（英文）", "Address in English"),
        Field(
            "district",
            "string",
            "所在区的行政区划代码，市级中心为空",
            "Region code of its district; empty for the city centre",
        ),
        Field(
            "level",
            "string",
            "层级：city（市级）、district（区级）或 community（街道社区）",
            "Level: city, district or community",
        ),
        Field("phone", "string", "咨询电话", "Phone"),
        Field("accessibility_zh", "string", "无障碍设施（中文）", "Accessibility, in Chinese"),
        Field("accessibility_en", "string", "无障碍设施（英文）", "Accessibility, in English"),
        *(
            Field(
                f"hours_{name}",
                "string",
                f"{zh}的开放时段，HH:MM-HH:MM，多个时段以分号分隔，空表示不开放",
                f"Opening hours on {name.capitalize()}: HH:MM-HH:MM intervals separated by semicolons; empty if closed",
            )
            for name, zh in zip(WEEKDAYS, _DAY_NAMES_ZH, strict=True)
        ),
        Field("windows", "integer", "开放的窗口数", "Number of open windows"),
        Field(
            "comprehensive_windows",
            "integer",
            "其中综合窗口（可办理任何事项）数",
            "Of these, comprehensive windows (any service)",
        ),
    ),
    revision=centres_revision,
    rows=centre_rows,
)


# --- The windows ----------------------------------------------------------------------------------


def windows_revision() -> str:
    return _revision(("service_centres.window_saved", "identity.centre_created"), (Window, ServiceCentre))


def window_rows() -> Iterator[Row]:
    agencies: dict[int, list[str]] = defaultdict(list)
    for window_id, code in Window.agencies.through.objects.filter(window__active=True).values_list(
        "window_id", "agency__code"
    ):
        agencies[window_id].append(code)
    services: dict[int, list[str]] = defaultdict(list)
    for window_id, code in Window.services.through.objects.filter(window__active=True).values_list(
        "window_id", "serviceitem__code"
    ):
        services[window_id].append(code)
    windows = Window.objects.filter(active=True).select_related("centre").order_by("centre__code", "number")
    for window in windows:
        yield {
            "centre_code": window.centre.code,
            "number": window.number,
            "label_zh": window.label_zh,
            "label_en": window.label_en,
            "scope": window.scope,
            "agencies": LIST_SEPARATOR.join(sorted(agencies.get(window.pk, []))),
            "services": LIST_SEPARATOR.join(sorted(services.get(window.pk, []))),
        }


CENTRE_WINDOWS = Dataset(
    id="service-centre-windows",
    title_zh="服务中心窗口及受理范围",
    title_en="Service-centre windows and what they handle",
    description_zh="各服务中心开放的窗口：编号、名称，以及受理范围（综合窗口、指定部门的事项或指定事项）。",
    description_en=(
        "The open windows of every service centre: number, label, and what each may handle (any service, "
        "the services of listed agencies, or listed services)."
    ),
    frequency=Frequency.CONTINUOUS,
    keywords_zh=("政务服务中心", "窗口", "综合窗口"),
    keywords_en=("service centres", "windows"),
    fields=(
        Field(
            "centre_code",
            "string",
            "服务中心编码（见数据集 service-centres）",
            "The centre's code (see service-centres)",
        ),
        Field("number", "string", "窗口编号", "Window number"),
        Field("label_zh", "string", "窗口名称（中文）", "Label in Chinese"),
        Field("label_en", "string", "窗口名称（英文）", "Label in English"),
        Field(
            "scope",
            "string",
            "受理范围：comprehensive（综合）、agencies（所列部门的事项）、services（所列事项）",
            "What it handles: comprehensive (any service), agencies (the listed agencies' services), "
            "services (the listed services)",
        ),
        Field(
            "agencies", "string", "所列部门编码，以分号分隔", "Codes of the listed agencies, separated by semicolons"
        ),
        Field(
            "services",
            "string",
            "所列事项编码，以分号分隔（见数据集 service-catalogue）",
            "Codes of the listed services, separated by semicolons (see service-catalogue)",
        ),
    ),
    revision=windows_revision,
    rows=window_rows,
)


def builtin() -> list[Dataset]:
    return [SERVICE_CATALOGUE, SERVICE_CENTRES, CENTRE_WINDOWS]
