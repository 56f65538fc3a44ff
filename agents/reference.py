"""Reference model: the array engine's demography, care and housing-market rules as an idiomatic Mesa model.

Each household is one :class:`HouseholdAgent` holding plain Python lists per adult slot (age in
months, sex, care state, dementia, present) and a reference to the :class:`Dwelling` it lives in.
Dwellings are plain objects, not Mesa agents: they take no decisions and draw no random numbers, so
they only carry state (type, tenure, rooms, step-free, region, occupant, vacant since); keeping them
out of the agent registry keeps ``model.agents`` the set of actors. :class:`ReferenceModel` starts from
the same :class:`sim.population.Households` and :class:`sim.dwellings.Dwellings` as
:class:`agents.model.DoorstroomModel` (built by the array model's set-up: the stock, the initial home
adaptations, the first intentions and the intercepts of the intention logit) and steps the phases of
:data:`PHASES` in the same order, by staged activation over all agents:

1. ``age``: every household ages one step;
2. ``die``: every adult draws death with the hazard of
   :func:`agents.mortality.aligned_hazard` (the alignment needs group means over the whole
   population, so the model evaluates it once per step on the gathered attributes and hands each
   agent its hazards); a survivor is widowed, an emptied household is removed and its dwelling
   becomes vacant;
3. ``develop_care``: every surviving adult draws dementia onset, then a care transition with one
   uniform number (the destination rule of :func:`agents.care.draw_transitions`);
4. ``search``: a searching household gives up at ``search_give_up_per_year``; one that is not
   searching starts at the hazard of its intention and picks its submarket (province, dwelling type,
   tenure) with :func:`agents.search.search_target`;
5. allocation (:meth:`ReferenceModel.allocate_vacancies`, the market rather than one household):
   the vacant dwellings whose handover time has passed are offered, longest vacant first, to the
   searchers of their submarket in the order of the queue (social rent: the woningcorporatie's
   ranking, urgency, older-mover priority, search time; owner and private markets: by lot), in
   rounds; a household accepts with ``accept_probability`` (``accept_probability_too_small`` when the
   dwelling has fewer rooms than it has persons) times the factor of the rise in its housing cost
   (:mod:`agents.money`; the search start weighs the expected rise the same way; rents stay as set
   up, since prices do not run here). Dwellings still vacant after
   ``open_market_after_months`` are then offered to every remaining searcher of the province
   (``accept_probability_open``). The matched households move; the dwellings they leave become
   vacant;
6. ``form_intention`` (last step of each year): every private household that is not searching draws
   its intention (none, maybe, definite) from the multinomial logit of :mod:`agents.market`.

Who receives informal care and who is lonely (which the care transitions, the search and the
intentions weigh) are taken from the array model's set-up and held: their own processes
(``informal_care``, ``loneliness``) are not among the phases.

Offers within a submarket follow the pairing rule of :func:`agents.allocation.allocate`, written as
loops: in round ``r`` the vacancies of a submarket, longest vacant first, are offered side by side
down the queue starting ``r`` places behind its head (the first vacancy to the searcher at place
``r``, the next to the one behind, ...); accepted pairs leave after the round. So a refused
dwelling goes to the searcher right behind the refuser in the next round, every vacancy gets at most
``allocation_rounds`` offers and every searcher at most one offer per round. (The plainer rule
"offer each vacancy to the best-ranked searcher who has not refused it yet" gives the searchers at
the head of the queue an offer for every vacancy of the step, hence more matches whenever offers
are often refused: a different market.) In the open-market pass all searchers queue by their lot.

Rates come from the pure functions of the array engine (:func:`agents.care.transition_hazards`,
:func:`agents.care.dementia_hazard`, :func:`agents.intention.intention_probabilities`,
:func:`agents.search.search_target`, :func:`sim.rates.step_probability`); those that depend only on
a few integer keys are memoised per key instead of re-deriving any formula. The situation part of the
intention logit is :func:`situation_logits` (the formula of :func:`agents.intention.intention_logits`,
on one household's flags). Draws use ``model.rng`` (numpy), one scalar at a time, in the shuffled
activation order: the results agree with the array engine statistically, not draw for draw. This is
the slow, idiomatic version, used by tests (agreement) and by the benchmark (speed ratio).

Not modelled here: the other phases of the array engine (admission to verpleeghuis places, family,
union, migration, building, home adaptation during the run), starters and immigrants (applicants),
the zorgkantoor register, the vacancy chains and the vacancy log (the flows ``wlz_indications_new``
and ``dwellings_vacated_by_death`` are counted all the same). To compare, run the array engine with
its phases restricted to :data:`PHASES`.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

import mesa
import numpy as np

from agents import care, informal, intention, money, mortality, prices, search
from agents.policies import kostendelersnorm
from agents.schedule import REGISTRY
from sim import outputs
from sim.clock import POPULATION_YEAR, CalendarClock
from sim.codes import (
    CARE_DWELLING_TYPES,
    HEAVY,
    INSTITUTION_TENURE,
    INSTITUTION_TYPES,
    LIMITATION,
    MODERATE,
    NOT_SEARCHING,
    OWNER,
    PRIVATE,
    REGIE,
    SOCIAL,
    VERPLEEGHUIS,
    WORK,
)
from sim.dwellings import Dwellings
from sim.households import NO_CORESIDENT, Households
from sim.occupancy import FAMILY_MOVER_AGE_YEARS, MOVER_AGE_FLOWS, N_FLOW_TYPES
from sim.params import LonelinessParams, MovingParams, Parameters, RunSettings
from sim.rates import step_probability

PHASES = ("ageing", "mortality", "care", "search", "allocation", "intention")
"""Names of the array engine's processes (``agents.schedule.SCHEDULE``) that this model reproduces."""
ONSET_FLOWS = ((LIMITATION, "limitation_onsets"), (MODERATE, "moderate_onsets"),
               (REGIE, "regie_onsets"))
FLOWS = tuple(name for name, ind in REGISTRY.items() if ind.kind == "flow")
"""The flow indicators of the array engine (this model counts those of its phases, the rest stay 0)."""


def situation_logits(flags: tuple[bool, ...], mp: MovingParams,
                     lp: LonelinessParams | None = None) -> tuple[float, float]:
    """Situation part of the intention logits of one household (intercepts excluded).

    The formula of :func:`agents.intention.intention_logits` for one household.

    Args:
        flags: ``(mismatch, widowed, under_occupied, owner, attached, lonely)`` as returned by
            :meth:`HouseholdAgent.situation`.
        mp: Moving parameters (the effects).
        lp: Loneliness parameters (the effect of a lonely adult; ``None``: none).

    Returns:
        ``(x_definite, x_maybe)``.
    """
    mismatch, widowed, under, owner, attach, lonely = flags
    return tuple(
        mismatch * mp.effect_mismatch[k] + widowed * mp.effect_widowed[k]
        + under * mp.effect_underoccupation[k] + owner * mp.effect_owner[k]
        + attach * mp.effect_attachment[k] + (lonely * lp.intention_effect[k] if lp is not None else 0.0)
        for k in (0, 1)
    )


@dataclass(eq=False, slots=True)
class Dwelling:
    """One dwelling of the housing stock, or one verpleeghuis place (a plain object).

    Attributes:
        index: Row of the dwelling in the source :class:`~sim.dwellings.Dwellings`.
        type: Dwelling type code (:data:`sim.population.DWELLING_TYPES`).
        tenure: Tenure code.
        rooms: Number of rooms.
        step_free: Whether the dwelling is step-free (or adapted).
        region: Region (province) code.
        family: Whether it is a family home (regular, four rooms or more).
        weight: Number of real dwellings it stands for.
        occupant: The household living in it, ``None`` when vacant.
        vacant_since: Step from which it is vacant (``-1`` while occupied).
        rent: Monthly rent (the array engine's ``rent_eur_month``; fixed here, as prices do not run).
        market_rent: Monthly rent a new tenant pays (``market_rent_eur_month``).
        value: WOZ value of an owner-occupied dwelling.
    """

    index: int
    type: int
    tenure: int
    rooms: int
    step_free: bool
    region: int
    family: bool
    weight: float
    occupant: HouseholdAgent | None = None
    vacant_since: int = -1
    rent: float = 0.0
    market_rent: float = 0.0
    value: float = 0.0

    @property
    def is_institution(self) -> bool:
        """True for verpleeghuis and verzorgingshuis places (not part of the housing stock)."""
        return self.type in INSTITUTION_TYPES

    @property
    def submarket(self) -> tuple[int, int, int]:
        """The submarket the dwelling is offered in: (province, type, tenure)."""
        return (self.region, self.type, self.tenure)


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
        n_children: Children (0-17) in the household.
        n_coresidents: Adult co-residents.
        widowed_step: Step of the last widowhood (``None``: never widowed in the run or before).
        intention: Move intention: 0 none, 1 maybe, 2 definite.
        search_since: Step the current search started (``None``: not searching).
        search_type: Dwelling type sought (``-1``: none).
        search_tenure: Tenure sought (``-1``: none).
        home: The dwelling the household lives in (``None`` until the model places it).
        benefit: Benefit code (AOW, pension, AIO, bijstand, work).
        income: Own earnings or pension per year (EUR of 2025).
        savings: Wealth besides the own home (EUR of 2025).
        coresident_birth_months: Birth months of the co-residents whose age is followed
            (:data:`sim.households.NO_CORESIDENT` entries are skipped).
        carer: Whether each adult receives informal care (held as set up: the informal care
            process is not one of :data:`PHASES`).
        lonely: Whether each adult is severely lonely (held as set up, like ``carer``).
    """

    def __init__(self, model: ReferenceModel, age_months, sex, care, dementia, present,
                 wlz_step, children_nearby: bool, weight: float, region: int, dwelling: int,
                 tenure: int, months_in_dwelling: int = 0, row: int = -1, *,
                 n_children: int = 0, n_coresidents: int = 0, widowed_step: int | None = None,
                 intention: int = 0, search_since: int | None = None, search_type: int = -1,
                 search_tenure: int = -1, home: Dwelling | None = None, benefit: int = 0,
                 income: float = 0.0, coresident_birth_months=(), savings: float = 0.0,
                 carer=(False, False), lonely=(False, False)):
        super().__init__(model)
        self.age_months = [int(a) for a in age_months]
        self.sex = [int(s) for s in sex]
        self.care = [int(c) for c in care]
        self.dementia = [bool(d) for d in dementia]
        self.carer = [bool(c) for c in carer]
        self.lonely = [bool(x) for x in lonely]
        self.present = [bool(p) for p in present]
        self.wlz_step = [int(s) for s in wlz_step]
        self.children_nearby = bool(children_nearby)
        self.weight = float(weight)
        self.region = int(region)
        self.dwelling = int(dwelling)
        self.tenure = int(tenure)
        self.months_in_dwelling = int(months_in_dwelling)
        self.row = int(row)
        self.n_children = int(n_children)
        self.n_coresidents = int(n_coresidents)
        self.widowed_step = widowed_step
        self.intention = int(intention)
        self.search_since = search_since
        self.search_type = int(search_type)
        self.search_tenure = int(search_tenure)
        self.home = home
        self.benefit = int(benefit)
        self.income = float(income)
        self.savings = float(savings)
        self.coresident_birth_months = [int(b) for b in coresident_birth_months if b != NO_CORESIDENT]
        self._money_key: tuple | None = None
        self._money: money.Household | None = None
        if home is not None:
            home.occupant = self
        self.death_hazard = [0.0, 0.0]
        self.queue_position = 0.0
        """Place in the allocation queue of the current step (lower first)."""
        self.lot = 0.0
        """Random lot of the current step (the queue order of the open-market pass)."""

    # --- attributes derived from the household ---------------------------------------------
    @property
    def n_adults(self) -> int:
        """Number of adults in the household."""
        return self.present[0] + self.present[1]

    @property
    def size(self) -> int:
        """Persons in the household: adults, children and co-residents."""
        return self.n_adults + self.n_children + self.n_coresidents

    @property
    def oldest_years(self) -> int:
        """Age in whole years of the oldest adult."""
        return max(self.age_months[s] // 12 for s in (0, 1) if self.present[s])

    @property
    def care_need(self) -> int:
        """Highest care state among the adults."""
        return max(self.care[s] for s in (0, 1) if self.present[s])

    @property
    def is_private(self) -> bool:
        """True when the household lives in the housing stock (not in a verpleeghuis)."""
        return self.dwelling != VERPLEEGHUIS

    @property
    def is_searching(self) -> bool:
        """True while the household searches for a dwelling."""
        return self.search_since is not None

    def care_mismatch(self) -> bool:
        """True when a care need is not met by the home (rule of :func:`agents.intention.care_mismatch`).

        A limitation or more needs a step-free (or adapted) home; moderate care or more needs a
        geclusterd or zorggeschikt dwelling.
        """
        need = self.care_need
        return ((need >= LIMITATION and not self.home.step_free)
                or (need >= MODERATE and self.home.type not in CARE_DWELLING_TYPES))

    def situation(self) -> tuple[bool, bool, bool, bool, bool, bool]:
        """Flags that shift the intention odds: mismatch, widowed, under-occupied, owner, attached, lonely.

        Widowed means a partner died less than ``widowed_recent_months`` steps ago; under-occupied,
        ``underoccupation_rooms`` or more rooms more than persons; attached, ``attachment_months`` or
        more in the dwelling (``MovingParams``).
        """
        step = self.model.step_index
        mp = self.model.params.moving
        widowed = (self.widowed_step is not None
                   and step - self.widowed_step < mp.widowed_recent_months)
        under = self.home.rooms - self.size >= mp.underoccupation_rooms
        return (self.care_mismatch(), widowed, under, self.tenure == OWNER,
                self.months_in_dwelling >= mp.attachment_months, any(self.lonely))

    def as_row(self) -> SimpleNamespace:
        """This household as a one-row view with the columns :func:`agents.search.search_target` reads."""
        return SimpleNamespace(present=np.array([self.present], np.bool_),
                               care=np.array([self.care], np.int8),
                               age_months=np.array([self.age_months], np.int16),
                               tenure=np.array([self.tenure], np.int8),
                               lonely=np.array([self.lonely], np.bool_))

    # --- stages -----------------------------------------------------------------------------
    def step(self) -> None:
        """Runs the stages a household does alone: age, die, develop care, search, intention.

        The death hazard is the one last handed out by :meth:`ReferenceModel.assign_death_hazards`;
        the intention is drawn only in the last step of a year. The model does not use this
        method: mortality alignment needs every agent aged before the hazards are evaluated and
        allocation is a market of all searchers, so :meth:`ReferenceModel.step` activates the
        stages one by one over all agents, as the array engine runs its phases.
        """
        self.age()
        self.die()
        if self.n_adults:
            self.develop_care()
            self.search()
            if (self.model.step_index + 1) % self.model.settings.steps_per_year == 0:
                self.form_intention()

    def age(self) -> None:
        """Adds one step to the age of each adult and to the time in the dwelling."""
        months = self.model.months_per_step
        for s in (0, 1):
            if self.present[s]:
                self.age_months[s] += months
        self.months_in_dwelling = min(self.months_in_dwelling + months, 32000)

    def die(self) -> None:
        """Draws death per adult; handles widowhood; an emptied household leaves its dwelling."""
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
        in_institution = self.dwelling in INSTITUTION_TYPES
        for s in dead:
            model.add_flow("deaths", self.weight)
            if in_institution:
                model.add_flow("deaths_in_institution", self.weight)
            self.present[s] = False
            self.care[s] = 0
            self.dementia[s] = False
            self.wlz_step[s] = -1
            self.carer[s] = False
            self.lonely[s] = False
        if self.n_adults == 1:
            model.add_flow("widowhoods", self.weight)
            self.widowed_step = model.step_index
            earnings, pension = model.params.money.survivor_income_share  # agents.mortality's rule
            self.income *= earnings if self.benefit == WORK else pension
            if not self.present[0]:
                self._move_survivor_to_slot0()
        else:
            model.add_flow("households_dissolved", self.weight)
            home = self.home
            if home is not None:
                self.home = None
                model.free(home)
                if not home.is_institution:
                    model.add_flow("dwellings_vacated_by_death", home.weight)
            self.remove()

    def _move_survivor_to_slot0(self) -> None:
        for attr, empty in (("present", False), ("age_months", None), ("sex", None),
                            ("care", 0), ("dementia", False), ("wlz_step", -1), ("carer", False),
                            ("lonely", False)):
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
                                          self.rng.random(), self.carer[s])
            self.care[s] = new
            if new == old:
                continue
            for code, flow in ONSET_FLOWS:
                if new == code and old < code:
                    model.add_flow(flow, self.weight)
            if new == HEAVY:
                self.wlz_step[s] = model.step_index
                model.add_flow("wlz_indications_new", self.weight)

    def search(self) -> None:
        """Gives up searching, or starts a search with a submarket (rules of :func:`agents.search.search`).

        A searcher gives up at ``search_give_up_per_year``; a household that is not searching starts
        at ``search_start_definite_per_year`` or ``search_start_maybe_per_year`` by its intention and
        draws the dwelling type and tenure it seeks with :func:`agents.search.search_target`.
        """
        if not self.is_private:
            return
        model = self.model
        if self.is_searching:
            if self.rng.random() < model.give_up_probability:
                self.search_since = None
            return
        p = model.search_start_probability[self.intention]
        # the cost factor is at most 1: it is asked only when the draw could start a search
        if p > 0.0 and (u := self.rng.random()) < p and u < p * self.search_cost_factor():
            u_type, u_tenure = self.rng.random(2)
            dtype, tenure = search.search_target(self.as_row(), np.array([0]), np.array([u_type]),
                                                 np.array([u_tenure]), model.params.moving,
                                                 model.params.loneliness)
            self.search_type = int(dtype[0])
            price = model.owner_values()[self.region] if tenure[0] == OWNER else 0.0
            within, _, _ = money.tenure_within_means(tenure, self.money(), np.array([price]),
                                                     model.params.money)
            self.search_tenure = int(within[0])
            self.search_since = model.step_index

    def money(self) -> money.Household:
        """The household's income and housing cost this step (:class:`agents.money.Household`).

        Computed once per step and home (an agent may get several offers in a step).
        """
        key = (self.model.step_index, id(self.home), self.n_adults, self.size)
        if self._money_key != key:
            self._money_key, self._money = key, self._compute_money()
        return self._money

    def _compute_money(self) -> money.Household:
        model, home = self.model, self.home
        cp = model.params.costs
        benefit, couple = np.array([self.benefit]), np.array([self.n_adults == 2])
        statutory = money.benefit_amounts(benefit, couple, cp)
        month = model.step_index * model.months_per_step
        counted = sum(b <= month - 12 * kostendelersnorm.KOSTENDELER_AGE_YEARS
                      for b in self.coresident_birth_months)
        if counted and self.benefit in kostendelersnorm.SHARING_BENEFITS:
            statutory = kostendelersnorm.shared_benefits(
                benefit, np.array([self.n_adults]), np.array([False]), np.array([counted]),
                kostendelersnorm.norm_applies(model.params, benefit), cp, statutory)
        statutory = float(money.gross_benefits(statutory, benefit, model.params.money)[0])
        gross = (statutory + self.income) * model.income_level
        mp = model.params.money
        equity = money.equity_of(np.array([home.tenure]), np.array([home.value]),
                                 np.array([self.oldest_years]), mp)
        return money.Household.of(mp, np.array([self.benefit]), np.array([gross]),
                                  np.array([self.size]), np.array([home.tenure]), np.array([home.rent]),
                                  np.array([home.value]), model.rule_level, model.income_level, equity,
                                  self.savings * model.income_level, np.array([self.n_adults]))

    def cost_factor(self, tenure: int, rent: float, value: float, sensitivity: float) -> float:
        """``exp(-sensitivity * rise)`` for living at ``rent`` or ``value`` (:mod:`agents.money`)."""
        share = money.cost_rise_share(self.money(), np.array([0]), np.array([tenure]), np.array([rent]),
                                      np.array([value]), np.array([0.0]), self.model.params.money)
        return float(np.exp(-sensitivity * share[0]))

    def search_cost_factor(self) -> float:
        """Factor on the search start from the expected rise in housing cost (``agents.search``)."""
        home = self.home
        renting = home.tenure in (SOCIAL, PRIVATE)
        expected = float(self.model.market_rents[self.region, min(home.tenure, 2)]) if renting else 0.0
        return self.cost_factor(home.tenure, expected, home.value,
                                self.model.params.money.search_cost_sensitivity)

    def form_intention(self) -> None:
        """Draws the intention for the coming year (private households that are not searching)."""
        if not self.is_private or self.is_searching:
            return
        p_def, p_may = self.model.intention_chances(self.intention_group(), self.situation())
        u = self.rng.random()
        self.intention = 2 if u < p_def else (1 if u < p_def + p_may else 0)

    def intention_group(self) -> int:
        """Age group of the oldest adult for intentions (:data:`agents.intention.AGE_GROUP_STARTS`)."""
        return int(intention.age_group(self.oldest_years))

    # --- the market ---------------------------------------------------------------------------
    @property
    def submarket(self) -> tuple[int, int, int]:
        """The submarket searched in: (province, type sought, tenure sought)."""
        return (self.region, self.search_type, self.search_tenure)

    def social_rent_rank_key(self) -> tuple[bool, bool, float, float]:
        """Sort key of a woningcorporatie's candidate (rule of :func:`allocation.social_rent_order`).

        Urgent first (moderate care or more in a home that does not meet it), then older movers
        (65+) seeking geclusterd or zorggeschikt, then the longest search, then the lot
        (``queue_position`` must hold the lot).
        """
        model = self.model
        months = (model.step_index - self.search_since) * model.months_per_step
        urgent = self.care_need >= MODERATE and self.care_mismatch()
        older = (self.oldest_years >= model.params.moving.older_mover_age_years
                 and self.search_type in CARE_DWELLING_TYPES)
        return (not urgent, not older, -months, self.queue_position)

    def accepts(self, dwelling: Dwelling, open_market: bool = False) -> bool:
        """Decides on an offer (one draw).

        Args:
            dwelling: The dwelling offered.
            open_market: True for an offer of the open-market pass (another type or tenure).

        Returns:
            True when the household accepts: with ``accept_probability``, or
            ``accept_probability_too_small`` when the dwelling has fewer rooms than the household
            has persons; on the open market the probability is scaled by
            ``accept_probability_open / accept_probability``.
        """
        model = self.model
        mp = model.params.moving
        p = mp.accept_probability if dwelling.rooms >= self.size else mp.accept_probability_too_small
        if open_market:
            p = mp.accept_probability_open * p / mp.accept_probability
        rent = dwelling.market_rent
        if dwelling.tenure == SOCIAL:
            rent = min(rent, model.rent_cap)
        elif dwelling.tenure == OWNER:
            rent = 0.0
        p *= self.cost_factor(dwelling.tenure, rent, dwelling.value,
                              model.params.money.accept_cost_sensitivity)
        return self.rng.random() < p

    def move_to(self, dwelling: Dwelling) -> None:
        """Moves into the vacant ``dwelling``; the old home becomes vacant; counts the move."""
        model = self.model
        old = self.home
        model.record_move(self, old, dwelling)
        model.occupy(dwelling, self)
        self.home = dwelling
        self.dwelling = dwelling.type
        self.tenure = INSTITUTION_TENURE if dwelling.is_institution else dwelling.tenure
        self.months_in_dwelling = 0
        model.free(old)
        self.search_since = None
        self.intention = 0


class ReferenceModel(CalendarClock, mesa.Model):
    """Households ageing, dying, developing care needs and moving, one Mesa agent per household.

    Args:
        households: The starting population (read, not modified).
        dwellings: The starting dwelling stock of ``households`` (read, not modified), with
            ``households.dwelling_id`` pointing into it.
        intercepts: ``(a_definite, a_maybe)`` of the intention logit per age group, as solved by
            the array engine at its start (``DoorstroomModel.intercepts``).
        params: Model parameters (defaults if ``None``).
        settings: Run settings; ``settings.seed`` seeds ``model.rng`` and ``model.random``.

    The state comes from the set-up of an array model (the dwelling stock, the initial home
    adaptations, the first intentions and the intercepts): build the reference with
    :meth:`from_array_model`, so that both start from the identical state.

    Attributes:
        dwellings: All dwellings (:class:`Dwelling`), verpleeghuis places included.
        vacancies: The vacant dwellings of the housing stock by index.
        intercepts: The intention intercepts per age group.
        records: ``(year, indicator, value)`` tuples as in :class:`agents.model.DoorstroomModel`:
            stocks at 1 January, flows summed over each year (national scale), the move rates.
        count_records: ``(year, flow, count)``: the flows as unweighted counts of persons,
            households or dwellings.
        square_records: ``(year, flow, sum of squares)``: per flow, the sum over events of the
            squared count of one event (a couple moving counts 2 movers, squared 4): with
            ``count_records`` it gives the variance of a count of clustered events.
        flow_matrix: Year -> ``(2, 7, 7)`` array of moves by type moved from and to, households
            and persons (national scale), as ``DoorstroomModel.flow_matrix``.
        move_log: One ``(year, step, mover_age, from_type, to_type, persons)`` tuple per move,
            ``mover_age`` the age in whole years of the oldest adult (as the chain links of the
            array engine record it).
    """

    def __init__(self, households: Households, dwellings: Dwellings,
                 intercepts: tuple[np.ndarray, np.ndarray], params: Parameters | None = None,
                 settings: RunSettings | None = None):
        settings = settings or RunSettings()
        super().__init__(rng=settings.seed)
        self.params = params or Parameters()
        self.settings = settings
        self.months_per_step = 12 // settings.steps_per_year
        self.intercepts = (np.array(intercepts[0], float), np.array(intercepts[1], float))
        # the same fixed mortality normalisation as the array engine: means of the start population
        self.mortality_norm = mortality.mortality_normalisation(households, self.params.demography)
        self.dwellings: list[Dwelling] = []
        self.vacancies: dict[int, Dwelling] = {}
        self._build(households, dwellings)
        self.records: list[tuple[int, str, float]] = []
        self.count_records: list[tuple[int, str, int]] = []
        self.square_records: list[tuple[int, str, int]] = []
        self.flow_matrix: dict[int, np.ndarray] = {}
        self.move_log: list[tuple[int, int, int, int, int, int]] = []
        self._flows: dict[str, float] = defaultdict(float)
        self._counts: dict[str, int] = defaultdict(int)
        self._squares: dict[str, int] = defaultdict(int)
        self._year_stocks: dict[str, float] = {}
        self._dementia_p: dict[int, float] = {}
        self._transitions: dict[tuple[int, int, bool, bool], tuple[float, float, tuple]] = {}
        self._intention_p: dict[tuple, tuple[float, float]] = {}
        self.give_up_probability = 0.0
        self.search_start_probability = (0.0, 0.0, 0.0)
        self.income_level = self.rule_level = 1.0
        self.rent_cap = self.params.prices.social_rent_cap_eur_month
        self.market_rents = np.zeros((1, 3))
        self._owner_values_step, self._owner_values = None, np.zeros(1)
        self._money_year: int | None = None
        self.total_steps = (settings.end_year - POPULATION_YEAR + 1) * settings.steps_per_year
        self.running = True

    def _build(self, hh: Households, dw: Dwellings) -> None:
        """Creates one :class:`Dwelling` per active dwelling row and one agent per household."""
        by_index: dict[int, Dwelling] = {}
        for i in np.flatnonzero(dw.active).tolist():
            vacant = dw.occupant[i] < 0
            d = Dwelling(index=i, type=int(dw.type[i]), tenure=int(dw.tenure[i]),
                         rooms=int(dw.rooms[i]), step_free=bool(dw.step_free[i]),
                         region=int(dw.region[i]), family=bool(dw.family[i]),
                         weight=float(dw.weight[i]),
                         vacant_since=int(dw.vacant_since[i]) if vacant else -1,
                         rent=float(dw.rent_eur_month[i]), market_rent=float(dw.market_rent_eur_month[i]),
                         value=float(dw.value_eur[i]))
            by_index[i] = d
            self.dwellings.append(d)
            if vacant and not d.is_institution:
                self.vacancies[i] = d

        def optional(value) -> int | None:
            return None if value == NOT_SEARCHING else int(value)

        for row in np.flatnonzero(hh.active).tolist():
            home = by_index[int(hh.dwelling_id[row])]
            if dw.occupant[home.index] != row:
                raise ValueError(f"household {row} lives in dwelling {home.index}, whose occupant "
                                 f"is {dw.occupant[home.index]}")
            HouseholdAgent(
                self, hh.age_months[row], hh.sex[row], hh.care[row], hh.dementia[row],
                hh.present[row], hh.wlz_step[row], hh.children_nearby[row], hh.weight[row],
                hh.region[row], hh.dwelling[row], hh.tenure[row], hh.months_in_dwelling[row],
                row=row, n_children=hh.n_children[row], n_coresidents=hh.n_coresidents[row],
                widowed_step=optional(hh.widowed_step[row]), intention=hh.intention[row],
                search_since=optional(hh.search_since[row]), search_type=hh.search_type[row],
                search_tenure=hh.search_tenure[row], home=home, benefit=hh.benefit[row],
                income=hh.income_eur_year[row], savings=hh.savings_eur[row],
                coresident_birth_months=hh.coresident_birth_month[row],
                carer=informal.has_carer(hh.carer[row]), lonely=hh.lonely[row],
            )

    @classmethod
    def from_array_model(cls, model, settings: RunSettings | None = None) -> ReferenceModel:
        """Builds the model from the state of an array model that has not stepped yet.

        Takes deep copies of its households, dwellings and intention intercepts, and its
        parameters, so that both engines start identical.

        Args:
            model: A :class:`agents.model.DoorstroomModel` before its first step.
            settings: Run settings (the array model's if ``None``; give another seed to draw
                independently).

        Returns:
            The model at 1 January 2025.

        Raises:
            ValueError: If the array model has already stepped.
        """
        if model.steps != 0:
            raise ValueError(f"the array model has run {model.steps} step(s); build the reference "
                             "from its state before the first step")
        return cls(copy.deepcopy(model.households), copy.deepcopy(model.dwellings),
                   copy.deepcopy(model.intercepts), params=model.params,
                   settings=settings or model.settings)

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
        :func:`agents.mortality.aligned_hazard` once and stores each adult's value in
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
        hazard = mortality.aligned_hazard(
            np.array(ages) / 12.0, np.array(sexes), np.array(cares), np.array(dems),
            np.array(weights), self.year_fraction, self.params.demography, mean_rr=self.mortality_norm,
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
                          u: float, carer: bool = False) -> int:
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
            carer: True when the person receives informal care.

        Returns:
            The new care state code.
        """
        key = (state, age_months, dementia, network, carer)
        entry = self._transitions.get(key)
        if entry is None:
            h = care.transition_hazards(np.array([state]), np.array([age_months / 12.0]),
                                        np.array([dementia]), np.array([network]),
                                        self.params.care, np.array([carer]),
                                        self.params.informal.moderate_rr_with_carer)[0]
            total = float(h.sum())
            p_event = float(step_probability(total, self.settings.steps_per_year))
            entry = (p_event, total, tuple(np.cumsum(h).tolist()))
            self._transitions[key] = entry
        p_event, total, cum = entry
        if not u < p_event:
            return state
        frac = u / p_event
        return min(sum(frac >= c / total for c in cum), care.N_STATES - 1)

    def intention_chances(self, group: int, flags: tuple[bool, ...]) -> tuple[float, float]:
        """Probabilities of a definite and a maybe intention (memoised per group and flags).

        Args:
            group: Age group of the oldest adult (:data:`agents.intention.AGE_GROUP_STARTS`).
            flags: The household's :meth:`HouseholdAgent.situation`.

        Returns:
            ``(p_definite, p_maybe)`` from :func:`agents.intention.intention_probabilities` with the
            intercepts of the group.
        """
        key = (group, flags)
        p = self._intention_p.get(key)
        if p is None:
            x_def, x_may = situation_logits(flags, self.params.moving, self.params.loneliness)
            a_def, a_may = self.intercepts
            p_def, p_may = intention.intention_probabilities(x_def, x_may, a_def[group], a_may[group])
            p = (float(p_def), float(p_may))
            self._intention_p[key] = p
        return p

    def handover_steps(self, tenure: int) -> float:
        """Steps a vacated dwelling waits before it is offered (sale or letting)."""
        mp = self.params.moving
        months = mp.vacancy_handover_months_owner if tenure == OWNER else mp.vacancy_handover_months_rent
        return float(np.round(months * self.settings.steps_per_year / 12))

    def _step_rates(self) -> None:
        """Per-step probabilities of giving up and starting a search (by intention)."""
        mp = self.params.moving
        spy = self.settings.steps_per_year
        if self._money_year != self.year:
            self._money_year = self.year
            self.income_level = money.income_level(self.params, self.year)
            self.rule_level = money.rule_level(self.params, self.year)
            self.rent_cap = prices.social_rent_cap(self.params.prices, self.year)
            self.market_rents = self._market_rents()
        self.give_up_probability = float(step_probability(mp.search_give_up_per_year, spy))
        self.search_start_probability = (
            0.0, float(step_probability(mp.search_start_maybe_per_year, spy)),
            float(step_probability(mp.search_start_definite_per_year, spy)))

    def _market_rents(self) -> np.ndarray:
        """Mean market rent of the rented dwellings by ``[region, tenure]`` (weighted; 0 where none)."""
        n_regions = max(d.region for d in self.dwellings) + 1
        total, count = np.zeros((n_regions, 3)), np.zeros((n_regions, 3))
        for d in self.dwellings:
            if d.tenure in (SOCIAL, PRIVATE):
                total[d.region, d.tenure] += d.weight * d.market_rent
                count[d.region, d.tenure] += d.weight
        return total / np.maximum(count, 1e-12)

    def owner_values(self) -> np.ndarray:
        """Mean value of the owner-occupied dwellings by region this step (weighted; 0 where none)."""
        if self._owner_values_step != self.step_index:
            self._owner_values_step, self._owner_values = self.step_index, self._mean_owner_values()
        return self._owner_values

    def _mean_owner_values(self) -> np.ndarray:
        n_regions = max(d.region for d in self.dwellings) + 1
        total, count = np.zeros(n_regions), np.zeros(n_regions)
        for d in self.dwellings:
            if d.tenure == OWNER:
                total[d.region] += d.weight * d.value
                count[d.region] += d.weight
        return total / np.maximum(count, 1e-12)

    # --- dwellings and the market -----------------------------------------------------------
    def free(self, dwelling: Dwelling) -> None:
        """Marks a dwelling vacant from the current step (a place in an institution is just freed)."""
        dwelling.occupant = None
        dwelling.vacant_since = self.step_index
        if not dwelling.is_institution:
            self.vacancies[dwelling.index] = dwelling

    def occupy(self, dwelling: Dwelling, household: HouseholdAgent) -> None:
        """Puts a household into a vacant dwelling."""
        if dwelling.occupant is not None:
            raise AssertionError("a household was moved into an occupied dwelling")
        dwelling.occupant = household
        dwelling.vacant_since = -1
        self.vacancies.pop(dwelling.index, None)

    def allocate_vacancies(self) -> None:
        """Offers the vacant dwellings to the searchers and carries out the accepted moves.

        Vacancies are those of the housing stock vacant for at least the handover time
        (:meth:`handover_steps`), offered longest vacant first (ties by lot). Searchers queue per
        submarket: social-rent searchers in the order of their province's woningcorporatie
        (:meth:`HouseholdAgent.social_rent_rank_key`), the others by lot. First pass: offers within
        each submarket (:meth:`offer_rounds`); second pass: the dwellings vacant for at least
        ``open_market_after_months`` that are still unlet go to the remaining searchers of the
        province (open market). Then every matched household moves.
        """
        step = self.step_index
        searchers = [a for a in self.households if a.is_searching]
        ready = [d for d in self.vacancies.values()
                 if step - d.vacant_since >= self.handover_steps(d.tenure)]
        if not searchers or not ready:
            return
        rng = self.rng
        lots = {d.index: float(rng.random()) for d in ready}
        ready.sort(key=lambda d: (d.vacant_since, lots[d.index]))
        corporations: dict[int, list[HouseholdAgent]] = defaultdict(list)
        for s in searchers:
            s.queue_position = float(rng.random())
            s.lot = s.queue_position
            if s.search_tenure == SOCIAL:
                corporations[s.region].append(s)
        for candidates in corporations.values():
            candidates.sort(key=HouseholdAgent.social_rent_rank_key)
            for place, s in enumerate(candidates):
                s.queue_position = float(place)
        searchers.sort(key=lambda s: s.queue_position)
        matches = self.offer_rounds(ready, searchers, open_market=False)
        let = {d.index for d, _ in matches}
        housed = {s.unique_id for _, s in matches}
        open_after = self.params.moving.open_market_after_months
        left_v = [d for d in ready if d.index not in let
                  and (step - d.vacant_since) * self.months_per_step >= open_after]
        left_s = [s for s in searchers if s.unique_id not in housed]
        if left_v and left_s:
            left_s.sort(key=lambda s: s.lot)
            matches += self.offer_rounds(left_v, left_s, open_market=True)
        for dwelling, household in matches:
            household.move_to(dwelling)

    def offer_rounds(self, vacancies: list[Dwelling], searchers: list[HouseholdAgent],
                     open_market: bool) -> list[tuple[Dwelling, HouseholdAgent]]:
        """Offers vacancies to searchers of the same market, in rounds (the pairing rule).

        In round ``r`` the vacancies of a market, in their order, are offered side by side down the
        queue starting ``r`` places behind its head: the ``j``-th vacancy still unlet to the
        ``(j + r)``-th searcher still in line. Each household decides with
        :meth:`HouseholdAgent.accepts`; the pairs that accept leave the market after the round.
        Rounds stop after ``allocation_rounds`` or when a round has no offer.

        Args:
            vacancies: Dwellings in offering order (longest vacant first).
            searchers: Households in queue order.
            open_market: False: markets are submarkets (province, type, tenure); True: provinces,
                with the open-market acceptance.

        Returns:
            The matched ``(dwelling, household)`` pairs, in the order they were made.
        """
        if open_market:
            def market_of(x):
                return x.region
        else:
            def market_of(x):
                return x.submarket
        queues: dict[object, list[HouseholdAgent]] = defaultdict(list)
        for s in searchers:
            queues[market_of(s)].append(s)
        lines: dict[object, list[Dwelling]] = defaultdict(list)
        for d in vacancies:
            key = market_of(d)
            if key in queues:
                lines[key].append(d)
        matches: list[tuple[Dwelling, HouseholdAgent]] = []
        for r in range(self.params.moving.allocation_rounds):
            offers = []
            for key, line in lines.items():
                queue = queues[key]
                for j, d in enumerate(line):
                    if j + r >= len(queue):
                        break
                    offers.append((key, d, queue[j + r]))
            if not offers:
                break
            for key, d, s in offers:
                if s.accepts(d, open_market):
                    matches.append((d, s))
                    lines[key].remove(d)
                    queues[key].remove(s)
        return matches

    def record_move(self, household: HouseholdAgent, old: Dwelling, new: Dwelling) -> None:
        """Counts one move (persons, adults by age, family homes freed, type to type); logs it."""
        w = household.weight
        persons = household.size
        self.add_flow("moves_total", w, persons)
        ages = [household.age_months[s] // 12 for s in (0, 1) if household.present[s]]
        for lo, hi, name in MOVER_AGE_FLOWS:
            n = sum(lo <= a <= hi for a in ages)
            if n:
                self.add_flow(name, w, n)
        if old.family and max(ages) >= FAMILY_MOVER_AGE_YEARS:
            self.add_flow("family_homes_freed", w)
        table = self.flow_matrix.setdefault(self.year, np.zeros((2, N_FLOW_TYPES, N_FLOW_TYPES)))
        table[0, old.type, new.type] += w
        table[1, old.type, new.type] += w * persons
        self.move_log.append((self.year, self.step_index, max(ages), old.type, new.type, persons))

    # --- flows, stocks, stepping ------------------------------------------------------------
    def add_flow(self, name: str, weight: float, n: int = 1) -> None:
        """Counts one event of a flow indicator.

        Args:
            name: Flow indicator (declared in :data:`agents.schedule.REGISTRY`).
            weight: Weight of the household the event happens to.
            n: Persons (or dwellings) the event counts, e.g. both adults of a moving couple.
        """
        if name not in REGISTRY:
            raise KeyError(f"flow {name!r} is not declared in agents.schedule.REGISTRY")
        self._flows[name] += weight * n
        self._counts[name] += n
        self._squares[name] += n * n

    def stocks(self) -> dict[str, float]:
        """Stock indicators now, at national scale (household weights applied).

        Returns:
            Indicator name -> value for persons by age (55+, 65+, 75+, 85+, 90+, 65-74), by care
            state (limitation, moderate, loss of regie, Wlz, Wlz at home), institution residents,
            persons with dementia, private households, dwellings of the housing stock, the vacancy
            rate, searching households, persons with a limitation in a home that is not step-free
            and the shares with a definite or maybe intention (65-74, 75+); definitions as in
            :func:`sim.outputs.stocks` and :func:`sim.outputs.housing_stocks`.
        """
        names = ("persons_55plus", "persons_65plus", "persons_75plus", "persons_85plus",
                 "persons_90plus", "persons_65_74", "persons_limitation", "persons_moderate_care",
                 "persons_loss_of_regie", "persons_wlz", "persons_wlz_at_home",
                 "institution_residents", "dementia_persons", "households_total",
                 "searching_households", "limitation_not_stepfree")
        out = dict.fromkeys(names, 0.0)
        by_state = {LIMITATION: "persons_limitation", MODERATE: "persons_moderate_care",
                    REGIE: "persons_loss_of_regie", HEAVY: "persons_wlz"}
        intentions = {(tag, level): 0.0 for tag in ("65_74", "75plus") for level in (0, 1, 2)}
        for agent in self.households:
            w = agent.weight
            inst = agent.dwelling in INSTITUTION_TYPES
            if not inst:
                out["households_total"] += w
                oldest = agent.oldest_years
                if oldest >= 65:
                    intentions[("65_74" if oldest <= 74 else "75plus", agent.intention)] += w
                if agent.is_searching:
                    out["searching_households"] += w
            for s in (0, 1):
                if not agent.present[s]:
                    continue
                years = agent.age_months[s] // 12
                for a in (55, 65, 75, 85, 90):
                    if years >= a:
                        out[f"persons_{a}plus"] += w
                if 65 <= years <= 74:
                    out["persons_65_74"] += w
                state = agent.care[s]
                if state in by_state:
                    out[by_state[state]] += w
                if state == HEAVY and not inst:
                    out["persons_wlz_at_home"] += w
                if state >= LIMITATION and not inst and not agent.home.step_free:
                    out["limitation_not_stepfree"] += w
                if inst:
                    out["institution_residents"] += w
                if agent.dementia[s]:
                    out["dementia_persons"] += w
        for tag in ("65_74", "75plus"):
            base = sum(intentions[(tag, level)] for level in (0, 1, 2))
            for level, name in ((2, "definite"), (1, "maybe")):
                out[f"intention_{name}_{tag}"] = (intentions[(tag, level)] / base if base
                                                  else float("nan"))
        stock = [d for d in self.dwellings if not d.is_institution]
        total = sum(d.weight for d in stock)
        out["dwellings_total"] = total
        out["vacancy_rate"] = (sum(d.weight for d in stock if d.occupant is None) / total
                               if total else float("nan"))
        return out

    def step(self) -> None:
        """Advances one step: stocks on 1 January, the phases of :data:`PHASES`, year closing."""
        spy = self.settings.steps_per_year
        recording = self.year >= self.settings.start_year
        if self.step_index % spy == 0:
            self._year_stocks = self.stocks()
            if recording:
                self.records.extend((self.year, k, v) for k, v in self._year_stocks.items())
        self._step_rates()
        households = self.households
        households.shuffle_do("age")
        self.assign_death_hazards()
        households.shuffle_do("die")
        households.shuffle_do("develop_care")
        households.shuffle_do("search")
        self.allocate_vacancies()
        if (self.step_index + 1) % spy == 0:
            households.shuffle_do("form_intention")
            if recording:
                self._record_year_end()
            self._flows.clear()
            self._counts.clear()
            self._squares.clear()
        if self.steps >= self.total_steps:
            self.running = False

    def _record_year_end(self) -> None:
        for name in FLOWS:
            self.records.append((self.year, name, self._flows.get(name, 0.0)))
            self.count_records.append((self.year, name, self._counts.get(name, 0)))
            self.square_records.append((self.year, name, self._squares.get(name, 0)))
        for name, (flow, base) in outputs.RATES.items():
            denom = self._year_stocks.get(base, 0.0)
            self.records.append((self.year, name, self._flows.get(flow, 0.0) / denom
                                 if denom > 0 else float("nan")))

    def run(self, years: int | None = None) -> None:
        """Runs whole years of steps.

        Args:
            years: Number of years to simulate from the current step (also beyond
                ``settings.end_year``); ``None`` runs to the end of ``settings.end_year``, as
                :meth:`agents.model.DoorstroomModel.run` does.
        """
        if years is None:
            while self.running:
                self.step()
            return
        for _ in range(years * self.settings.steps_per_year):
            self.step()
