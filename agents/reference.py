"""Reference model: the demography and care rules of the array engine as an idiomatic Mesa model.

Each household is one :class:`HouseholdAgent` holding plain Python lists per adult slot (age in
months, sex, care state, dementia, present). :class:`ReferenceModel` starts from the same
:class:`sim.population.Households` as :class:`sim.model.DoorstroomModel` and steps the same phases
in the same order, by staged activation over all agents:

1. ``age``: every household ages one step;
2. ``die``: every adult draws death with the hazard of
   :func:`agents.demography.aligned_hazard` (the alignment needs group means over the whole
   population, so the model evaluates it once per step on the gathered attributes and hands each
   agent its hazards); a survivor is widowed, an emptied household is removed;
3. ``develop_care``: every surviving adult draws dementia onset, then a care transition with one
   uniform number (the destination rule of :func:`agents.care.draw_transitions`).

Rates come from the pure functions of the array engine (:func:`agents.care.transition_hazards`,
:func:`agents.care.dementia_hazard`, :func:`sim.rates.step_probability`); they depend only on
integer ages in months and a few flags, so the model memoises them per key instead of re-deriving
any formula. Draws use ``model.rng`` (numpy), one scalar at a time, in the shuffled activation
order: the results agree with the array engine statistically, not draw for draw. This is the slow,
idiomatic version, used by tests (agreement) and by the benchmark (speed ratio).

The reference covers the phases named in :data:`PHASES`. Not modelled here: the later phases of the
array engine (admission to verpleeghuis places, ...), the zorgkantoor register and the vacancy log
(the flows ``wlz_indications_new`` and ``dwellings_vacated_by_death`` are counted all the same). To
compare, run the array engine with its phases restricted to :data:`PHASES`.
"""

from __future__ import annotations

from collections import defaultdict

import mesa
import numpy as np

from agents import care, demography
from sim import outputs
from sim.clock import POPULATION_YEAR, CalendarClock
from sim.params import Parameters, RunSettings
from sim.population import (
    HEAVY,
    INSTITUTION_TENURE,
    LIMITATION,
    MODERATE,
    REGIE,
    VERPLEEGHUIS,
    VERZORGINGSHUIS,
    Households,
    build_population,
)
from sim.rates import step_probability

PHASES = ("ageing", "mortality", "care")
"""Names of the array engine's phases (``DoorstroomModel.phases``) that this model reproduces."""
INSTITUTIONS = (VERPLEEGHUIS, VERZORGINGSHUIS)
ONSET_FLOWS = ((LIMITATION, "limitation_onsets"), (MODERATE, "moderate_onsets"),
               (REGIE, "regie_onsets"))


class HouseholdAgent(mesa.Agent):
    """One household with up to two adults, in slots 0 and 1.

    Per-adult attributes are two-element lists indexed by slot; an empty slot has ``present``
    False. Slot 0 always holds an adult while the household exists.

    Args:
        model: The reference model.
        age_months: Ages in months per slot.
        sex: Sex codes per slot.
        care: Care state codes per slot.
        dementia: Dementia flags per slot.
        present: Whether an adult occupies each slot.
        wlz_step: Step of the Wlz indication per slot (``-1``: none or before the start).
        children_nearby: Whether a child lives nearby (informal care network).
        weight: Number of real households this agent stands for.
        region: Region (province) code.
        dwelling: Dwelling type code.
        tenure: Tenure code.
        months_in_dwelling: Months lived in the current dwelling.
        row: Row of the household in the source :class:`~sim.population.Households`.
    """

    def __init__(self, model: ReferenceModel, age_months, sex, care, dementia, present,
                 wlz_step, children_nearby: bool, weight: float, region: int, dwelling: int,
                 tenure: int, months_in_dwelling: int = 0, row: int = -1):
        super().__init__(model)
        self.age_months = [int(a) for a in age_months]
        self.sex = [int(s) for s in sex]
        self.care = [int(c) for c in care]
        self.dementia = [bool(d) for d in dementia]
        self.present = [bool(p) for p in present]
        self.wlz_step = [int(s) for s in wlz_step]
        self.children_nearby = bool(children_nearby)
        self.weight = float(weight)
        self.region = int(region)
        self.dwelling = int(dwelling)
        self.tenure = int(tenure)
        self.months_in_dwelling = int(months_in_dwelling)
        self.row = int(row)
        self.death_hazard = [0.0, 0.0]

    @property
    def n_adults(self) -> int:
        """Number of adults in the household."""
        return self.present[0] + self.present[1]

    def step(self) -> None:
        """Runs the three stages for this household alone: age, die, develop care.

        The death hazard is the one last handed out by :meth:`ReferenceModel.assign_death_hazards`.
        The model does not use this method: mortality alignment needs every agent aged before the
        hazards are evaluated, so :meth:`ReferenceModel.step` activates the stages one by one over
        all agents, as the array engine runs its phases.
        """
        self.age()
        self.die()
        if self.n_adults:
            self.develop_care()

    def age(self) -> None:
        """Adds one step to the age of each adult and to the time in the dwelling."""
        months = self.model.months_per_step
        for s in (0, 1):
            if self.present[s]:
                self.age_months[s] += months
        self.months_in_dwelling = min(self.months_in_dwelling + months, 32000)

    def die(self) -> None:
        """Draws death per adult; handles widowhood and removes the household when emptied."""
        model = self.model
        spy = model.settings.steps_per_year
        max_age = model.params.demography.max_age_years
        dead = []
        for s in (0, 1):
            if not self.present[s]:
                continue
            p = step_probability(self.death_hazard[s], spy)
            if self.rng.random() < p or self.age_months[s] / 12.0 >= max_age:
                dead.append(s)
        if not dead:
            return
        in_institution = self.dwelling in INSTITUTIONS
        for s in dead:
            model.add_flow("deaths", self.weight)
            if in_institution:
                model.add_flow("deaths_in_institution", self.weight)
            self.present[s] = False
            self.care[s] = 0
            self.dementia[s] = False
            self.wlz_step[s] = -1
        if self.n_adults == 1:
            model.add_flow("widowhoods", self.weight)
            if not self.present[0]:
                self._move_survivor_to_slot0()
        else:
            model.add_flow("households_dissolved", self.weight)
            if self.tenure != INSTITUTION_TENURE:
                model.add_flow("dwellings_vacated_by_death", self.weight)
            self.remove()

    def _move_survivor_to_slot0(self) -> None:
        for attr, empty in (("present", False), ("age_months", None), ("sex", None),
                            ("care", 0), ("dementia", False), ("wlz_step", -1)):
            values = getattr(self, attr)
            values[0] = values[1]
            if empty is not None:
                values[1] = empty

    def develop_care(self) -> None:
        """Draws dementia onset and one care transition per adult; counts onsets and indications."""
        model = self.model
        min_state = model.params.care.dementia_min_care_state
        for s in (0, 1):
            if not self.present[s]:
                continue
            age = self.age_months[s]
            old = self.care[s]
            state = old
            if not self.dementia[s] and self.rng.random() < model.dementia_probability(age):
                self.dementia[s] = True
                model.add_flow("dementia_onsets", self.weight)
                state = max(state, min_state)
            network = self.present[1 - s] or self.children_nearby
            new = model.choose_transition(state, age, self.dementia[s], network,
                                          self.rng.random())
            self.care[s] = new
            if new == old:
                continue
            for code, flow in ONSET_FLOWS:
                if new == code and old < code:
                    model.add_flow(flow, self.weight)
            if new == HEAVY:
                self.wlz_step[s] = model.step_index
                model.add_flow("wlz_indications_new", self.weight)


class ReferenceModel(CalendarClock, mesa.Model):
    """Households ageing, dying and developing care needs, one Mesa agent per household.

    Args:
        params: Model parameters (defaults if ``None``).
        settings: Run settings; ``settings.seed`` seeds ``model.rng`` and ``model.random``.
        households: The starting population (read, not modified); built from the embedded
            tables with ``settings.scale`` and ``settings.seed`` if ``None``.

    Attributes:
        records: ``(year, indicator, value)`` tuples as in :class:`sim.model.DoorstroomModel`:
            stocks at 1 January, flows summed over each year (national scale).
        count_records: ``(year, flow, count)``: the flows as unweighted event counts.
    """

    def __init__(self, params: Parameters | None = None, settings: RunSettings | None = None,
                 households: Households | None = None):
        settings = settings or RunSettings()
        super().__init__(rng=settings.seed)
        self.params = params or Parameters()
        self.settings = settings
        self.months_per_step = 12 // settings.steps_per_year
        if households is None:
            households = build_population(settings.scale, settings.seed, self.params)
        hh = households
        for row in np.flatnonzero(hh.active).tolist():
            HouseholdAgent(
                self, hh.age_months[row], hh.sex[row], hh.care[row], hh.dementia[row],
                hh.present[row], hh.wlz_step[row], hh.children_nearby[row], hh.weight[row],
                hh.region[row], hh.dwelling[row], hh.tenure[row], hh.months_in_dwelling[row],
                row=row,
            )
        self.records: list[tuple[int, str, float]] = []
        self.count_records: list[tuple[int, str, int]] = []
        self._flows: dict[str, float] = defaultdict(float)
        self._counts: dict[str, int] = defaultdict(int)
        self._dementia_p: dict[int, float] = {}
        self._transitions: dict[tuple[int, int, bool, bool], tuple[float, float, tuple]] = {}
        self.total_steps = (settings.end_year - POPULATION_YEAR + 1) * settings.steps_per_year
        self.running = True

    @classmethod
    def from_households(cls, households: Households, params: Parameters | None = None,
                        settings: RunSettings | None = None) -> ReferenceModel:
        """Builds the model with one agent per active row of ``households``.

        Args:
            households: The starting population (for example a copy of the one given to the
                array engine); it is not modified.
            params: Model parameters (defaults if ``None``).
            settings: Run settings (defaults if ``None``).

        Returns:
            The model at 1 January 2025.
        """
        return cls(params=params, settings=settings, households=households)

    # --- clock (as in sim.model.DoorstroomModel) ----------------------------------------------
    @property
    def households(self):
        """The household agents (Mesa's strong agent set of :class:`HouseholdAgent`)."""
        by_type = self.agents_by_type
        if HouseholdAgent in by_type:
            return by_type[HouseholdAgent]
        return mesa.agentset.AgentSet([], random=self.random)

    # --- rates ------------------------------------------------------------------------------
    def assign_death_hazards(self) -> None:
        """Hands every adult its aligned death hazard for the current step.

        Gathers age, sex, care state, dementia and weight of all adults, evaluates
        :func:`agents.demography.aligned_hazard` once and stores each adult's value in
        ``agent.death_hazard``.
        """
        owners, slots, ages, sexes, cares, dems, weights = [], [], [], [], [], [], []
        for agent in self.households:
            for s in (0, 1):
                if agent.present[s]:
                    owners.append(agent)
                    slots.append(s)
                    ages.append(agent.age_months[s])
                    sexes.append(agent.sex[s])
                    cares.append(agent.care[s])
                    dems.append(agent.dementia[s])
                    weights.append(agent.weight)
        if not owners:
            return
        hazard = demography.aligned_hazard(
            np.array(ages) / 12.0, np.array(sexes), np.array(cares), np.array(dems),
            np.array(weights), self.year_fraction, self.params,
        ).tolist()
        for agent, s, h in zip(owners, slots, hazard, strict=True):
            agent.death_hazard[s] = h

    def dementia_probability(self, age_months: int) -> float:
        """Probability of a dementia diagnosis within one step at an age (memoised)."""
        p = self._dementia_p.get(age_months)
        if p is None:
            h = care.dementia_hazard(age_months / 12.0, self.params.care)
            p = float(step_probability(h, self.settings.steps_per_year))
            self._dementia_p[age_months] = p
        return p

    def choose_transition(self, state: int, age_months: int, dementia: bool, network: bool,
                          u: float) -> int:
        """New care state for one person given one uniform draw ``u``.

        Same rule as :func:`agents.care.draw_transitions`: an event happens when ``u`` is below
        the step probability of the summed hazards; the position of ``u`` within that
        probability picks the destination in proportion to the hazards.

        Args:
            state: Current care state code (after a dementia onset in this step).
            age_months: Age in months.
            dementia: Dementia flag.
            network: True when a partner or a child nearby can help.
            u: Uniform draw in [0, 1).

        Returns:
            The new care state code.
        """
        key = (state, age_months, dementia, network)
        entry = self._transitions.get(key)
        if entry is None:
            h = care.transition_hazards(np.array([state]), np.array([age_months / 12.0]),
                                        np.array([dementia]), np.array([network]),
                                        self.params.care)[0]
            total = float(h.sum())
            p_event = float(step_probability(total, self.settings.steps_per_year))
            entry = (p_event, total, tuple(np.cumsum(h).tolist()))
            self._transitions[key] = entry
        p_event, total, cum = entry
        if not u < p_event:
            return state
        frac = u / p_event
        return min(sum(frac >= c / total for c in cum), care.N_STATES - 1)

    # --- flows, stocks, stepping ------------------------------------------------------------
    def add_flow(self, name: str, weight: float) -> None:
        """Counts one event of a flow indicator for a household of weight ``weight``."""
        if name not in outputs.REGISTRY:
            raise KeyError(f"flow {name!r} is not declared in sim.outputs.REGISTRY")
        self._flows[name] += weight
        self._counts[name] += 1

    def stocks(self) -> dict[str, float]:
        """Stock indicators now, at national scale (household weights applied).

        Returns:
            Indicator name -> value for persons by age (55+, 65+, 75+, 85+, 90+), by care state
            (limitation, moderate, loss of regie, Wlz, Wlz at home), institution residents,
            persons with dementia and private households; definitions as in
            :func:`sim.outputs.stocks`.
        """
        names = ("persons_55plus", "persons_65plus", "persons_75plus", "persons_85plus",
                 "persons_90plus", "persons_limitation", "persons_moderate_care",
                 "persons_loss_of_regie", "persons_wlz", "persons_wlz_at_home",
                 "institution_residents", "dementia_persons", "households_total")
        out = dict.fromkeys(names, 0.0)
        by_state = {LIMITATION: "persons_limitation", MODERATE: "persons_moderate_care",
                    REGIE: "persons_loss_of_regie", HEAVY: "persons_wlz"}
        for agent in self.households:
            w = agent.weight
            inst = agent.dwelling in INSTITUTIONS
            if not inst:
                out["households_total"] += w
            for s in (0, 1):
                if not agent.present[s]:
                    continue
                years = agent.age_months[s] // 12
                for a in (55, 65, 75, 85, 90):
                    if years >= a:
                        out[f"persons_{a}plus"] += w
                state = agent.care[s]
                if state in by_state:
                    out[by_state[state]] += w
                if state == HEAVY and not inst:
                    out["persons_wlz_at_home"] += w
                if inst:
                    out["institution_residents"] += w
                if agent.dementia[s]:
                    out["dementia_persons"] += w
        return out

    def step(self) -> None:
        """Advances one step: stocks on 1 January, ageing, mortality and care, year closing."""
        spy = self.settings.steps_per_year
        recording = self.year >= self.settings.start_year
        if self.step_index % spy == 0 and recording:
            self.records.extend((self.year, k, v) for k, v in self.stocks().items())
        households = self.households
        households.shuffle_do("age")
        self.assign_death_hazards()
        households.shuffle_do("die")
        households.shuffle_do("develop_care")
        if (self.step_index + 1) % spy == 0:
            if recording:
                for name in outputs.FLOWS:
                    self.records.append((self.year, name, self._flows.get(name, 0.0)))
                    self.count_records.append((self.year, name, self._counts.get(name, 0)))
            self._flows.clear()
            self._counts.clear()
        if self.steps >= self.total_steps:
            self.running = False

    def run(self, years: int | None = None) -> None:
        """Runs whole years of steps.

        Args:
            years: Number of years to simulate from the current step (also beyond
                ``settings.end_year``); ``None`` runs to the end of ``settings.end_year``, as
                :meth:`sim.model.DoorstroomModel.run` does.
        """
        if years is None:
            while self.running:
                self.step()
            return
        for _ in range(years * self.settings.steps_per_year):
            self.step()
