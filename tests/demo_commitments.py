"""Commitments shaped like real local acts, each with the demo recommendations (those
`seed_demo` loads) a person would accept as the right pick for it. Their wording is local,
not the UN's, as staff would write it."""

# (kind, title, summary, paragraphs a person would accept as the right pick)
COMMITMENTS = [
    (
        "ordinance",
        "Right to counsel for tenants facing eviction",
        "Gives every tenant with an eviction case a free lawyer, pays for outreach at "
        "housing court and adds emergency shelter beds for people experiencing "
        "homelessness.",
        {"26.286"},
    ),
    (
        "ordinance",
        "Ordinance on the local principles of CEDAW",
        "The council adopts the principles of the Convention on the Elimination of All "
        "Forms of Discrimination against Women as city policy and creates a commission "
        "on the status of women to review city departments.",
        {"26.47"},
    ),
    (
        "policy",
        "Police use-of-force policy",
        "A department directive allows deadly force only as a last resort, requires "
        "officers to de-escalate, and sends every complaint to an independent civilian "
        "board for investigation.",
        {"26.218", "26.219", "26.222", "26.229"},
    ),
    (
        "program",
        "Water affordability plan",
        "Low-income households pay water and sewer bills as a share of their income, and "
        "shutoffs for arrears stop while a household is enrolled.",
        {"26.287"},
    ),
    (
        "executive_order",
        "Moratorium on executions",
        "The governor grants a reprieve to every person on death row for as long as he "
        "holds office and closes the execution chamber.",
        {"26.179", "26.183", "26.185"},
    ),
]
