"""国家职称系列目录数据（纯数据，无 I/O）：migration 0012 载入数据库时的目录。

Since issue 12 the catalogue lives in the database and the province admin maintains it
through the API (`resolvers.catalog`); migration 0012 loaded exactly this list (it carries
its own copy, so editing this module changes no database). This module remains the
catalogue of a process that has not loaded one (`rules.catalog.current()`: pure tests,
tools) and the test suite's reference for what 0012 loads. Do not edit it to change the
catalogue: add or retire entries through the API.

The national professional-title series (人社部职称系列) with the levels each series
really has, the real Chinese title names per level, and a list of 现从事专业 per
series.  Notes on scope:

* 律师 and 公证员 are kept as two series (nationally they sit under
  公共法律服务专业人员); 群众文化 is kept as its own series as in Shandong.
* A series with a single 初级 level (研究、高校、会计 …) files it under 助理级;
  员级 exists only where a 员级 title really exists (技术员、三级教师 …).
* 船舶 and 民用航空飞行技术 have no 正高级 here: no national 正高级 title.

Codes are written as slugs and prefixed with the series code by ``_series`` so a
title code is always ``SERIES.SLUG`` (e.g. ``HEALTH.CHIEF_NURSE``).

Every title says which specialties it offers (the cascade's third step, 手册 1.2 图1-8).
A series whose levels have one title each passes ``offers=SERIES_WIDE``: its titles have
no narrower list than the series'.  A series with parallel tracks per level (卫生: 医、药、
护、技; 农业: 农艺、畜牧、兽医; 艺术; 船舶; 民航; 职业院校的讲师与实习指导教师) maps every
title slug to its track's specialties, or to ``SERIES_WIDE`` where one title serves all
tracks (农业的技术员).  ``_series`` refuses a title left unmapped, an unknown specialty
slug and a specialty no title offers, so the data cannot drift into "implied".

``EXCEPTIONAL_CONDITIONS`` are the 破格条件 an applicant chooses from when declaring
破格 (手册 1.2: 破格情况“可选择”), with free-text detail beside them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rules.catalog import (
    SERIES_WIDE,
    ExceptionalCondition,
    Level,
    Series,
    Specialty,
    SpecialtyScope,
    Title,
    TitleLevel,
)

__all__ = ["CATALOG", "EXCEPTIONAL_CONDITIONS"]

# 级别简写，便于对照人社部文件阅读。
_ZG = TitleLevel.SENIOR  # 正高级
_FG = TitleLevel.ASSOCIATE_SENIOR  # 副高级
_ZJ = TitleLevel.INTERMEDIATE  # 中级
_ZL = TitleLevel.ASSISTANT  # 助理级
_YJ = TitleLevel.JUNIOR  # 员级

_ORDER = (_ZG, _FG, _ZJ, _ZL, _YJ)

_Pairs = Sequence[tuple[str, str]]  # (slug, 中文名称)
_Offer = Sequence[str] | SpecialtyScope  # specialty slugs of a title, or SERIES_WIDE


def _series(
    code: str,
    name: str,
    levels: Mapping[TitleLevel, _Pairs],
    specialties: _Pairs,
    offers: _Tracks | SpecialtyScope,
) -> Series:
    """Build a Series, prefixing every title/specialty slug with the series code.

    ``offers`` says which specialties each title offers: by track, or SERIES_WIDE for every
    title (see the module's docstring);
    anything left implicit or inconsistent is a ValueError at import."""
    specialty_slugs = [slug for slug, _ in specialties]
    title_slugs = [slug for lv in _ORDER for slug, _ in levels.get(lv, ())]
    if isinstance(offers, SpecialtyScope):
        per_title: dict[str, _Offer] = {slug: offers for slug in title_slugs}
    else:
        per_title = offers.resolve(title_slugs)
    offered: set[str] = set()
    for slug, offer in per_title.items():
        chosen = specialty_slugs if isinstance(offer, SpecialtyScope) else list(offer)
        if not chosen or set(chosen) - set(specialty_slugs):
            raise ValueError(f"{code}.{slug}: empty or unknown specialties {sorted(set(chosen) - set(specialty_slugs))}")
        offered |= set(chosen)
    if offered != set(specialty_slugs):
        raise ValueError(f"{code}: specialties no title offers {sorted(set(specialty_slugs) - offered)}")

    def codes(offer: _Offer) -> tuple[str, ...] | SpecialtyScope:
        if isinstance(offer, SpecialtyScope):
            return offer
        return tuple(f"{code}.{slug}" for slug in offer)

    return Series(
        code=code,
        name=name,
        levels=tuple(
            Level(lv, tuple(Title(f"{code}.{slug}", title, codes(per_title[slug])) for slug, title in levels[lv]))
            for lv in _ORDER
            if lv in levels
        ),
        specialties=tuple(Specialty(f"{code}.{slug}", spec) for slug, spec in specialties),
    )


@dataclass(frozen=True)
class _Tracks:
    """Offers of a series with parallel tracks: a title takes the offer of the track whose
    key its slug is or ends with (``ASSOCIATE_CHIEF_NURSE`` → ``NURSE``; longer keys are
    tried first), unless ``exact`` names the slug itself (护师 offers only 护理学)."""

    by_suffix: Mapping[str, _Offer]
    exact: Mapping[str, _Offer] = field(default_factory=dict)

    def resolve(self, title_slugs: Sequence[str]) -> dict[str, _Offer]:
        keys = sorted(self.by_suffix, key=len, reverse=True)
        result: dict[str, _Offer] = {}
        for slug in title_slugs:
            if slug in self.exact:
                result[slug] = self.exact[slug]
                continue
            key = next((k for k in keys if slug == k or slug.endswith("_" + k)), None)
            if key is None:
                raise ValueError(f"title {slug} matches no track of {sorted(self.by_suffix)}")
            result[slug] = self.by_suffix[key]
        return result


# 研究系列（哲学社会科学、自然科学）共用的职称名称。
_RESEARCH_TITLES: dict[TitleLevel, _Pairs] = {
    _ZG: [("RESEARCHER", "研究员")],
    _FG: [("ASSOCIATE_RESEARCHER", "副研究员")],
    _ZJ: [("ASSISTANT_RESEARCHER", "助理研究员")],
    _ZL: [("RESEARCH_INTERN", "研究实习员")],
}

# 教师“讲师/实习指导教师”双序列：技工院校、中等职业学校共用。
_VOCATIONAL_TEACHER_TITLES: dict[TitleLevel, _Pairs] = {
    _ZG: [
        ("FULL_SENIOR_LECTURER", "正高级讲师"),
        ("FULL_SENIOR_PRACTICUM_INSTRUCTOR", "正高级实习指导教师"),
    ],
    _FG: [
        ("SENIOR_LECTURER", "高级讲师"),
        ("SENIOR_PRACTICUM_INSTRUCTOR", "高级实习指导教师"),
    ],
    _ZJ: [
        ("LECTURER", "讲师"),
        ("FIRST_CLASS_PRACTICUM_INSTRUCTOR", "一级实习指导教师"),
    ],
    _ZL: [
        ("ASSISTANT_LECTURER", "助理讲师"),
        ("SECOND_CLASS_PRACTICUM_INSTRUCTOR", "二级实习指导教师"),
    ],
    _YJ: [("THIRD_CLASS_PRACTICUM_INSTRUCTOR", "三级实习指导教师")],
}

# 卫生系列每级分医、药、护、技四条序列。
_HEALTH_TITLES: dict[TitleLevel, _Pairs] = {
    # 每级分医、药、护、技四条序列。
    _ZG: [
        ("CHIEF_PHYSICIAN", "主任医师"),
        ("CHIEF_PHARMACIST", "主任药师"),
        ("CHIEF_NURSE", "主任护师"),
        ("CHIEF_TECHNOLOGIST", "主任技师"),
    ],
    _FG: [
        ("ASSOCIATE_CHIEF_PHYSICIAN", "副主任医师"),
        ("ASSOCIATE_CHIEF_PHARMACIST", "副主任药师"),
        ("ASSOCIATE_CHIEF_NURSE", "副主任护师"),
        ("ASSOCIATE_CHIEF_TECHNOLOGIST", "副主任技师"),
    ],
    _ZJ: [
        ("ATTENDING_PHYSICIAN", "主治医师"),
        ("SUPERVISING_PHARMACIST", "主管药师"),
        ("SUPERVISING_NURSE", "主管护师"),
        ("SUPERVISING_TECHNOLOGIST", "主管技师"),
    ],
    _ZL: [
        ("PHYSICIAN", "医师"),
        ("PHARMACIST", "药师"),
        ("NURSE", "护师"),
        ("TECHNOLOGIST", "技师"),
    ],
    _YJ: [
        ("JUNIOR_PHYSICIAN", "医士"),
        ("JUNIOR_PHARMACIST", "药士"),
        ("JUNIOR_NURSE", "护士"),
        ("JUNIOR_TECHNOLOGIST", "技士"),
    ],
}

_PHYSICIAN_SPECIALTIES = (
    "INTERNAL_MEDICINE", "SURGERY", "OBSTETRICS_GYNECOLOGY", "PEDIATRICS", "OPHTHALMOLOGY", "OTOLARYNGOLOGY",
    "STOMATOLOGY", "DERMATOLOGY", "PSYCHIATRY", "EMERGENCY_MEDICINE", "ANESTHESIOLOGY", "REHABILITATION_MEDICINE",
    "GENERAL_PRACTICE", "TCM", "INTEGRATED_MEDICINE", "MEDICAL_IMAGING", "ULTRASOUND", "PATHOLOGY", "PUBLIC_HEALTH",
)
_NURSING_SPECIALTIES = (
    "NURSING", "INTERNAL_MEDICINE_NURSING", "SURGICAL_NURSING", "OBSTETRIC_GYNECOLOGICAL_NURSING",
    "PEDIATRIC_NURSING", "COMMUNITY_NURSING",
)
_TECHNOLOGIST_SPECIALTIES = (
    "LABORATORY_MEDICINE", "RADIOLOGY_TECHNOLOGY", "REHABILITATION_THERAPY", "PATHOLOGY_TECHNOLOGY",
    "NUCLEAR_MEDICINE_TECHNOLOGY", "TRANSFUSION_TECHNOLOGY", "ELECTROCARDIOGRAPHY_TECHNOLOGY", "DENTAL_TECHNOLOGY",
)


CATALOG: tuple[Series, ...] = (
    # ------------------------------------------------------------------ 工程
    _series(
        "ENGINEERING",
        "工程技术人员",
        {
            _ZG: [("FULL_SENIOR_ENGINEER", "正高级工程师")],
            _FG: [("SENIOR_ENGINEER", "高级工程师")],
            _ZJ: [("ENGINEER", "工程师")],
            _ZL: [("ASSISTANT_ENGINEER", "助理工程师")],
            _YJ: [("TECHNICIAN", "技术员")],
        },
        [
            ("CIVIL", "土木建筑"),
            ("ARCHITECTURAL_DESIGN", "建筑设计"),
            ("URBAN_RURAL_PLANNING", "城乡规划"),
            ("CONSTRUCTION_MANAGEMENT", "工程管理"),
            ("MECHANICAL", "机械"),
            ("ELECTRICAL", "电气"),
            ("POWER", "电力"),
            ("ELECTRONICS", "电子信息"),
            ("COMPUTER", "计算机"),
            ("TELECOM", "通信"),
            ("AUTOMATION", "自动化"),
            ("CHEMICAL", "化工"),
            ("METALLURGY", "冶金"),
            ("MATERIALS", "材料"),
            ("TEXTILE", "纺织"),
            ("LIGHT_INDUSTRY", "轻工"),
            ("FOOD", "食品"),
            ("ENVIRONMENTAL", "环境保护"),
            ("WATER_CONSERVANCY", "水利"),
            ("TRANSPORTATION", "交通运输"),
            ("SURVEYING", "测绘"),
            ("GEOLOGY_MINERALS", "地质矿产"),
            ("PETROLEUM", "石油天然气"),
            ("SAFETY", "安全工程"),
            ("NAVAL_OCEAN", "船舶与海洋工程"),
            ("AEROSPACE", "航空航天"),
            ("QUALITY", "质量技术监督"),
            ("FORESTRY", "林业"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 卫生
    _series(
        "HEALTH",
        "卫生技术人员",
        _HEALTH_TITLES,
        [
            ("INTERNAL_MEDICINE", "内科学"),
            ("SURGERY", "外科学"),
            ("OBSTETRICS_GYNECOLOGY", "妇产科学"),
            ("PEDIATRICS", "儿科学"),
            ("OPHTHALMOLOGY", "眼科学"),
            ("OTOLARYNGOLOGY", "耳鼻咽喉科学"),
            ("STOMATOLOGY", "口腔医学"),
            ("DERMATOLOGY", "皮肤与性病学"),
            ("PSYCHIATRY", "精神病学"),
            ("EMERGENCY_MEDICINE", "急诊医学"),
            ("ANESTHESIOLOGY", "麻醉学"),
            ("REHABILITATION_MEDICINE", "康复医学"),
            ("GENERAL_PRACTICE", "全科医学"),
            ("TCM", "中医学"),
            ("INTEGRATED_MEDICINE", "中西医结合"),
            ("MEDICAL_IMAGING", "医学影像学"),
            ("ULTRASOUND", "超声医学"),
            ("PATHOLOGY", "病理学"),
            ("PUBLIC_HEALTH", "预防医学（公共卫生）"),
            ("NURSING", "护理学"),
            ("PHARMACY", "药学"),
            ("TCM_PHARMACY", "中药学"),
            ("LABORATORY_MEDICINE", "医学检验"),
            ("RADIOLOGY_TECHNOLOGY", "放射医学技术"),
            ("REHABILITATION_THERAPY", "康复医学治疗技术"),
            ("INTERNAL_MEDICINE_NURSING", "内科护理"),
            ("SURGICAL_NURSING", "外科护理"),
            ("OBSTETRIC_GYNECOLOGICAL_NURSING", "妇产科护理"),
            ("PEDIATRIC_NURSING", "儿科护理"),
            ("COMMUNITY_NURSING", "社区护理"),
            ("CLINICAL_PHARMACY", "临床药学"),
            ("PATHOLOGY_TECHNOLOGY", "病理学技术"),
            ("NUCLEAR_MEDICINE_TECHNOLOGY", "核医学技术"),
            ("TRANSFUSION_TECHNOLOGY", "输血技术"),
            ("ELECTROCARDIOGRAPHY_TECHNOLOGY", "心电学技术"),
            ("DENTAL_TECHNOLOGY", "口腔医学技术"),
        ],
        # 医、药、护、技各有其专业（卫生专业技术资格的专业设置）；护士、护师只设护理学，
        # 主管护师及以上再分专科护理。
        _Tracks(
            {
                "PHYSICIAN": _PHYSICIAN_SPECIALTIES,
                "PHARMACIST": ("PHARMACY", "TCM_PHARMACY", "CLINICAL_PHARMACY"),
                "NURSE": _NURSING_SPECIALTIES,
                "TECHNOLOGIST": _TECHNOLOGIST_SPECIALTIES,
            },
            exact={"NURSE": ("NURSING",), "JUNIOR_NURSE": ("NURSING",)},
        ),
    ),
    # ------------------------------------------------------------------ 高等学校教师
    _series(
        "HIGHER_EDUCATION",
        "高等学校教师",
        {
            _ZG: [("PROFESSOR", "教授")],
            _FG: [("ASSOCIATE_PROFESSOR", "副教授")],
            _ZJ: [("LECTURER", "讲师")],
            _ZL: [("TEACHING_ASSISTANT", "助教")],
        },
        [  # 按学科门类
            ("PHILOSOPHY", "哲学"),
            ("ECONOMICS", "经济学"),
            ("LAW", "法学"),
            ("EDUCATION", "教育学"),
            ("LITERATURE", "文学"),
            ("HISTORY", "历史学"),
            ("SCIENCE", "理学"),
            ("ENGINEERING", "工学"),
            ("AGRONOMY", "农学"),
            ("MEDICINE", "医学"),
            ("MILITARY_SCIENCE", "军事学"),
            ("MANAGEMENT", "管理学"),
            ("ARTS", "艺术学"),
            ("INTERDISCIPLINARY", "交叉学科"),
            ("IDEOLOGICAL_POLITICAL", "思想政治教育"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 中小学教师
    _series(
        "PRIMARY_SECONDARY_EDUCATION",
        "中小学教师",
        {
            _ZG: [("FULL_SENIOR_TEACHER", "正高级教师")],
            _FG: [("SENIOR_TEACHER", "高级教师")],
            _ZJ: [("FIRST_CLASS_TEACHER", "一级教师")],
            _ZL: [("SECOND_CLASS_TEACHER", "二级教师")],
            _YJ: [("THIRD_CLASS_TEACHER", "三级教师")],
        },
        [  # 按任教学科；本系列含幼儿园教师
            ("CHINESE", "语文"),
            ("MATHEMATICS", "数学"),
            ("ENGLISH", "英语"),
            ("MORALITY_LAW", "道德与法治（思想政治）"),
            ("HISTORY", "历史"),
            ("GEOGRAPHY", "地理"),
            ("PHYSICS", "物理"),
            ("CHEMISTRY", "化学"),
            ("BIOLOGY", "生物"),
            ("SCIENCE", "科学"),
            ("INFORMATION_TECHNOLOGY", "信息技术"),
            ("GENERAL_TECHNOLOGY", "通用技术"),
            ("MUSIC", "音乐"),
            ("FINE_ARTS", "美术"),
            ("PHYSICAL_EDUCATION", "体育与健康"),
            ("LABOR", "劳动"),
            ("COMPREHENSIVE_PRACTICE", "综合实践活动"),
            ("MENTAL_HEALTH", "心理健康教育"),
            ("PRESCHOOL", "学前教育"),
            ("SPECIAL_EDUCATION", "特殊教育"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 经济
    _series(
        "ECONOMICS",
        "经济专业人员",
        {
            _ZG: [("FULL_SENIOR_ECONOMIST", "正高级经济师")],
            _FG: [("SENIOR_ECONOMIST", "高级经济师")],
            _ZJ: [("ECONOMIST", "经济师")],
            _ZL: [("ASSISTANT_ECONOMIST", "助理经济师")],
        },
        [  # 经济专业技术资格考试专业设置
            ("BUSINESS_ADMINISTRATION", "工商管理"),
            ("AGRICULTURAL_ECONOMICS", "农业经济"),
            ("FISCAL_TAXATION", "财政税收"),
            ("FINANCE", "金融"),
            ("INSURANCE", "保险"),
            ("TRANSPORT_ECONOMICS", "运输经济"),
            ("HUMAN_RESOURCES", "人力资源管理"),
            ("TOURISM_ECONOMICS", "旅游经济"),
            ("CONSTRUCTION_REAL_ESTATE", "建筑与房地产经济"),
            ("INTELLECTUAL_PROPERTY", "知识产权"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 会计
    _series(
        "ACCOUNTING",
        "会计人员",
        {
            _ZG: [("FULL_SENIOR_ACCOUNTANT", "正高级会计师")],
            _FG: [("SENIOR_ACCOUNTANT", "高级会计师")],
            _ZJ: [("ACCOUNTANT", "会计师")],
            _ZL: [("ASSISTANT_ACCOUNTANT", "助理会计师")],
        },
        [
            ("ENTERPRISE_ACCOUNTING", "企业会计"),
            ("PUBLIC_SECTOR_ACCOUNTING", "行政事业单位会计"),
            ("FINANCIAL_INSTITUTION_ACCOUNTING", "金融企业会计"),
            ("MANAGEMENT_ACCOUNTING", "管理会计"),
            ("FINANCIAL_MANAGEMENT", "财务管理"),
            ("COST_ACCOUNTING", "成本会计"),
            ("TAX_ACCOUNTING", "税务会计"),
            ("BUDGET_MANAGEMENT", "预算管理"),
            ("INTERNAL_CONTROL", "内部控制"),
            ("ACCOUNTING_INFORMATIZATION", "会计信息化"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 统计
    _series(
        "STATISTICS",
        "统计专业人员",
        {
            _ZG: [("FULL_SENIOR_STATISTICIAN", "正高级统计师")],
            _FG: [("SENIOR_STATISTICIAN", "高级统计师")],
            _ZJ: [("STATISTICIAN", "统计师")],
            _ZL: [("ASSISTANT_STATISTICIAN", "助理统计师")],
        },
        [
            ("STATISTICAL_SURVEY", "统计调查"),
            ("STATISTICAL_ANALYSIS", "统计分析"),
            ("NATIONAL_ACCOUNTS", "国民经济核算"),
            ("STATISTICAL_DATA_MANAGEMENT", "统计数据管理"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 农业
    _series(
        "AGRICULTURE",
        "农业技术人员",
        {
            # 农艺师、畜牧师、兽医师三条序列，员级统一为技术员。
            _ZG: [
                ("FULL_SENIOR_AGRONOMIST", "正高级农艺师"),
                ("FULL_SENIOR_ANIMAL_HUSBANDRY_SPECIALIST", "正高级畜牧师"),
                ("FULL_SENIOR_VETERINARIAN", "正高级兽医师"),
            ],
            _FG: [
                ("SENIOR_AGRONOMIST", "高级农艺师"),
                ("SENIOR_ANIMAL_HUSBANDRY_SPECIALIST", "高级畜牧师"),
                ("SENIOR_VETERINARIAN", "高级兽医师"),
            ],
            _ZJ: [
                ("AGRONOMIST", "农艺师"),
                ("ANIMAL_HUSBANDRY_SPECIALIST", "畜牧师"),
                ("VETERINARIAN", "兽医师"),
            ],
            _ZL: [
                ("ASSISTANT_AGRONOMIST", "助理农艺师"),
                ("ASSISTANT_ANIMAL_HUSBANDRY_SPECIALIST", "助理畜牧师"),
                ("ASSISTANT_VETERINARIAN", "助理兽医师"),
            ],
            _YJ: [("TECHNICIAN", "技术员")],
        },
        [
            ("CROP_CULTIVATION", "作物栽培"),
            ("HORTICULTURE", "园艺"),
            ("PLANT_PROTECTION", "植物保护"),
            ("SOIL_FERTILIZER", "土壤肥料"),
            ("SEED", "种子种业"),
            ("AGRICULTURAL_MECHANIZATION", "农业机械化"),
            ("PRODUCE_QUALITY_SAFETY", "农产品质量安全"),
            ("AGRICULTURAL_RESOURCES_ENVIRONMENT", "农业资源与环境"),
            ("AGRICULTURAL_EXTENSION", "农业技术推广"),
            ("ANIMAL_HUSBANDRY", "畜牧"),
            ("VETERINARY", "兽医"),
            ("FISHERIES", "水产"),
            ("GRASSLAND", "草业"),
            ("SERICULTURE", "蚕桑"),
        ],
        # 农艺师、畜牧师、兽医师各管其专业；员级的技术员不分序列，可选全部专业。
        _Tracks({
            "AGRONOMIST": (
                "CROP_CULTIVATION", "HORTICULTURE", "PLANT_PROTECTION", "SOIL_FERTILIZER", "SEED",
                "AGRICULTURAL_MECHANIZATION", "PRODUCE_QUALITY_SAFETY", "AGRICULTURAL_RESOURCES_ENVIRONMENT",
                "AGRICULTURAL_EXTENSION", "FISHERIES", "SERICULTURE",
            ),
            "ANIMAL_HUSBANDRY_SPECIALIST": ("ANIMAL_HUSBANDRY", "GRASSLAND", "AGRICULTURAL_EXTENSION"),
            "VETERINARIAN": ("VETERINARY",),
            "TECHNICIAN": SERIES_WIDE,
        }),
    ),
    # ------------------------------------------------------------------ 研究
    _series(
        "SOCIAL_SCIENCE_RESEARCH",
        "哲学社会科学研究人员",
        _RESEARCH_TITLES,
        [
            ("PHILOSOPHY", "哲学"),
            ("MARXISM", "马克思主义理论"),
            ("ECONOMICS", "经济学"),
            ("LAW", "法学"),
            ("POLITICAL_SCIENCE", "政治学"),
            ("SOCIOLOGY", "社会学"),
            ("HISTORY", "历史学"),
            ("LITERATURE", "文学"),
            ("EDUCATION", "教育学"),
            ("MANAGEMENT", "管理学"),
        ],
        SERIES_WIDE,
    ),
    _series(
        "NATURAL_SCIENCE_RESEARCH",
        "自然科学研究人员",
        _RESEARCH_TITLES,
        [
            ("MATHEMATICS", "数学"),
            ("PHYSICS", "物理学"),
            ("CHEMISTRY", "化学"),
            ("BIOLOGY", "生物学"),
            ("EARTH_SCIENCE", "地球科学"),
            ("INFORMATION_SCIENCE", "信息科学"),
            ("ENGINEERING_TECHNOLOGY", "工程技术科学"),
            ("AGRICULTURAL_SCIENCE", "农业科学"),
            ("MEDICAL_SCIENCE", "医药科学"),
            ("ENVIRONMENTAL_SCIENCE", "环境科学"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 实验技术
    _series(
        "LABORATORY",
        "实验技术人才",
        {
            _ZG: [("FULL_SENIOR_LAB_TECHNOLOGIST", "正高级实验师")],
            _FG: [("SENIOR_LAB_TECHNOLOGIST", "高级实验师")],
            _ZJ: [("LAB_TECHNOLOGIST", "实验师")],
            _ZL: [("ASSISTANT_LAB_TECHNOLOGIST", "助理实验师")],
            _YJ: [("LAB_TECHNICIAN", "实验员")],
        },
        [
            ("SCIENCE_ENGINEERING", "理工类实验"),
            ("MEDICAL", "医学实验"),
            ("AGRICULTURE_FORESTRY", "农林类实验"),
            ("HUMANITIES", "人文社科类实验"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 职业教育教师
    _series(
        "TECHNICAL_SCHOOL_EDUCATION",
        "技工院校教师",
        _VOCATIONAL_TEACHER_TITLES,
        [
            ("GENERAL_COURSES", "文化基础课"),
            ("PROFESSIONAL_THEORY", "专业理论课"),
            ("PRACTICUM", "生产实习指导"),
        ],
        _Tracks({"LECTURER": ("GENERAL_COURSES", "PROFESSIONAL_THEORY"), "PRACTICUM_INSTRUCTOR": ("PRACTICUM",)}),
    ),
    _series(
        "SECONDARY_VOCATIONAL_EDUCATION",
        "中等职业学校教师",
        _VOCATIONAL_TEACHER_TITLES,
        [
            ("PUBLIC_FOUNDATION", "公共基础课"),
            ("PROFESSIONAL_COURSES", "专业课"),
            ("PRACTICUM", "实习指导"),
        ],
        _Tracks({"LECTURER": ("PUBLIC_FOUNDATION", "PROFESSIONAL_COURSES"), "PRACTICUM_INSTRUCTOR": ("PRACTICUM",)}),
    ),
    # ------------------------------------------------------------------ 新闻出版
    _series(
        "JOURNALISM",
        "新闻专业人员",
        {
            _ZG: [("SENIOR_REPORTER", "高级记者"), ("SENIOR_EDITOR", "高级编辑")],
            _FG: [
                ("ASSOCIATE_SENIOR_REPORTER", "主任记者"),
                ("ASSOCIATE_SENIOR_EDITOR", "主任编辑"),
            ],
            _ZJ: [("REPORTER", "记者"), ("EDITOR", "编辑")],
            _ZL: [("ASSISTANT_REPORTER", "助理记者"), ("ASSISTANT_EDITOR", "助理编辑")],
        },
        [
            ("NEWS_WRITING", "文字采编"),
            ("PHOTOJOURNALISM", "摄影摄像"),
            ("BROADCAST_NEWS", "广播电视新闻"),
            ("ONLINE_NEWS", "网络新闻"),
        ],
        SERIES_WIDE,  # 记者与编辑都按媒体形态分专业，两条序列共用
    ),
    _series(
        "PUBLISHING",
        "出版专业人员",
        {
            _ZG: [("SENIOR_EDITOR", "编审")],
            _FG: [("ASSOCIATE_SENIOR_EDITOR", "副编审")],
            _ZJ: [
                ("EDITOR", "编辑"),
                ("TECHNICAL_EDITOR", "技术编辑"),
                ("FIRST_CLASS_PROOFREADER", "一级校对"),
            ],
            _ZL: [
                ("ASSISTANT_EDITOR", "助理编辑"),
                ("ASSISTANT_TECHNICAL_EDITOR", "助理技术编辑"),
                ("SECOND_CLASS_PROOFREADER", "二级校对"),
            ],
            _YJ: [("THIRD_CLASS_PROOFREADER", "三级校对")],
        },
        [
            ("BOOKS", "图书出版"),
            ("PERIODICALS", "期刊出版"),
            ("AUDIOVISUAL_ELECTRONIC", "音像电子出版"),
            ("DIGITAL", "数字出版"),
        ],
        SERIES_WIDE,  # 编辑、技术编辑、校对都按出版物类别分专业
    ),
    _series(
        "BROADCASTING",
        "广播电视播音专业人员",
        {
            _ZG: [("ANNOUNCING_DIRECTOR", "播音指导")],
            _FG: [("CHIEF_ANNOUNCER", "主任播音员（主持人）")],
            _ZJ: [("FIRST_CLASS_ANNOUNCER", "一级播音员（主持人）")],
            _ZL: [("SECOND_CLASS_ANNOUNCER", "二级播音员（主持人）")],
            _YJ: [("THIRD_CLASS_ANNOUNCER", "三级播音员（主持人）")],
        },
        [
            ("RADIO", "广播播音"),
            ("TELEVISION", "电视播音主持"),
            ("ONLINE_AUDIOVISUAL", "网络视听"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 文化
    _series(
        "LIBRARY",
        "图书资料专业人员",
        {
            _ZG: [("RESEARCH_LIBRARIAN", "研究馆员")],
            _FG: [("ASSOCIATE_RESEARCH_LIBRARIAN", "副研究馆员")],
            _ZJ: [("LIBRARIAN", "馆员")],
            _ZL: [("ASSISTANT_LIBRARIAN", "助理馆员")],
            _YJ: [("LIBRARY_CLERK", "管理员")],
        },
        [
            ("LIBRARY_SCIENCE", "图书馆学"),
            ("INFORMATION_SCIENCE", "情报学"),
            ("DOCUMENTATION", "文献资料"),
        ],
        SERIES_WIDE,
    ),
    _series(
        "CULTURAL_HERITAGE",
        "文物博物专业人员",
        {
            _ZG: [("RESEARCH_CURATOR", "研究馆员")],
            _FG: [("ASSOCIATE_RESEARCH_CURATOR", "副研究馆员")],
            _ZJ: [("CURATOR", "馆员")],
            _ZL: [("ASSISTANT_CURATOR", "助理馆员")],
        },
        [
            ("CONSERVATION", "文物保护"),
            ("ARCHAEOLOGY", "考古"),
            ("MUSEOLOGY", "博物馆学"),
        ],
        SERIES_WIDE,
    ),
    _series(
        "ARCHIVES",
        "档案专业人员",
        {
            _ZG: [("RESEARCH_ARCHIVIST", "研究馆员")],
            _FG: [("ASSOCIATE_RESEARCH_ARCHIVIST", "副研究馆员")],
            _ZJ: [("ARCHIVIST", "馆员")],
            _ZL: [("ASSISTANT_ARCHIVIST", "助理馆员")],
            _YJ: [("ARCHIVES_CLERK", "管理员")],
        },
        [
            ("ARCHIVES_MANAGEMENT", "档案管理"),
            ("PRESERVATION", "档案保护技术"),
            ("DIGITAL_ARCHIVES", "档案信息化"),
        ],
        SERIES_WIDE,
    ),
    _series(
        "MASS_CULTURE",
        "群众文化专业人员",
        {
            _ZG: [("RESEARCH_CULTURE_OFFICER", "研究馆员")],
            _FG: [("ASSOCIATE_RESEARCH_CULTURE_OFFICER", "副研究馆员")],
            _ZJ: [("CULTURE_OFFICER", "馆员")],
            _ZL: [("ASSISTANT_CULTURE_OFFICER", "助理馆员")],
            _YJ: [("CULTURE_CLERK", "管理员")],
        },
        [
            ("ARTS_GUIDANCE", "群众文艺辅导"),
            ("ACTIVITY_ORGANIZATION", "群众文化活动组织"),
            ("INTANGIBLE_HERITAGE", "非物质文化遗产保护"),
        ],
        SERIES_WIDE,
    ),
    _series(
        "ART",
        "艺术专业人员",
        {
            _ZG: [
                ("FIRST_CLASS_ACTOR", "一级演员"),
                ("FIRST_CLASS_MUSICIAN", "一级演奏员"),
                ("FIRST_CLASS_PLAYWRIGHT", "一级编剧"),
                ("FIRST_CLASS_DIRECTOR", "一级导演"),
                ("FIRST_CLASS_COMPOSER", "一级作曲"),
                ("FIRST_CLASS_STAGE_DESIGNER", "一级舞美设计"),
                ("FIRST_CLASS_FINE_ARTIST", "一级美术师"),
            ],
            _FG: [
                ("SECOND_CLASS_ACTOR", "二级演员"),
                ("SECOND_CLASS_MUSICIAN", "二级演奏员"),
                ("SECOND_CLASS_PLAYWRIGHT", "二级编剧"),
                ("SECOND_CLASS_DIRECTOR", "二级导演"),
                ("SECOND_CLASS_COMPOSER", "二级作曲"),
                ("SECOND_CLASS_STAGE_DESIGNER", "二级舞美设计"),
                ("SECOND_CLASS_FINE_ARTIST", "二级美术师"),
            ],
            _ZJ: [
                ("THIRD_CLASS_ACTOR", "三级演员"),
                ("THIRD_CLASS_MUSICIAN", "三级演奏员"),
                ("THIRD_CLASS_PLAYWRIGHT", "三级编剧"),
                ("THIRD_CLASS_DIRECTOR", "三级导演"),
                ("THIRD_CLASS_COMPOSER", "三级作曲"),
                ("THIRD_CLASS_STAGE_DESIGNER", "三级舞美设计"),
                ("THIRD_CLASS_FINE_ARTIST", "三级美术师"),
            ],
            _ZL: [
                ("FOURTH_CLASS_ACTOR", "四级演员"),
                ("FOURTH_CLASS_MUSICIAN", "四级演奏员"),
                ("FOURTH_CLASS_PLAYWRIGHT", "四级编剧"),
                ("FOURTH_CLASS_DIRECTOR", "四级导演"),
                ("FOURTH_CLASS_COMPOSER", "四级作曲"),
                ("FOURTH_CLASS_STAGE_DESIGNER", "四级舞美设计"),
                ("FOURTH_CLASS_FINE_ARTIST", "四级美术师"),
            ],
        },
        [
            ("TRADITIONAL_OPERA", "戏曲"),
            ("DRAMA", "话剧"),
            ("MUSIC", "音乐"),
            ("DANCE", "舞蹈"),
            ("QUYI", "曲艺"),
            ("ACROBATICS", "杂技"),
            ("FINE_ARTS", "美术"),
            ("STAGE_ART", "舞台美术"),
        ],
        # 演员、演奏员、编剧、导演、作曲、舞美设计、美术师各对应其艺术门类。
        _Tracks({
            "ACTOR": ("TRADITIONAL_OPERA", "DRAMA", "MUSIC", "DANCE", "QUYI", "ACROBATICS"),
            "MUSICIAN": ("MUSIC", "TRADITIONAL_OPERA"),
            "PLAYWRIGHT": ("TRADITIONAL_OPERA", "DRAMA", "QUYI"),
            "DIRECTOR": ("TRADITIONAL_OPERA", "DRAMA", "MUSIC", "DANCE", "QUYI", "ACROBATICS"),
            "COMPOSER": ("MUSIC", "TRADITIONAL_OPERA", "DANCE"),
            "STAGE_DESIGNER": ("STAGE_ART",),
            "FINE_ARTIST": ("FINE_ARTS",),
        }),
    ),
    _series(
        "ARTS_AND_CRAFTS",
        "工艺美术专业人员",
        {
            _ZG: [("FULL_SENIOR_CRAFT_ARTIST", "正高级工艺美术师")],
            _FG: [("SENIOR_CRAFT_ARTIST", "高级工艺美术师")],
            _ZJ: [("CRAFT_ARTIST", "工艺美术师")],
            _ZL: [("ASSISTANT_CRAFT_ARTIST", "助理工艺美术师")],
            _YJ: [("CRAFT_TECHNICIAN", "工艺美术员")],
        },
        [
            ("CERAMICS", "陶瓷"),
            ("CARVING", "雕刻"),
            ("EMBROIDERY", "刺绣"),
            ("WEAVING_DYEING", "织染"),
            ("METALWORK", "金属工艺"),
            ("CRAFT_DESIGN", "工艺设计"),
        ],
        SERIES_WIDE,
    ),
    _series(
        "SPORTS",
        "体育专业人员",
        {
            _ZG: [("NATIONAL_COACH", "国家级教练")],
            _FG: [("SENIOR_COACH", "高级教练")],
            _ZJ: [("INTERMEDIATE_COACH", "中级教练")],
            _ZL: [("JUNIOR_COACH", "初级教练")],
        },
        [
            ("ATHLETICS", "田径"),
            ("SWIMMING", "游泳"),
            ("BALL_GAMES", "球类"),
            ("GYMNASTICS", "体操"),
            ("WUSHU", "武术"),
            ("OTHER_EVENTS", "其他运动项目"),
        ],
        SERIES_WIDE,
    ),
    _series(
        "TRANSLATION",
        "翻译专业人员",
        {
            _ZG: [("SENIOR_TRANSLATOR", "译审")],
            _FG: [("FIRST_CLASS_TRANSLATOR", "一级翻译")],
            _ZJ: [("SECOND_CLASS_TRANSLATOR", "二级翻译")],
            _ZL: [("THIRD_CLASS_TRANSLATOR", "三级翻译")],
        },
        [
            ("ENGLISH", "英语"),
            ("JAPANESE", "日语"),
            ("KOREAN", "韩语"),
            ("RUSSIAN", "俄语"),
            ("GERMAN", "德语"),
            ("FRENCH", "法语"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 法律、审计
    _series(
        "LAWYER",
        "律师",
        {
            _ZG: [("FIRST_CLASS_LAWYER", "一级律师")],
            _FG: [("SECOND_CLASS_LAWYER", "二级律师")],
            _ZJ: [("THIRD_CLASS_LAWYER", "三级律师")],
            _ZL: [("FOURTH_CLASS_LAWYER", "四级律师")],
        },
        [("LEGAL_PRACTICE", "律师业务")],
        SERIES_WIDE,
    ),
    _series(
        "NOTARY",
        "公证员",
        {
            _ZG: [("FIRST_CLASS_NOTARY", "一级公证员")],
            _FG: [("SECOND_CLASS_NOTARY", "二级公证员")],
            _ZJ: [("THIRD_CLASS_NOTARY", "三级公证员")],
            _ZL: [("FOURTH_CLASS_NOTARY", "四级公证员")],
        },
        [("NOTARIZATION", "公证业务")],
        SERIES_WIDE,
    ),
    _series(
        "AUDIT",
        "审计专业人员",
        {
            _ZG: [("FULL_SENIOR_AUDITOR", "正高级审计师")],
            _FG: [("SENIOR_AUDITOR", "高级审计师")],
            _ZJ: [("AUDITOR", "审计师")],
            _ZL: [("ASSISTANT_AUDITOR", "助理审计师")],
        },
        [
            ("GOVERNMENT_AUDIT", "国家审计"),
            ("INTERNAL_AUDIT", "内部审计"),
            ("INDEPENDENT_AUDIT", "社会审计"),
        ],
        SERIES_WIDE,
    ),
    # ------------------------------------------------------------------ 交通
    _series(
        "SHIPPING",
        "船舶专业技术人员",
        {
            _FG: [("SENIOR_CAPTAIN", "高级船长"), ("SENIOR_CHIEF_ENGINEER", "高级轮机长")],
            _ZJ: [
                ("CAPTAIN", "船长"),
                ("CHIEF_OFFICER", "大副"),
                ("CHIEF_ENGINEER", "轮机长"),
                ("SECOND_ENGINEER", "大管轮"),
            ],
            _ZL: [
                ("SECOND_OFFICER", "二副"),
                ("THIRD_OFFICER", "三副"),
                ("THIRD_ENGINEER", "二管轮"),
                ("FOURTH_ENGINEER", "三管轮"),
            ],
        },
        [
            ("NAVIGATION", "船舶驾驶"),
            ("MARINE_ENGINEERING", "轮机管理"),
        ],
        # 驾驶序列（船长、大副、二副、三副）与轮机序列（轮机长、大管轮、二管轮、三管轮）。
        _Tracks({"CAPTAIN": ("NAVIGATION",), "OFFICER": ("NAVIGATION",), "ENGINEER": ("MARINE_ENGINEERING",)}),
    ),
    _series(
        "CIVIL_AVIATION_FLIGHT",
        "民用航空飞行技术人员",
        {
            _FG: [
                ("FIRST_CLASS_PILOT", "一级飞行员"),
                ("FIRST_CLASS_NAVIGATOR", "一级领航员"),
                ("FIRST_CLASS_FLIGHT_RADIO_OPERATOR", "一级飞行通信员"),
                ("FIRST_CLASS_FLIGHT_ENGINEER", "一级飞行机械员"),
            ],
            _ZJ: [
                ("SECOND_CLASS_PILOT", "二级飞行员"),
                ("SECOND_CLASS_NAVIGATOR", "二级领航员"),
                ("SECOND_CLASS_FLIGHT_RADIO_OPERATOR", "二级飞行通信员"),
                ("SECOND_CLASS_FLIGHT_ENGINEER", "二级飞行机械员"),
            ],
            _ZL: [
                ("THIRD_CLASS_PILOT", "三级飞行员"),
                ("THIRD_CLASS_NAVIGATOR", "三级领航员"),
                ("THIRD_CLASS_FLIGHT_RADIO_OPERATOR", "三级飞行通信员"),
                ("THIRD_CLASS_FLIGHT_ENGINEER", "三级飞行机械员"),
            ],
        },
        [
            ("PILOTING", "飞行驾驶"),
            ("NAVIGATION", "领航"),
            ("FLIGHT_COMMUNICATION", "飞行通信"),
            ("FLIGHT_MECHANICS", "飞行机械"),
        ],
        _Tracks({
            "PILOT": ("PILOTING",),
            "NAVIGATOR": ("NAVIGATION",),
            "FLIGHT_RADIO_OPERATOR": ("FLIGHT_COMMUNICATION",),
            "FLIGHT_ENGINEER": ("FLIGHT_MECHANICS",),
        }),
    ),
)


# 破格条件：申报方式为破格时可选择的情形（手册 1.2：破格情况“可选择”），按山东省职称评审
# 破格申报的常见条件整理；具体说明（奖项名称、项目、年限等）填在破格情况中。
# 代码存入申报：只增不改。
EXCEPTIONAL_CONDITIONS: tuple[ExceptionalCondition, ...] = tuple(
    ExceptionalCondition(code, name)
    for code, name in (
        ("MAJOR_ACHIEVEMENT", "取得重大业绩成果，经同行专家认定达到相应水平"),
        ("PROVINCIAL_AWARD", "获得省部级以上科学技术奖、社会科学优秀成果奖等奖励的主要完成人"),
        ("NATIONAL_HONOR", "获得国家级或省级表彰奖励、荣誉称号"),
        ("TALENT_PROGRAM", "入选国家级或省级人才工程（如泰山学者、泰山产业领军人才）"),
        ("HIGH_LEVEL_TALENT", "引进的海内外高层次人才、急需紧缺人才"),
        ("KEY_PROJECT", "主持完成国家级或省部级重点科研、工程项目"),
        ("PATENT_TRANSFER", "取得发明专利等自主知识产权并实现转化，经济社会效益显著"),
        ("SKILLS_COMPETITION", "获得中华技能大奖、全国技术能手或国家级、省级职业技能竞赛奖项"),
        ("GRASSROOTS_SERVICE", "长期在县以下基层一线工作，业绩突出"),
        ("EMERGENCY_RESPONSE", "在重大突发事件处置（如疫情防控、抢险救灾）中表现突出"),
    )
)
