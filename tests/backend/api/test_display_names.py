"""People are named the same way everywhere (services/display_names.py): the profile's display name, else a
short address; many of them in one query."""

from __future__ import annotations

from sqlalchemy import event

from backend.app.models.profile import Profile
from backend.app.services.display_names import people, person
from tests.support.chain import wallet
from tests.support.factories import profile_body


def test_people__names_in_any_letter_case__hidden_or_missing_profiles_are_short_addresses(client_as, db, app):
    client_as("client").put("/api/me/profile", json=profile_body(display_name="Jasmine Garden Teas"))
    client_as("freelancer").put("/api/me/profile", json=profile_body(display_name="Arjun Mehta"))
    db.get(Profile, wallet("freelancer")).hidden = True  # a moderator hid it
    db.commit()
    statements = []
    event.listen(app.state.engine, "before_cursor_execute", lambda *_: statements.append(1))
    names = people(db, [wallet("client").lower(), wallet("freelancer"), wallet("arbiter"), "not an address"])
    assert names == {
        wallet("client").lower(): "Jasmine Garden Teas",
        wallet("freelancer"): wallet("freelancer")[:6] + "…" + wallet("freelancer")[-4:],
        wallet("arbiter"): wallet("arbiter")[:6] + "…" + wallet("arbiter")[-4:],
        "not an address": "not an address"[:6] + "…" + "not an address"[-4:],
    }
    assert len(statements) == 1
    assert person(db, wallet("client")) == "Jasmine Garden Teas"
