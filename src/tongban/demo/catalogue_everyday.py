"""The services a city's residents look for first (issue 19), as plain values like the rest of the
demo catalogue (``catalogue_data``): housing provident fund withdrawal, the city residence permit
for residents registered in another province, and company establishment registration, which
issues the business licence. Each names who applies (ADR 0032) and issues its result as an
e-certificate (``certificates_data``).

Company establishment registration is filed by a person, the company's future legal
representative: the company does not exist until it is registered, so no firm can hold a power
for it. The licence is issued to her, naming the new company and its USCC (ADR 0032).
"""

from __future__ import annotations

from tongban.demo.catalogue_data import (
    CONTACT_PHONE,
    DISTRICT_CHOICES,
    Field,
    Form,
    MaterialData,
    ServiceData,
    Step,
    choice_field,
    date_field,
    integer_field,
    multiline_field,
    t,
    text_field,
)

RESIDENT_ID_PATTERN = "^[0-9]{17}[0-9X]$"
OWN_ID_HELP = t("取自本人身份信息，不可修改。", "From your identity record; it cannot be changed here.")


def _own_name() -> Field:
    return text_field(
        "applicant_name",
        t("姓名", "Name"),
        prefill="person.name",
        authoritative=True,
        help=t("取自本人身份信息。", "From your identity record."),
    )


def _own_resident_id() -> Field:
    return text_field(
        "id_number",
        t("公民身份号码", "Resident ID number"),
        max_length=18,
        pattern=RESIDENT_ID_PATTERN,
        prefill="person.id_number",
        authoritative=True,
        help=t(
            "取自本人身份信息，不可修改；本事项须持居民身份证办理。",
            "From your identity record; this service needs a Chinese resident ID card.",
        ),
    )


BANK_ACCOUNT = text_field(
    "bank_account",
    t("本人银行账号", "Your bank account number"),
    max_length=30,
    pattern="^[0-9]{12,30}$",
    help=t("须为本人实名的借记卡账户，仅填数字。", "A debit account in your own name; digits only."),
)

WITHDRAWAL_REASONS = {
    "purchase": t("购买自住住房", "Buying your own home"),
    "rent": t("租赁自住住房", "Paying rent for your home"),
    "retirement": t("离休、退休", "Retirement"),
    "leaving": t("终止劳动关系后离开本市", "Leaving the city after your employment ended"),
}

HOUSING_FUND_WITHDRAWAL = ServiceData(
    code="housing-fund-withdrawal",
    agency="housing-fund",
    area="social_security",
    topics=("social-security", "residence"),
    name_zh="住房公积金提取",
    name_en="Housing provident fund withdrawal",
    summary_zh=(
        "缴存职工购买、建造、翻建、大修自住住房，租赁自住住房，离休、退休，或者与单位终止劳动关系后离开本市等情形，"
        "可以申请提取本人住房公积金账户内的存储余额。核准后，提取金额转入本人银行账户。"
    ),
    summary_en=(
        "Take money out of your housing provident fund account to buy, build or repair your own home, to pay rent, "
        "when you retire, or when you leave the city after your employment ends. Once approved, the amount is paid "
        "into your own bank account."
    ),
    eligibility_zh="在本市缴存住房公积金的职工本人（含外籍职工）。",
    eligibility_en="Anyone who pays into a housing provident fund account in the city, foreigners included; you apply yourself.",
    conditions_zh=(
        "1. 购买、建造、翻建、大修自住住房的，提供购房合同等证明；\n"
        "2. 租赁自住住房的，提供租赁合同，每年提取一次，不超过实际房租支出；\n"
        "3. 离休、退休或者与单位终止劳动关系后离开本市的，可以销户提取；\n"
        "4. 提取金额不超过账户余额。"
    ),
    conditions_en=(
        "1. To buy, build or repair your own home: the purchase contract or similar proof.\n"
        "2. To pay rent: the tenancy agreement; once a year, up to the rent actually paid.\n"
        "3. On retirement, or when you leave the city after your employment ends: the whole balance, closing the "
        "account.\n"
        "4. Never more than the balance of the account."
    ),
    legal_basis_zh="《住房公积金管理条例》第二十四条、第二十五条",
    legal_basis_en="Regulations on the Administration of Housing Provident Fund, Articles 24 and 25",
    applicants="person",
    for_foreigners=True,
    workflow="review",
    statutory_limit_workdays=3,
    promised_limit_workdays=1,
    channel="both",
    fully_online=True,
    materials=(
        MaterialData(
            "reason-proof",
            "提取原因证明",
            "Proof of the reason",
            "购房合同、租赁合同、退休证明或者解除劳动关系证明，按提取原因提供其一。",
            "The purchase contract, the tenancy agreement, proof of retirement or proof that the employment ended, "
            "whichever fits the reason.",
        ),
        MaterialData(
            "bank-card",
            "本人银行卡",
            "Your bank card",
            "提取金额转入此账户，须为本人实名账户。",
            "The amount is paid into this account, which must be in your own name.",
            required=False,
        ),
    ),
    form=Form(
        steps=(
            Step("applicant", t("缴存职工", "Account holder"), (_own_name(), _own_resident_id(), CONTACT_PHONE)),
            Step(
                "withdrawal",
                t("提取事项", "Withdrawal"),
                (
                    choice_field(
                        "reason",
                        t("提取原因", "Reason"),
                        WITHDRAWAL_REASONS,
                        widget="radio",
                    ),
                    text_field(
                        "property_address",
                        t("住房地址", "Address of the home"),
                        max_length=200,
                        visible_if={"field": "reason", "in": ["purchase", "rent"]},
                    ),
                    integer_field(
                        "amount_yuan",
                        t("提取金额（元）", "Amount (yuan)"),
                        minimum=1,
                        maximum=10_000_000,
                        help=t(
                            "不超过账户余额；租房提取不超过实际房租。",
                            "Up to the balance; for rent, up to the rent paid.",
                        ),
                    ),
                    BANK_ACCOUNT,
                ),
            ),
        ),
    ),
)

CITY_RESIDENCE_PERMIT = ServiceData(
    code="city-residence-permit",
    agency="public-security",
    area="licences",
    topics=("residence",),
    name_zh="居住证申领（外省市来本市居住人员）",
    name_en="City residence permit (residence permit for citizens registered in another province)",
    summary_zh=(
        "公民离开常住户口所在地，到本市居住半年以上，符合有合法稳定就业、合法稳定住所、连续就读条件之一的，可以申领居住证。"
        "居住证持有人在本市享有义务教育、基本公共就业服务、基本医疗卫生服务等基本公共服务和便利。"
    ),
    summary_en=(
        "A Chinese citizen whose household registration (hukou) is in another province, who has lived in the city "
        "for six months and has a steady job, a steady home or a school place here, can apply for a city residence "
        "permit. It gives access to compulsory schooling, public employment services, basic health care and other "
        "public services in the city."
    ),
    eligibility_zh="户籍不在本市、在本市居住半年以上的中国公民本人（未满16周岁的，由监护人代为申领）。",
    eligibility_en=(
        "A Chinese citizen registered in another province who has lived in the city for at least six months; you "
        "apply yourself (a guardian applies for a child under 16)."
    ),
    conditions_zh=(
        "1. 已在居住地办理居住登记满半年；\n"
        "2. 有合法稳定就业、合法稳定住所、连续就读三项条件之一；\n"
        "3. 居住证有效期一年，期满前三十日内办理签注。"
    ),
    conditions_en=(
        "1. You registered your address in the city at least six months ago.\n"
        "2. You have a steady job, a steady home or a school place in the city.\n"
        "3. The permit is valid for one year; renew it in the 30 days before it expires."
    ),
    legal_basis_zh="《居住证暂行条例》第二条、第九条、第十一条",
    legal_basis_en="Interim Regulations on Residence Permits, Articles 2, 9 and 11",
    applicants="person",
    for_foreigners=False,
    workflow="review",
    statutory_limit_workdays=15,
    promised_limit_workdays=10,
    channel="both",
    fully_online=False,
    fee_zh="首次申领不收费",
    fee_en="Free of charge for the first permit",
    materials=(
        MaterialData(
            "residence-proof",
            "合法稳定住所证明",
            "Proof of your home in the city",
            "房屋租赁合同、房屋产权证明或者单位宿舍证明。",
            "The tenancy agreement, the title deed, or your employer's or school's proof of housing.",
        ),
        MaterialData(
            "job-or-study-proof",
            "就业或者就读证明",
            "Proof of your job or school place",
            "劳动合同、营业执照或者学校出具的在读证明；以住所申领的可不提供。",
            "The employment contract, a business licence, or the school's certificate; not needed if you apply on "
            "the ground of your home.",
            required=False,
        ),
        MaterialData(
            "photo",
            "证件照片",
            "Photo",
            "近6个月内正面免冠彩色照片，白色背景；领证时本人到场采集指纹。",
            "A colour photo taken within the last 6 months, white background; you give fingerprints in person "
            "when you collect the permit.",
        ),
    ),
    form=Form(
        steps=(
            Step(
                "applicant",
                t("申请人", "Applicant"),
                (
                    _own_name(),
                    _own_resident_id(),
                    text_field(
                        "hukou_place",
                        t("户籍所在地", "Where your household is registered"),
                        max_length=200,
                        help=t("按户口簿填写省、市、县。", "Province, city and county, as in your household register."),
                    ),
                    CONTACT_PHONE,
                ),
            ),
            Step(
                "residence",
                t("在本市居住情况", "Living in the city"),
                (
                    text_field("address", t("在本市居住地址", "Home address in the city"), max_length=200),
                    choice_field("district", t("居住地所在区", "District"), DISTRICT_CHOICES),
                    date_field(
                        "living_since",
                        t("来本市居住日期", "Living in the city since"),
                        dates="past",
                        help=t("居住登记的日期。", "The date you registered your address."),
                    ),
                    choice_field(
                        "ground",
                        t("申领条件", "You apply on the ground of"),
                        {
                            "job": t("合法稳定就业", "A steady job"),
                            "home": t("合法稳定住所", "A steady home"),
                            "study": t("连续就读", "A school place"),
                        },
                        widget="radio",
                    ),
                    text_field(
                        "employer_or_school",
                        t("工作单位或者就读学校", "Employer or school"),
                        max_length=200,
                        visible_if={"field": "ground", "in": ["job", "study"]},
                    ),
                ),
            ),
        ),
    ),
)

COMPANY_TYPES = {
    "limited_company": t("有限责任公司", "Limited liability company"),
    "joint_stock": t("股份有限公司", "Joint stock company"),
}

COMPANY_ESTABLISHMENT = ServiceData(
    code="company-establishment",
    agency="market-regulation",
    area="licences",
    topics=("business",),
    name_zh="企业设立登记（营业执照）",
    name_en="Company establishment registration (business licence)",
    summary_zh=(
        "设立公司，应当向登记机关申请设立登记。申请材料齐全、符合法定形式的，登记机关予以登记，核发营业执照（电子营业执照），"
        "并赋予统一社会信用代码。营业执照签发日期为公司成立日期。"
    ),
    summary_en=(
        "Register a new company. When the application is complete and in the legal form, the company is "
        "registered, given its unified social credit code (USCC), and issued its business licence as an "
        "e-certificate. The company exists from the day the licence is issued."
    ),
    eligibility_zh="拟设立公司的法定代表人本人申请（公司成立前不能以公司名义办理）。",
    eligibility_en=(
        "The person who will be the company's legal representative applies in their own name (the company cannot "
        "apply before it exists)."
    ),
    conditions_zh=(
        "1. 企业名称符合《企业名称登记管理规定》，不与同行业已登记名称相同；\n"
        "2. 有符合公司章程规定的全体股东认缴的出资额；\n"
        "3. 有公司住所；\n"
        "4. 法定代表人不属于《市场主体登记管理条例》第十二条规定的不得担任的情形。"
    ),
    conditions_en=(
        "1. The company name follows the Provisions on the Administration of Enterprise Name Registration and is "
        "not taken in the same trade.\n"
        "2. The capital subscribed by all shareholders is as the articles of association say.\n"
        "3. The company has a registered address.\n"
        "4. The legal representative is not barred by Article 12 of the Regulations on the Registration of "
        "Market Entities."
    ),
    legal_basis_zh="《中华人民共和国公司法》第二十九条、第三十三条\n《中华人民共和国市场主体登记管理条例》第十九条、第二十一条",
    legal_basis_en=(
        "Company Law of the People's Republic of China, Articles 29 and 33\n"
        "Regulations of the People's Republic of China on the Registration of Market Entities, Articles 19 and 21"
    ),
    applicants="person",
    for_foreigners=False,
    workflow="review",
    statutory_limit_workdays=3,
    promised_limit_workdays=1,
    channel="both",
    fully_online=True,
    materials=(
        MaterialData(
            "articles",
            "公司章程",
            "Articles of association",
            "全体股东签署。",
            "Signed by every shareholder.",
        ),
        MaterialData(
            "shareholders",
            "股东主体资格证明",
            "Proof of who the shareholders are",
            "自然人股东的身份证件，法人股东的营业执照。",
            "The ID of each individual shareholder; the business licence of each corporate shareholder.",
        ),
        MaterialData(
            "address-proof",
            "住所使用证明",
            "Proof of the registered address",
            "房屋产权证明或者租赁合同。",
            "The title deed or the tenancy agreement.",
        ),
    ),
    form=Form(
        steps=(
            Step(
                "representative",
                t("法定代表人", "Legal representative"),
                (_own_name(), _own_resident_id(), CONTACT_PHONE),
            ),
            Step(
                "company",
                t("拟设立公司", "The new company"),
                (
                    text_field(
                        "company_name",
                        t("企业名称", "Company name"),
                        max_length=200,
                        help=t(
                            "行政区划＋字号＋行业＋组织形式，如“上海某某科技有限公司”。",
                            "Place + trade name + trade + legal form, e.g. 上海某某科技有限公司.",
                        ),
                    ),
                    choice_field("company_type", t("企业类型", "Legal form"), COMPANY_TYPES, widget="radio"),
                    integer_field(
                        "registered_capital",
                        t("注册资本（万元）", "Registered capital (10,000 yuan)"),
                        minimum=1,
                        maximum=100_000_000,
                        help=t(
                            "全体股东认缴的出资额，须在五年内缴足。",
                            "Subscribed by all shareholders; to be paid in within five years.",
                        ),
                    ),
                    text_field("address", t("住所", "Registered address"), max_length=200),
                    choice_field("district", t("住所所在区", "District"), DISTRICT_CHOICES),
                    multiline_field(
                        "business_scope",
                        t("经营范围", "Business scope"),
                        max_length=1000,
                        help=t("按经营范围规范表述目录填写。", "Use the wording of the official business-scope list."),
                    ),
                    integer_field("shareholder_count", t("股东人数", "Number of shareholders"), minimum=1, maximum=200),
                ),
            ),
        ),
    ),
)

SERVICES = (HOUSING_FUND_WITHDRAWAL, CITY_RESIDENCE_PERMIT, COMPANY_ESTABLISHMENT)
