"""Who lives where: the one module through which every change of occupancy passes.

:class:`Occupancy` owns the two-way link between households and dwellings
(``Households.dwelling_id`` and ``Dwellings.occupant``, with the household's dwelling type, tenure
and time in the dwelling), the vacancy chains (:class:`sim.chains.ChainBook` and ``Dwellings.chain``),
the type-to-type flow table, the moves recorded as indicators, and the ledger of households and
dwellings created and ended. Nothing else writes them. Each method is one transaction: it updates the
links, the chain book and the flow records together.

=======================  ====================================================================
transaction              what happens, and the chain bookkeeping (CBS's definitions)
=======================  ====================================================================
:meth:`move`             households move into vacant dwellings: a link of the chain the dwelling
                         carries; the dwelling left carries the chain on
:meth:`house_applicants` starters and immigrants become households in vacant dwellings: the link
                         ends the chain (``starter``, ``immigrant``)
:meth:`admit`            adults move into institution places as new one-person households; a
                         dwelling left empty starts a chain (``institution``)
:meth:`merge`            a joining household moves in with a host household; its dwelling starts
                         a chain (``merger``)
:meth:`end_households`   households end (last death, emigration): their dwellings start chains
                         (``death``, ``emigration``)
:meth:`take_lodgers`,    applicants lodge with hospita hosts, and return to the pool (no dwelling
:meth:`release_lodgers`  of their own: no chain)
:meth:`build`            new dwellings: each starts a chain (``new_build``)
:meth:`build_places`,    institution places are added or closed (never part of a chain)
:meth:`close_places`
:meth:`demolish`         vacant dwellings leave the stock: their chains end (``demolition``)
=======================  ====================================================================

Institution places (verpleeghuis, verzorgingshuis) are dwellings of the arrays but not of the housing
stock: they never carry a chain, and a move into one is not a chain link.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.applicants import IMMIGRANT, SEPARATED, STARTER, Applicants
from sim.chains import CONTINUES, ChainBook
from sim.clock import CalendarClock
from sim.codes import DWELLING_TYPES, INSTITUTION_TENURE, is_home, is_institution
from sim.columns import take_rows
from sim.dwellings import Dwellings
from sim.households import (
    Households,
    clear_coresidents,
    clear_households,
    clear_slots,
    copy_person,
    household_size,
    household_type,
    move_coresidents,
    move_survivor_to_slot0,
    oldest_age_months,
)
from sim.invariants import InvariantError, require
from sim.outputs import declare
from sim.process import RecordView

INDICATORS = declare(
    ("moves_total", "persons per year", "Persons moving into a vacant dwelling", "flow"),
    ("moves_55plus", "persons per year", "Moving persons aged 55+", "flow"),
    ("movers_65_74", "persons per year", "Moving persons aged 65-74", "flow"),
    ("movers_75plus", "persons per year", "Moving persons aged 75+", "flow"),
    ("family_homes_freed", "dwellings per year", "Family homes left by movers aged 55+", "flow"),
    ("chains_started", "chains per year", "Vacancy chains started (initial vacancies excluded)",
     "flow"),
    ("dwellings_vacated_by_death", "dwellings per year",
     "Private dwellings vacated by the death of the last resident", "flow"),
    ("dwellings_vacated_by_merger", "dwellings per year",
     "Dwellings freed when two households merge", "flow"),
    ("dwellings_vacated_by_admission", "dwellings per year",
     "Dwellings vacated by a move into an institution", "flow"),
    ("starters_housed", "households per year", "Starters housed in a first own dwelling", "flow"),
    ("separated_housed", "households per year",
     "Partners who moved out at a separation housed in a dwelling of their own", "flow"),
    ("immigrants_housed", "households per year", "Immigrant households housed", "flow"),
    ("dwellings_built", "dwellings per year", "New dwellings completed", "flow"),
    ("dwellings_transformed", "dwellings per year",
     "Dwellings added by transforming non-residential buildings", "flow"),
    ("dwellings_demolished", "dwellings per year", "Dwellings demolished", "flow"),
)
"""The indicators the occupancy records: moves, chains started, dwellings vacated, built, demolished."""

VACATED_FLOW = {
    "death": "dwellings_vacated_by_death",
    "merger": "dwellings_vacated_by_merger",
    "institution": "dwellings_vacated_by_admission",
}
"""Chain start cause -> the flow counting the dwellings vacated for it (emigration has none)."""

MOVER_AGE_FLOWS = ((55, 200, "moves_55plus"), (65, 74, "movers_65_74"), (75, 200, "movers_75plus"))
"""Moving adults by age in whole years: (lowest, highest, flow)."""

N_FLOW_TYPES = len(DWELLING_TYPES) + 1
"""Rows and columns of a year's type-to-type move table (the last: no previous dwelling)."""

FAMILY_MOVER_AGE_YEARS = 55
"""A family home counts as freed when its household's oldest adult is at least this old (the
project's older households)."""


class Occupancy:
    """The links between households and dwellings, the vacancy chains and the moves (see module doc).

    Args:
        households: The households.
        dwellings: The dwellings.
        applicants: The starters and immigrants searching.
        clock: The model's calendar (``step_index`` and ``year``).
        record: Recorder of :data:`INDICATORS`.

    Attributes:
        chains: The vacancy chains and their links.
        flow_matrix: Year -> ``(2, 7, 7)`` array of moves by type moved from and to (the last row:
            no previous dwelling), households and persons, national scale.
        ledger: Counts of ``households_created``, ``households_ended``, ``dwellings_built``,
            ``dwellings_demolished`` and ``places_closed`` (sample rows).
    """

    def __init__(self, households: Households, dwellings: Dwellings, applicants: Applicants,
                 clock: CalendarClock, record: RecordView):
        self.hh = households
        self.dw = dwellings
        self.ap = applicants
        self._clock = clock
        self._record = record
        self.chains = ChainBook()
        self.flow_matrix: dict[int, np.ndarray] = {}
        self.ledger: dict[str, int] = defaultdict(int)
        self._initial = (int(households.active.sum()), int(dwellings.active.sum()))

    # --- chains and vacancies ------------------------------------------------------------------
    def start_initial_chains(self) -> None:
        """Starts a chain (cause ``initial``) on every vacant dwelling of the 2025 stock."""
        dw = self.dw
        self._start_chains(np.flatnonzero(dw.active & (dw.occupant < 0) & is_home(dw.type)),
                           "initial")

    def _start_chains(self, ids: np.ndarray, cause: str) -> None:
        if len(ids) == 0:
            return
        dw, clock = self.dw, self._clock
        dw.chain[ids] = self.chains.start(
            year=clock.year, step=clock.step_index, dwelling_type=dw.type[ids],
            tenure=dw.tenure[ids], cause=cause, weight=dw.weight[ids],
        )
        if cause != "initial":
            self._record.flow("chains_started", dw.weight[ids].sum())

    def _free(self, ids: np.ndarray) -> None:
        self.dw.occupant[ids] = -1
        self.dw.vacant_since[ids] = self._clock.step_index

    def _occupy(self, rows: np.ndarray, ids: np.ndarray) -> None:
        """Households ``rows`` (without a dwelling) move into the vacant dwellings ``ids``."""
        hh, dw = self.hh, self.dw
        if len(ids) and (dw.occupant[ids] >= 0).any():
            raise InvariantError("a household was moved into an occupied dwelling")
        hh.dwelling_id[rows] = ids
        hh.dwelling[rows] = dw.type[ids]
        hh.tenure[rows] = np.where(is_institution(dw.type[ids]), INSTITUTION_TENURE, dw.tenure[ids])
        hh.months_in_dwelling[rows] = 0
        dw.occupant[ids] = rows
        dw.vacant_since[ids] = -1

    def vacant_dwellings(self) -> np.ndarray:
        """Ids of the vacant dwellings of the housing stock (institution places excluded)."""
        dw = self.dw
        vac = np.flatnonzero(dw.active & (dw.occupant < 0))
        return vac[is_home(dw.type[vac])]

    # --- transactions --------------------------------------------------------------------------
    def move(self, rows: np.ndarray, to_ids: np.ndarray) -> None:
        """Households ``rows`` move from their dwellings into the vacant dwellings ``to_ids``.

        Each move is a link of the chain ``to_ids`` carries; the dwelling left becomes vacant and
        carries that chain on. Moves are counted (persons, adults by age, family homes freed) and
        added to the type-to-type table.
        """
        hh, dw, clock = self.hh, self.dw, self._clock
        from_ids = hh.dwelling_id[rows].copy()
        chain_in = dw.chain[to_ids]
        persons = household_size(hh, rows)
        ages = oldest_age_months(hh, rows) // 12
        w = hh.weight[rows].astype(np.float64)
        self._record.flow("moves_total", float((w * persons).sum()))
        ages_now = np.where(take_rows(hh.present, rows), take_rows(hh.age_months, rows) // 12, -1)
        self._count_movers_by_age(ages_now, w)
        freed_family = dw.family[from_ids] & (ages >= FAMILY_MOVER_AGE_YEARS)
        self._record.flow("family_homes_freed", float(w[freed_family].sum()))
        self._add_flows(dw.type[from_ids], dw.type[to_ids], w, w * persons)
        continuing = self.chains.link(
            chain_in, year=clock.year, step=clock.step_index, mover_age=ages,
            household_type=household_type(hh, rows), from_type=dw.type[from_ids],
            to_type=dw.type[to_ids], mover_kind=np.full(len(rows), CONTINUES, np.int8),
        )
        dw.chain[to_ids] = -1
        self._free(from_ids)
        dw.chain[from_ids] = continuing
        hh.dwelling_id[rows] = -1
        self._occupy(rows, to_ids)

    def house_applicants(self, idx: np.ndarray, to_ids: np.ndarray, columns: dict) -> np.ndarray:
        """Applicants ``idx`` move into the vacant dwellings ``to_ids`` as new households.

        The applicant is the first adult; an immigrant's partner the second; its minors the children.

        Their move ends the chain of the dwelling (``starter``, ``immigrant``, or ``stays_behind`` for
        a separated partner).

        Args:
            idx: Rows of the applicants.
            to_ids: Vacant dwellings, one per applicant.
            columns: Further household columns of the new households (benefit, income, ...).

        Returns:
            The rows of the new households.
        """
        ap, hh, dw, clock = self.ap, self.hh, self.dw, self._clock
        k = len(idx)
        if k == 0:
            return np.zeros(0, np.int64)
        kind = ap.kind[idx]
        zeros8 = np.zeros(k, np.int8)
        partner = ap.partner_pid[idx]
        has_partner = partner >= 0
        rows = hh.append({
            "weight": ap.weight[idx],
            "present": np.stack([np.ones(k, bool), has_partner], axis=1),
            "pid": np.stack([ap.pid[idx], partner], axis=1),
            "age_months": np.stack([ap.age_months[idx],
                                    np.where(has_partner, ap.partner_age_months[idx], 0)], axis=1),
            "sex": np.stack([ap.sex[idx], np.where(has_partner, ap.partner_sex[idx], 0)], axis=1),
            "care": np.stack([ap.care[idx], zeros8], axis=1),
            "dementia": np.stack([ap.dementia[idx], np.zeros(k, bool)], axis=1),
            "n_children": ap.n_children[idx],
            "region": ap.region[idx],
            **columns,
        })
        self.ledger["households_created"] += k
        self.chains.link(
            dw.chain[to_ids], year=clock.year, step=clock.step_index,
            mover_age=ap.age_months[idx] // 12, household_type=household_type(hh, rows),
            from_type=ap.from_type[idx], to_type=dw.type[to_ids], mover_kind=kind,
        )
        dw.chain[to_ids] = -1
        self._occupy(rows, to_ids)
        w = ap.weight[idx].astype(np.float64)
        self._record.flow("starters_housed", float(w[kind == STARTER].sum()))
        self._record.flow("immigrants_housed", float(w[kind == IMMIGRANT].sum()))
        self._record.flow("separated_housed", float(w[kind == SEPARATED].sum()))
        persons = w * ap.persons(idx)
        self._record.flow("moves_total", float(persons.sum()))
        self._add_flows(ap.from_type[idx], dw.type[to_ids], w, persons)
        ap.active[idx] = False
        return rows

    def admit(self, rows: np.ndarray, slots: np.ndarray, places: np.ndarray) -> np.ndarray:
        """Moves the given adults into new one-person households in the vacant institution ``places``.

        A partner stays behind in the dwelling (no vacancy); a person living alone vacates it, which
        starts a chain (``institution``). Children or co-residents of a person admitted alone are not
        followed further. The move counts as a move of the person (as CBS counts changes of address).

        Args:
            rows: Household rows of the persons.
            slots: Their adult slots.
            places: Vacant institution places, one per person.

        Returns:
            The rows of the new households.
        """
        hh = self.hh
        k = len(rows)
        if k == 0:
            return np.zeros(0, np.int64)
        self._record.flow("moves_total", hh.weight[rows].sum())
        self._count_movers_by_age(hh.age_months[rows, slots] // 12, hh.weight[rows].astype(float))
        empty = np.zeros(k, np.int8)
        new = {
            "weight": hh.weight[rows],
            "present": np.stack([np.ones(k, bool), np.zeros(k, bool)], axis=1),
            "pid": np.stack([hh.pid[rows, slots], np.full(k, -1, np.int32)], axis=1),
            "age_months": np.stack([hh.age_months[rows, slots], np.zeros(k, np.int16)], 1),
            "sex": np.stack([hh.sex[rows, slots], empty], 1),
            "care": np.stack([hh.care[rows, slots], empty], 1),
            "dementia": np.stack([hh.dementia[rows, slots], np.zeros(k, bool)], 1),
            "lonely": np.stack([hh.lonely[rows, slots], np.zeros(k, bool)], 1),
            "wlz_step": np.stack([hh.wlz_step[rows, slots], np.full(k, -1, np.int32)], 1),
            "region": hh.region[rows],
            "benefit": hh.benefit[rows],
            "children_nearby": hh.children_nearby[rows],
        }
        clear_slots(hh, rows, slots)
        touched = np.unique(rows)
        left = take_rows(hh.present, touched).sum(axis=1)
        move_survivor_to_slot0(hh, touched[left == 1])
        emptied = touched[left == 0]
        if len(emptied):
            self.end_households(emptied, "institution")
        new_rows = hh.append(new)
        self.ledger["households_created"] += len(new_rows)
        self._occupy(new_rows, places)
        return new_rows

    def merge(self, hosts: np.ndarray, joiners: np.ndarray, with_dependants: bool) -> np.ndarray:
        """The single adult of each joining household moves in with a single host (as adult 2).

        The joiner's household ends and its dwelling starts a chain (``merger``); its own income
        (``income_eur_year``) and savings are added to the host's (the benefit code stays the host's).

        Args:
            hosts: Rows of the host households (one adult, in slot 0).
            joiners: Rows of the joining households (one adult, in slot 0), one per host.
            with_dependants: Whether the joiner's children and co-residents come along.

        Returns:
            The ids of the dwellings vacated.
        """
        hh = self.hh
        copy_person(hh, hosts, 1, joiners, 0)
        hh.income_eur_year[hosts] += hh.income_eur_year[joiners]  # the joiner's own income comes along
        hh.savings_eur[hosts] += hh.savings_eur[joiners]  # and its savings
        if with_dependants:
            hh.n_children[hosts] += hh.n_children[joiners]
            move_coresidents(hh, hosts, joiners)
        return self.end_households(joiners, "merger")

    def end_households(self, rows: np.ndarray, cause: str) -> np.ndarray:
        """Households ``rows`` end (their adults are gone) and leave their dwellings for good.

        Private dwellings freed this way start a chain with ``cause``; institution places are simply
        freed. Children and co-residents are not followed further.

        Returns:
            The ids of the private dwellings that became vacant.
        """
        hh, dw = self.hh, self.dw
        rows = np.asarray(rows)
        clear_households(hh, rows)
        ids = hh.dwelling_id[rows]
        self.ledger["households_ended"] += len(rows)
        hh.active[rows] = False
        hh.dwelling_id[rows] = -1
        hh.n_children[rows] = 0
        clear_coresidents(hh, rows)
        ids = ids[ids >= 0]
        self._free(ids)
        private = ids[is_home(dw.type[ids])]
        self._start_chains(private, cause)
        if cause in VACATED_FLOW:
            self._record.flow(VACATED_FLOW[cause], dw.weight[private].sum())
        return private

    def separate(self, rows: np.ndarray, slots: np.ndarray, columns: dict) -> None:
        """The adults in ``rows, slots`` leave their partner, who stays, and join the applicants.

        They join as kind ``SEPARATED`` with their care state, dementia, benefit and dwelling type. No
        dwelling becomes vacant; when the partner who left is housed, that link ends its chain
        with ``stays_behind``.

        Args:
            rows: Household rows of couples.
            slots: The slot of the partner who leaves, one per row.
            columns: Further applicant columns of the leavers (search targets, since).
        """
        hh = self.hh
        self.ap.append({
            "weight": hh.weight[rows], "kind": np.full(len(rows), SEPARATED, np.int8),
            "pid": hh.pid[rows, slots], "age_months": hh.age_months[rows, slots],
            "sex": hh.sex[rows, slots], "care": hh.care[rows, slots],
            "dementia": hh.dementia[rows, slots], "region": hh.region[rows],
            "benefit": hh.benefit[rows], "children_nearby": hh.children_nearby[rows],
            "from_type": hh.dwelling[rows], **columns,
        })
        clear_slots(hh, rows, slots)
        move_survivor_to_slot0(hh, rows)

    def take_lodgers(self, hosts: np.ndarray, idx: np.ndarray, until: np.ndarray) -> None:
        """Applicants ``idx`` lodge with the households ``hosts`` until step ``until`` (no chain)."""
        hh, ap = self.hh, self.ap
        hh.lodger_pid[hosts] = ap.pid[idx]
        hh.lodger_age_months[hosts] = ap.age_months[idx]
        hh.lodger_sex[hosts] = ap.sex[idx]
        hh.lodger_until[hosts] = until
        ap.active[idx] = False

    def release_lodgers(self, hosts: np.ndarray) -> dict[str, np.ndarray]:
        """The lodgers of ``hosts`` leave them; returns who they are (to join the applicants again).

        Returns:
            ``pid``, ``region``, ``age_months``, ``sex`` and ``weight`` of the lodgers.
        """
        hh = self.hh
        out = {"pid": hh.lodger_pid[hosts].copy(), "region": hh.region[hosts],
               "age_months": hh.lodger_age_months[hosts], "sex": hh.lodger_sex[hosts],
               "weight": hh.weight[hosts]}
        hh.lodger_pid[hosts] = -1
        return out

    def build(self, columns: dict, cause: str = "new_build") -> np.ndarray:
        """Adds new vacant dwellings to the housing stock; each starts a chain with ``cause``.

        Args:
            columns: Dwelling columns of the new dwellings (``weight`` required).
            cause: ``new_build`` (counted in ``dwellings_built``) or ``transformation`` (a
                non-residential building made into dwellings, counted in ``dwellings_transformed``).

        Returns:
            The ids of the new dwellings.
        """
        if cause not in ("new_build", "transformation"):
            raise ValueError(f"build: cause {cause!r}; expected 'new_build' or 'transformation'")
        dw = self.dw
        ids = dw.append({**columns, "vacant_since": np.full(len(columns["weight"]),
                                                            self._clock.step_index, np.int32)})
        self.ledger["dwellings_built"] += len(ids)
        flow = "dwellings_built" if cause == "new_build" else "dwellings_transformed"
        self._record.flow(flow, float(dw.weight[ids].sum()))
        self._start_chains(ids, cause)
        return ids

    def build_places(self, columns: dict) -> np.ndarray:
        """Completes vacant institution places (no chains; not in ``dwellings_built``).

        Returns:
            The ids of the new places.
        """
        ids = self.dw.append({**columns, "vacant_since": np.full(len(columns["weight"]),
                                                                 self._clock.step_index, np.int32)})
        self.ledger["dwellings_built"] += len(ids)
        return ids

    def close_places(self, ids: np.ndarray) -> None:
        """Closes free institution places."""
        if (self.dw.occupant[ids] >= 0).any():
            raise InvariantError("an occupied institution place was closed")
        self.dw.active[ids] = False
        self.ledger["places_closed"] += len(ids)

    def demolish(self, ids: np.ndarray) -> None:
        """Vacant dwellings leave the stock; the chains they carry end (``demolition``)."""
        dw, clock = self.dw, self._clock
        if len(ids) == 0:
            return
        running = ids[dw.chain[ids] >= 0]
        self.chains.end(dw.chain[running], "demolition", year=clock.year, step=clock.step_index)
        dw.chain[ids] = -1
        dw.active[ids] = False
        dw.vacant_since[ids] = -1
        self.ledger["dwellings_demolished"] += len(ids)
        self._record.flow("dwellings_demolished", float(dw.weight[ids].sum()))

    # --- records -------------------------------------------------------------------------------
    def _count_movers_by_age(self, ages_years: np.ndarray, weight: np.ndarray) -> None:
        """Adds moving adults (ages per slot, -1 for none) to the movers-by-age flows."""
        if len(weight) == 0:
            return
        ages = np.asarray(ages_years).reshape(len(weight), -1)
        for lo, hi, name in MOVER_AGE_FLOWS:
            n = ((ages >= lo) & (ages <= hi)).sum(axis=1)
            self._record.flow(name, float((weight * n).sum()))

    def _add_flows(self, from_type, to_type, households, persons) -> None:
        """Adds moves to the type-to-type table of the current year (``-1``: no previous dwelling)."""
        n = N_FLOW_TYPES
        mat = self.flow_matrix.setdefault(self._clock.year, np.zeros((2, n, n)))
        fi = np.where(np.asarray(from_type) < 0, n - 1, from_type)
        np.add.at(mat[0], (fi, to_type), households)
        np.add.at(mat[1], (fi, to_type), persons)

    def flow_columns(self, start_year: int) -> dict[str, np.ndarray]:
        """The type-to-type moves from ``start_year`` on as tidy columns (national scale)."""
        names = (*DWELLING_TYPES, "none")
        cols = {"year": [], "from_type": [], "to_type": [], "households": [], "persons": []}
        for year in sorted(self.flow_matrix):
            if year < start_year:
                continue
            mat = self.flow_matrix[year]
            for i, j in zip(*np.nonzero(mat[0]), strict=True):
                cols["year"].append(year)
                cols["from_type"].append(names[i])
                cols["to_type"].append(names[j])
                cols["households"].append(mat[0, i, j])
                cols["persons"].append(mat[1, i, j])
        return {k: np.asarray(v) for k, v in cols.items()}

    # --- invariants ----------------------------------------------------------------------------
    def check(self) -> None:
        """Raises :class:`InvariantError` when households, dwellings and chains are inconsistent."""
        hh, dw = self.hh, self.dw
        act = hh.active
        ids = hh.dwelling_id[act]
        require((ids >= 0).all(), "an active household without a dwelling")
        require(len(np.unique(ids)) == len(ids), "two households hold the same dwelling")
        require((dw.occupant[ids] == np.flatnonzero(act)).all(),
                 "a household's dwelling does not name it as occupant")
        require(not (hh.dwelling_id[~act] >= 0).any(), "an ended household still holds a dwelling")
        occ = np.flatnonzero(dw.occupant >= 0)
        require((hh.dwelling_id[dw.occupant[occ]] == occ).all(), "a dwelling's occupant lives elsewhere")
        require((hh.dwelling[act] == dw.type[ids]).all(), "household dwelling type out of date")
        vacant_private = dw.active & (dw.occupant < 0) & is_home(dw.type)
        require((dw.chain[vacant_private] >= 0).all(), "a vacant dwelling carries no chain")
        self.chains.check()
        led = self.ledger
        require(int(act.sum()) == self._initial[0] + led["households_created"] - led["households_ended"],
                 "households do not reconcile with those created and ended")
        gone = led["dwellings_demolished"] + led["places_closed"]
        require(int(dw.active.sum()) == self._initial[1] + led["dwellings_built"] - gone,
                 "dwellings do not reconcile with construction and demolition")
        require(not (dw.occupant[~dw.active] >= 0).any(), "a demolished dwelling is occupied")
