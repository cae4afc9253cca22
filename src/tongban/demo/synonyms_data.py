"""The demo city's search synonyms: the everyday words and abbreviations residents, firms and
foreigners search for, and the words the catalogue uses (city operators edit them in the back
office; ADR 0031). (term, expansions, language: "zh", "en" or "both")."""

from __future__ import annotations

SYNONYMS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # Chinese abbreviations and everyday words
    # 社保: social insurance and its five kinds (五险)
    ("社保", ("社会保险", "养老保险", "医疗保险", "失业保险", "工伤保险", "生育保险"), "zh"),
    ("公积金", ("住房公积金",), "zh"),
    ("营业执照", ("企业设立登记", "公司设立登记", "设立登记"), "zh"),
    ("开公司", ("企业设立登记", "公司设立登记"), "zh"),
    ("执照", ("许可证",), "zh"),
    ("个税", ("个人所得税",), "zh"),
    ("失业金", ("失业保险金",), "zh"),
    ("年报", ("年度报告",), "zh"),
    ("外企", ("外商投资企业",), "zh"),
    ("工作签证", ("工作许可",), "zh"),
    # Chinese words for what the English text names (and the other way round)
    ("居住证", ("居留许可", "residence permit"), "both"),
    ("护照", ("passport",), "both"),
    ("工作许可", ("work permit",), "both"),
    ("work permit", ("工作许可",), "both"),
    ("residence permit", ("居住证", "居留许可"), "both"),
    ("passport", ("护照",), "both"),
    # English everyday words and spelling variants
    ("business licence", ("company establishment registration", "business registration"), "en"),
    ("business license", ("company establishment registration", "business registration"), "en"),
    ("license", ("licence",), "en"),
    ("licence", ("license",), "en"),
    ("enroll", ("enrol",), "en"),
    ("social insurance", ("social security",), "en"),
    ("housing fund", ("housing provident fund",), "en"),
    ("unemployment insurance", ("unemployment benefit",), "en"),
    ("tax certificate", ("tax clearance",), "en"),
    ("residence card", ("residence permit",), "en"),
    ("work visa", ("work permit",), "en"),
    ("hukou", ("household registration",), "en"),
)
