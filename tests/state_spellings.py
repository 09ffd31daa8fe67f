"""Spellings of states under review and recommending states met in UN and UPR Info data,
with the ISO 3166-1 alpha-3 code each must resolve to (tests/test_country_names.py)."""

# The UN's short names of its 193 member states (and the two observer states).
UN_SHORT = """
AFG Afghanistan|ALB Albania|DZA Algeria|AND Andorra|AGO Angola|ATG Antigua and Barbuda
ARG Argentina|ARM Armenia|AUS Australia|AUT Austria|AZE Azerbaijan|BHS Bahamas|BHR Bahrain
BGD Bangladesh|BRB Barbados|BLR Belarus|BEL Belgium|BLZ Belize|BEN Benin|BTN Bhutan
BOL Bolivia (Plurinational State of)|BIH Bosnia and Herzegovina|BWA Botswana|BRA Brazil
BRN Brunei Darussalam|BGR Bulgaria|BFA Burkina Faso|BDI Burundi|CPV Cabo Verde|KHM Cambodia
CMR Cameroon|CAN Canada|CAF Central African Republic|TCD Chad|CHL Chile|CHN China
COL Colombia|COM Comoros|COG Congo|CRI Costa Rica|CIV Côte d'Ivoire|HRV Croatia|CUB Cuba
CYP Cyprus|CZE Czechia|PRK Democratic People's Republic of Korea
COD Democratic Republic of the Congo|DNK Denmark|DJI Djibouti|DMA Dominica
DOM Dominican Republic|ECU Ecuador|EGY Egypt|SLV El Salvador|GNQ Equatorial Guinea
ERI Eritrea|EST Estonia|SWZ Eswatini|ETH Ethiopia|FJI Fiji|FIN Finland|FRA France|GAB Gabon
GMB Gambia|GEO Georgia|DEU Germany|GHA Ghana|GRC Greece|GRD Grenada|GTM Guatemala|GIN Guinea
GNB Guinea-Bissau|GUY Guyana|HTI Haiti|HND Honduras|HUN Hungary|ISL Iceland|IND India
IDN Indonesia|IRN Iran (Islamic Republic of)|IRQ Iraq|IRL Ireland|ISR Israel|ITA Italy
JAM Jamaica|JPN Japan|JOR Jordan|KAZ Kazakhstan|KEN Kenya|KIR Kiribati|KWT Kuwait
KGZ Kyrgyzstan|LAO Lao People's Democratic Republic|LVA Latvia|LBN Lebanon|LSO Lesotho
LBR Liberia|LBY Libya|LIE Liechtenstein|LTU Lithuania|LUX Luxembourg|MDG Madagascar
MWI Malawi|MYS Malaysia|MDV Maldives|MLI Mali|MLT Malta|MHL Marshall Islands|MRT Mauritania
MUS Mauritius|MEX Mexico|FSM Micronesia (Federated States of)|MCO Monaco|MNG Mongolia
MNE Montenegro|MAR Morocco|MOZ Mozambique|MMR Myanmar|NAM Namibia|NRU Nauru|NPL Nepal
NLD Netherlands (Kingdom of the)|NZL New Zealand|NIC Nicaragua|NER Niger|NGA Nigeria
MKD North Macedonia|NOR Norway|OMN Oman|PAK Pakistan|PLW Palau|PAN Panama
PNG Papua New Guinea|PRY Paraguay|PER Peru|PHL Philippines|POL Poland|PRT Portugal|QAT Qatar
KOR Republic of Korea|MDA Republic of Moldova|ROU Romania|RUS Russian Federation|RWA Rwanda
KNA Saint Kitts and Nevis|LCA Saint Lucia|VCT Saint Vincent and the Grenadines|WSM Samoa
SMR San Marino|STP Sao Tome and Principe|SAU Saudi Arabia|SEN Senegal|SRB Serbia
SYC Seychelles|SLE Sierra Leone|SGP Singapore|SVK Slovakia|SVN Slovenia|SLB Solomon Islands
SOM Somalia|ZAF South Africa|SSD South Sudan|ESP Spain|LKA Sri Lanka|SDN Sudan|SUR Suriname
SWE Sweden|CHE Switzerland|SYR Syrian Arab Republic|TJK Tajikistan|THA Thailand
TLS Timor-Leste|TGO Togo|TON Tonga|TTO Trinidad and Tobago|TUN Tunisia|TUR Türkiye
TKM Turkmenistan|TUV Tuvalu|UGA Uganda|UKR Ukraine|ARE United Arab Emirates
GBR United Kingdom of Great Britain and Northern Ireland|TZA United Republic of Tanzania
USA United States of America|URY Uruguay|UZB Uzbekistan|VUT Vanuatu
VEN Venezuela (Bolivarian Republic of)|VNM Viet Nam|YEM Yemen|ZMB Zambia|ZWE Zimbabwe
VAT Holy See|PSE State of Palestine
"""

# Formal names as UN documents and UHRI write them.
UN_FORMAL = """
AFG Islamic Republic of Afghanistan|ALB Republic of Albania
DZA People's Democratic Republic of Algeria|AGO Republic of Angola|ARG Argentine Republic
ARM Republic of Armenia|AUT Republic of Austria|AZE Republic of Azerbaijan
BHS Commonwealth of the Bahamas|BHR Kingdom of Bahrain|BGD People's Republic of Bangladesh
BLR Republic of Belarus|BEL Kingdom of Belgium|BEN Republic of Benin|BTN Kingdom of Bhutan
BOL Plurinational State of Bolivia|BWA Republic of Botswana|BRA Federative Republic of Brazil
BGR Republic of Bulgaria|BDI Republic of Burundi|CPV Republic of Cabo Verde
KHM Kingdom of Cambodia|CMR Republic of Cameroon|TCD Republic of Chad|CHL Republic of Chile
CHN People's Republic of China|COL Republic of Colombia|COM Union of the Comoros
COG Republic of the Congo|CRI Republic of Costa Rica|CIV Republic of Côte d'Ivoire
HRV Republic of Croatia|CUB Republic of Cuba|CYP Republic of Cyprus|CZE Czech Republic
DNK Kingdom of Denmark|DJI Republic of Djibouti|DMA Commonwealth of Dominica
ECU Republic of Ecuador|EGY Arab Republic of Egypt|SLV Republic of El Salvador
GNQ Republic of Equatorial Guinea|ERI State of Eritrea|EST Republic of Estonia
SWZ Kingdom of Eswatini|ETH Federal Democratic Republic of Ethiopia|FJI Republic of Fiji
FIN Republic of Finland|FRA French Republic|GAB Gabonese Republic|GMB Republic of the Gambia
DEU Federal Republic of Germany|GHA Republic of Ghana|GRC Hellenic Republic
GTM Republic of Guatemala|GIN Republic of Guinea|GNB Republic of Guinea-Bissau
GUY Co-operative Republic of Guyana|HTI Republic of Haiti|HND Republic of Honduras
IND Republic of India|IDN Republic of Indonesia|IRN Islamic Republic of Iran
IRQ Republic of Iraq|ISR State of Israel|ITA Italian Republic|JOR Hashemite Kingdom of Jordan
KAZ Republic of Kazakhstan|KEN Republic of Kenya|KIR Republic of Kiribati|KWT State of Kuwait
KGZ Kyrgyz Republic|LVA Republic of Latvia|LBN Lebanese Republic|LSO Kingdom of Lesotho
LBR Republic of Liberia|LIE Principality of Liechtenstein|LTU Republic of Lithuania
LUX Grand Duchy of Luxembourg|MDG Republic of Madagascar|MWI Republic of Malawi
MDV Republic of Maldives|MLI Republic of Mali|MLT Republic of Malta
MHL Republic of the Marshall Islands|MRT Islamic Republic of Mauritania
MUS Republic of Mauritius|MEX United Mexican States|MCO Principality of Monaco
MAR Kingdom of Morocco|MOZ Republic of Mozambique|MMR Republic of the Union of Myanmar
NAM Republic of Namibia|NRU Republic of Nauru|NPL Federal Democratic Republic of Nepal
NLD Kingdom of the Netherlands|NIC Republic of Nicaragua|NER Republic of the Niger
NGA Federal Republic of Nigeria|MKD Republic of North Macedonia|NOR Kingdom of Norway
OMN Sultanate of Oman|PAK Islamic Republic of Pakistan|PLW Republic of Palau
PAN Republic of Panama|PNG Independent State of Papua New Guinea|PRY Republic of Paraguay
PER Republic of Peru|PHL Republic of the Philippines|POL Republic of Poland
PRT Portuguese Republic|QAT State of Qatar|RWA Republic of Rwanda
WSM Independent State of Samoa|SMR Republic of San Marino
STP Democratic Republic of Sao Tome and Principe|SAU Kingdom of Saudi Arabia
SEN Republic of Senegal|SRB Republic of Serbia|SYC Republic of Seychelles
SLE Republic of Sierra Leone|SGP Republic of Singapore|SVK Slovak Republic
SVN Republic of Slovenia|SOM Federal Republic of Somalia|ZAF Republic of South Africa
SSD Republic of South Sudan|ESP Kingdom of Spain
LKA Democratic Socialist Republic of Sri Lanka|SDN Republic of the Sudan
SUR Republic of Suriname|SWE Kingdom of Sweden|CHE Swiss Confederation
TJK Republic of Tajikistan|THA Kingdom of Thailand|TLS Democratic Republic of Timor-Leste
TGO Togolese Republic|TON Kingdom of Tonga|TTO Republic of Trinidad and Tobago
TUN Republic of Tunisia|TUR Republic of Türkiye|UGA Republic of Uganda
URY Eastern Republic of Uruguay|UZB Republic of Uzbekistan|VUT Republic of Vanuatu
VEN Bolivarian Republic of Venezuela|VNM Socialist Republic of Viet Nam|YEM Republic of Yemen
ZMB Republic of Zambia|ZWE Republic of Zimbabwe|GBR United Kingdom|USA United States
"""

# Short forms UPR Info has used over the years, and other informal spellings.
UPR_INFO_FORMS = """
GNB Guinea Bissau|LCA St Lucia|LCA St. Lucia|KNA St Kitts & Nevis|KNA St. Kitts and Nevis
VCT St Vincent & the Grenadines|VCT St. Vincent and Grenadines|ATG Antigua & Barbuda
BIH Bosnia & Herzegovina|BIH Bosnia-Herzegovina|TTO Trinidad & Tobago
STP Sao Tome & Principe|STP São Tomé and Príncipe|CIV Cote d'Ivoire|CIV Cote dIvoire
CIV Côte d’Ivoire|PRK Democratic People’s Republic of Korea|PRK North Korea|KOR South Korea
LAO Laos|LAO Lao PDR|MDA Moldova|TZA Tanzania|VNM Vietnam|SYR Syria|RUS Russia|IRN Iran
BOL Bolivia|VEN Venezuela|FSM Micronesia|BRN Brunei|GMB The Gambia|GMB Gambia (Republic of The)
BHS The Bahamas|NLD The Netherlands|NLD Netherlands|GBR UK|USA USA|USA United States
CPV Cape Verde|TLS Timor Leste|TLS East Timor|PSE Palestine|VAT Vatican|MMR Burma
COD DR Congo|COD Congo (Democratic Republic of the)|COD Congo, Democratic Republic of the
COG Congo (Republic of the)|COG Republic of Congo|KOR Korea (Republic of)
PRK Korea (Democratic People's Republic of)|MKD Macedonia|CZE Czech Rep.
ARE UAE|DOM Dominican Rep.|CAF Central African Rep.|KGZ Kyrgyz Republic
GNQ Equatorial-Guinea|PNG Papua-New Guinea|SLB Solomon Is.|MHL Marshall Is.
XAC ACT Group
"""

# Names states carried before they changed them.
FORMER = """
SWZ Swaziland|SWZ Kingdom of Swaziland|MKD The former Yugoslav Republic of Macedonia
MKD the former Yugoslav Republic of Macedonia|MKD Former Yugoslav Republic of Macedonia
TUR Turkey|CZE Czech Republic|CPV Cape Verde|LBY Libyan Arab Jamahiriya|COD Zaire
MMR Burma|TLS East Timor|NLD Holland
"""


def _parse(block: str) -> list[tuple[str, str]]:
    pairs = []
    for entry in block.replace("\n", "|").split("|"):
        entry = entry.strip()
        if entry:
            iso3, name = entry.split(" ", 1)
            pairs.append((name.strip(), iso3))
    return pairs


SPELLINGS = [
    *_parse(UN_SHORT),
    *_parse(UN_FORMAL),
    *_parse(UPR_INFO_FORMS),
    *_parse(FORMER),
]
