"""WoON survey files: read a ``.sav`` into a survey frame with a variable mapping; write a synthetic one.

**Reading.** WoON (WoonOnderzoek Nederland) is distributed under licence as SPSS ``.sav`` files whose
variable names change between vintages. A mapping file (TOML) names, for every column of the survey
frame (:data:`calibration.frame.COLUMNS`), the file's variable (``[variables]``), and for coded
columns which of the file's codes mean which frame code (``[values.<column>]``: ``"frame code" =
[file codes]``). :func:`read_woon` reads the file with ``pyreadstat`` and refuses, naming the variable
and the mapping key, a variable the file lacks or a code the mapping does not place. Households with
a missing answer in a mapped variable are left out and counted.

**Writing a synthetic file.** Real WoON files cannot be shipped. :func:`write_synthetic_woon` draws a
WoON-format file from the model itself at given parameter values: a weighted sample of households
(households of 65+ sampled twice as often, as WoON oversamples older people), their answers taken
from the model's state, and survey weights that give back the model's totals. The file says it is
synthetic in its file label and in every variable label; ``calibration/data/woon_synthetic_mapping.toml``
maps it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from calibration.frame import COLUMNS
from calibration.moments import MomentError, moment, moment_correlation, subpopulation
from calibration.targets import Target
from calibration.tomlfile import read_toml

SYNTHETIC_MAPPING = "woon_synthetic_mapping.toml"
"""Mapping of the synthetic files, in ``calibration/data/``."""
SYNTHETIC_LABEL = "SYNTHETIC: drawn from the doorstroom model, not WoON survey data"
CODED = ("tenure", "intention", "limitation", "mismatch", "widowed_recent")
"""Frame columns whose file codes the mapping translates (the others are taken as numbers)."""
OLDER_OVERSAMPLING = 2.0
"""Households of 65+ are this many times as likely to be drawn into a synthetic sample (assumption,
as WoON oversamples older respondents)."""


class WoonError(ValueError):
    """A WoON file or its mapping cannot be used."""


def load_mapping(path: str | Path) -> dict:
    """Reads and checks a mapping file: every frame column mapped; coded columns with their codes."""
    p = Path(path)
    mapping = read_toml(p, "mapping file", WoonError)
    variables = mapping.get("variables", {})
    missing = [c for c in COLUMNS if c not in variables]
    if missing:
        raise WoonError(f"mapping {p}: [variables] lacks {missing}; every frame column needs the "
                        f"file's variable name ({', '.join(f'{k}: {v}' for k, v in COLUMNS.items())})")
    unknown = sorted(set(variables) - set(COLUMNS))
    if unknown:
        raise WoonError(f"mapping {p}: [variables] has keys {unknown} that are not frame columns "
                        f"{sorted(COLUMNS)}")
    values = mapping.get("values", {})
    for col in CODED:
        if col not in values:
            raise WoonError(f"mapping {p}: [values.{col}] is missing: which codes of variable "
                            f"{variables[col]!r} mean which {col} ({COLUMNS[col]})")
    return mapping


def read_woon(sav: str | Path, mapping_path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Reads a WoON ``.sav`` file into a survey frame.

    Args:
        sav: The SPSS file.
        mapping_path: Its mapping file (see the module docstring).

    Returns:
        ``(frame, info)``: the frame's columns, and ``info`` with the file label, the number of
        households read and those left out for a missing answer (by mapping key).

    Raises:
        WoonError: For a file that is not an SPSS file, a variable it lacks, or a code the mapping
            does not place; each message names the variable and the mapping key.
    """
    mapping = load_mapping(mapping_path)
    path = Path(sav)
    if not path.is_file():
        raise WoonError(f"WoON file {str(path)!r} does not exist")
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises its own error types for unreadable files
        raise WoonError(f"{path}: not an SPSS .sav file pyreadstat can read ({exc})") from exc
    variables = mapping["variables"]
    absent = {k: v for k, v in variables.items() if v not in meta.column_names}
    if absent:
        if len(absent) == len(variables):
            raise WoonError(f"{path}: not WoON-like: none of the mapped variables is in the file "
                            f"(it has {meta.number_columns} variables, e.g. {meta.column_names[:5]})")
        first = next(iter(absent))
        raise WoonError(f"{path}: mapping key {first!r} names variable {absent[first]!r}, which the "
                        f"file does not have; missing: {absent}")
    df, meta = pyreadstat.read_sav(str(path), usecols=list(variables.values()))
    n = len(df)
    raw = {k: df[v].to_numpy(dtype=float, na_value=np.nan) for k, v in variables.items()}
    keep = np.ones(n, bool)
    left_out = {}
    for k, col in raw.items():
        miss = np.isnan(col)
        if miss.any():
            left_out[k] = int(miss.sum())
            keep &= ~miss
    frame: dict[str, np.ndarray] = {}
    for k, col in raw.items():
        col = col[keep]
        if k in CODED:
            frame[k] = _recode(col, mapping["values"][k], k, variables[k], path)
        elif k in ("age", "household_size"):
            frame[k] = col.astype(np.int64)
        else:
            frame[k] = col.astype(np.float64)
    if (frame["weight"] < 0).any():
        raise WoonError(f"{path}: variable {variables['weight']!r} (mapping key 'weight') has "
                        "negative weights")
    info = {"file": str(path), "file_label": meta.file_label or "", "households": int(keep.sum()),
            "households_in_file": n, "left_out_missing": left_out}
    return frame, info


def _recode(col: np.ndarray, codes: dict, key: str, variable: str, path: Path) -> np.ndarray:
    out = np.full(len(col), -1, np.int64)
    for frame_code, file_codes in codes.items():
        out[np.isin(col, np.asarray(file_codes, float))] = int(frame_code)
    bad = np.unique(col[out < 0])
    if len(bad):
        raise WoonError(f"{path}: variable {variable!r} (mapping key {key!r}) has codes "
                        f"{bad[:10].tolist()} that [values.{key}] does not place")
    return out


def write_synthetic_woon(path: str | Path, frame: dict[str, np.ndarray], households: int, seed: int,
                         description: str) -> dict:
    """Draws a synthetic WoON-format ``.sav`` from a model frame (:func:`calibration.frame.model_frame`).

    Households are drawn with probability proportional to their weight, households of 65+
    :data:`OLDER_OVERSAMPLING` times as likely, ``households`` expected in all (Poisson sampling); the
    survey weight is the household's weight over its inclusion probability. Variable names and codes
    are those of ``calibration/data/woon_synthetic_mapping.toml``.

    Args:
        path: The ``.sav`` file to write (its folder must exist).
        frame: A model frame.
        households: Expected sample size.
        seed: Seed of the sample.
        description: What the file was drawn from (parameters, scale, seed), kept in its file label.

    Returns:
        Facts of the sample: households drawn, the population they represent.
    """
    rng = np.random.default_rng(seed)
    w = np.asarray(frame["weight"], float)
    size = w * np.where(frame["age"] >= 65, OLDER_OVERSAMPLING, 1.0)
    pi = np.minimum(1.0, households * size / size.sum())
    take = rng.random(len(w)) < pi
    mapping = load_mapping(Path(__file__).parent / "data" / SYNTHETIC_MAPPING)
    names = mapping["variables"]
    cols = {}
    labels = {}
    value_labels = {}
    for key, var in names.items():
        values = np.asarray(frame[key])[take]
        if key == "weight":
            values = w[take] / pi[take]
        elif key in CODED:
            to_file = {int(fc): codes[0] for fc, codes in mapping["values"][key].items()}
            values = np.vectorize(to_file.get, otypes=[float])(values.astype(np.int64))
            value_labels[var] = {float(codes[0]): f"{key} {fc}"
                                 for fc, codes in mapping["values"][key].items()}
        cols[var] = np.asarray(values, float)
        labels[var] = f"SYNTHETIC {key}: {COLUMNS[key]}"
    df = pd.DataFrame(cols)
    pyreadstat.write_sav(df, str(path), file_label=f"{SYNTHETIC_LABEL}; {description}"[:255],
                         column_labels=labels, variable_value_labels=value_labels)
    return {"households": int(take.sum()), "represented": float(cols[names["weight"]].sum())}


def survey_targets(frame: dict[str, np.ndarray], info: dict, spec: str | Path | None = None) -> list:
    """The targets a WoON frame gives: each moment of ``spec`` with its value and survey error.

    Args:
        frame: A frame read by :func:`read_woon`.
        info: Its ``info`` (the file and its label are the targets' source).
        spec: A moments file (``calibration/data/woon_moments.toml`` if ``None``).

    Raises:
        WoonError: For an unreadable spec, or a moment with no household or a zero standard error.
    """
    path = Path(spec) if spec is not None else Path(__file__).parent / "data" / "woon_moments.toml"
    data = read_toml(path, "moments file", WoonError)
    synthetic = info.get("file_label", "").startswith("SYNTHETIC")
    out = []
    for m in data.get("moment", []):
        try:
            est = moment(frame, m["outcome"], m.get("where", {}), expected=False)
        except (KeyError, MomentError) as exc:
            raise WoonError(f"moments file {path}: moment {m.get('name')!r}: {exc}") from exc
        if est.se <= 0:
            raise WoonError(f"moments file {path}: moment {m['name']!r} has a standard error of 0 "
                            f"in {info['file']} ({est.n} households)")
        out.append(Target(
            name=f"woon_{m['name']}", group="woon", statistic="survey_share",
            year=int(data["model_year"]), value=est.value, se=est.se,
            se_source=f"survey standard error (linearisation, weights) over {est.n} households",
            population=f"households where {m.get('where', {})}",
            source=f"{'SYNTHETIC ' if synthetic else ''}WoON file {info['file']} "
                   f"({info.get('file_label', '')[:80]})",
            status="synthetic" if synthetic else "verified", use="fit",
            outcome=m["outcome"], where=m.get("where", {})))
    if not out:
        raise WoonError(f"moments file {path}: no [[moment]] tables")
    return out


def survey_correlation(frame: dict[str, np.ndarray], targets: list[Target]) -> dict[tuple[str, str], float]:
    """Correlations between the survey targets of one frame (:func:`survey_targets`), by name pair.

    Moments on overlapping subpopulations share households and so share sampling error; the fit's
    standard errors take this into account (:mod:`calibration.fit`).
    """
    r = moment_correlation(frame, [(t.outcome, t.where) for t in targets])
    return {(a.name, b.name): float(r[i, j]) for i, a in enumerate(targets)
            for j, b in enumerate(targets) if i < j and abs(r[i, j]) > 1e-12}


def simulation_ratio(frame: dict[str, np.ndarray], targets: list[Target], scale: float,
                     n_seeds: int) -> dict[str, float]:
    """Survey households over model households (all seeds) behind each survey target.

    The model's households in a subpopulation are estimated from the survey: its weighted count (the
    households of the country it stands for) times the calibration's scale, times the seeds. The fit
    widens its standard errors by this ratio (:mod:`calibration.fit`).
    """
    weight = np.asarray(frame["weight"], float)
    out = {}
    for t in targets:
        mask = subpopulation(frame, t.where) & (weight > 0)
        n_model = weight[mask].sum() * scale * n_seeds
        out[t.name] = float(mask.sum() / max(n_model, 1.0))
    return out
