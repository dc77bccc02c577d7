"""The demo action tracker: actions from Waltham Forest's Serious Violence Strategy.

Drawn from the Cabinet report (10 September 2024, shared/seed): the four domains Strengthen,
Support, Treat and Curtail and the initiatives it names. Owners, due dates and statuses are
illustrative (the report does not give them).
"""

from __future__ import annotations

import pandas as pd

ACTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "Strengthen",
        "Extend the network of safe spaces where young people can go if they feel "
        "worried or unsafe, with trained staff who signpost them to services",
        "Community Safety",
        "2025-03-31",
        "On track",
    ),
    (
        "Strengthen",
        "Provide bleed control kits and first aid training to young people in community settings",
        "Public Health",
        "2025-09-30",
        "Not started",
    ),
    (
        "Strengthen",
        "Co-design activities with young people through the Youth Independent "
        "Advisory Group and Voices in Partnership",
        "Youth Services",
        "2024-12-31",
        "Complete",
    ),
    (
        "Support",
        "Safer Routes: trained chaperones on routes to and from secondary schools at "
        "the times and places with a heightened risk of violence",
        "Community Safety",
        "2025-01-31",
        "On track",
    ),
    (
        "Support",
        "Deliver a bespoke evidence-based school mentoring programme for children and "
        "young people exposed to violence",
        "Education",
        "2025-12-31",
        "Not started",
    ),
    (
        "Support",
        "Make sure parents and families can get support at every stage of their "
        "child's development",
        "Early Help",
        "2025-06-30",
        "On track",
    ),
    (
        "Treat",
        "A&E navigators at Whipps Cross Hospital supporting children and young people "
        "with a violence-related injury",
        "Violence Reduction Partnership",
        "2025-03-31",
        "On track",
    ),
    (
        "Treat",
        "Embed trained mentors in police custody to engage young people arrested for "
        "violence-related offences",
        "Youth Justice Service",
        "2025-06-30",
        "At risk",
    ),
    (
        "Treat",
        "Train a trauma-informed workforce across council services",
        "Workforce Development",
        "2025-12-31",
        "On track",
    ),
    (
        "Curtail",
        "A dedicated multi-agency team of specialist case workers to address the root "
        "causes of violence and offer gang-involved people a safe way out",
        "Community Safety",
        "2025-04-30",
        "On track",
    ),
    (
        "Curtail",
        "Install CCTV in violence hotspots around schools and colleges",
        "Community Safety",
        "2025-12-31",
        "At risk",
    ),
    (
        "Curtail",
        "Coordinated enforcement with the police to disrupt gang exploitation and violence",
        "Metropolitan Police",
        "2025-03-31",
        "On track",
    ),
)


def actions_frame() -> pd.DataFrame:
    """The action tracker in the contract: domain, action, owner, due_date, status."""
    return pd.DataFrame(list(ACTIONS), columns=["domain", "action", "owner", "due_date", "status"])
