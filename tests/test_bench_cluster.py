"""``make bench-cluster``'s arithmetic (not timed: the run times itself): each phase is compared
with the floor of its path measured through the same target, the cluster with the single node,
the targets alternate over rounds, and the submissions add up only when every 302 has its case
and no case exists that neither an answer nor a cut-off request explains."""

from __future__ import annotations

from typing import Any

from bench import cluster


def _stats(rps: float, p95: float) -> dict[str, Any]:
    return {
        "requests": int(rps * 10),
        "rps": rps,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 2,
        "errors": 0,
        "per_round_rps": [rps, rps],
        "settle_seconds": 0.0,
    }


def test_each_phase_is_set_against_the_floor_of_its_own_path_on_its_own_target() -> None:
    single = {
        "floor_write": _stats(400, 100),
        "submit": _stats(100, 400),
        "floor_read": _stats(800, 50),
        "case_read": _stats(200, 200),
    }
    # Through the balancer everything is slower, the submit less so than its floor.
    balanced = {
        "floor_write": _stats(200, 200),
        "submit": _stats(80, 500),
        "floor_read": _stats(400, 100),
        "case_read": _stats(100, 400),
    }
    table = cluster.compare({"single": single, "cluster": balanced})
    assert table["submit"]["floor"] == "floor_write"
    assert table["submit"]["single"]["vs_floor"] == 0.25
    assert table["submit"]["cluster"]["vs_floor"] == 0.4
    assert table["submit"]["cluster_vs_single"] == 0.8
    assert table["submit"]["cluster_p95_vs_single_p95"] == 1.25
    assert table["case_read"]["single"]["vs_floor"] == table["case_read"]["cluster"]["vs_floor"] == 0.25
    assert table["floor_read"]["cluster"]["vs_floor"] is None  # a floor has no floor
    assert table["floor_read"]["cluster_vs_single"] == 0.5


def test_the_targets_alternate_so_that_a_drifting_machine_favours_neither() -> None:
    assert cluster.order(1) == ("single", "cluster")
    assert cluster.order(2) == ("cluster", "single")


def _counts(cases: int, **overrides: int) -> dict[str, int]:
    return {"submitted_drafts": cases, "cases": cases, "audit_entries": cases, "audited_cases": cases, **overrides}


def test_submissions_add_up_when_every_302_has_its_case_and_only_cut_off_requests_add_more() -> None:
    assert cluster.submissions_verdict(answered=1000, cut=64, counts=_counts(1000))["ok"]
    assert cluster.submissions_verdict(answered=1000, cut=64, counts=_counts(1064))["ok"]


def test_a_302_without_a_case_or_a_case_nobody_asked_for_fails() -> None:
    missing = cluster.submissions_verdict(answered=1000, cut=64, counts=_counts(999))
    assert not missing["ok"]
    assert "only 999 cases" in missing["problems"][0]
    assert not cluster.submissions_verdict(answered=1000, cut=64, counts=_counts(1065))["ok"]


def test_a_case_without_its_one_audit_entry_fails() -> None:
    assert not cluster.submissions_verdict(answered=10, cut=0, counts=_counts(10, audit_entries=11))["ok"]
    assert not cluster.submissions_verdict(answered=10, cut=0, counts=_counts(10, audited_cases=9))["ok"]
    assert not cluster.submissions_verdict(answered=10, cut=0, counts=_counts(10, submitted_drafts=11))["ok"]
