"""The demo city's centres offline: opening hours, one exceptional closure each and windows with
their scopes (comprehensive, by agency, by service), created once, only where still missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from tongban.catalogue.models import ServiceItem
from tongban.core.actors import Actor
from tongban.identity.models import Agency, ServiceCentre
from tongban.service_centres.models import OpeningException, OpeningHours, Window, WindowScope
from tongban.service_centres.services import opening_exception_set, opening_hours_replace, window_save

LOADER = Actor.system("demo-loader")

_MORNING = (time(9), time(12))
_AFTERNOON = (time(13, 30), time(17))
_WEEKDAYS = tuple((weekday, *interval) for weekday in range(5) for interval in (_MORNING, _AFTERNOON))
_ALL_DAY = tuple((weekday, time(9), time(17)) for weekday in range(5))

#: Weekly opening per centre: (weekday, start, end); several rows on a day make a lunch break.
HOURS: dict[str, tuple[tuple[int, time, time], ...]] = {
    "city-centre": (*_ALL_DAY, (5, time(9), time(12))),  # the city centre also opens Saturday mornings
    "pudong": _ALL_DAY,
    "international": _ALL_DAY,
    "xuhui-tianping": _WEEKDAYS,
    "pudong-lujiazui": (*_WEEKDAYS, (5, time(9), time(11, 30))),
}

#: One exceptional closure per centre (staff training, a move), in both languages.
CLOSURES: dict[str, tuple[date, str, str]] = {
    "city-centre": (date(2027, 1, 15), "系统升级，暂停对外服务", "Closed for a system upgrade"),
    "pudong": (date(2027, 3, 12), "内部培训", "Closed for staff training"),
    "international": (date(2027, 2, 26), "内部培训", "Closed for staff training"),
    "xuhui-tianping": (date(2027, 4, 16), "场地维修", "Closed for repairs"),
    "pudong-lujiazui": (date(2027, 5, 14), "场地维修", "Closed for repairs"),
}


@dataclass(frozen=True)
class WindowData:
    centre: str
    number: str
    label_zh: str
    label_en: str
    scope: str
    codes: tuple[str, ...] = ()  # agency codes (scope agencies) or service codes (scope services)


WINDOWS = (
    WindowData("city-centre", "1", "综合窗口", "Comprehensive window", WindowScope.COMPREHENSIVE),
    WindowData("city-centre", "2", "综合窗口", "Comprehensive window", WindowScope.COMPREHENSIVE),
    WindowData("city-centre", "3", "出入境窗口", "Exit-entry", WindowScope.AGENCIES, ("exit-entry",)),
    WindowData("pudong", "1", "综合窗口", "Comprehensive window", WindowScope.COMPREHENSIVE),
    WindowData(
        "pudong", "2", "企业登记", "Company registration", WindowScope.AGENCIES, ("market-regulation", "taxation")
    ),
    WindowData(
        "international", "1", "外国人工作许可", "Foreigners' work permits", WindowScope.AGENCIES, ("science-tech",)
    ),
    WindowData("international", "2", "外国人居留", "Foreigners' residence", WindowScope.AGENCIES, ("exit-entry",)),
    WindowData("xuhui-tianping", "1", "综合窗口", "Comprehensive window", WindowScope.COMPREHENSIVE),
    WindowData(
        "pudong-lujiazui",
        "1",
        "社保与就业",
        "Social insurance and employment",
        WindowScope.SERVICES,
        ("si-enrolment", "si-contribution-record", "unemployment-benefit"),
    ),
    WindowData("pudong-lujiazui", "2", "综合窗口", "Comprehensive window", WindowScope.COMPREHENSIVE),
)


def load_centres_offline() -> None:
    """Hours, closures and windows for each demo centre that has none yet, through the services a
    city operator uses (run after the catalogue: service-scoped windows name its services)."""
    centres = {centre.code: centre for centre in ServiceCentre.objects.filter(code__in=HOURS)}
    for code, rows in HOURS.items():
        centre = centres[code]
        if not OpeningHours.objects.filter(centre=centre).exists():
            opening_hours_replace(centre=centre, rows=rows, editor=LOADER, actor=LOADER)
        day, note_zh, note_en = CLOSURES[code]
        if not OpeningException.objects.filter(centre=centre, date=day).exists():
            opening_exception_set(
                centre=centre, day=day, intervals=[], note_zh=note_zh, note_en=note_en, editor=LOADER, actor=LOADER
            )
    for item in WINDOWS:
        if Window.objects.filter(centre=centres[item.centre], number=item.number).exists():
            continue
        window_save(
            centre=centres[item.centre],
            number=item.number,
            scope=item.scope,
            label_zh=item.label_zh,
            label_en=item.label_en,
            agencies=list(Agency.objects.filter(code__in=item.codes)) if item.scope == WindowScope.AGENCIES else [],
            services=list(ServiceItem.objects.filter(code__in=item.codes))
            if item.scope == WindowScope.SERVICES
            else [],
            editor=LOADER,
            actor=LOADER,
        )
