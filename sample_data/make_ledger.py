"""Generate 示例市's 2024 软弱涣散整顿台账 (sample_data/ledger_2024.csv) from the sample city's 2024 candidates.

Run `python sample_data/make_ledger.py [OUT_FILE] [--seed N]`; the output is byte-for-byte deterministic for a seed.
The 80 lowest-scoring 2024 candidates (as the 整改预警 page lists them) are designated; each gets a fictional 包联领导
and 第一书记, its lost points as the problem list, measures, a deadline in 2025 and a progress: most are 已销号 by the
end of 2025, some wait for acceptance, are still being rectified or were extended. The dashboard shows this 台账 for
the sample city, so the 整改成效 view compares it with the 2025 grades on first open.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ledger.model import AWAITING, CLOSED, DELAYED, IN_PROGRESS, LISTED, Entry  # noqa: E402
from ledger.sheet import to_csv  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.ingest import read_assessments  # noqa: E402
from scoring.loader import load_rubrics  # noqa: E402
from ui.model.ledger import CandidateRow, candidates  # noqa: E402
from ui.model.view import Filters  # noqa: E402

SEED = 20250301
PERIOD = "2024"
SIZE = 80
OUT = ROOT / "sample_data" / "ledger_2024.csv"
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
            "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = "明华建国志强伟军平东海燕丽芳静敏玉兰秀英红霞桂芬德辉永林春梅宏刚文杰涛斌峰磊超鹏飞宇浩然思远博雅晨曦嘉怡欣"
TITLES = ("县委常委、组织部部长", "县委常委、纪委书记", "副县长", "县人大常委会副主任", "县政协副主席", "县委常委、宣传部部长")
MEASURES = (
    "选优配强支部书记，组织书记参加县级示范培训",
    "落实“三会一课”制度，建立会议记录月检查机制",
    "按标准完善活动场所“六有”设施",
    "制定发展党员计划，培养入党积极分子 2 名以上",
    "落实党建工作经费和书记报酬待遇",
    "开展党员冬春训，补齐学习培训学时",
    "规范党务公开，每季度公开一次",
    "包联领导每季度到支部指导一次，帮助解决实际困难",
    "发展壮大村集体经济，确定一个增收项目",
    "开展群众满意度回访，逐条整改群众反映的问题",
)
DELAYS = ("活动场所改造工程受雨季影响未完工", "新任书记到岗时间推迟", "集体经济项目审批手续尚在办理")


def _person(rng: np.random.Generator) -> str:
    return str(rng.choice(list(SURNAMES))) + "".join(rng.choice(list(GIVEN), size=int(rng.integers(1, 3))))


def _entry(rng: np.random.Generator, candidate: CandidateRow, leaders: list[str]) -> Entry:
    month = int(rng.choice([6, 9, 12]))
    deadline = date(2025, month, 31 if month == 12 else 30)
    roll = float(rng.random())
    status = CLOSED if roll < 0.72 else AWAITING if roll < 0.82 else IN_PROGRESS if roll < 0.92 else DELAYED
    measures = rng.choice(len(MEASURES), size=3, replace=False)
    values = {
        "listed": LISTED, "reason": f"{PERIOD} 年度考评：{candidate.source}", "decided_by": "市委组织部组织一科",
        "decided_at": "2025-02-20 09:00 UTC", "problems": candidate.problems,
        "measures": "\n".join(f"{i}. {MEASURES[m]}" for i, m in enumerate(sorted(measures), start=1)),
        "leader": str(rng.choice(leaders)), "responsible": f"{_person(rng)}（第一书记）",
        "deadline": deadline.isoformat(), "status": status,
    }
    if status in (CLOSED, AWAITING):
        values["accepted_on"] = (deadline - timedelta(days=int(rng.integers(0, 40)))).isoformat()
    if status == CLOSED:
        values["result"] = "经验收，整改到位，予以销号"
    if status == DELAYED:
        values["delay_reason"] = str(rng.choice(DELAYS))
    return Entry(PERIOD, candidate.branch_id, candidate.name, candidate.parent, candidate.township,
                 candidate.source, values)


def generate(seed: int = SEED) -> bytes:
    """The 2024 台账 as CSV bytes (deterministic for a seed)."""
    rubrics = load_rubrics([ROOT / "rubrics"])
    ingested = read_assessments((ROOT / "sample_data" / "city.csv").read_bytes(), rubrics, filename="city.csv")
    found = candidates(score(ingested.frame, rubrics, ingested.not_applicable), rubrics, Filters(), PERIOD)[:SIZE]
    rng = np.random.default_rng(seed)
    leaders = [f"{_person(rng)}（{title}）" for title in TITLES]
    return to_csv(_entry(rng, c, leaders) for c in found)


def main() -> None:
    """Write the 台账 to OUT_FILE (default sample_data/ledger_2024.csv)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    args.out.write_bytes(generate(args.seed))


if __name__ == "__main__":
    main()
