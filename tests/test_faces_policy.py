"""The consent policy: which face tracks are blurred, and why (no media needed)."""

from __future__ import annotations

import pytest

from btslog.db.faces import StoredTrack
from btslog.errors import InvalidInput
from btslog.ops.faces import decide, policy_settings


def track(person=None, consent=None, confidence=None, assigned_by=None):
    return StoredTrack(7, 1, 10, 50, b"", None, 3 if person else None, person, consent,
                       confidence, assigned_by, "key")  # fmt: skip


@pytest.mark.parametrize(
    ("person", "consent", "assigned", "all_but_released", "opted_out_only"),
    [
        (None, None, None, True, False),  # unknown: blurred by default, kept by opted_out
        ("Eileen", "released", None, False, False),
        ("Eileen", "released", "editor", False, False),
        ("Grace", "opted_out", None, True, True),
        ("Grace", "opted_out", "editor", True, True),
        ("Ana", "pending", None, True, False),  # pending is not consent
    ],
)
def test_decisions(person, consent, assigned, all_but_released, opted_out_only):
    face = track(person, consent, 612, assigned)
    default = decide(face, "all_but_released")
    assert default.blur is all_but_released and default.track_id == 7
    assert (default.first_frame, default.last_frame) == (10, 50)
    assert decide(face, "opted_out").blur is opted_out_only
    # Only a released person's face keeps other faces' blur margins off it, in either policy.
    for policy in ("all_but_released", "opted_out"):
        assert decide(face, policy).released is (consent == "released")
    if assigned:
        assert "assigned by editor" in default.reason
    elif person:
        assert "similarity 0.61" in default.reason
    else:
        assert default.reason == "unknown face"


def test_policy_from_the_project(project):
    assert policy_settings(project)["blur"] == "all_but_released"
    config = project.root / "btslog.toml"
    config.write_text(config.read_text().replace('blur = "all_but_released"', 'blur = "everyone"'))
    from btslog.ops.project import open_project

    with pytest.raises(InvalidInput, match="'everyone' is not a policy"):
        policy_settings(open_project(project.root))
