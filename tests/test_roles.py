"""Roles in one place: who may do what, and a refusal that names the role needed."""

from __future__ import annotations

import pytest

from desk.rules.roles import NEEDS, Action, Role, RoleRefused, check_role, may


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("agent", {Action.FILE_REQUEST, Action.MOVE_REQUEST, Action.SYNC}),
        ("supervisor", set(Action) - {Action.MANAGE_AGENTS}),
        ("admin", set(Action)),
        ("someone", set()),
        (None, set()),
    ],
)
def test_each_role_may_do_what_its_rank_allows(role, allowed):
    assert {action for action in Action if may(role, action)} == allowed


def test_every_action_needs_a_role():
    assert set(NEEDS) == set(Action)
    assert set(NEEDS.values()) <= set(Role)


def test_a_refusal_names_the_action_and_the_role_needed():
    with pytest.raises(RoleRefused) as refused:
        check_role("agent", Action.OVERRIDE)
    assert str(refused.value) == "放行被拒绝的申请需要主管权限"
    assert refused.value.needed is Role.SUPERVISOR
    with pytest.raises(RoleRefused, match="管理坐席账号需要管理员权限"):
        check_role("supervisor", Action.MANAGE_AGENTS)
