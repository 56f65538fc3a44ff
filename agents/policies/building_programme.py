"""The building programme for older people: gemeenten build for older people on top of the market.

The programme completes nultreden, geclusterde and zorggeschikte woningen on top of market-led
building.

Levers (``PolicyParams``, 0 in the baseline): ``programme_nultreden_total``,
``programme_geclusterd_total`` and ``programme_zorggeschikt_total`` (national dwellings over the
programme years ``programme_first_year`` to ``programme_last_year``), ``programme_social_share``
(social rent; the rest owner-occupied and private rent in equal parts). The gemeente of each province
(:class:`agents.institutions.Gemeente`) completes its share (by households) evenly over the programme
years. The nultreden and geclusterde woningen are part of the national building path (market building
builds as many fewer, :func:`within_path_per_year`), the zorggeschikte woningen come on top, as the
letters describe them. Each new dwelling starts a vacancy chain (cause ``new_build``). Draws: the
``programme`` stream, one sub-stream per province.
"""

from __future__ import annotations

import numpy as np

from agents.construction import build_dwellings
from sim.codes import GECLUSTERD, NULTREDEN, OWNER, PRIVATE, SOCIAL, ZORGGESCHIKT
from sim.outputs import declare
from sim.process import Context, Process


def within_path_per_year(ctx: Context) -> float:
    """Programme dwellings a year that are part of the national building path (national).

    The nultredenwoningen and geclusterde woningen of the programme are part of the 900,000 of the
    national programme (Kamerbrief WOZO 04-07-2022, shared/sources/004 line 313: 'Deze 250.000
    woningen zijn onderdeel van de totale nieuwbouwopgave van 900.000'), so market building builds
    that many fewer; the zorggeschikte woningen come on top ('Naast de opgave om 900.000 woningen',
    line 318).
    """
    pp = ctx.params.policy
    if not pp.programme_first_year <= ctx.year <= pp.programme_last_year:
        return 0.0
    years = pp.programme_last_year - pp.programme_first_year + 1
    return (pp.programme_nultreden_total + pp.programme_geclusterd_total) / years


def programme(ctx: Context) -> None:
    """Every gemeente completes this step's share of the programme dwellings (with carry-over)."""
    pp = ctx.params.policy
    if not pp.programme_first_year <= ctx.year <= pp.programme_last_year:
        return
    years = pp.programme_last_year - pp.programme_first_year + 1
    for gemeente in ctx.institutions.gemeenten:
        g = ctx.streams.generator("programme", f"province {gemeente.region}")
        for dtype, total in ((NULTREDEN, pp.programme_nultreden_total),
                             (GECLUSTERD, pp.programme_geclusterd_total),
                             (ZORGGESCHIKT, pp.programme_zorggeschikt_total)):
            k = ctx.per_step(f"programme_{gemeente.region}_{dtype}", total * gemeente.share / years)
            if k == 0:
                continue
            u = g.random(k)
            social = pp.programme_social_share
            tenure = np.where(u < social, SOCIAL,
                              np.where(u < social + (1 - social) / 2, OWNER, PRIVATE))
            ids = build_dwellings(ctx, k, g, dtype=np.full(k, dtype), tenure=tenure,
                                  region=np.full(k, gemeente.region))
            built = float(ctx.dwellings.weight[ids].sum())
            ctx.record.flow("programme_dwellings_built", built)
            gemeente.programme_built += built


PROCESS = Process(
    "building_programme", programme, reads=("policy", "turnover", "housing"),
    streams=("programme",),
    records=declare(("programme_dwellings_built", "dwellings per year",
                     "Dwellings completed under the building programme", "flow")),
)
