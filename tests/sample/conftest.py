"""Shared, expensive fixtures for the sample city: the generator module, the rubrics, ingested and scored files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from scoring.loader import load_rubrics
from scoring.rubricset import RubricSet

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


def load_generator() -> ModuleType:
    """sample_data/generate.py as a module (sample_data is a folder of files, not a package)."""
    name = "sample_city_generator"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SAMPLE / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="session")
def rubrics() -> RubricSet:
    return load_rubrics([ROOT / "rubrics"])


@pytest.fixture(scope="session")
def sample(generator: ModuleType, rubrics: RubricSet) -> Any:
    """The sample city as the generator builds it (engine encoding and typed)."""
    return generator.build(rubrics=rubrics)


@pytest.fixture(scope="session")
def ingested(rubrics: RubricSet) -> dict[str, Any]:
    """Every committed sample file read by the ingestion package."""
    ingest = pytest.importorskip("scoring.ingest")
    names = ("city.csv", "city_2024_gbk.csv", "city_2025.xlsx", "messy.csv")
    return {name: ingest.read_assessments(SAMPLE / name, rubrics, filename=name) for name in names}


@pytest.fixture(scope="session")
def scored(ingested: dict[str, Any], rubrics: RubricSet) -> dict[str, Any]:
    """Scores of the three clean layouts of the city."""
    from scoring.engine import score

    return {name: score(ingested[name].frame, rubrics, ingested[name].not_applicable)
            for name in ("city.csv", "city_2024_gbk.csv", "city_2025.xlsx")}
