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

min_version("9.0")


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
