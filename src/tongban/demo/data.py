"""The demo city's data, as plain values: agencies, centres, people, the firm, staff."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "Tongban-Demo-2026"


@dataclass(frozen=True)
class AgencyData:
    code: str
    name_zh: str
    name_en: str
    head_zh: str
    head_en: str
    phone: str
    address_zh: str
    address_en: str


AGENCIES = (
    AgencyData(
        "market-regulation",
        "市场监督管理局",
        "Administration for Market Regulation",
        "张建国",
        "ZHANG Jianguo",
        "021-64220000",
        "肇嘉浜路301号",
        "301 Zhaojiabang Road",
    ),
    AgencyData(
        "hrss",
        "人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        "陈丽华",
        "CHEN Lihua",
        "021-12333",
        "中山南一路555号",
        "555 Zhongshan South 1st Road",
    ),
    AgencyData(
        "science-tech",
        "科学技术委员会（外国人工作许可）",
        "Science and Technology Commission (Foreigners' Work Permits)",
        "刘振宇",
        "LIU Zhenyu",
        "021-23111111",
        "钦州路100号",
        "100 Qinzhou Road",
    ),
    AgencyData(
        "exit-entry",
        "公安局出入境管理局",
        "Public Security Bureau, Exit-Entry Administration",
        "王海涛",
        "WANG Haitao",
        "021-28951900",
        "民生路1500号",
        "1500 Minsheng Road",
    ),
    AgencyData(
        "taxation", "税务局", "Tax Service", "李国平", "LI Guoping", "021-12366", "东长治路1号", "1 Dongchangzhi Road"
    ),
    AgencyData(
        "housing-fund",
        "住房公积金管理中心",
        "Housing Provident Fund Management Centre",
        "钱卫东",
        "QIAN Weidong",
        "021-12329",
        "浙江中路400号",
        "400 Zhejiang Middle Road",
    ),
    AgencyData(
        "public-security",
        "公安局（人口管理）",
        "Public Security Bureau (Population Administration)",
        "何志刚",
        "HE Zhigang",
        "021-24024000",
        "福州路185号",
        "185 Fuzhou Road",
    ),
    AgencyData(
        "big-data",
        "大数据中心",
        "Big Data Centre",
        "高明",
        "GAO Ming",
        "021-12345",
        "长宁路1号",
        "1 Changning Road",
    ),
)


DISTRICTS = {"310101": ("黄浦区", "Huangpu"), "310104": ("徐汇区", "Xuhui"), "310115": ("浦东新区", "Pudong")}
#: District offices per agency (every agency also has its city-level office).
DISTRICT_OFFICES = {
    "market-regulation": ("310101", "310104", "310115"),
    "hrss": ("310104", "310115"),
    "taxation": ("310115",),
}


@dataclass(frozen=True)
class CentreData:
    code: str
    name_zh: str
    name_en: str
    address_zh: str
    address_en: str
    phone: str
    district: str
    accessibility_zh: str = ""
    accessibility_en: str = ""
    level: str = "district"  # identity.models.CentreLevel


CENTRES = (
    CentreData(
        "city-centre",
        "市民服务中心",
        "City Citizens' Service Centre",
        "徐汇区漕溪北路18号",
        "18 Caoxi North Road, Xuhui District",
        "021-12345",
        "310104",
        "无障碍入口在北门，设有无障碍电梯和卫生间；可预约手语翻译。",
        "Step-free entrance at the north gate, lift and accessible toilets; sign-language interpreting on request.",
        level="city",
    ),
    CentreData(
        "pudong",
        "浦东新区企业服务中心",
        "Pudong Enterprise Service Centre",
        "浦东新区合欢路2号",
        "2 Hehuan Road, Pudong New Area",
        "021-68541234",
        "310115",
    ),
    CentreData(
        "international",
        "国际人才服务中心",
        "International Talent Service Centre",
        "浦东新区张杨路1号",
        "1 Zhangyang Road, Pudong New Area",
        "021-50501234",
        "310115",
        "全层无障碍，设有无障碍卫生间。",
        "Step-free throughout, with an accessible toilet.",
        level="city",
    ),
    CentreData(
        "xuhui-tianping",
        "徐汇区天平街道社区事务受理服务中心",
        "Tianping Community Affairs Centre, Xuhui",
        "徐汇区天平路233号",
        "233 Tianping Road, Xuhui District",
        "021-64331234",
        "310104",
        level="community",
    ),
    CentreData(
        "pudong-lujiazui",
        "浦东新区陆家嘴街道社区事务受理服务中心",
        "Lujiazui Community Affairs Centre, Pudong",
        "浦东新区东昌路568号",
        "568 Dongchang Road, Pudong New Area",
        "021-58821234",
        "310115",
        level="community",
    ),
)


@dataclass(frozen=True)
class PersonData:
    username: str
    id_type: str  # resident_id (17 digits given, check digit computed) or passport
    id_number: str
    name: str
    latin_name: str
    nationality: str
    email: str
    description_en: str


RESIDENT = PersonData(
    "wang.fang", "resident_id", "31010419900307124", "王芳", "", "CN", "wang.fang@example.cn", "a Chinese resident"
)
LEGAL_REP = PersonData(
    "chen.wei",
    "resident_id",
    "31010419780615003",
    "陈伟",
    "",
    "CN",
    "chen.wei@rhein-precision.example",
    "legal representative of Rhein Precision (Shanghai)",
)
HR_MANAGER = PersonData(
    "emma.schmidt",
    "passport",
    "C4J7KX2M9",
    "",
    "SCHMIDT Emma",
    "DE",
    "emma.schmidt@rhein-precision.example",
    "foreign HR manager (powers: foreign staff, social security)",
)
ENGINEER = PersonData(
    "lucas.martin",
    "passport",
    "19FR83472",
    "",
    "MARTIN Lucas",
    "FR",
    "lucas.martin@example.fr",
    "foreign engineer the firm is about to hire",
)
PEOPLE = (RESIDENT, LEGAL_REP, HR_MANAGER, ENGINEER)

FIRM_USCC_BASE = "91310115MA1H7XY10"  # check character computed
FIRM_NAME_ZH = "莱茵精密机械（上海）有限公司"
FIRM_NAME_EN = "Rhein Precision Machinery (Shanghai) Co., Ltd."
HR_POWERS = ("foreign_staff", "social_security")


@dataclass(frozen=True)
class StaffData:
    username: str
    display_name: str
    role: str
    agency: str = ""
    centre: str = ""
    district: str = ""  # an officer's office: "" is the city office


STAFF = (
    StaffData("officer.market", "李娜 LI Na", "officer", agency="market-regulation", district="310115"),
    StaffData("officer.hrss", "刘洋 LIU Yang", "officer", agency="hrss"),
    StaffData("admin.hrss", "陈静 CHEN Jing", "agency_admin", agency="hrss"),
    StaffData("officer.science", "赵敏 ZHAO Min", "officer", agency="science-tech"),
    StaffData("supervisor.science", "黄志强 HUANG Zhiqiang", "supervisor", agency="science-tech"),
    StaffData("officer.exitentry", "孙磊 SUN Lei", "officer", agency="exit-entry"),
    StaffData("officer.tax", "周婷 ZHOU Ting", "officer", agency="taxation"),
    StaffData("officer.housingfund", "许强 XU Qiang", "officer", agency="housing-fund"),
    StaffData("officer.police", "马丽 MA Li", "officer", agency="public-security"),
    StaffData("officer.registration", "杨帆 YANG Fan", "officer", agency="market-regulation"),
    StaffData("clerk.citycentre", "吴静 WU Jing", "clerk", centre="city-centre"),
    StaffData("operator.city", "郑浩 ZHENG Hao", "city_operator"),
)
