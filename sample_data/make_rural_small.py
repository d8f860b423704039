"""Write sample_data/rural_small.csv: 40 village branches that show every grade, a veto, a floor and a quota."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.engine import score
from scoring.explain import display_value
from scoring.loader import load_rubrics
from scoring.reading import ruled
from scoring.rubric import Rubric
from scoring.synthetic import synthetic_frame

HERE = Path(__file__).resolve().parent


def encoded() -> tuple[pd.DataFrame, Rubric]:
    """The sample in the engine's encoding, with the cases it is meant to show."""
    rubrics = load_rubrics([HERE.parent / "rubrics"])
    rubric = rubrics.for_field("农村")
    assert rubric is not None
    frame = synthetic_frame(rubric, 40, seed=7, groups=2)
    frame["branch_id"] = [f"0011020{i:02d}" for i in range(40)]
    frame["name"] = [f"示例镇{'东西'[i % 2]}{i:02d}村党支部" for i in range(40)]
    frame["parent"] = [f"示例{'东西'[i % 2]}镇党委" for i in range(40)]
    frame["township"] = [f"示例{'东西'[i % 2]}镇" for i in range(40)]
    frame["district"] = "示例县"
    best = score(frame, rubrics).branches["total"].idxmax()
    values = [c for c in frame.columns if frame[c].dtype == float]
    for row in (10, 12, 14, 16, 18, 20, 22, 24):  # many excellent branches in one township: the 30% quota applies
        frame.loc[row, values] = frame.loc[best, values].to_numpy()
    frame.loc[24, ["new_members", "dues_rate"]] = [0.0, 0.8]  # excellent overall but weak 队伍完善: the floor applies
    frame.loc[3, "safety_accident"] = 1.0          # a forcing veto on an otherwise good branch
    frame.loc[5, "secretary_vacant_months"] = 4.0   # another forcing veto, also flags 软弱涣散
    frame.loc[8, ["theme_days", "general_meetings", "committee_meetings", "party_lessons"]] = [3.0, 1.0, 3.0, 1.0]  # a weak standard
    columns = rubric.input_columns()
    for ind in rubric.indicators():  # items the rubric's rules rule out (e.g. 支委会 under 7 members) are left blank
        out = ruled(ind, frame, columns)
        if out is not None:
            frame.loc[out, ind.column_id] = np.nan
    return frame, rubric


def build() -> pd.DataFrame:
    """The sample as users would type it: Chinese headers, 是/否, level words, percentages and units."""
    frame, rubric = encoded()
    columns = rubric.input_columns()
    text = pd.DataFrame({columns[c].label: [display_value(columns[c], v) if isinstance(v, float) else v for v in frame[c]]
                         for c in frame.columns if c in columns})
    return text.replace({"未填": np.nan})


if __name__ == "__main__":
    build().to_csv(HERE / "rural_small.csv", index=False, encoding="utf-8-sig")
    print(f"wrote {HERE / 'rural_small.csv'}")
