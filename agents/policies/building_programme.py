"""The building programme for older people: gemeenten build for older people on top of the market.

The programme completes nultreden, geclusterde and zorggeschikte woningen on top of market-led
building.

Levers (``PolicyParams``, 0 in the baseline): ``programme_nultreden_total``,
``programme_geclusterd_total`` and ``programme_zorggeschikt_total`` (national dwellings over the
programme years ``programme_first_year`` to ``programme_last_year``), ``programme_social_share``
(social rent; the rest owner-occupied and private rent in equal parts). The gemeente of each province
(:class:`agents.institutions.Gemeente`) completes its share (by households) evenly over the programme
years. Each new dwelling starts a vacancy chain (cause ``new_build``). Draws: the ``programme``
stream, one sub-stream per province.
"""

from __future__ import annotations

import numpy as np

from agents.building import build_dwellings
from sim.codes import GECLUSTERD, NULTREDEN, OWNER, PRIVATE, SOCIAL, ZORGGESCHIKT
from sim.outputs import declare
from sim.process import Context, Process


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
