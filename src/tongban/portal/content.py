"""Editorial content of the portal's fixed pages: FAQ, audience topics and the site search index.

Text is translatable source (English msgids, Simplified Chinese in the catalogue). Services from
the catalogue join the search index when the catalogue context arrives.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Topic:
    """A card on a page. On a section page it names the catalogue services it is about
    (``services``, by code: each is linked to its guide) and the catalogue topic its heading
    leads to when it names other than exactly one published service."""

    title: Promise
    summary: Promise
    url_name: str
    services: tuple[str, ...] = ()
    catalogue_topic: str = ""


@dataclass(frozen=True)
class Faq:
    question: Promise
    answer: Promise


FAQS: tuple[Faq, ...] = (
    Faq(
        _("Who can use this portal?"),
        _(
            "Everyone who deals with the city's agencies: Chinese citizens, residents of Hong Kong, Macao and Taiwan, foreigners living or working here, and firms of every kind, including foreign-invested enterprises."
        ),
    ),
    Faq(
        _("How do I open an account?"),
        _(
            "Choose Register, give the number of your identity document (resident identity card, residence permit, permanent residence ID card or passport), choose a user name and a password. Your account starts as self-registered; it becomes verified after a check against the population registry or at any service-centre window."
        ),
    ),
    Faq(
        _("How does my firm's staff act for the firm?"),
        _(
            "The firm's legal representative logs in, opens the firm's space and grants each member of staff a power for one service area (for example social security or foreign staff) until a date. A power can be revoked at any time and stops working at once. Everything done for the firm records who acted and under which power."
        ),
    ),
    Faq(
        _("Can I do everything online?"),
        _(
            "Many services can be completed fully online. Where a service needs you in person, you can go to any service centre: the clerk sees the same case and you do not need to bring papers the government already holds."
        ),
    ),
    Faq(
        _("Is there help in English?"),
        _(
            "Yes. Every page is available in English and Chinese; use the language switch at the top. The International section gathers what foreign firms and their staff need: work and residence permits, social security and the annual report."
        ),
    ),
    Faq(
        _("I forgot my password."),
        _(
            "Choose Log in, then “Forgot your password?”. We send a link to the e-mail address of your account; it works once, for one hour."
        ),
    ),
    Faq(
        _("Why was my account locked?"),
        _(
            "After five wrong passwords in a row we lock the user name for fifteen minutes to protect you from password guessing. Wait, then try again or reset your password."
        ),
    ),
)

INDIVIDUAL_TOPICS: tuple[Topic, ...] = (
    Topic(
        _("Household registration and residence"),
        _("Move your registration, apply for a residence permit, report a change of address."),
        "portal:individuals",
        ("city-residence-permit", "accommodation-registration"),
        "residence",
    ),
    Topic(
        _("Social security and employment"),
        _("Your contribution record, unemployment benefits, pension, vocational training."),
        "portal:individuals",
        ("unemployment-benefit", "si-contribution-record"),
        "social-security",
    ),
    Topic(
        _("Births, marriages and deaths"),
        _("Birth registration and certificates, marriage registration, death registration."),
        "portal:individuals",
    ),
    Topic(_("Education and health"), _("School enrolment, medical insurance, vaccinations."), "portal:individuals"),
    Topic(
        _("Housing"),
        _("Affordable housing applications, property registration, housing fund."),
        "portal:individuals",
        ("housing-fund-withdrawal",),
    ),
    Topic(_("Transport"), _("Driving licences, vehicle registration, public transport cards."), "portal:individuals"),
)

FIRM_TOPICS: tuple[Topic, ...] = (
    Topic(
        _("Start a business"),
        _("Register a firm, get the business licence, seals and a bank account in one go."),
        "portal:firms",
        ("company-establishment", "business-change"),
        "business",
    ),
    Topic(
        _("Employees and social security"),
        _("Enrol new employees in social security and end the enrolment when they leave."),
        "portal:firms",
        ("si-enrolment", "si-termination"),
        "social-security",
    ),
    Topic(
        _("Annual report"),
        _("File the enterprise annual report between 1 January and 30 June."),
        "portal:firms",
        ("annual-report",),
    ),
    Topic(
        _("Licences and permits"),
        _("Apply for, renew and change operating licences."),
        "portal:firms",
        ("food-licence",),
        "business",
    ),
    Topic(
        _("Tax"),
        _("Tax registration, filings and tax clearance certificates."),
        "portal:firms",
        ("tax-clearance",),
        "tax",
    ),
    Topic(
        _("Staff and powers"),
        _("Let your staff act for the firm, area by area, with an expiry date."),
        "portal:my_space",
    ),
)

INTERNATIONAL_TOPICS: tuple[Topic, ...] = (
    Topic(
        _("Work permit for foreign staff"),
        _(
            "The employer applies online for the Foreigner's Work Permit. Category A, B or C follows from a points table: salary, education, experience, age and Chinese language."
        ),
        "portal:international",
        ("fw-work-permit", "talent-card"),
        "employment",
    ),
    Topic(
        _("Residence permit for work"),
        _(
            "Once the work permit is granted, apply for the residence permit for work. The work permit is already held by the government: you do not upload it again."
        ),
        "portal:international",
        ("fw-residence-permit", "accommodation-registration"),
        "residence",
    ),
    Topic(
        _("Social security for foreign employees"),
        _("Foreign employees are enrolled in social security like Chinese staff; the firm enrols them online."),
        "portal:international",
        ("si-enrolment", "si-termination", "si-contribution-record"),
        "social-security",
    ),
    Topic(
        _("Annual report for foreign-invested enterprises"),
        _(
            "Every enterprise files one annual report, covering the business and foreign-investment information, by 30 June."
        ),
        "portal:international",
        ("annual-report",),
    ),
    Topic(
        _("Help in English"),
        _("Call the service hotline and ask for English, or visit the international desk of a service centre."),
        "portal:contact",
    ),
)

PAGES: tuple[Topic, ...] = (
    Topic(_("Individuals"), _("Services for residents and foreigners living in the city."), "portal:individuals"),
    Topic(_("Firms"), _("Services for enterprises and organisations."), "portal:firms"),
    Topic(_("International"), _("Services for foreigners and foreign firms, in English."), "portal:international"),
    Topic(_("Contact us"), _("Service hotline, service centres and their addresses."), "portal:contact"),
    Topic(_("Frequently asked questions"), _("Accounts, powers, passwords and languages."), "portal:faq"),
    Topic(_("Privacy policy"), _("What data we hold, why, and who used your data."), "portal:privacy"),
    Topic(
        _("Accessibility statement"),
        _("How accessible this portal is and how to report a problem."),
        "portal:accessibility",
    ),
    Topic(
        _("Government agencies"), _("The agencies of the city government, their heads and contacts."), "portal:agencies"
    ),
)


@dataclass(frozen=True)
class SearchHit:
    title: str
    summary: str
    url_name: str


def search_pages(query: str) -> list[SearchHit]:
    """Case-insensitive substring search over the pages and topics in the active language.
    Substring matching works for Chinese, which has no spaces between words."""
    needle = query.strip().casefold()
    if not needle:
        return []
    hits: list[SearchHit] = []
    seen: set[tuple[str, str]] = set()
    for topic in (*PAGES, *INDIVIDUAL_TOPICS, *FIRM_TOPICS, *INTERNATIONAL_TOPICS):
        title, summary = str(topic.title), str(topic.summary)
        matches = needle in title.casefold() or needle in summary.casefold()
        if matches and (title, topic.url_name) not in seen:
            seen.add((title, topic.url_name))
            hits.append(SearchHit(title, summary, topic.url_name))
    for faq in FAQS:
        question, answer = str(faq.question), str(faq.answer)
        if needle in question.casefold() or needle in answer.casefold():
            hits.append(SearchHit(question, answer[:160], "portal:faq"))
    return hits


@dataclass(frozen=True)
class GuidePart:
    """A page of the "How to use Tongban" guide (template ``portal/guide/<slug>.html``)."""

    slug: str
    title: Promise
    summary: Promise


GUIDE: tuple[GuidePart, ...] = (
    GuidePart(
        "register",
        _("Register and raise your verification level"),
        _("Open an account with your identity document, and have it checked."),
    ),
    GuidePart("firm", _("Act for a firm"), _("How a legal representative lets staff act for the firm, area by area.")),
    GuidePart(
        "apply",
        _("Apply and follow your case"),
        _("Find a service, apply online and follow your case to its decision."),
    ),
    GuidePart(
        "verify", _("Verify a certificate"), _("Check that a certificate is real and in force by typing its number.")
    ),
)
