"""``make bench-scale``'s arithmetic (not timed: the run times itself): the generator's scale keeps
the 1 M data set as it was and grows the others as issue 18 says, each size names its own
database, the sizes alternate over rounds, and the 25 % target is judged on each phase's ratio
to its floor."""

from __future__ import annotations

import pytest
from bench import generate, run, scale


def test_the_default_scale_is_the_one_million_case_set_as_it_always_was() -> None:
    assert generate.Sizes.scaled(1_000_000) == generate.Sizes()
    assert generate.default_database_name(1_000_000) == "tongban_bench"


def test_ten_million_cases_bring_a_million_persons_twenty_thousand_firms_and_a_big_firm_of_100k() -> None:
    sizes = generate.Sizes.scaled(10_000_000)
    assert (sizes.persons, sizes.firms, sizes.big_firm_cases) == (1_000_000, 20_000, 100_000)
    assert (sizes.applicants, sizes.services) == (1024, 5000)  # the same load at every size
    sizes.check()
    assert generate.default_database_name(10_000_000) == "tongban_bench_10m"


def test_a_small_scale_keeps_a_firm_for_every_applicant_and_passes_its_own_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BENCH_CASES", "200000")
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    sizes = generate.Sizes.from_env()
    assert sizes.firms == sizes.applicants == 1024
    sizes.check()
    assert generate.database_url().endswith("/tongban_bench_200k")
    monkeypatch.setenv("BENCH_FIRMS", "3000")  # a size set on its own wins
    assert generate.Sizes.from_env().firms == 3000


def test_the_sizes_alternate_so_that_a_drifting_machine_favours_neither() -> None:
    assert scale.order(1) == scale.SIZES
    assert scale.order(2) == list(reversed(scale.SIZES))


def _phase(kind: str, round_no: int, rps: float) -> run.Phase:
    requests = int(rps * 10)
    return run.Phase(
        kind=kind,
        round=round_no,
        seconds=10.0,
        requests=requests,
        bad=0,
        exhausted=0,
        socket_errors={"connect": 0, "read": 0, "write": 0, "timeout": 0},
        statuses={"200": requests},
        histogram=[[10_000, requests]],
    )


def test_each_phase_is_judged_by_its_ratio_to_its_floor_not_by_its_rps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scale, "SIZES", [1_000_000, 10_000_000])
    monkeypatch.setattr(scale, "KINDS", ["baseline_read", "floor_read", "case_read", "exchange"])
    small = [_phase("baseline_read", 1, 2000), _phase("floor_read", 1, 1000)]
    small += [_phase("case_read", 1, 500), _phase("exchange", 1, 400)]
    # At 10 M the whole machine is 30 % slower: the case page keeps its ratio, the exchange loses half.
    large = [_phase("baseline_read", 1, 1400), _phase("floor_read", 1, 700)]
    large += [_phase("case_read", 1, 350), _phase("exchange", 1, 140)]
    table = scale.compare({1_000_000: small, 10_000_000: large})
    assert table["case_read"]["sizes"]["1m"]["ratio"] == table["case_read"]["sizes"]["10m"]["ratio"] == 0.5
    assert table["case_read"]["met"] is True
    assert table["floor_read"]["met"] is True
    assert table["exchange"]["change"] == -0.5
    assert table["exchange"]["met"] is False
    assert "met" not in table["baseline_read"]  # a bare view has no floor: its rps change is information
    assert table["baseline_read"]["rps_change"] == -0.3
