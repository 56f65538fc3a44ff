"""The label table of the reports: every word a report shows, in Dutch (the default) and English.

Reports of doorstroom are read by policymakers in Dutch; the English labels are for other readers. This
module holds, as plain dictionaries of ``(Dutch, English)`` pairs (in the order of :data:`LANGS`):

* :data:`INDICATORS`: a short label per indicator of the registry (``agents.schedule.REGISTRY``), as on
  a chart axis or a table row (at most about 70 characters). The English label is the registry's own
  label, unchanged (``tests/test_labels.py`` checks both).
* :data:`UNITS`: every unit of the indicators, and the euro units in millions and billions used on the
  axes and tables of amounts.
* :data:`CODES`: the names of the codes a report shows (dwelling types, tenures, start and end causes of
  vacancy chains, mover kinds, household types, care states, benefits, move intentions, sexes), by kind;
  :data:`COLUMN_KINDS` says which kind the code columns of the chain tables hold.
* :data:`TEXTS`: the fixed words and phrases of a comparison report, by English snake_case key; a phrase
  may have ``{fields}`` filled by :func:`text`.

The Dutch words are those of the government letters the project starts from (nultredenwoning,
geclusterde woning, zorggeschikte woning, verzorgingshuis, verpleeghuis, wachtlijst, mantelzorger,
Wlz-indicatie, huurtoeslag, kostendelersnorm, hospitaverhuur, logeerzorg, verhuisketen, starter,
woonquote, ...).

Numbers and amounts are written by :func:`format_number` and :func:`format_eur`: the Dutch way in Dutch
(``1.234,5``, ``€ 1,2 mld``), the English way in English (``1,234.5``, ``EUR 1.2 bn``). A negative
number has a real minus sign, U+2212 (``−12,3``), not the hyphen; a value that is not a number (NaN) is
written ``n.v.t.`` / ``n/a``. Rounding is half away from zero on the number as printed by Python
(``12.25`` gives ``12,3``, as by hand), not the round-half-even of ``format``.

**Adding a label.** A new indicator needs a row in :data:`INDICATORS` (the test fails until it has
one): its name, a short Dutch label, and the registry's English label copied unchanged. A new unit needs
a row in :data:`UNITS`, a new code a row under its kind in :data:`CODES`, a new report phrase a row in
:data:`TEXTS` with an English snake_case key. An unknown language raises
:class:`sim.params.ParameterError`; an unknown indicator, unit, code or key raises ``KeyError`` naming it.
"""

from __future__ import annotations

import math
import string
from decimal import ROUND_HALF_UP, Decimal

from sim.chains import END_CAUSES, MOVER_KINDS, START_CAUSES
from sim.codes import BENEFITS, CARE_STATES, DWELLING_TYPES, HOUSEHOLD_TYPES, INTENTIONS, SEXES, TENURES
from sim.params import ParameterError

LANGS = ("nl", "en")
"""The languages of the labels; every pair of the tables is in this order."""

DEFAULT_LANG = "nl"
"""The language of a report unless English is asked for."""

MINUS = "\u2212"
"""The minus sign of negative numbers (U+2212 MINUS SIGN, as wide as the plus sign)."""

INDICATORS: dict[str, tuple[str, str]] = {
    # Census: stocks on 1 January, rates and chain length.
    "persons_total": (
        "Bevolking (gevolgde volwassenen plus kinderen en medebewoners)",
        "Population (adults tracked plus children and co-residents)"),
    "persons_55plus": ("55-plussers", "Persons aged 55+"),
    "persons_65plus": ("65-plussers", "Persons aged 65+"),
    "persons_75plus": ("75-plussers", "Persons aged 75+"),
    "persons_80plus": ("80-plussers", "Persons aged 80+"),
    "persons_85plus": ("85-plussers", "Persons aged 85+"),
    "persons_90plus": ("90-plussers", "Persons aged 90+"),
    "persons_65_74": ("Personen van 65-74 jaar", "Persons aged 65-74"),
    "potential_carers_per_85plus": (
        "Personen van 50-74 jaar per 85-plusser (potentiële mantelzorgers)",
        "Persons aged 50-74 per person aged 85+ (the 'relatively young' older people an 85-plusser can "
        "call on; adults of the households)"),
    "households_total": ("Particuliere huishoudens", "Private households"),
    "households_55plus": ("Particuliere huishoudens met een lid van 55 jaar of ouder",
                          "Private households with a member aged 55+"),
    "households_one_person": ("Eenpersoonshuishoudens", "One-person private households"),
    "share_75plus_independent": ("Aandeel 75-plussers dat zelfstandig woont",
                                 "Share of 75+ living independently"),
    "share_90plus_independent": ("Aandeel 90-plussers dat zelfstandig woont",
                                 "Share of 90+ living independently"),
    "persons_limitation": ("Personen met een beperking (nultredenwoning nodig)",
                           "Persons with a limitation (needs step-free)"),
    "persons_moderate_care": ("Personen met een matige zorgvraag", "Persons with a moderate care need"),
    "persons_loss_of_regie": ("Personen met regieverlies, zonder netwerk",
                              "Persons with loss of regie, no network"),
    "persons_wlz": ("Personen met een Wlz-indicatie (zware zorg)",
                    "Persons with a Wlz indication (heavy care)"),
    "persons_wlz_at_home": ("Thuiswonende personen met een Wlz-indicatie",
                            "Persons with a Wlz indication living at home"),
    "institution_residents": ("Bewoners van verpleeg- en verzorgingshuizen",
                              "Residents of verpleeg- and verzorgingshuizen"),
    "dementia_persons": ("Personen met dementie", "Persons with dementia"),
    "verpleeghuis_residents": ("Bewoners van verpleeghuizen", "Verpleeghuis residents"),
    "verpleeghuis_places": ("Verpleeghuisplekken", "Verpleeghuis places"),
    "verpleeghuis_waiting": ("Personen op de wachtlijst voor een verpleeghuis",
                             "Persons waiting for a verpleeghuis place"),
    "verzorgingshuis_places": ("Verzorgingshuisplekken", "Verzorgingshuis places"),
    "verzorgingshuis_residents": ("Bewoners van verzorgingshuizen", "Verzorgingshuis residents"),
    "dwellings_total": ("Woningen (woningvoorraad, zonder instellingen)",
                        "Dwellings (housing stock, institutions excluded)"),
    "vacancy_rate": ("Aandeel leegstaande woningen in de woningvoorraad",
                     "Share of the housing stock vacant"),
    "intention_definite_65_74": ("Aandeel huishoudens van 65-74 jaar dat beslist wil verhuizen",
                                 "Definite move intention, 65-74"),
    "intention_maybe_65_74": ("Aandeel huishoudens van 65-74 jaar dat misschien wil verhuizen",
                              "Maybe move intention, 65-74"),
    "intention_definite_75plus": ("Aandeel huishoudens van 75-plussers dat beslist wil verhuizen",
                                  "Definite move intention, 75+"),
    "intention_maybe_75plus": ("Aandeel huishoudens van 75-plussers dat misschien wil verhuizen",
                               "Maybe move intention, 75+"),
    "searching_households": ("Huishoudens die een woning zoeken", "Households searching for a dwelling"),
    "limitation_not_stepfree": ("Personen met een beperking of meer, niet in een nultredenwoning",
                                "Persons with a limitation or more in a home that is not step-free"),
    "applicants_waiting": ("Starters en immigranten die een eerste woning zoeken",
                           "Starters and immigrants searching a first dwelling"),
    "shared_households": ("Woningdelers: twee alleenstaanden in één woning (geen partners)",
                          "Households formed by two singles sharing a dwelling (not partners)"),
    "lodgers": ("Hospitahuurders (wonend bij een hospita)", "Lodgers living with a hospita host"),
    "move_rate_65_74": ("Verhuismobiliteit, 65-74 jaar", "Move rate at ages 65-74"),
    "move_rate_75plus": ("Verhuismobiliteit, 75-plussers", "Move rate at ages 75+"),
    "chain_links_mean": ("Gemiddelde lengte van de verhuisketens die in het jaar eindigen",
                         "Mean number of links of the chains ended in the year"),
    # Moves, vacancies and the housing stock.
    "moves_total": ("Personen die naar een vrijgekomen woning verhuizen",
                    "Persons moving into a vacant dwelling"),
    "moves_55plus": ("Verhuizende 55-plussers", "Moving persons aged 55+"),
    "movers_65_74": ("Verhuizende personen van 65-74 jaar", "Moving persons aged 65-74"),
    "movers_75plus": ("Verhuizende 75-plussers", "Moving persons aged 75+"),
    "family_homes_freed": ("Gezinswoningen die vrijkomen doordat 55-plussers verhuizen",
                           "Family homes left by movers aged 55+"),
    "chains_started": ("Gestarte verhuisketens (zonder de leegstand bij de start)",
                       "Vacancy chains started (initial vacancies excluded)"),
    "dwellings_vacated_by_death": ("Woningen vrijgekomen door overlijden van de laatste bewoner",
                                   "Private dwellings vacated by the death of the last resident"),
    "dwellings_vacated_by_merger": ("Woningen vrijgekomen doordat twee huishoudens samengaan",
                                    "Dwellings freed when two households merge"),
    "dwellings_vacated_by_admission": ("Woningen vrijgekomen door verhuizing naar een instelling",
                                       "Dwellings vacated by a move into an institution"),
    "starters_housed": ("Starters gehuisvest in een eerste eigen woning",
                        "Starters housed in a first own dwelling"),
    "separated_housed": ("Vertrokken partners na een scheiding, gehuisvest in een eigen woning",
                         "Partners who moved out at a separation housed in a dwelling of their own"),
    "immigrants_housed": ("Gehuisveste huishoudens van immigranten", "Immigrant households housed"),
    "dwellings_built": ("Opgeleverde nieuwbouwwoningen", "New dwellings completed"),
    "dwellings_transformed": ("Woningen toegevoegd door transformatie van niet-woongebouwen",
                              "Dwellings added by transforming non-residential buildings"),
    "dwellings_demolished": ("Gesloopte woningen", "Dwellings demolished"),
    # Population events.
    "deaths": ("Overledenen", "Deaths"),
    "deaths_in_institution": ("Overledenen in een instelling", "Deaths in an institution"),
    "widowhoods": ("Personen die weduwe of weduwnaar worden", "Persons widowed"),
    "households_dissolved": ("Huishoudens opgeheven door overlijden van de laatste bewoner",
                             "Households dissolved at the last death"),
    # Care needs and informal care.
    "dementia_onsets": ("Nieuwe diagnoses dementie", "New dementia diagnoses"),
    "limitation_onsets": ("Nieuwe beperkingen", "New limitations"),
    "moderate_onsets": ("Personen met een nieuwe matige zorgvraag", "New moderate care needs"),
    "regie_onsets": ("Personen met nieuw regieverlies, zonder netwerk",
                     "New losses of regie without network"),
    "wlz_indications_new": ("Nieuwe Wlz-indicaties", "New Wlz indications"),
    "informal_care_started": ("Personen met een zorgvraag die mantelzorg gaan ontvangen",
                              "Persons in need who start receiving informal care"),
    "informal_care_stopped_overburdened": ("Mantelzorg gestopt doordat de mantelzorger overbelast was",
                                           "Informal care ended because the carer was overburdened"),
    "informal_carers": ("Hoofdmantelzorgers (één per zorgontvanger; 31 december)",
                        "Main informal carers (one per receiver; 31 December)"),
    "persons_in_need_at_home": (
        "Thuiswonenden met een zorgvraag (beperking of meer; 31 december)",
        "Persons with a care need (a limitation or more) living at home (31 December)"),
    "informal_carers_per_person_in_need": (
        "Hoofdmantelzorgers per thuiswonende met een zorgvraag (31 december)",
        "Main informal carers per person in need at home (31 December)"),
    "informal_carers_partner_share": ("Aandeel hoofdmantelzorgers dat de partner is",
                                      "Main carers who are the partner"),
    "informal_carers_overburdened_share": ("Aandeel hoofdmantelzorgers dat overbelast is",
                                           "Main carers who are overburdened"),
    "informal_care_hours_mean": ("Gemiddeld aantal uren mantelzorg per week per zorgontvanger",
                                 "Mean weekly hours of informal care per receiver"),
    "informal_care_hours_total": ("Uren mantelzorg per week, alle zorgontvangers samen",
                                  "Weekly hours of informal care, all receivers"),
    "logeerzorg_carers": ("Hoofdmantelzorgers die logeerzorg gebruiken (31 december)",
                          "Main carers using logeerzorg (31 December)"),
    "share_65_74_receiving_informal_care": ("Aandeel thuiswonenden van 65-74 jaar dat mantelzorg krijgt",
                                            "Persons 65-74 at home who receive informal care"),
    "share_75plus_receiving_informal_care": ("Aandeel thuiswonende 75-plussers dat mantelzorg krijgt",
                                             "Persons 75+ at home who receive informal care"),
    "logeerzorg_users": ("Mantelzorgers die logeerzorg gaan gebruiken", "Carers who start using logeerzorg"),
    # Verpleeghuis and verzorgingshuis.
    "wlz_admissions": ("Opnames in een verpleeghuis", "Admissions to a verpleeghuis"),
    "verpleeghuis_waiting_months_mean": ("Gemiddelde wachttijd van de in het jaar opgenomen personen",
                                         "Mean waiting time of the persons admitted in the year"),
    "verpleeghuis_expected_wait_months": (
        "Verwachte wachttijd verpleeghuis: wachtlijst / opnames per maand",
        "Expected wait for a place (waiting list / admissions per month), mean over the year"),
    "verpleeghuis_places_built": ("Opgeleverde verpleeghuisplekken", "Verpleeghuis places completed"),
    "verpleeghuis_places_closed": ("Gesloten verpleeghuisplekken", "Verpleeghuis places closed"),
    "verzorgingshuis_admissions": ("Opnames in een verzorgingshuis", "Admissions to a verzorgingshuis"),
    "verzorgingshuis_declined_on_cost": (
        "Personen die om de kosten afzien van een verzorgingshuisplek (31 december)",
        "Persons eligible for a verzorgingshuis place who would not pay its cost (31 December; 0 where "
        "no place is planned)"),
    "verzorgingshuis_resident_cost_eur_month": (
        "Gemiddelde huur en servicekosten verzorgingshuisbewoner, na huurtoeslag",
        "Mean rent and service costs a verzorgingshuis resident pays, after huurtoeslag (31 December)"),
    "verzorgingshuis_resident_woonquote_median": (
        "Mediane woonquote van verzorgingshuisbewoners (huur en service)",
        "Median share of disposable income verzorgingshuis residents pay for rent and services"),
    "cost_huurtoeslag_verzorgingshuis_eur": (
        "Huurtoeslag aan verzorgingshuisbewoners (stand op 31 december)",
        "Huurtoeslag paid to verzorgingshuis residents, at the rate of 31 December"),
    # Households forming and parting, hospitaverhuur.
    "births": ("Geboorten", "Births"),
    "starters_new": ("Nieuwe starters (volwassen kinderen die een woning gaan zoeken)",
                     "Adult children leaving home to search"),
    "unions": ("Alleenstaanden die gaan samenwonen", "Singles moving in together"),
    "separations": ("Paren die uit elkaar gaan (één partner verhuist)",
                    "Couples who separate (one partner moves out)"),
    "households_sharing_formed": ("Nieuwe woningdelers (de woning van wie intrekt komt vrij)",
                                  "Shared households formed (the joining single's dwelling is freed)"),
    "lodgers_housed": ("Starters gehuisvest als hospitahuurder (zonder eigen woning)",
                       "Starters housed as lodgers (hospitaverhuur), without a dwelling of their own"),
    "lodgers_returned": ("Hospitahuurders weer woningzoekend (contract voorbij of hospita weg)",
                         "Lodgers back in the applicant pool (contract ended or host gone)"),
    "hospita_rent_income_eur": ("Huurinkomsten van hospita's", "Rent received by hospita hosts"),
    "hospita_rent_above_exemption_eur": (
        "Hospitahuur boven de kamerverhuurvrijstelling (belast)",
        "Hospita rent above the tax-free kamerverhuurvrijstelling (taxable)"),
    "hospita_income_tax_eur": (
        "Inkomstenbelasting over hospitahuur boven de kamerverhuurvrijstelling",
        "Income tax hosts pay on the hospita rent above the kamerverhuurvrijstelling"),
    # Migration.
    "immigrant_households": ("Huishoudens die zich vanuit het buitenland vestigen",
                             "Households arriving from abroad"),
    "immigrants": ("Immigranten (personen uit het buitenland)", "Persons arriving from abroad"),
    "emigrant_households": ("Huishoudens die vanuit een woning naar het buitenland vertrekken",
                            "Households leaving the country from a dwelling"),
    "emigrants": (
        "Emigranten (ook immigranten die zonder woning weer vertrekken)",
        "Persons leaving the country (households from a dwelling, immigrants leaving again)"),
    "applicants_gave_up": ("Huishoudens van immigranten die zonder woning weer vertrekken",
                           "Immigrant households who left again without a dwelling"),
    # Wmo home adaptations, search, money.
    "home_adaptations": ("Woningen aangepast tot nultredenwoning (Wmo-woningaanpassing)",
                         "Homes adapted to be step-free (Wmo)"),
    "searches_redirected_income_limit": (
        "Woningzoekenden boven de DAEB-inkomensgrens (zoeken particuliere huur)",
        "Searchers who would seek social rent but earn above the DAEB income limit (seek private rent)"),
    "searches_redirected_mortgage": (
        "Woningzoekenden met te weinig leenruimte om te kopen (zoeken huur)",
        "Searchers who would buy but cannot borrow the province's mean owner value (seek rent)"),
    "searches_redirected_mortgage_65plus": (
        "Woningzoekende 65-plussers met te weinig leenruimte om te kopen",
        "Searchers 65+ who would buy but cannot borrow the province's mean owner value"),
    "rent_change_older_movers_eur_month": (
        "Huurverandering van 65-plussers die van huur naar huur verhuizen",
        "Change in rent of households 65+ moving from one rented dwelling to another"),
    "keep_rent_forgone_eur": (
        "Huurderving corporaties (eerste jaar) doordat ouderen hun huur behouden",
        "Rent corporations forgo in the first year when older tenants keep their rent"),
    "equity_released_older_movers_eur": (
        "Vrijgekomen overwaarde: 65-plussers die van koop naar huur verhuizen",
        "Home equity released by owners 65+ who move to a rented dwelling (value less mortgage)"),
    "huurtoeslag_households": ("Huishoudens met huurtoeslag (31 december)",
                               "Households receiving huurtoeslag (31 December)"),
    "cost_huurtoeslag_eur": ("Uitgaven aan huurtoeslag (stand op 31 december)",
                             "Huurtoeslag at the rate of 31 December"),
    "households_under_kostendelersnorm": (
        "Huishoudens met bijstand of AIO gekort door kostendelersnorm (31 december)",
        "Households on bijstand or AIO whose benefit the kostendelersnorm cuts (31 December)"),
    "coresidents_27plus": (
        "Inwonende volwassenen van 27 jaar of ouder, vooral kinderen (31 december)",
        "Adult co-residents (mostly children at home) aged 27+ in private dwellings (31 December)"),
    "woonquote_aow_only_geclusterd": (
        "Woonquote na huurtoeslag, alleenstaande met AOW, geclusterde woning",
        "Housing cost ratio of a single with only the AOW at the mean rent of a newly let rented "
        "geclusterde woning, after huurtoeslag (affordability)"),
    "woonquote_aow_only_zorggeschikt": (
        "Woonquote na huurtoeslag, alleenstaande met AOW, zorggeschikte woning",
        "Housing cost ratio of a single with only the AOW at the mean rent of a newly let rented "
        "zorggeschikte woning, after huurtoeslag (affordability)"),
    "woonquote_median_renters": ("Mediane woonquote van huurders", "Median housing cost ratio of tenants"),
    "woonquote_median_owners": ("Mediane woonquote van eigenaar-bewoners",
                                "Median housing cost ratio of owners"),
    "woonquote_median_social": ("Mediane woonquote van huurders in de sociale huur",
                                "Median housing cost ratio of tenants of social rent"),
    "woonquote_median_renters_65plus": ("Mediane woonquote van huurders van 65+",
                                        "Median housing cost ratio of tenants 65+"),
    "woonquote_median_owners_65plus": ("Mediane woonquote van eigenaar-bewoners van 65+",
                                       "Median housing cost ratio of owners 65+"),
    "rent_social_mean_eur_month": ("Gemiddelde huur van bewoonde sociale huurwoningen",
                                   "Mean rent of occupied social dwellings"),
    "rent_private_mean_eur_month": ("Gemiddelde huur van bewoonde particuliere huurwoningen",
                                    "Mean rent of occupied privately rented dwellings"),
    "value_owner_mean_eur": ("Gemiddelde WOZ-waarde van koopwoningen",
                             "Mean WOZ value of owner-occupied dwellings"),
    "rent_private_regional_range": (
        "Hoogste / laagste provincie: aanpassing particuliere huur sinds 2025",
        "Highest over lowest province's adjustment of private market rents since 2025 (pressure)"),
    "value_owner_regional_range": (
        "Hoogste / laagste provincie: aanpassing woningwaarde sinds 2025",
        "Highest over lowest province's adjustment of owner values since 2025 (pressure)"),
    # Kin and loneliness.
    "share_60_69_child_within_reach": ("Aandeel personen van 60-69 jaar met een kind binnen 10 km",
                                       "Persons 60-69 with a child within reach (10 km)"),
    "share_65plus_child_within_reach": ("Aandeel 65-plussers met een kind binnen 10 km",
                                        "Persons 65+ with a child within reach (10 km)"),
    "share_75plus_child_within_reach": ("Aandeel 75-plussers met een kind binnen 10 km",
                                        "Persons 75+ with a child within reach (10 km)"),
    "share_70plus_without_children": ("Aandeel 70-plussers zonder levend kind in Nederland",
                                      "Persons 70+ without a living child in the country"),
    "persons_in_need_without_network": (
        "Thuiswonenden met zorgvraag, zonder partner en zonder kind binnen 10 km",
        "Persons at home with a care need (limitation or more), no partner and no child within reach "
        "(31 December)"),
    "moves_nearer_children": (
        "Oudere ouders die door hun verhuizing binnen 10 km van een kind wonen",
        "Older parents whose move brought them within reach of a child (none within reach before)"),
    "share_65_74_lonely": ("Aandeel thuiswonenden van 65-74 jaar dat ernstig eenzaam is",
                           "Persons 65-74 at home who are severely lonely"),
    "share_75_84_lonely": ("Aandeel thuiswonenden van 75-84 jaar dat ernstig eenzaam is",
                           "Persons 75-84 at home who are severely lonely"),
    "share_85plus_lonely": ("Aandeel thuiswonende 85-plussers dat ernstig eenzaam is",
                            "Persons 85+ at home who are severely lonely"),
    "share_75plus_lonely": ("Aandeel thuiswonende 75-plussers dat ernstig eenzaam is",
                            "Persons 75+ at home who are severely lonely"),
    "lonely_75plus": (
        "Ernstig eenzame 75-plussers, thuis of in verzorgingshuis (31 december)",
        "Severely lonely persons 75+, at home or in a verzorgingshuis (31 December)"),
    # Policies and costs.
    "programme_dwellings_built": ("Opgeleverde woningen van het bouwprogramma",
                                  "Dwellings completed under the building programme"),
    "verzorgingshuis_places_built": ("Opgeleverde verzorgingshuisplekken",
                                     "Verzorgingshuis places completed"),
    "cost_wlz_eur": ("Wlz-kosten (verpleeghuis en Wlz-zorg thuis)",
                     "Wlz costs (verpleeghuis and Wlz care at home)"),
    "cost_wmo_eur": ("Wmo-kosten (matige zorgvraag en regieverlies thuis)",
                     "Wmo costs (moderate care and loss of regie at home)"),
    "cost_benefits_eur": ("Uitkeringen: AOW, AIO en bijstand", "Benefits: AOW, AIO and bijstand"),
    "cost_verzorgingshuis_eur": ("Extra kosten van verzorgingshuisbewoners boven zorg thuis",
                                 "Extra cost of verzorgingshuis residents on top of care at home"),
}
"""Label of every indicator of the registry: ``name -> (Dutch, English)``; English as in the registry."""

UNITS: dict[str, tuple[str, str]] = {
    "persons": ("personen", "persons"),
    "persons per year": ("personen per jaar", "persons per year"),
    "persons per person": ("personen per persoon", "persons per person"),
    "per person per year": ("per persoon per jaar", "per person per year"),
    "households": ("huishoudens", "households"),
    "households per year": ("huishoudens per jaar", "households per year"),
    "dwellings": ("woningen", "dwellings"),
    "dwellings per year": ("woningen per jaar", "dwellings per year"),
    "places": ("plekken", "places"),
    "places per year": ("plekken per jaar", "places per year"),
    "chains per year": ("verhuisketens per jaar", "chains per year"),
    "links": ("schakels (verhuizingen per keten)", "links"),
    "carers per person": ("mantelzorgers per persoon", "carers per person"),
    "hours per week": ("uur per week", "hours per week"),
    "months": ("maanden", "months"),
    "ratio": ("verhouding", "ratio"),
    "share": ("aandeel", "share"),
    "share of carers": ("aandeel van de mantelzorgers", "share of carers"),
    "share of disposable income": ("aandeel van het besteedbaar inkomen", "share of disposable income"),
    "share of households": ("aandeel van de huishoudens", "share of households"),
    "share of persons": ("aandeel van de personen", "share of persons"),
    "EUR": ("euro", "EUR"),
    "EUR per month": ("euro per maand", "EUR per month"),
    "EUR per year": ("euro per jaar", "EUR per year"),
    # Amounts drawn or tabled in millions or billions (experiments.figures, experiments.stats).
    "EUR million": ("mln euro", "EUR million"),
    "EUR million per month": ("mln euro per maand", "EUR million per month"),
    "EUR million per year": ("mln euro per jaar", "EUR million per year"),
    "EUR billion": ("mld euro", "EUR billion"),
    "EUR billion per month": ("mld euro per maand", "EUR billion per month"),
    "EUR billion per year": ("mld euro per jaar", "EUR billion per year"),
}
"""Label of every unit of the indicators (and of the euro units in millions and billions)."""

CODES: dict[str, dict[str, tuple[str, str]]] = {
    "dwelling_type": {
        "regular": ("reguliere woning", "regular dwelling"),
        "nultreden": ("nultredenwoning", "step-free dwelling (nultredenwoning)"),
        "geclusterd": ("geclusterde woning", "clustered housing (geclusterde woning)"),
        "zorggeschikt": ("zorggeschikte woning", "care-suitable dwelling (zorggeschikte woning)"),
        "verzorgingshuis": ("verzorgingshuis", "verzorgingshuis"),
        "verpleeghuis": ("verpleeghuis", "verpleeghuis"),
    },
    "tenure": {
        "owner": ("koopwoning (eigenaar-bewoner)", "owner-occupied"),
        "social": ("sociale huur", "social rent"),
        "private": ("particuliere huur", "private rent"),
        "institution": ("instelling (intramuraal)", "institution"),
    },
    "start_cause": {
        "new_build": ("nieuwbouw", "new build"),
        "transformation": ("transformatie", "transformation"),
        "death": ("overlijden", "death"),
        "emigration": ("emigratie", "emigration"),
        "institution": ("verhuizing naar een instelling", "move into an institution"),
        "merger": ("samengaan van twee huishoudens", "two households merging"),
        "initial": ("al leeg bij de start van de simulatie", "already vacant when the simulation starts"),
    },
    "end_cause": {
        "starter": ("starter", "starter"),
        "immigrant": ("immigrant", "immigrant"),
        "stays_behind": ("er blijft iemand achter in de woning", "someone stays behind"),
        "demolition": ("sloop", "demolition"),
        "open": ("nog lopend aan het eind van de simulatie", "still running at the end of the simulation"),
    },
    "mover_kind": {
        "continues": ("doorstromer (laat een woning leeg achter)", "mover leaving a vacant dwelling"),
        "starter": ("starter", "starter"),
        "immigrant": ("immigrant", "immigrant"),
        "leaves_behind": ("verhuizer die iemand achterlaat", "mover who leaves someone behind"),
    },
    "household_type": {
        "single": ("eenpersoonshuishouden", "single"),
        "couple": ("paar", "couple"),
        "with_others": ("met kinderen of medebewoners", "with children or co-residents"),
    },
    "care_state": {
        "none": ("geen zorgvraag", "no care need"),
        "limitation": ("beperking (nultredenwoning nodig)", "limitation (needs a step-free home)"),
        "moderate": ("matige zorgvraag", "moderate care need"),
        "regie": ("regieverlies zonder netwerk", "loss of regie without network"),
        "heavy": ("zware zorg (Wlz-indicatie)", "heavy care (Wlz indication)"),
    },
    "benefit": {
        "work_or_other": ("werk of ander inkomen", "work or other income"),
        "aow": ("alleen AOW", "AOW only"),
        "aow_pension": ("AOW en pensioen", "AOW and pension"),
        "aow_aio": ("AOW en AIO", "AOW and AIO"),
        "bijstand": ("bijstand", "bijstand"),
    },
    "intention": {
        "none": ("wil niet verhuizen", "no move intention"),
        "maybe": ("wil misschien verhuizen", "maybe"),
        "definite": ("wil beslist verhuizen", "definite"),
    },
    "sex": {
        "male": ("man", "male"),
        "female": ("vrouw", "female"),
    },
}
"""Names of the codes by kind: ``kind -> code name -> (Dutch, English)``."""

NO_CODE = ("geen", "none")
"""Label of a missing code (a negative code, written ``"none"`` in the chain tables)."""

CODE_NAMES: dict[str, tuple[str, ...]] = {
    "dwelling_type": DWELLING_TYPES, "tenure": TENURES, "start_cause": START_CAUSES,
    "end_cause": END_CAUSES, "mover_kind": MOVER_KINDS, "household_type": HOUSEHOLD_TYPES,
    "care_state": CARE_STATES, "benefit": BENEFITS, "intention": INTENTIONS, "sex": SEXES,
}
"""The model's code names by kind (the index of a name is its integer code)."""

COLUMN_KINDS: dict[str, str] = {
    "start_dwelling_type": "dwelling_type", "from_type": "dwelling_type", "to_type": "dwelling_type",
    "start_tenure": "tenure", "household_type": "household_type", "mover_kind": "mover_kind",
    "start_cause": "start_cause", "end_cause": "end_cause",
}
"""The kind of code of each code column of the chain tables (``chains.parquet``, ``links.parquet``)."""

TEXTS: dict[str, tuple[str, str]] = {
    # Scenarios and the comparison.
    "baseline": ("Basispad", "Baseline"),
    "policy": ("Beleid", "Policy"),
    "policy_variant": ("beleidsvariant", "policy variant"),
    "scenario": ("scenario", "scenario"),
    "scenarios_compared": ("vergeleken scenario's", "scenarios compared"),
    "policy_minus_baseline": ("{policy} min {baseline}", "{policy} minus {baseline}"),
    "difference": ("verschil", "difference"),
    "mean_difference": ("gemiddeld verschil", "mean difference"),
    "paired_difference": ("gepaard verschil met 95%-interval", "paired difference with 95% interval"),
    "paired_by_seed": ("gepaard per seed", "paired by seed"),
    "interval_95": ("95%-interval", "95% interval"),
    "between": ("tussen {low} en {high}", "between {low} and {high}"),
    "no_change": ("geen verandering", "no change"),
    "increase": ("toename", "increase"),
    "decrease": ("afname", "decrease"),
    "significant": ("significant (het interval bevat geen nul)", "significant (the interval excludes zero)"),
    "not_significant": ("niet significant (het interval bevat nul)",
                        "not significant (the interval contains zero)"),
    "interval_excludes_zero_mark": ("* het 95%-interval bevat geen nul", "* the 95% interval excludes zero"),
    "one_seed_no_interval": ("één seed: geen interval", "one seed: no interval"),
    # Tables and figures.
    "indicator": ("indicator", "indicator"),
    "unit": ("eenheid", "unit"),
    "value": ("waarde", "value"),
    "mean": ("gemiddelde", "mean"),
    "year": ("jaar", "year"),
    "years": ("jaren", "years"),
    "in_year": ("in {year}", "in {year}"),
    "mean_over_years": ("gemiddelde {start}-{end}", "mean {start}-{end}"),
    "levels_over_time": ("verloop in de tijd", "levels over time"),
    "mean_over_seeds": ("gemiddelde over {n} seeds", "mean over {n} seeds"),
    "band_percentiles": ("band: 2,5e tot 97,5e percentiel over de seeds",
                         "band: 2.5-97.5 percentiles across seeds"),
    "band_range": ("band: laagste tot hoogste waarde over de seeds", "band: lowest to highest across seeds"),
    "band_interval": ("band: 95%-interval", "band: 95% interval"),
    "not_available": ("n.v.t.", "n/a"),
    "costs": ("kosten", "costs"),
    "moves_between_dwelling_types": ("verhuizingen tussen woningtypen", "moves between dwelling types"),
    "newcomers": ("starters en immigranten", "starters and immigrants"),
    "from_dwelling_type": ("van woningtype", "from dwelling type"),
    "to_dwelling_type": ("naar woningtype", "to dwelling type"),
    "chain_length_by_start_cause": ("ketenlengte naar oorzaak van de eerste vrijgekomen woning",
                                    "chain length by start cause"),
    "chain_length": ("ketenlengte", "chain length"),
    "vacancy_chains": ("verhuisketens", "vacancy chains"),
    "start_cause": ("oorzaak van de eerste vrijgekomen woning", "start cause"),
    "end_cause": ("einde van de keten", "end cause"),
    "mover_kind": ("soort verhuizer", "mover kind"),
    "dwelling_type": ("woningtype", "dwelling type"),
    "tenure": ("eigendomsverhouding", "tenure"),
    "household_type": ("huishoudtype", "household type"),
    # Report sections and the small print.
    "the_question": ("de vraag", "the question"),
    "design": ("ontwerp van de reeks", "design of the batch"),
    "uncertain_parameters": ("onzekere parameters", "uncertain parameters"),
    "distribution": ("verdeling", "distribution"),
    "range": ("bereik", "range"),
    "points": ("punten", "points"),
    "runs": ("runs", "runs"),
    "levers": ("beleidsscenario's", "levers"),
    "sampler": ("steekproefmethode", "sampler"),
    "sensitivity_indices": ("gevoeligheid: welke parameters doen ertoe",
                            "sensitivity: which parameters matter"),
    "sensitivity_note": (
        "{method}-indices met 95%-interval, {points} punten, gemiddelde over de seeds per punt",
        "{method} indices with 95% intervals, {points} points, mean over the seeds of each point"),
    "always_zero": ("Nul in elk scenario, jaar en seed (geen figuur)",
                    "Zero in every scenario, year and seed (no figure)"),
    "assumptions": ("aannames", "assumptions"),
    "how_this_report_was_made": ("hoe dit rapport is gemaakt", "how this report was made"),
    "summary": ("samenvatting", "summary"),
    "figure": ("figuur", "figure"),
    "table": ("tabel", "table"),
    "source": ("bron", "source"),
    "parameter": ("parameter", "parameter"),
    "default": ("standaardwaarde", "default"),
    "kind": ("soort", "kind"),
    "kind_policy": ("beleid", "policy"),
    "kind_input": ("uit een bron", "input"),
    "kind_output": ("gekalibreerd", "output (calibrated)"),
    "kind_assumption": ("aanname", "assumption"),
    "seeds": ("seeds (herhalingen)", "seeds"),
    "scale": ("schaal", "scale"),
    "reproduce_with": ("opnieuw te maken met", "reproduce with"),
    "version": ("versie", "version"),
    "results_version": ("versie van de resultaten", "results version"),
    "git_revision": ("git-revisie", "git revision"),
    "run_time": ("rekentijd", "run time"),
    "generated_on": ("gemaakt op", "generated on"),
}
"""Fixed words and phrases of a comparison report by English snake_case key; ``{fields}`` by :func:`text`."""


def lang_index(lang: str) -> int:
    """The position of a language in :data:`LANGS` (and in every pair of the tables).

    Raises:
        ParameterError: For a language not in :data:`LANGS`, naming it and the allowed ones.
    """
    if lang not in LANGS:
        raise ParameterError(f"unknown language {lang!r}; the labels exist in {', '.join(map(repr, LANGS))}")
    return LANGS.index(lang)


def _pick(table: dict[str, tuple[str, str]], key: str, what: str, lang: str) -> str:
    i = lang_index(lang)
    try:
        return table[key][i]
    except KeyError:
        raise KeyError(f"{what} {key!r} has no label in sim/labels.py; add it there") from None


def indicator_label(name: str, lang: str = DEFAULT_LANG) -> str:
    """The short label of an indicator in a language (English: the registry's label).

    Raises:
        ParameterError: For an unknown language.
        KeyError: For an indicator without a label, naming it.
    """
    return _pick(INDICATORS, name, "indicator", lang)


def unit_label(unit: str, lang: str = DEFAULT_LANG) -> str:
    """The label of a unit in a language (``""`` for no unit, as for an undeclared indicator).

    Raises:
        ParameterError: For an unknown language.
        KeyError: For a unit without a label, naming it.
    """
    if unit == "":
        lang_index(lang)
        return ""
    return _pick(UNITS, unit, "unit", lang)


def code_label(kind: str, code: str | int, lang: str = DEFAULT_LANG) -> str:
    """The label of a code: its name as written in the tables (``"nultreden"``) or its integer code.

    Args:
        kind: A kind of :data:`CODES` (``"dwelling_type"``, ``"tenure"``, ``"start_cause"``,
            ``"end_cause"``, ``"mover_kind"``, ...) or a code column of :data:`COLUMN_KINDS`
            (``"from_type"``, ``"start_tenure"``, ...).
        code: The name, or the integer code (index in the model's tuple of names); a negative code and
            the name ``"none"`` where the kind has no such code are "no code" (:data:`NO_CODE`).
        lang: ``"nl"`` or ``"en"``.

    Raises:
        ParameterError: For an unknown language.
        KeyError: For an unknown kind or code, naming it.
    """
    i = lang_index(lang)
    kind = COLUMN_KINDS.get(kind, kind)
    if kind not in CODES:
        raise KeyError(f"unknown kind of code {kind!r}; expected one of {sorted(CODES)} "
                       f"or a column of {sorted(COLUMN_KINDS)}")
    if not isinstance(code, str):
        names = CODE_NAMES[kind]
        number = int(code)
        if number >= len(names):
            raise KeyError(f"{kind} code {number} is not a code of the model ({len(names)} codes: {names})")
        code = names[number] if number >= 0 else "none"
    labels = CODES[kind]
    if code in labels:
        return labels[code][i]
    if code == "none":
        return NO_CODE[i]
    raise KeyError(f"{kind} {code!r} has no label in sim/labels.py; add it there")


def text(key: str, lang: str = DEFAULT_LANG, **fields) -> str:
    """A fixed word or phrase of a report, with its ``{fields}`` filled in.

    Fields are inserted as given: format numbers first (:func:`format_number`, :func:`format_eur`),
    e.g. ``text("between", "nl", low=format_number(1.5, "nl"), high=...)``.

    Raises:
        ParameterError: For an unknown language.
        KeyError: For an unknown key, or a field of the phrase not given, naming it.
    """
    phrase = _pick(TEXTS, key, "text", lang)
    needed = {name for _, name, _, _ in string.Formatter().parse(phrase) if name}
    missing = sorted(needed - set(fields))
    if missing:
        raise KeyError(f"text {key!r} needs the fields {sorted(needed)}; missing {missing}")
    return phrase.format(**fields) if needed else phrase


def _auto_decimals(size: Decimal) -> int:
    """Decimals for a magnitude: 0 from 100 on, 1 from 10 on, else 3 significant digits (after rounding)."""
    if size == 0:
        return 0
    if size >= 100:
        return 0
    if size >= 10:
        return 0 if _round(size, 1) >= 100 else 1
    decimals = 2 - math.floor(math.log10(size))
    if _round(size, decimals) >= Decimal(10) ** (3 - decimals):  # 9.996 rounds up to 10.0
        decimals -= 1
    return decimals


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: float, lang: str = DEFAULT_LANG, decimals: int | None = None) -> str:
    """A number as a reader of the language writes it: ``1.234,5`` in Dutch, ``1,234.5`` in English.

    Args:
        value: The number (int, float or numpy scalar).
        lang: ``"nl"`` or ``"en"``.
        decimals: Digits after the decimal sign; ``None`` chooses them from the size: none from 100 on,
            one from 10 on, three significant digits below 10 with their trailing zeros (``0,0351``,
            ``1,23``, ``0,250``, ``5,00``), and ``0`` for zero.

    Returns:
        Thousands grouped by ``.`` (nl) or ``,`` (en); rounded half away from zero (``12,25`` gives
        ``12,3``); a negative number with the minus sign U+2212 (``−12,3``), zero after rounding without
        a sign; NaN as ``n.v.t.`` (nl) or ``n/a`` (en); infinity as ``∞``.

    Raises:
        ParameterError: For an unknown language.
    """
    i = lang_index(lang)
    value = float(value)
    if math.isnan(value):
        return TEXTS["not_available"][i]
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    size = Decimal(repr(abs(value)))
    if decimals is None:
        decimals = _auto_decimals(size)
    rounded = _round(size, decimals)
    out = f"{rounded:,.{decimals}f}"
    if lang == "nl":
        out = out.translate(str.maketrans({",": ".", ".": ","}))
    return MINUS + out if value < 0 and rounded != 0 else out


EUR_SCALES = ((Decimal(1), ("", "")), (Decimal(10) ** 6, ("mln", "mn")), (Decimal(10) ** 9, ("mld", "bn")))
"""Euros, millions and billions of euros, with the word after the number (nl, en)."""

EUR_SIGNS = ("€", "EUR")
"""The currency before an amount (nl, en), with a space: ``€ 1,2 mld``, ``EUR 1.2 bn``."""


def _eur_decimals(level: int, scaled: Decimal) -> int:
    if level == 0:
        return 0 if scaled == 0 or scaled >= 100 or _round(scaled, 2) >= 100 else 2
    return 0 if scaled >= 100 or _round(scaled, 1) >= 100 else 1


def format_eur(value: float, lang: str = DEFAULT_LANG, decimals: int | None = None) -> str:
    """An amount in euros: ``€ 1,2 mld`` / ``EUR 1.2 bn``, ``€ 3,5 mln`` / ``EUR 3.5 mn``, ``€ 950.000``.

    From a million on the amount is written in millions (``mln``/``mn``) or billions (``mld``/``bn``)
    with one decimal below 100 and none from 100 on (``€ 12,3 mln``, ``€ 250 mln``); an amount that
    rounds to a thousand millions is written in billions (``€ 1,0 mld``). Below a million: whole euros
    from 100 on (``€ 950.000``), cents below (``€ 12,50``), and ``€ 0``. A negative amount has the minus
    sign after the currency (``€ −1,2 mld``). NaN is ``n.v.t.`` / ``n/a``.

    Args:
        value: The amount in euros.
        lang: ``"nl"`` or ``"en"``.
        decimals: Digits after the decimal sign of the number written (in millions or billions when
            scaled); ``None`` chooses as above.

    Raises:
        ParameterError: For an unknown language.
    """
    i = lang_index(lang)
    value = float(value)
    if math.isnan(value):
        return TEXTS["not_available"][i]
    sign = EUR_SIGNS[i]
    if math.isinf(value):
        return f"{sign} {format_number(value, lang)}"
    size = Decimal(repr(abs(value)))
    level = max(k for k, (scale, _) in enumerate(EUR_SCALES) if k == 0 or size >= scale)
    while True:
        scale, words = EUR_SCALES[level]
        scaled = size / scale
        d = decimals if decimals is not None else _eur_decimals(level, scaled)
        limit = EUR_SCALES[level + 1][0] / scale if level + 1 < len(EUR_SCALES) else None
        if limit is None or _round(scaled, d) < limit:
            break
        level += 1  # 999.999,996 euros is written 1,0 mln; 999,96 mln is 1,0 mld
    number = format_number(math.copysign(float(scaled), value), lang, d)
    return f"{sign} {number} {words[i]}" if words[i] else f"{sign} {number}"
