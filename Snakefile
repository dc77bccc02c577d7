# Serious Violence Strategic Needs Assessment (SNA) pipeline.
#
#   data/raw/<inputs>  -> validate (pandera)  -> data/processed/validated/<dataset>/...
#                      -> measures            -> data/processed/measures/<area>/<edition>/*.csv
#                      -> charts              -> data/processed/charts/<area>/<edition>/
#                      -> render              -> data/processed/render/<area>/<edition>/
#                      -> publish             -> reports/<area>/<edition>/ (public edition)
#                                                and reports/internal/<area>/<edition>/
#
# Run: snakemake --cores 4   (configuration: config/config.yaml, checked against
# schemas/config.schema.yaml). Published reports are only written by the last rule, after
# every check has passed, each tree replaced in one rename (pipeline/render/publish.py).

from snakemake.utils import min_version

from pipeline.config_checks import check_yaml_files
from pipeline.runtime import clear_stop_reasons, report_stop_reasons
from pipeline.snakemake_timers import coalesce_reevaluation_timers

min_version("9.0")

# Snakemake's scheduler starts one more wake-up timer with every job that finishes while others
# wait, which cost a quarter of a London-wide run's CPU; keep one (pipeline/snakemake_timers.py).
coalesce_reevaluation_timers()

# Snakemake names neither the file nor the line of a configuration that is not valid YAML, so
# the default one is read here first (rules/common.smk then checks the merged configuration).
# A broken --configfile is read by Snakemake before this file: see README, "When an extract is
# wrong" (python -m pipeline.config_checks names its line).
check_yaml_files(["config/config.yaml"])


configfile: "config/config.yaml"


include: "rules/common.smk"
include: "rules/demo.smk"
include: "rules/public.smk"
include: "rules/validate.smk"
include: "rules/measures.smk"
include: "rules/charts.smk"
include: "rules/render.smk"
include: "rules/publish.smk"


rule all:
    default_target: True
    input:
        get_final_outputs(),


# A job that stops leaves its reason in logs/stops/ (pipeline.runtime.logged_step); the reasons
# are repeated as the run's last lines, under Snakemake's own error blocks.
onstart:
    clear_stop_reasons()


onerror:
    report_stop_reasons(log)
