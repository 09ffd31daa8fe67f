"""Reference vocabularies seeded into every database (codes and names, no prose)."""

# UN regional groups by ISO 3166-1 alpha-3. Turkey votes with WEOG; the United States
# attends WEOG as an observer but is counted there for UPR purposes; Kiribati sits in
# Asia-Pacific.
REGIONAL_GROUPS = {
    "african": (
        "DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG COD CIV DJI EGY GNQ ERI SWZ ETH "
        "GAB GMB GHA GIN GNB KEN LSO LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER NGA RWA "
        "STP SEN SYC SLE SOM ZAF SSD SDN TGO TUN UGA TZA ZMB ZWE"
    ),
    "asia_pacific": (
        "AFG BHR BGD BTN BRN KHM CHN CYP PRK FJI IND IDN IRN IRQ JPN JOR KAZ KIR KWT KGZ "
        "LAO LBN MYS MDV MHL FSM MNG MMR NRU NPL OMN PAK PLW PNG PHL QAT KOR WSM SAU SGP "
        "SLB LKA SYR TJK THA TLS TON TKM TUV ARE UZB VUT VNM YEM"
    ),
    "eeg": (
        "ALB ARM AZE BLR BIH BGR HRV CZE EST GEO HUN LVA LTU MNE MKD POL MDA ROU RUS SRB "
        "SVK SVN UKR"
    ),
    "grulac": (
        "ATG ARG BHS BRB BLZ BOL BRA CHL COL CRI CUB DMA DOM ECU SLV GRD GTM GUY HTI HND "
        "JAM MEX NIC PAN PRY PER KNA LCA VCT SUR TTO URY VEN"
    ),
    "weog": (
        "AND AUS AUT BEL CAN DNK FIN FRA DEU GRC ISL IRL ISR ITA LIE LUX MLT MCO NLD NZL "
        "NOR PRT SMR ESP SWE CHE TUR GBR USA"
    ),
}

REGION_BY_ISO3 = {
    code: region for region, codes in REGIONAL_GROUPS.items() for code in codes.split()
}

# Names a US audience and the UN documents use where pycountry's differ.
NAME_OVERRIDES = {
    "BOL": "Bolivia",
    "COD": "Democratic Republic of the Congo",
    "FSM": "Micronesia",
    "PSE": "State of Palestine",
    "TUR": "Türkiye",
    "VAT": "Holy See",
}
EXTRA_ALIASES = {
    "TUR": ["Turkey"],
    "CZE": ["Czech Republic"],
    "MKD": [
        "Macedonia",
        "The former Yugoslav Republic of Macedonia",
        "Macedonia FYR",
        "FYR Macedonia",
    ],
    "SWZ": ["Swaziland"],
    "CPV": ["Cape Verde"],
    "CIV": ["Ivory Coast"],
    "PRK": ["DPR Korea", "North Korea"],
    "KOR": ["South Korea"],
    "LAO": ["Lao PDR", "Laos"],
    "GBR": ["UK", "Great Britain"],
    "USA": ["US", "USA", "United States of America"],
    "RUS": ["Russia"],
    "SYR": ["Syria"],
    "VNM": ["Vietnam"],
    "BRN": ["Brunei"],
    "COG": ["Congo", "Republic of the Congo", "Republic of Congo"],
    "COD": ["DR Congo", "Congo, Democratic Republic of the", "Democratic Republic of Congo"],
    "TLS": ["East Timor", "Timor Leste"],
    "VAT": ["Vatican"],
    "PSE": ["Palestine"],
    "MMR": ["Burma"],
}

# Recommenders that are not states.
GROUPS = [
    # (code from the ISO user-assigned range, name, aliases)
    ("XAC", "ACT Group", ["Accountability, Coherence and Transparency Group"]),
]
OBSERVERS = {"PSE", "VAT"}

UPR_INFO_ISSUES = [
    "Asylum-seekers - refugees",
    "CP rights - general",
    "Civil society",
    "Corruption",
    "Counter-terrorism",
    "Death penalty",
    "Detention",
    "Development",
    "Disabilities",
    "ESC rights - general",
    "Elections",
    "Enforced disappearances",
    "Environment",
    "Extrajudicial executions",
    "Freedom of association and peaceful assembly",
    "Freedom of movement",
    "Freedom of opinion and expression",
    "Freedom of religion and belief",
    "Freedom of the press",
    "General",
    "HIV - Aids",
    "Human rights defenders",
    "Human rights education and training",
    "Human rights violations by state agents",
    "Impunity",
    "Indigenous peoples",
    "Internally displaced persons",
    "International humanitarian law",
    "International instruments",
    "Justice",
    "Labour",
    "Migrants",
    "Minorities",
    "NHRI",
    "National plan of action",
    "Other",
    "Poverty",
    "Public security",
    "Racial discrimination",
    "Right to education",
    "Right to food",
    "Right to health",
    "Right to housing",
    "Right to land",
    "Right to water",
    "Rights of the Child",
    "Sexual Orientation and Gender Identity",
    "Special procedures",
    "Technical assistance and cooperation",
    "Torture and other CID treatment",
    "Trafficking",
    "Treaty bodies",
    "UPR process",
    "Women's rights",
]

# UHRI themes seen in US recommendations, with the broad heading each sits under.
UHRI_THEMES = {
    "International framework": [
        "Ratification of & accession to international instruments",
        "Cooperation with human rights mechanisms & requests for technical assistance",
        "Cooperation & Follow up with Special Procedures",
        "Cooperation & follow up with the Universal Periodic Review (UPR)",
        "Inter-State cooperation and assistance",
        "International criminal & humanitarian law (including crimes against humanity, "
        "war crimes, genocide)",
        "Unilateral coercive measures",
    ],
    "National framework": [
        "Constitutional & legislative framework",
        "Legal & institutional reform",
        "National Human Rights Institution (NHRI)",
        "National Mechanisms for Reporting & Follow-up (NMRF)",
        "Human rights education, trainings & awareness raising",
        "Human rights & counter-terrorism",
        "Business & Human Rights",
    ],
    "Equality and non-discrimination": [
        "Equality & non-discrimination",
        "Racial discrimination",
        "Discrimination against women",
        "Advancement of women",
        "Violence against women",
        "Migrants",
        "Indigenous peoples",
        "Children: definition",
    ],
    "Civil and political rights": [
        "Right to life",
        "Death penalty",
        "Prohibition of torture & ill-treatment (including cruel, inhuman or degrading treatment)",
        "Right to physical & moral integrity",
        "Arbitrary arrest & detention",
        "Administration of justice & fair trial",
        "Freedom of thought, conscience & religion",
        "Freedom of opinion and expression & access to information",
        "Right to peaceful assembly",
        "Right to participate in public affairs & right to vote",
        "Human rights defenders",
        "Human trafficking & contemporary forms of slavery",
    ],
    "Economic, social and cultural rights": [
        "Right to health",
        "Sexual & reproductive health and rights",
        "Right to adequate housing",
        "Right to an adequate standard of living",
        "Right to education",
        "Labour rights and right to work",
        "Human rights & poverty",
        "Right to water and sanitation",
        "Right to food",
        "Right to social security",
    ],
    "Environment": [
        "Human rights & climate change",
        "Human rights & toxics / hazardous wastes",
        "Human rights & the environment",
    ],
}

AFFECTED_PERSONS = [
    "Women & girls",
    "Children",
    "Persons with disabilities",
    "Indigenous peoples",
    "Minorities",
    "LGBTI persons",
    "Migrants, refugees & asylum seekers",
    "Internally displaced persons",
    "Stateless persons",
    "Persons living in poverty",
    "Persons deprived of their liberty",
    "Older persons",
    "Persons experiencing homelessness",
    "Human rights defenders",
    "Media",
    "Public officials",
]

SDG_GOALS = [
    "No poverty",
    "Zero hunger",
    "Good health and well-being",
    "Quality education",
    "Gender equality",
    "Clean water and sanitation",
    "Affordable and clean energy",
    "Decent work and economic growth",
    "Industry, innovation and infrastructure",
    "Reduced inequalities",
    "Sustainable cities and communities",
    "Responsible consumption and production",
    "Climate action",
    "Life below water",
    "Life on land",
    "Peace, justice and strong institutions",
    "Partnerships for the goals",
]

# Per goal: (numbered targets, lettered means-of-implementation targets). 169 in all.
SDG_TARGET_SHAPE = {
    1: (5, 2),
    2: (5, 3),
    3: (9, 4),
    4: (7, 3),
    5: (6, 3),
    6: (6, 2),
    7: (3, 2),
    8: (10, 2),
    9: (5, 3),
    10: (7, 3),
    11: (7, 3),
    12: (8, 3),
    13: (3, 2),
    14: (7, 3),
    15: (9, 3),
    16: (10, 2),
    17: (19, 0),
}


def sdg_target_codes(goal: int) -> list[str]:
    numbered, lettered = SDG_TARGET_SHAPE[goal]
    return [f"{goal}.{n}" for n in range(1, numbered + 1)] + [
        f"{goal}.{letter}" for letter in "abcd"[:lettered]
    ]


# Other words people search for, per theme name (in whichever vocabulary has that name).
THEME_SYNONYMS = {
    "Death penalty": ["capital punishment", "executions", "execution", "death row"],
    "Right to housing": ["housing", "homelessness", "shelter", "eviction", "evictions"],
    "Right to adequate housing": ["housing", "homelessness", "shelter", "eviction", "evictions"],
    "Torture and other CID treatment": ["torture", "ill-treatment", "solitary confinement"],
    "Trafficking": ["human trafficking", "forced labour", "forced labor"],
    "Human trafficking & contemporary forms of slavery": [
        "human trafficking",
        "trafficking",
        "slavery",
        "forced labour",
        "forced labor",
    ],
    "Racial discrimination": ["racism", "racial profiling", "race"],
    "Migrants": ["migration", "immigrants", "immigration"],
    "Women's rights": ["gender equality", "women"],
    "Rights of the Child": ["children", "child rights", "juveniles"],
    "Right to health": ["health", "health care", "healthcare"],
    "Right to water": ["water", "sanitation", "drinking water"],
    "Right to water and sanitation": ["water", "sanitation", "drinking water"],
    "Detention": ["prison", "prisons", "incarceration", "mass incarceration"],
    "Indigenous peoples": ["native americans", "tribal nations", "indigenous"],
    "Human rights & climate change": ["climate change", "climate"],
    "Asylum-seekers - refugees": ["asylum", "refugees", "asylum seekers"],
    "Freedom of the press": ["journalists", "press freedom"],
    "Sexual Orientation and Gender Identity": ["lgbt", "lgbti", "lgbtq", "sogi"],
}
