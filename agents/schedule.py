"""The schedule: the model's processes in the order they run each month.

Each line is one process, declared in its own module with the parameter groups it reads, the random
streams it draws and the indicators it records (``sim.process.Process``). To add a process, write its
module and add one line here. Order, and why:

1. ``ageing`` first, so that everything in the step sees this month's ages;
2. ``mortality``, then ``care``: only survivors develop care needs; ``informal_care`` (carers start,
   become overburdened and stop; a person whose carer stopped weighs registering anew); then
   ``wlz_admission`` (new indications register, free places are filled);
3. the rest of the household events: ``family`` (births, starters), ``union``, ``separation``,
   ``sharing``, ``hospitaverhuur``, ``migration``; then ``building`` (demolition, completions,
   transformations) so that the market sees this month's vacancies;
4. the market: ``adaptation`` (homes made step-free before the search looks at them), ``search``,
   ``allocation`` (acceptance weighs the cost of an offer); ``money`` in the last month of the year
   (huurtoeslag and housing cost ratios, before the year's rent rise); ``prices`` (new dwellings
   priced, re-let rents raised, the yearly rise for 1 January); ``intention`` in the last month of
   the year (for 1 January), after ``kin`` (the kin network's yearly update: deaths, moves and
   newcomers of the year, and who has a child within reach) and ``loneliness`` (who is lonely,
   which the intentions weigh);
5. policies that change the stock for the next month (``building_programme``,
   ``verzorgingshuis_places``), then ``pension`` (AOW on 1 January) and ``accounting`` (costs of the
   state the month ends in).
"""

from __future__ import annotations

from agents import (
    accounting,
    adaptation,
    admission,
    ageing,
    building,
    care,
    family,
    informal,
    intention,
    kin,
    loneliness,
    market,
    migration,
    money,
    mortality,
    prices,
    search,
    separation,
    union,
)
from agents.policies import building_programme, hospitaverhuur, kostendelersnorm, verzorgingshuis
from sim.engine import schedule_registry

SCHEDULE = (
    ageing.PROCESS,
    mortality.PROCESS,
    care.PROCESS,
    informal.PROCESS,
    admission.PROCESS,
    family.PROCESS,
    union.PROCESS,
    separation.PROCESS,
    kostendelersnorm.PROCESS,
    hospitaverhuur.PROCESS,
    migration.PROCESS,
    building.PROCESS,
    adaptation.PROCESS,
    search.PROCESS,
    market.PROCESS,
    money.PROCESS,
    prices.PROCESS,
    kin.PROCESS,
    loneliness.PROCESS,
    intention.PROCESS,
    building_programme.PROCESS,
    verzorgingshuis.PROCESS,
    accounting.PENSION,
    accounting.PROCESS,
)
"""The processes of a step, in order."""

REGISTRY = schedule_registry(SCHEDULE)
"""Every indicator of the model with the default schedule, by name (census, occupancy, processes)."""
