"""Generate the sample city 示例市: about 1,500 fictional branches in eight fields, assessed in 2024 and 2025.

Run `python sample_data/generate.py [OUT_DIR] [--seed N]`. The output is byte-for-byte deterministic for a seed.
Every number that decides points comes from the rubrics in rubrics/; this script only decides what branches
are like. One latent quality per branch (plus a persistent strength or weakness per standard) drives every
indicator, so weak branches are weak across several standards; most branches improve a little from 2024 to
2025, some a lot, a few fall back. Values are written as users type them (是/否, level words, "92%", "180").
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python sample_data/generate.py` runs with sample_data/ first on the path
    sys.path.insert(0, str(ROOT))

from scoring.conditions import Clause  # noqa: E402
from scoring.loader import load_rubrics  # noqa: E402
from scoring.methods import Count, Deduction, Direct, Level, Rate, Tiers, YesNo  # noqa: E402
from scoring.rubric import Column, Indicator, Rubric  # noqa: E402
from scoring.rubricset import RubricSet  # noqa: E402

SEED = 20250101
PERIODS = ("2024", "2025")
CITY = "示例市"
FIXED_TIME = datetime(2025, 12, 31, 9, 0, 0)
FILES = ("city.csv", "city_2025.xlsx", "city_2024_gbk.csv", "messy.csv")

# ------------------------------------------------------------------ the fictional city


@dataclass(frozen=True)
class Parent:
    """A township or parent committee with the branches under it."""

    code: str
    name: str
    district: str
    township: str
    field: str
    size: int
    first: int = 1  # number of its first branch: a township numbers its villages, then its communities


@dataclass(frozen=True)
class FieldSpec:
    """How branches of one field look: rubric, the field names typed, quality and membership."""

    rubric: str
    typed: tuple[str, ...]
    quality: tuple[float, float]  # mean and concentration of the latent quality in 2024 (a Beta distribution)
    members: tuple[float, float]  # log-normal median and spread of full members
    venue: float                  # typical activity venue in ㎡


FIELDS: dict[str, FieldSpec] = {
    "village": FieldSpec("rural", ("农村",), (0.65, 16), (32, 0.45), 230),
    "community": FieldSpec("urban_community", ("城市社区",), (0.67, 16), (70, 0.6), 430),
    "government": FieldSpec("government", ("机关",), (0.67, 16), (16, 0.5), 45),
    "state": FieldSpec("state_enterprise", ("国有企业",), (0.68, 16), (22, 0.5), 50),
    "private": FieldSpec("private_enterprise", ("非公有制企业",), (0.67, 14), (8, 0.55), 70),
    "social": FieldSpec("social_org", ("社会组织",), (0.67, 14), (7, 0.45), 40),
    "school": FieldSpec("school", ("学校",), (0.68, 16), (20, 0.5), 55),
    "hospital": FieldSpec("hospital", ("医院", "事业单位"), (0.70, 16), (24, 0.5), 55),
}

DISTRICTS = (("101", "鹿鸣区"), ("102", "青禾县"), ("103", "云岫县"))

# (district index, township, villages, communities)
TOWNSHIPS = (
    (0, "鸣泉街道", 0, 46), (0, "鹿苑街道", 0, 44), (0, "青梧街道", 0, 45), (0, "望澜街道", 0, 42),
    (0, "栖云街道", 0, 48), (0, "松涛镇", 34, 0),
    (1, "禾城镇", 30, 40), (1, "稻香镇", 44, 0), (1, "麦岭镇", 41, 0), (1, "杏坪乡", 33, 0),
    (1, "泉石镇", 46, 0), (1, "云梯乡", 29, 0), (1, "柳溪镇", 42, 0),
    (2, "岫城镇", 36, 35), (2, "雾松镇", 43, 0), (2, "栖凤乡", 38, 0), (2, "枫岭镇", 45, 0),
    (2, "鹭洲镇", 40, 0), (2, "竹坞乡", 31, 0), (2, "桂岩镇", 48, 0),
)

# (district index, parent committee, field, branches)
COMMITTEES = (
    (0, "鹿鸣区直属机关工委", "government", 80), (1, "青禾县直属机关工委", "government", 55),
    (2, "云岫县直属机关工委", "government", 45),
    (0, "鹿鸣区城市发展集团有限公司党委", "state", 50), (1, "青禾县国有资产投资集团有限公司党委", "state", 40),
    (0, "鹿鸣区非公有制经济组织党委", "private", 50), (1, "青禾县非公有制经济组织党委", "private", 35),
    (2, "云岫县非公有制经济组织党委", "private", 35),
    (0, "鹿鸣区社会组织综合党委", "social", 45),
    (0, "鹿鸣区教育系统党委", "school", 40), (1, "青禾县教育系统党委", "school", 35), (2, "云岫县教育系统党委", "school", 30),
    (0, "鹿鸣区卫生健康系统党委", "hospital", 35), (2, "云岫县人民医院党委", "hospital", 25),
)

def _words(text: str) -> list[str]:
    """Names written as one space-separated string, to keep long lists readable."""
    return text.split(" ")


PLACE_FIRST = (
    "石柳桃杏梨枫松竹梅荷兰桂槐杨榆茶麦稻禾云雾霞溪泉塘湾坪岭峰岗谷川林田东西南北上下前后新大小高龙凤鹤鹿"
    "金玉青红白丰安宁和平兴福永长富盛望聚双三五九"
)
PLACE_SECOND = "家庄塘湾坪岭坝口桥沟溪山林园营堡店铺集寨冲垄洲滩坑畈岗峪台埠源"
STREET_NAMES = _words(
    "锦绣 和风 春晖 翠园 明湖 东升 西苑 南湖 北辰 朝阳 长青 福安 康宁 兴华 文昌 新华 光明 丹桂 枫林 芳草 "
    "清泉 绿洲 丽景 嘉园 紫荆 金桥 银河 星光 月湾 晨曦 碧水 青松 红梅 白塔 安居 乐业 盛世 和谐 幸福 祥和 "
    "阳光 彩虹 书香 育才 怡景 雅苑 映山 观澜 临江 望湖"
)
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海波宁辉亮成林德文斌浩宇晨欣怡佳琳晓"
    "东雪梅思远振华永红金凤俊峰慧婷"
)
BUREAUS = (
    "党委办公室", "政府办公室", "组织部", "宣传部", "统战部", "政法委", "纪委监委机关", "人大常委会机关", "政协机关",
    "发展和改革局", "教育局机关", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局",
    "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局",
    "卫生健康局机关", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "林业局",
    "信访局", "档案馆", "政务服务中心", "总工会", "团委", "妇联", "科协", "法院", "检察院", "税务局", "气象局",
)
SUBSIDIARIES = (
    "建设工程公司", "水务公司", "物业服务公司", "资产运营公司", "公共交通公司", "燃气公司", "置业公司", "园林绿化公司",
    "检验检测公司", "供应链公司", "融资担保公司", "文化旅游公司", "停车管理公司", "环境卫生公司", "热力公司", "粮食储备公司",
    "农业发展公司", "城市更新公司", "产业投资公司", "集团机关",
)
COMPANY_PREFIX = _words(
    "恒丰 瑞达 启明 鼎新 华禾 鹿源 澜海 青岚 佳和 远航 润泽 盛业 锦程 博创 安信 立德 众诚 同舟 晨光 云帆 "
    "永泰 汇通 德润 鸿远 宏图 禾丰 岫玉 鸣泉 新源 天禾"
)
INDUSTRIES = (
    "机械制造", "电子科技", "食品", "纺织", "物流", "建材", "新材料", "生物科技", "农业开发", "包装材料", "汽车配件",
    "家具", "软件技术", "医疗器械", "电气设备", "服装", "茶业", "环保科技", "商贸", "印务",
)
SOCIAL_ORGS = (
    "个体劳动者协会", "物流行业协会", "餐饮行业协会", "建筑业协会", "律师协会", "注册会计师协会", "旅游协会", "商会",
    "志愿者协会", "慈善会", "养老服务中心", "社会工作服务中心", "青少年活动中心", "书画院", "家庭教育指导中心",
    "电子商务协会", "快递行业协会", "物业管理协会", "汽车维修行业协会", "老年大学", "民办幼儿园", "职业技能培训学校",
)
SCHOOLS = (
    "第一中学", "第二中学", "第三中学", "第四中学", "实验中学", "实验小学", "第一小学", "第二小学", "第三小学",
    "第四小学", "第五小学", "职业中等专业学校", "特殊教育学校", "实验幼儿园", "第一幼儿园", "外国语学校", "进修学校",
)
DEPARTMENTS = (
    "内科", "外科", "妇产科", "儿科", "急诊科", "医技科室", "护理", "药学部", "感染科", "重症医学科", "中医科",
    "康复医学科", "行政后勤", "体检中心", "麻醉科",
)
NONPROFITS = ("社会工作服务中心", "养老服务中心", "职业技能培训学校", "康复服务中心", "文化传播中心", "公益服务中心", "托育服务中心")
HEALTH_UNITS = ("卫生院", "疾病预防控制中心", "妇幼保健院", "中医院", "卫生健康综合监督执法局")
ORDINALS = "一二三四五六七八九十"


def _cn(i: int) -> str:
    """Chinese numerals for 1..99 (一, 十, 十二, 二十三)."""
    tens, ones = divmod(i, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else ORDINALS[tens - 1] + "十")
    return head + (ORDINALS[ones - 1] if ones else "")

# ------------------------------------------------------------------ small helpers


def _rng(seed: int, *key: str) -> np.random.Generator:
    """A generator for one named purpose, so adding a column never changes the values of another."""
    return np.random.default_rng([seed, zlib.crc32("/".join(key).encode("utf-8"))])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _unique_names(rng: np.random.Generator, n: int, make: Callable[[np.random.Generator], str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        name = make(rng)
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _place(rng: np.random.Generator) -> str:
    return str(rng.choice(list(PLACE_FIRST))) + str(rng.choice(list(PLACE_SECOND)))


def _person(rng: np.random.Generator) -> str:
    given = "".join(rng.choice(list(GIVEN), size=int(rng.choice([1, 2], p=[0.35, 0.65]))))
    return str(rng.choice(list(SURNAMES))) + given


# ------------------------------------------------------------------ branches


def _parents() -> list[Parent]:
    parents: list[Parent] = []
    counters = {code: 0 for code, _ in DISTRICTS}
    for d, town, villages, communities in TOWNSHIPS:
        code, district = DISTRICTS[d]
        counters[code] += 1
        name = f"{town}{'党工委' if town.endswith('街道') else '党委'}"
        for field, size, first in (("village", villages, 1), ("community", communities, villages + 1)):
            if size:
                parents.append(Parent(f"{code}{counters[code]:03d}", name, district, town, field, size, first))
    for d, name, field, size in COMMITTEES:
        code, district = DISTRICTS[d]
        counters[code] += 1
        parents.append(Parent(f"{code}{counters[code]:03d}", name, district, "", field, size))
    return parents


def _branch_names(parent: Parent, rng: np.random.Generator) -> list[tuple[str, str]]:
    """(unit name, organization kind hint) for each branch of a parent."""
    n, short = parent.size, parent.district[:2]
    if parent.field == "village":
        return [(f"{parent.township}{p}村", "") for p in _unique_names(rng, n, _place)]
    if parent.field == "community":
        return [(f"{parent.township}{p}社区", "") for p in _unique_names(rng, n, lambda r: str(r.choice(STREET_NAMES)))]
    if parent.field == "government":
        units = list(BUREAUS[: min(len(BUREAUS), int(n * 0.6))])
        extra = n - len(units)
        names = [(f"{parent.district}{u}", "") for u in units]
        for u in units[:extra]:  # the larger offices have two or more branches
            names.append((f"{parent.district}{u}", "第二"))
        return names[:n]
    if parent.field == "state":
        company = parent.name.removesuffix("党委")
        return [(f"{company}{SUBSIDIARIES[i % len(SUBSIDIARIES)]}", _cn(i // len(SUBSIDIARIES) + 1) if i >= len(SUBSIDIARIES) else "")
                for i in range(n)]
    if parent.field == "private":
        joint = max(2, n // 8)
        firms = _unique_names(rng, n - joint, lambda r: f"{r.choice(COMPANY_PREFIX)}{r.choice(INDUSTRIES)}")
        named = [(f"{parent.district}{f}有限公司", "") for f in firms]
        return named + [(f"{parent.district}非公企业第{_cn(i + 1)}联合", "联合") for i in range(joint)]
    if parent.field == "social":
        joint = max(2, n // 10)
        units = [f"{parent.district}{s}" for s in SOCIAL_ORGS][: n - joint]
        units += _unique_names(rng, n - joint - len(units), lambda r: f"{parent.district}{r.choice(COMPANY_PREFIX)}{r.choice(NONPROFITS)}")
        return [(u, "") for u in units] + [(f"{parent.district}社会组织第{_cn(i + 1)}联合", "联合") for i in range(joint)]
    if parent.field == "school":
        towns = [t for d, t, v, _ in TOWNSHIPS if DISTRICTS[d][1] == parent.district and v]
        schools = [f"{short}{s}" for s in SCHOOLS] + [f"{t}中心小学" for t in towns] + [f"{t}初级中学" for t in towns]
        return [(schools[i % len(schools)], "" if i < len(schools) else ("教师第二" if i < 2 * len(schools) else "学生"))
                for i in range(n)]
    hospital = f"{parent.district}人民医院"
    depts = [(f"{hospital}{d}", "") for d in DEPARTMENTS]
    health = [(f"{parent.district}{u}", "") for u in HEALTH_UNITS]
    clinics = [(f"{t}卫生院", "") for d, t, v, _ in TOWNSHIPS if DISTRICTS[d][1] == parent.district and v]
    pool = depts + health + clinics + [(f"{hospital}{d}", "第二") for d in DEPARTMENTS]
    return pool[:n]


def _org_type(field: str, members: np.ndarray, hint: str) -> np.ndarray:
    kinds = np.where(members >= 50, "党总支", "党支部").astype(object)
    if field in ("village", "community"):
        kinds = np.where(members >= 100, "党委", kinds)
    if hint == "联合":
        kinds[:] = "联合党支部"
    return kinds


def _full_name(unit: str, kind: str, hint: str) -> str:
    if kind == "联合党支部":
        return f"{unit}党支部"
    if hint in ("", "联合"):
        return f"{unit}{kind}"
    return f"{unit}{hint}党支部" if hint.endswith(("二", "学生")) else f"{unit}第{hint}党支部"


def branches(seed: int) -> pd.DataFrame:
    """One row per branch: identity, field, parent, membership and the latent quality that drives its scores."""
    rows: list[dict[str, object]] = []
    for parent in _parents():
        spec = FIELDS[parent.field]
        rng = _rng(seed, "branches", parent.code, parent.field)
        names = _branch_names(parent, rng)
        median, spread = spec.members
        members = np.maximum(np.round(median * np.exp(rng.normal(0, spread, len(names)))), 3)
        for i, ((unit, hint), m) in enumerate(zip(names, members, strict=True)):
            kind = str(_org_type(parent.field, np.array([m]), hint)[0])
            typed = spec.typed[0] if parent.field != "hospital" or "医院" in unit else spec.typed[1]
            rows.append({
                "branch_id": f"{parent.code}{parent.first + i:03d}", "name": _full_name(unit, kind, hint), "field": typed,
                "district": parent.district, "township": parent.township or pd.NA, "parent": parent.name,
                "org_type": kind, "kind": parent.field, "rubric": spec.rubric, "members0": float(m),
            })
    frame = pd.DataFrame(rows)
    rng = _rng(seed, "quality")
    mean, strength = (np.array(v) for v in zip(*(FIELDS[k].quality for k in frame["kind"]), strict=True))
    frame["q2024"] = rng.beta(mean * strength, (1 - mean) * strength)
    # 2025: most improve a little, some a lot (rectification works), a few fall back.
    move = rng.choice(["little", "up", "down", "flat"], size=len(frame), p=[0.64, 0.16, 0.06, 0.14])
    delta = np.select(
        [move == "little", move == "up", move == "down"],
        [rng.normal(0.03, 0.02, len(frame)), rng.normal(0.10, 0.03, len(frame)), rng.normal(-0.08, 0.03, len(frame))],
        rng.normal(0.0, 0.015, len(frame)),
    )
    # The weakest branches of 2024 are put on the rectification list; most of them improve markedly.
    weakest = frame["q2024"] < frame.groupby("kind")["q2024"].transform(lambda q: q.quantile(0.12))
    rectified = weakest & (rng.random(len(frame)) < 0.6)
    delta = np.where(rectified, rng.normal(0.12, 0.04, len(frame)), delta)
    frame["q2025"] = np.clip(frame["q2024"] + delta, 0.02, 0.995)
    for std in ("organization", "team", "institutions", "position", "support", "role"):
        frame[f"off_{std}"] = rng.normal(0, 0.08, len(frame))
    return frame


# ------------------------------------------------------------------ indicator values


@dataclass
class Values:
    """One column's values for a group of rows: engine encoding (NaN for blank) and how users typed them."""

    encoded: np.ndarray
    typed: list[str]


def _percent(v: float) -> str:
    text = f"{v * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _number(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def render(column: Column, values: np.ndarray, blank_zero: np.ndarray | None = None) -> list[str]:
    """Values as users type them; NaN is a blank cell, and so is 0 where `blank_zero` says so."""
    out: list[str] = []
    for i, v in enumerate(values):
        if np.isnan(v) or (blank_zero is not None and blank_zero[i] and v == 0):
            out.append("")
        elif column.type == "bool":
            out.append("是" if v >= 0.5 else "否")
        elif column.type == "level":
            out.append(column.levels[int(v)])
        elif column.type == "rate":
            out.append(_percent(float(v)))
        else:
            out.append(_number(float(v)))
    return out


def _achievement(quality: np.ndarray, rng: np.random.Generator, persistent: np.ndarray, noise: float = 0.08) -> np.ndarray:
    """How well a branch does on one item this year: its standard's quality, its own habit, and this year's luck."""
    return np.clip(quality + persistent + rng.normal(0, noise, len(quality)), 0.0, 1.0)


def _uniform(z: np.ndarray) -> np.ndarray:
    """Standard normal luck as a uniform number in (0, 1) (the logistic approximation of the normal CDF)."""
    return _sigmoid(1.702 * z)


def _count(mean: np.ndarray | float, z: np.ndarray) -> np.ndarray:
    """A count with the given mean driven by normal luck (a rounded normal approximation of Poisson, never negative)."""
    return np.maximum(np.round(mean + np.sqrt(mean) * z), 0.0)


def _generic(ind: Indicator, a: np.ndarray, z: np.ndarray) -> np.ndarray:
    """A value for any indicator from its method alone: good achievement earns (close to) full points."""
    m, u = ind.method, _uniform(z)
    if isinstance(m, YesNo):
        good = u < _sigmoid((a - 0.35) / 0.09)
        return np.where(good == m.good, 1.0, 0.0)
    if isinstance(m, Count):
        need = ind.points / m.per_unit
        return np.clip(np.round(need * (0.45 + 0.65 * a) + (0.06 * need + 0.3) * z), 0, need + 2)
    if isinstance(m, Tiers):
        top = m.tiers[0].min
        value = top * (0.45 + 0.8 * a) * np.exp((0.12) * z)
        return np.round(value, 1 if top < 20 else 0)
    if isinstance(m, Rate):
        span = m.target - m.zero_at
        value = m.zero_at + span * (0.3 + 0.85 * a) + (0.05 * span) * z
        return np.round(np.clip(value, 0, 1), 3 if m.target > 0.1 else 4)
    if isinstance(m, Level):
        last = len(m.levels) - 1
        return np.clip(np.round((1 - a) * last * 1.25 + (0.35) * z), 0, last)
    if isinstance(m, Deduction):
        need = ind.points / m.per_occurrence
        return np.minimum(_count(need * 0.45 * (1 - a) ** 2, z), ind.max if ind.max is not None else need + 2)
    if isinstance(m, Direct):
        return np.clip(np.round(ind.points * (0.4 + 0.65 * a + (0.05) * z) * 2) / 2, 0, ind.points)
    raise TypeError(f"no generator for {type(m).__name__}")


def _special(cid: str, a: np.ndarray, z: np.ndarray, group: pd.DataFrame, period: str) -> np.ndarray | None:
    """Hand-shaped values where a generic one would look wrong to someone who knows the work."""
    u = _uniform(z)
    members = group[f"members{period}"].to_numpy()
    if cid == "satisfaction":
        value = 0.79 + 0.2 * a + (0.015) * z
        collapse = (a < 0.12) & (u < 0.35)  # a branch the residents have given up on: 软弱涣散
        return np.round(np.clip(np.where(collapse, (0.42 + (0.62 - 0.42) * u), value), 0.4, 1.0), 3)
    if cid == "dues_rate":
        return np.round(np.clip(0.86 + 0.17 * a + (0.02) * z, 0.7, 1.0), 3)
    if cid == "funds_payroll_rate":
        return np.round(np.clip(0.0035 + 0.0085 * a + (0.0007) * z, 0.001, 0.02), 4)
    if cid == "new_members":
        scale = np.clip(members / 25, 0.3, 1.6)
        return _count((1.0 + 2.2 * a**2) * scale, z)
    if cid == "secretary_training":
        return np.round(np.clip(34 + 32 * a + (6) * z, 8, 96))
    if cid == "committee_set":  # only branches with 7 or more full members need a committee
        value = (u < _sigmoid((a - 0.2) / 0.08)).astype(float)
        return np.where(members >= 7, value, np.nan)
    if cid == "party_groups":
        value = (u < _sigmoid((a - 0.3) / 0.1)).astype(float)
        return np.where(members >= 10, value, np.nan)
    if cid in ("one_shoulder", "two_coverages", "charter_party", "department_branch"):
        return (u < _sigmoid((a - 0.2) / 0.1)).astype(float)
    if cid == "running_funds":
        return np.round(np.clip(11 + 15 * a + (3) * z, 4, 40), 1)
    if cid == "collective_income":
        value = np.exp(np.log(2.5 + 16 * a**2) + 0.5 * z)
        shell = (a < 0.3) & (u < 0.25)
        return np.where(shell, 0.0, np.round(value, 1))
    if cid == "community_building":
        return _count(0.6 + 5.5 * a, z)
    if cid == "contact_visits":
        return np.clip(np.round(1.5 + 3.5 * a + (0.8) * z), 0, 8)
    if cid == "service_projects":
        return np.clip(_count(0.5 + 4.2 * a, z), 0, 9)
    if cid == "party_instructor":
        joint = (group["org_type"] == "联合党支部").to_numpy()
        value = np.where(joint, np.where(u < 0.75, 1.0, 0.0), 0.0)
        return np.where((a < 0.25) & (u < 0.4), 2.0, value)
    if cid in ("award_level", "model_branch"):
        draw = u * (1.4 - a)
        # 国家级 (position 0) is a direct grade: the city has one or two, never by chance alone.
        return np.select([draw < 0.004, draw < 0.02, draw < 0.06, draw < 0.12], [1.0, 2.0, 3.0, 3.0], 4.0)
    if cid in ("petitions", "discipline_cases"):
        return _count(0.35 * (1 - a) ** 3 if cid == "petitions" else 0.03 + 0.12 * (1 - a) ** 3, z)
    return None


_RARE = {  # column → yearly chance for an average branch; weak branches are likelier
    "secretary_violation": 0.0015, "mass_incident": 0.001, "safety_accident": 0.0012, "eight_rules_violation": 0.004,
    "safety_target_missed": 0.012, "serious_violation": 0.008, "annual_inspection_failed": 0.04, "ethics_violation": 0.005,
}


def _venue(group: pd.DataFrame, seed: int) -> dict[str, np.ndarray]:
    """Activity venues barely change between years; a few branches move into larger rooms in 2025."""
    rng = _rng(seed, "venue", str(group["rubric"].iloc[0]))
    n = len(group)
    base = group["kind"].map(lambda k: FIELDS[k].venue).to_numpy(dtype=float)
    habit = group["q2024"].to_numpy() + group["off_position"].to_numpy()
    area = np.maximum(np.round(base * np.exp(0.6 * (habit - 0.7) + rng.normal(0, 0.3, n)) / 5) * 5, 10)
    area = np.where(rng.random(n) < 0.006, 0.0, area)
    grown = np.where(rng.random(n) < 0.06, np.round(area * rng.uniform(1.2, 1.8, n) / 5) * 5, area)
    return {"2024": area, "2025": grown}


_PERSISTENCE = {"new_members": 0.4}  # how much of an item's luck is the branch's own; recruiting varies by year


def _indicators(group: pd.DataFrame, rubric: Rubric, period: str, seed: int, venue: np.ndarray,
                source: str = "") -> dict[str, np.ndarray]:
    """Every indicator column of one rubric for its branches in one period (engine encoding)."""
    out: dict[str, np.ndarray] = {}
    n = len(group)
    quality = group[f"q{period}"].to_numpy()
    kind = str(group["rubric"].iloc[0])
    bias = 0.08 if source else 0.0  # self-assessment is kinder than the higher-level review
    sections = [(std.id, std.indicators) for std in rubric.standards]
    sections += [("extra", s.indicators) for s in (rubric.bonus, rubric.penalty) if s is not None]
    for std_id, items in sections:
        offset = group[f"off_{std_id}"].to_numpy() if std_id != "extra" else 0.0
        sq = np.clip(quality + offset + bias, 0, 1)
        for ind in items:
            cid = ind.column_id
            if cid == "venue_area":
                out[cid] = venue
                continue
            habit = _rng(seed, "habit", kind, cid).normal(0, 0.11, n)  # the same branch lacks the same things each year
            rng = _rng(seed, "value", kind, cid, period, source)
            a = np.clip(sq + habit + rng.normal(0, 0.04, n), 0, 1)
            # Luck on an item is mostly the branch's own (the same both years), partly this year's.
            w = _PERSISTENCE.get(cid, 0.9)
            z = w * _rng(seed, "luck", kind, cid, source).standard_normal(n) + np.sqrt(1 - w * w) * rng.standard_normal(n)
            special = _special(cid, a, z, group, period)
            out[cid] = special if special is not None else _generic(ind, a, z).astype(float)
    return out


def _rare(cid: str, quality: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    chance = _RARE[cid] * np.exp(4 * (0.7 - quality))
    return (rng.random(len(quality)) < chance).astype(float)


def _group(group: pd.DataFrame, rubric: Rubric, seed: int) -> list[pd.DataFrame]:
    """Both periods of one rubric's branches, in the engine's encoding, with the declared columns filled in."""
    n, kind = len(group), str(group["rubric"].iloc[0])
    venue = _venue(group, seed)
    declared = {c.id for c in rubric.columns}
    # Years without a recruit before the first period: a branch that recruits nobody now rarely did last year.
    draw = _rng(seed, "streak", kind).random(n)
    streak = np.select([draw < 0.08, draw < 0.4], [2.0, 1.0], 0.0)
    turnover = _rng(seed, "turnover", kind).random(n) < 0.12  # a new secretary in 2025
    founded = _rng(seed, "founded", kind).integers(13, 400, n).astype(float)  # months before the first period; all rated
    group = group.assign(members2024=group["members0"])
    frames: list[pd.DataFrame] = []
    for period in PERIODS:
        rng = _rng(seed, "declared", kind, period)
        quality = group[f"q{period}"].to_numpy()
        values = _indicators(group, rubric, period, seed, venue[period])
        frame = group[["branch_id", "name", "field", "district", "township", "parent", "org_type"]].copy()
        frame.insert(3, "period", period)
        frame["members"] = group[f"members{period}"].to_numpy()
        recruits = values.get("new_members", np.zeros(n))
        frame["probationary"] = recruits
        vacant = np.where(rng.random(n) < 0.03 * np.exp(3 * (0.6 - quality)), rng.integers(1, 3, n), 0).astype(float)
        vacant = np.where(rng.random(n) < 0.004 * np.exp(4 * (0.6 - quality)), rng.integers(3, 8, n), vacant)
        changed = turnover & (period != PERIODS[0])
        frame["secretary"] = [pd.NA if v else _person(_rng(seed, "secretary", c, period if t else ""))
                              for c, v, t in zip(group["branch_id"], vacant, changed, strict=True)]
        frame["secretary_vacant_months"] = vacant
        streak = np.where(recruits > 0, 0.0, streak + 1)
        frame["years_without_recruit"] = streak
        for cid in _RARE:
            if cid in declared:
                frame[cid] = _rare(cid, quality, rng)
        if "months_since_founding" in declared:  # the school rubric rates only branches at least a year old
            frame["months_since_founding"] = founded + 12 * PERIODS.index(period)
        for cid, column in values.items():
            frame[cid] = column
        if rubric.sources:
            for source in rubric.sources[1:]:
                own = _indicators(group, rubric, period, seed, venue[period], source=source.id)
                for cid, column in own.items():
                    frame[f"{cid}@{source.id}"] = column
        frame["remarks"] = _remarks(frame)
        frame["_rubric"], frame["_quality"] = kind, quality
        frames.append(frame)
        # Next year: this year's probationary members become full members; some move away or pass on.
        group = group.assign(members2025=np.maximum(frame["members"] + recruits - rng.poisson(0.9, n), 3.0))
    return frames


_EVENTS = (
    ("secretary_violation", "书记受到严重违纪处分"), ("mass_incident", "发生群体性事件"), ("safety_accident", "发生重大安全事故"),
    ("safety_target_missed", "未完成安全稳定目标"), ("eight_rules_violation", "党员违反中央八项规定精神"),
    ("serious_violation", "单位严重违法违规"), ("ethics_violation", "发生严重师德医德问题"), ("annual_inspection_failed", "年检不合格"),
)


def _remarks(frame: pd.DataFrame) -> pd.Series:
    """减分原因 as an assessor would jot them down, for the rows where something stands out."""
    def column(cid: str) -> np.ndarray:
        """A numeric column of the frame, or zeros when this rubric has no such column."""
        return frame[cid].to_numpy(dtype=float) if cid in frame else np.zeros(len(frame))

    parts: list[list[str]] = [[] for _ in range(len(frame))]
    vacant, petitions, income = column("secretary_vacant_months"), column("petitions"), column("collective_income")
    for i in range(len(frame)):
        if vacant[i] > 0:
            parts[i].append(f"书记空缺{int(vacant[i])}个月")
        parts[i] += [text for cid, text in _EVENTS if cid in frame and frame[cid].iat[i] == 1]
        if petitions[i] > 0:
            parts[i].append(f"越级上访{int(petitions[i])}次")
        if "collective_income" in frame and income[i] == 0:
            parts[i].append("空壳村")
    return pd.Series(["；".join(p) if p else None for p in parts], index=frame.index, dtype="str")


# ------------------------------------------------------------------ the sample


@dataclass(frozen=True)
class Sample:
    """The sample city in the engine's encoding (with not-applicable cells) and as users type it."""

    encoded: pd.DataFrame
    not_applicable: pd.DataFrame
    typed: pd.DataFrame


def load_city_rubrics() -> RubricSet:
    """The rubrics the sample is written for."""
    return load_rubrics([ROOT / "rubrics"])


def build(seed: int = SEED, rubrics: RubricSet | None = None) -> Sample:
    """The whole sample city for both periods, sorted by period and branch code."""
    rubrics = rubrics or load_city_rubrics()
    table = branches(seed)
    parts: list[pd.DataFrame] = []
    for rubric in rubrics.concrete:
        group = table[table["rubric"] == rubric.id].reset_index(drop=True)
        if len(group):
            parts.extend(_group(group, rubric, seed))
    encoded = _plant_direct_grades(pd.concat(parts, ignore_index=True, sort=False), rubrics)
    encoded = encoded.sort_values(["period", "branch_id"], kind="stable").reset_index(drop=True)
    text = ["branch_id", "name", "field", "period", "district", "township", "parent", "org_type", "secretary", "remarks"]
    for cid in text:
        encoded[cid] = encoded[cid].astype("str")  # blanks stay missing
    columns = rubrics.columns
    na_columns = [cid for cid, col in columns.items() if col.blank == "not_applicable" and cid in encoded]
    reads = {r.id: set(r.input_columns()) for r in rubrics.concrete}
    which = encoded["field"].map(lambda f: (r := rubrics.for_field(f)) and r.id)
    not_applicable = pd.DataFrame({
        cid: encoded[cid].isna() & which.map(lambda rid, c=cid: c in reads.get(rid, set())) for cid in na_columns
    })
    return Sample(encoded, not_applicable, typed_frame(encoded, rubrics))


_DIRECT = (("rural", "award_level"), ("school", "model_branch"))  # who wins a national honour in the last period


def _plant_direct_grades(encoded: pd.DataFrame, rubrics: RubricSet) -> pd.DataFrame:
    """Give the value of a direct-grade rule (e.g. 国家级) to the best branch of a few rubrics in the last period."""
    last = encoded["period"] == PERIODS[-1]
    for rubric_id, column_id in _DIRECT:
        rubric = rubrics.get(rubric_id)
        column = rubric.input_columns()[column_id]
        value = next(d.when.value for d in rubric.grading.direct if isinstance(d.when, Clause) and d.when.column == column_id)
        rows = encoded.index[last & (encoded["_rubric"] == rubric_id)]
        encoded.loc[encoded.loc[rows, "_quality"].idxmax(), column_id] = float(column.levels.index(value))
    return encoded.drop(columns=["_rubric", "_quality"])


def _headers(rubrics: RubricSet, encoded: pd.DataFrame) -> list[tuple[str, str, Column]]:
    """(frame key, header, column) for every column written, identity first, remarks and second sources last."""
    columns = rubrics.columns
    keys = [cid for cid in columns if cid in encoded and cid != "remarks"] + ["remarks"]
    out = [(cid, columns[cid].label, columns[cid]) for cid in keys]
    for rubric in rubrics.concrete:
        for position, source in enumerate(rubric.sources):
            if position == 0:
                continue
            for ind in rubric.indicators():
                key = f"{ind.column_id}@{source.id}"
                if key in encoded and all(k != key for k, _, _ in out):
                    column = columns[ind.column_id]
                    out.append((key, source.header.format(label=column.label), column))
    return out


def typed_frame(encoded: pd.DataFrame, rubrics: RubricSet) -> pd.DataFrame:
    """The sample as users type it: Chinese headers, 是/否, level words, 92%, blanks where a blank means 0."""
    # Some townships leave 0 and 否 blank where the rubric allows it; others write them out.
    tidy = encoded["parent"].map(lambda p: zlib.crc32(str(p).encode("utf-8")) % 2 == 0).to_numpy()
    out: dict[str, list[str]] = {}
    for key, header, column in _headers(rubrics, encoded):
        values = encoded[key]
        if column.type == "text":
            out[header] = ["" if pd.isna(v) else str(v) for v in values]
        else:
            blank_zero = tidy if column.blank == "zero" and column.type in ("number", "bool") else None
            out[header] = render(column, values.to_numpy(dtype=float, na_value=np.nan), blank_zero)
    return pd.DataFrame(out)


# ------------------------------------------------------------------ files


def csv_bytes(frame: pd.DataFrame, encoding: str) -> bytes:
    """A CSV as Excel on Windows saves it (CRLF line ends)."""
    return frame.to_csv(index=False, lineterminator="\r\n").encode(encoding)


def _cell(text: str, column: Column | None) -> tuple[object, str | None]:
    """An Excel cell value and number format: numbers as numbers, percentages as formatted fractions."""
    if text == "" or column is None or column.type in ("text", "bool", "level"):
        return (text or None), None
    if text.endswith("%"):
        value = float(text[:-1]) / 100
        return value, "0%" if float(text[:-1]).is_integer() else "0.0#%"
    number = float(text)
    return (int(number) if number.is_integer() else number), None


def xlsx_bytes(frame: pd.DataFrame, title: str, columns: Sequence[Column | None]) -> bytes:
    """An .xlsx with a title row above the header, fixed timestamps, so the bytes depend only on the data."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "考评得分"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(12, len(frame.columns)))
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(frame.columns))
    for row, values in enumerate(frame.itertuples(index=False), start=3):
        cells = [_cell(str(v), c) for v, c in zip(values, columns, strict=True)]
        sheet.append([v for v, _ in cells])
        for j, (_, fmt) in enumerate(cells, start=1):
            if fmt:
                sheet.cell(row=row, column=j).number_format = fmt
    sheet.freeze_panes = "C3"
    book.properties.creator = f"{CITY}委组织部"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times and the fixed modification time in docProps/core.xml."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp.encode() + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()


# ------------------------------------------------------------------ the messy file for the validation demo


@dataclass(frozen=True)
class Planted:
    """A problem planted in messy.csv: where (file line, branch code, header), what was typed, the code to expect."""

    line: int
    branch: str
    header: str
    typed: str
    code: str
    expected: str


_MESSY_TOWN = "禾城镇"
# (row in the town's list, header, typed value, problem code, what the user should see)
_BROKEN = (
    (1, "党员大会次数", "四次", "type-error", "无法识别为数字：该行拒收"),
    (3, "群众满意度", "105%", "constraint-error", "比率超出 0%–100%：该行拒收"),
    (5, "支委会次数", "-2", "constraint-error", "次数不能为负：该行拒收"),
    (7, "“六有”缺项数", "9", "constraint-error", "“六有”最多缺 6 项：该行拒收"),
    (9, "书记履职能力", "优良", "level-error", "不是可选等次（好、较好、一般、差）：该行拒收"),
    (11, "党费按时足额交纳率", "九成", "type-error", "无法识别为比率：该行拒收"),
    (13, "按期换届", "基本按期", "type-error", "不是“是”或“否”：该行拒收"),
    (33, "正式党员数", "三十", "type-error", "无法识别为数字：该行拒收"),
)
# Cells that look odd but are valid: ingestion normalizes them and counts what it did.
_NORMALIZED = (
    (2, "按期换届", "√"), (4, "网上阵地", "×"), (6, "主题党日次数", "１２"), (8, "活动场所面积", "260㎡"),
    (10, "群众满意度", "93％"), (12, "中心工作得分", "3.5分"), (14, "考核年度", "2025年度"), (15, "记录台账规范", "良好"),
    (16, "党务公开栏", " 是 "), (18, "书记培训学时", "56学时"),
)
_UNKNOWN_FIELD, _NAMELESS, _DUPLICATED, _BLANK_AFTER = 31, 35, 20, (12, 26)


def messy(sample: Sample) -> tuple[bytes, list[Planted]]:
    """messy.csv (UTF-8 with BOM) for the validation demo, and the problems planted in it."""
    typed = sample.typed
    rows = typed[(typed["考核年度"] == "2025") & (typed["乡镇（街道）"] == _MESSY_TOWN)]
    rows = pd.concat([rows[rows["领域"] == "农村"].head(30), rows[rows["领域"] == "城市社区"].head(10)])
    keep = [h for h in typed.columns if (rows[h] != "").any() or h in ("乡镇（街道）", "备注")]
    table = rows[keep].reset_index(drop=True).copy()
    table.insert(len(table.columns) - 1, "联系电话", ["" for _ in range(len(table))])  # a column no rubric reads
    planted = [(i, header, value, code, text) for i, header, value, code, text in _BROKEN]
    planted += [(_UNKNOWN_FIELD, "领域", "新兴领域", "unknown-field", "没有这个领域的评分细则：该行拒收"),
                (_NAMELESS, "党组织名称", "", "blank-required", "必填项为空：该行拒收")]
    for i, header, value, *_ in planted:
        table.loc[i, header] = value
    for i, header, value in _NORMALIZED:
        table.loc[i, header] = value
    duplicate = table.iloc[_DUPLICATED].copy()
    duplicate["群众满意度"] = "88%"
    body: list[list[str]] = [list(table.columns)]
    lines: dict[int, int] = {}
    blank = [""] * len(table.columns)
    for i, values in enumerate(table.itertuples(index=False)):
        body.append([str(v) for v in values])
        lines[i] = len(body)
        if i == _DUPLICATED:
            body.append([str(v) for v in duplicate])
            lines[-1] = len(body)
        if i in _BLANK_AFTER:  # blank rows in the middle, as left behind by deleting rows in Excel
            body.append(blank)
    body += [blank, blank, blank]  # and at the end
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(body)
    code_of = {i: str(table.loc[i, "党组织代码"]) for i in lines if i >= 0}
    found = [Planted(lines[i], code_of[i], h, v, c, t) for i, h, v, c, t in planted]
    found += [
        Planted(lines[-1], code_of[_DUPLICATED], "党组织代码", code_of[_DUPLICATED], "duplicate-row",
                f"与第 {lines[_DUPLICATED]} 行同一党组织、同一考核年度：第 {lines[_DUPLICATED]} 行计分，本行拒收"),
        Planted(1, "", "联系电话", "", "unknown-column", "没有评分细则读取此列：单独保留，不参与计分"),
        *(Planted(lines[i] + 1, "", "", "", "blank-row", "空行：跳过") for i in _BLANK_AFTER),
        Planted(len(body) - 2, "", "", "", "", f"第 {len(body) - 2}–{len(body)} 行是文件末尾的空行：忽略"),
    ]
    return out.getvalue().encode("utf-8-sig"), sorted(found, key=lambda p: (p.line, p.header))


def planted_markdown(planted: Sequence[Planted]) -> str:
    """The planted problems as a Markdown table, as documented in sample_data/README.md."""
    lines = ["| 行号 | 党组织代码 | 列 | 填写内容 | 问题代码 | 预期结果 |", "|---|---|---|---|---|---|"]
    for p in planted:
        typed = f"`{p.typed}`" if p.typed.strip() else ("（空白）" if p.header and p.line > 1 else "")
        lines.append(f"| {p.line} | {p.branch} | {p.header} | {typed} | {p.code} | {p.expected} |")
    return "\n".join(lines) + "\n"


def normalized_markdown() -> str:
    """The odd-but-valid cells of messy.csv that ingestion normalizes, as a Markdown list."""
    return "".join(f"- {header}：`{value}`\n" for _, header, value in _NORMALIZED)


# ------------------------------------------------------------------ main


def write_all(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write every sample file into `out_dir` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rubrics = load_city_rubrics()
    sample = build(seed, rubrics)
    typed = sample.typed
    year = typed["考核年度"]
    columns = {c.label: c for c in rubrics.columns.values()}
    sources = {h: columns.get(h.removesuffix("（自评）")) for h in typed.columns}
    files = {
        "city.csv": csv_bytes(typed, "utf-8-sig"),
        "city_2025.xlsx": xlsx_bytes(typed[year == "2025"], f"{CITY}2025年度党支部标准化建设考评得分表",
                                     [sources[h] for h in typed.columns]),
        "city_2024_gbk.csv": csv_bytes(typed[year == "2024"], "gbk"),
        "messy.csv": messy(sample)[0],
    }
    paths = []
    for name, data in files.items():
        path = out_dir / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: python sample_data/generate.py [OUT_DIR] [--seed N]."""
    parser = argparse.ArgumentParser(description=f"生成{CITY}示例数据（确定性：同一 seed 输出字节相同）")
    parser.add_argument("out_dir", nargs="?", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in write_all(args.out_dir, args.seed):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
