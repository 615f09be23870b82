"""An independent, vectorised implementation of the forecast's model in numpy, for `npm run bench:forecast`.

Reads a forecast input (JSON, the engine's schema; without learned inputs), prints each scenario's completion
month quantiles as JSON. Same model as lib/forecast/engine.ts, written apart from it: site rates from their Gamma
posteriors, each cohort's cumulative intensity piecewise linear between site starts, the time its remaining target
is reached found by inverting it at a Gamma(need, 1) level. No enrolment fan (the engine draws one besides).
"""

import json
import sys

import numpy as np


def scenario(data, countries, rng):
    sites = [s for s in data["sites"] if s["country"] in countries]
    as_of = data.get("asOfMonth", 0)
    horizon = data.get("horizonMonths", 240)
    replicates = data.get("replicates", 20000)
    cohorts = data["cohorts"]
    prevalence = data.get("prevalence")
    enrol = data.get("enrolFraction", 1)
    start = np.array([max(s.get("activationMonth", 0), as_of) for s in sites])
    order = np.argsort(start, kind="stable")
    start = start[order]
    shape = np.array([s["rate"]["shape"] + s.get("observed", {}).get("screened", 0) for s in sites])[order]
    rate = np.array([s["rate"]["rate"] + s.get("observed", {}).get("months", 0) for s in sites])[order]
    country = [sites[i]["country"] for i in order]

    def share(c, cohort):
        if not prevalence or c not in prevalence:
            return 1.0
        return prevalence[c].get(cohort, 0.0)

    lam = rng.gamma(shape, 1.0 / rate, size=(replicates, len(sites)))
    gaps = np.diff(start)
    trial = np.full(replicates, float(as_of))
    for cohort in cohorts:
        need = max(0, cohort["target"] - cohort.get("enrolled", 0))
        if need == 0:
            continue
        weight = np.array([share(c, cohort["id"]) * enrol for c in country])
        slope = np.cumsum(lam * weight, axis=1)  # the intensity after each start
        h = np.zeros_like(slope)  # the cumulative intensity at each start
        h[:, 1:] = np.cumsum(slope[:, :-1] * gaps, axis=1)
        level = rng.gamma(need, 1.0, size=replicates)
        k = (h <= level[:, None]).sum(axis=1) - 1
        rows = np.arange(replicates)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = start[k] + (level - h[rows, k]) / slope[rows, k]
        t = np.where((slope[rows, k] > 0) & (t <= horizon), t, np.inf)
        trial = np.maximum(trial, t)
    finite = np.isfinite(trial)
    with np.errstate(invalid="ignore"):
        q = np.quantile(trial, [0.025, 0.1, 0.5, 0.9, 0.975])  # past the horizon: inf or nan, printed as null
    return {"p2_5": q[0], "p10": q[1], "p50": q[2], "p90": q[3], "p97_5": q[4], "incompleteShare": float(1 - finite.mean())}


def clean(value):
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    return float(value) if np.isfinite(value) else None


def main():
    data = json.load(open(sys.argv[1]))
    rng = np.random.default_rng(data.get("seed", 1))
    scenarios = data.get("scenarios") or [
        {"name": "US only", "countries": ["US"]},
        {"name": "China only", "countries": ["CN"]},
        {"name": "Joint", "countries": ["US", "CN"]},
    ]
    out = {s["name"]: scenario(data, s["countries"], rng) for s in scenarios}
    print(json.dumps(clean(out)))


if __name__ == "__main__":
    main()
