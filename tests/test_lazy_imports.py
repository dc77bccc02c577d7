"""The chart and report jobs import every family but compute nothing: scipy and statsmodels
(about a second of start-up between them) load only when a job first computes."""

from __future__ import annotations

import subprocess
import sys

from scipy import stats

from pipeline.lazy import scipy_stats
from tests.conftest import REPO

HEAVY = ("scipy.stats", "scipy.optimize", "statsmodels", "openpyxl")


def test_the_chart_and_report_modules_load_no_statistics_library():
    code = (
        "import sys\n"
        "import pipeline.families.registry, pipeline.charts.build, pipeline.charts.store\n"
        "import pipeline.render.context, pipeline.render.html, pipeline.render.pdf\n"
        "import pipeline.validate.dictionary\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_raw_input_check_and_the_publishing_job_load_no_pandas():
    # They hash and copy files; pandas (with pyarrow) is about half a second of each one's
    # start-up. Their scripts' own imports, as the job runs them:
    scripts = ("check_raw_inputs", "publish_edition", "record_provenance")
    imports = "\n".join(
        line
        for name in scripts
        for line in (REPO / "scripts" / f"{name}.py").read_text(encoding="utf-8").splitlines()
        if line.startswith(("from ", "import "))
    )
    code = f"import sys\n{imports}\nprint([m for m in ('pandas', 'numpy') if m in sys.modules])\n"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_stand_in_imports_its_module_on_first_use():
    assert scipy_stats.norm.ppf(0.975) == stats.norm.ppf(0.975)
    assert "loaded" in repr(scipy_stats)
