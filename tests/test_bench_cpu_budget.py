"""The speed benchmark's arithmetic (bench/cpu_budget.py) on hand-made job records: which
processes are jobs, CPU by rule and stage, the floor ratio, parallel efficiency, the target
verdicts, jobs per area from two plans, and the many-area and cluster estimates. No timing."""

from __future__ import annotations

import pytest

from bench.cpu_budget import (
    AreaCost,
    ClusterPlan,
    Job,
    JobsPerArea,
    ProcessRecord,
    Target,
    area_cost,
    cpu_by,
    floor_ratio,
    job_counts,
    jobs_of,
    jobs_per_area,
    minutes,
    parallel_efficiency,
    top_level_imports,
    total_cpu,
    workflow_imports,
)

SCRIPTS = "/tmp/copy/.snakemake/scripts"


def record(pid, ppid, argv0, cpu, children=0.0, start=0.0, end=1.0):
    return ProcessRecord(pid, ppid, (argv0,), start, end, cpu, children)


def test_only_rule_scripts_are_jobs_and_a_jobs_own_python_child_is_not_counted_twice():
    records = [
        record(10, 1, "/venv/lib/python3.11/site-packages/snakemake/__main__.py", 3.0, 40.0),
        record(11, 10, f"{SCRIPTS}/tmpab_12x.render_reports.py", 15.0, 0.5, start=5, end=20),
        record(12, 10, f"{SCRIPTS}/tmpq9.check_raw_inputs.py", 0.4, start=1, end=2),
        # started by the render job: its CPU is already in the render job's children
        record(13, 11, f"{SCRIPTS}/tmpzz.draw_charts.py", 2.0),
        record(14, 10, "-c", 9.0),
    ]
    jobs = jobs_of(records)
    assert [(job.rule, job.cpu) for job in jobs] == [
        ("check_raw_inputs", 0.4),
        ("render_reports", 15.5),
    ]
    assert total_cpu(jobs) == pytest.approx(15.9)
    assert records[0].rule is None and records[4].rule is None


def test_cpu_by_rule_and_by_stage_counts_jobs_and_sorts_by_cpu():
    jobs = [
        Job("check_raw_inputs", 0.5, 0, 1),
        Job("check_raw_inputs", 0.3, 0, 1),
        Job("validate_area_inputs", 1.2, 1, 2),
        Job("render_reports", 16.0, 2, 3),
        Job("record_provenance", 0.4, 2, 3),
        Job("publish_edition", 1.5, 3, 4),
    ]
    assert cpu_by(jobs) == {
        "render_reports": (1, 16.0),
        "publish_edition": (1, 1.5),
        "validate_area_inputs": (1, 1.2),
        "check_raw_inputs": (2, 0.8),
        "record_provenance": (1, 0.4),
    }
    by_stage = cpu_by(jobs, "stage")
    assert list(by_stage) == ["render", "validation", "publish"]
    assert by_stage["validation"] == (3, pytest.approx(2.0))
    assert by_stage["publish"] == (2, pytest.approx(1.9))


def test_ratio_and_efficiency_are_the_hand_worked_figures():
    # 33 areas x 30 s of job CPU on 2 cores in 600 s: 990 / 1200
    assert parallel_efficiency(990.0, 600.0, 2) == pytest.approx(0.825)
    assert floor_ratio(32.0, 14.5) == pytest.approx(2.2069, abs=1e-4)
    with pytest.raises(ValueError):
        parallel_efficiency(1.0, 0.0, 2)
    with pytest.raises(ValueError):
        floor_ratio(1.0, 0.0)


def test_a_target_is_met_only_on_the_right_side_of_its_bound():
    assert Target("ratio", 1.6, "<=", 1.6, "x").met
    assert not Target("ratio", 1.61, "<=", 1.6, "x").met
    assert not Target("no-op", 1.0, "<", 1.0, " s").met
    assert Target("efficiency", 0.95, ">=", 0.9).met
    line = Target("ratio", 2.2, "<=", 1.6, "x").line()
    assert line == "ratio: 2.20x [target <= 1.6x: NOT MET]"


PLAN_ONE = """
job                       count
----------------------  -------
check_raw_inputs              2
validate_shared_inputs        1
validate_area_inputs          1
render_reports                1
all                           1
total                         6
"""
PLAN_33 = """
job                       count
----------------------  -------
generate_demo_data            1
check_raw_inputs             34
validate_shared_inputs        1
validate_area_inputs         33
render_reports               33
all                           1
total                       103
"""


def test_jobs_per_area_split_the_two_plans_and_leave_out_input_generation():
    assert job_counts(PLAN_ONE) == {
        "check_raw_inputs": 2,
        "validate_shared_inputs": 1,
        "validate_area_inputs": 1,
        "render_reports": 1,
    }
    split = jobs_per_area(job_counts(PLAN_ONE), job_counts(PLAN_33), 33)
    assert split.per_area == {
        "check_raw_inputs": 1,
        "validate_shared_inputs": 0,
        "validate_area_inputs": 1,
        "render_reports": 1,
    }
    assert split.shared_total() == 2 and split.per_area_total() == 3
    assert split.total(300) == 902
    with pytest.raises(ValueError, match="whole number"):
        jobs_per_area({"render_reports": 1}, {"render_reports": 34}, 33)


def test_area_cost_scales_each_rules_mean_job_by_its_per_area_and_shared_jobs():
    jobs = [
        Job("check_raw_inputs", 0.6, 0, 1),  # shared
        Job("check_raw_inputs", 0.4, 0, 1),  # the area's: mean 0.5 each
        Job("validate_shared_inputs", 1.0, 1, 2),
        Job("validate_area_inputs", 2.0, 1, 2),
        Job("render_reports", 10.0, 2, 3),
    ]
    split = JobsPerArea(
        per_area={
            "check_raw_inputs": 1,
            "validate_shared_inputs": 0,
            "validate_area_inputs": 1,
            "render_reports": 1,
        },
        shared={
            "check_raw_inputs": 1,
            "validate_shared_inputs": 1,
            "validate_area_inputs": 0,
            "render_reports": 0,
        },
    )
    cost = area_cost(
        jobs,
        split,
        ("check_raw_inputs", "validate_area_inputs", "render_reports"),
        ("check_raw_inputs", "validate_shared_inputs"),
    )
    assert cost.per_area_cpu == pytest.approx(12.5)
    assert cost.shared_cpu == pytest.approx(1.5)
    assert cost.critical_path == pytest.approx(12.5)
    assert cost.shared_path == pytest.approx(1.5)
    assert cost.cpu(300) == pytest.approx(3751.5)
    with pytest.raises(ValueError, match="draw_charts"):
        area_cost(jobs, JobsPerArea({"draw_charts": 1}, {}), (), ())


def test_the_cluster_wall_is_bounded_by_the_slots_or_by_one_areas_chain():
    cost = AreaCost(per_area_cpu=30.0, shared_cpu=1.0, critical_path=28.0, shared_path=1.0)
    capped = ClusterPlan(300, 16, 32, concurrent_jobs=50, hop_latency=30.0, hops=4, shared_hops=1)
    assert capped.slots == 50
    # 300 x 30 s over 50 slots = 180 s, + shared 1 s + 5 hops x 30 s
    assert capped.wall(cost) == pytest.approx(331.0)
    wide = ClusterPlan(300, 16, 32, concurrent_jobs=512, hop_latency=30.0, hops=4, shared_hops=1)
    assert wide.slots == 512
    # 300 x 30 / 512 = 17.6 s is under one area's 28 s chain, so the chain bounds it
    assert wide.wall(cost) == pytest.approx(1.0 + 28.0 + 150.0)


def test_top_level_imports_keep_only_module_level_import_statements():
    source = (
        '"""doc"""\nfrom __future__ import annotations\nimport json\n'
        "from pipeline.steps import publish_step\n"
        "def later():\n    import weasyprint\n"
        "sm = snakemake\n"
    )
    assert top_level_imports(source) == "import json\nfrom pipeline.steps import publish_step"


def test_minutes_reads_as_minutes_and_seconds():
    assert minutes(515.4) == "8 min 35 s"
    assert minutes(41.4) == "41.4 s"
    assert minutes(60.0) == "1 min 00 s"


def test_workflow_imports_are_the_margin_import_lines_of_every_file_once():
    snakefile = "from snakemake.utils import min_version\n\nrule all:\n    input: 'x'\n"
    common = (
        "import sys\nfrom pipeline.layout import Layout\n"
        "def f():\n    import json\nfrom snakemake.utils import min_version\n"
    )
    assert workflow_imports([snakefile, common]) == (
        "from snakemake.utils import min_version\nimport sys\nfrom pipeline.layout import Layout"
    )
