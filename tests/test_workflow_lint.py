"""`snakemake --lint` reports nothing but the conda/container advice, which cannot apply here
(conda channels and container registries are out of reach; the locked venv is the environment)."""

from __future__ import annotations

import re
import subprocess
import sys

CONDA_ADVICE = "Specify a conda environment or container for each rule."


def test_lint_reports_only_the_conda_advice(repo):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    lints = re.findall(r"^\s+\* (.+?):?$", output, flags=re.MULTILINE)
    assert lints, f"lint printed no rule lints at all, unexpected:\n{output[-2000:]}"
    others = sorted({lint for lint in lints if not lint.startswith(CONDA_ADVICE)})
    assert others == [], f"unexpected lints: {others}"
    assert "Lints for snakefile" not in output


def test_no_lambdas_in_rules(repo):
    for rule_file in (repo / "rules").glob("*.smk"):
        assert "lambda" not in rule_file.read_text(encoding="utf-8"), rule_file


def test_python_code_passes_ruff(repo):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "pipeline", "tests", "bench", "scripts"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_workflow_files_pass_snakefmt(repo):
    result = subprocess.run(
        [sys.executable, "-m", "snakefmt", "--check", "Snakefile", "rules"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
