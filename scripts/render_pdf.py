"""Rule render_pdf: a rendered report as an A4 tagged PDF (PDF/UA-1)."""

from pipeline.runtime import logged_step
from pipeline.steps import render_pdf_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], f"render_pdf {sm.wildcards.audience}"):
    render_pdf_step(sm.input.html, sm.output.pdf, sm.params.settings)
