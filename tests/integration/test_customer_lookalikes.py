"""The customer page suggests the other customers of the brand known by one of this customer's
handles (the same handle imported as "twitter" and later met on "x" made two records before both
names were one network), and merges one with a click."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.cases.models import Customer, Identity
from tests.integration.test_admin_pages import _person, signed_in


def _customer(session: Session, brand: Brand, name: str, *identities: tuple[str, str]) -> int:
    customer = Customer(brand_id=brand.id, display_name=name)
    session.add(customer)
    session.flush()
    for channel, handle in identities:
        session.add(Identity(brand_id=brand.id, customer_id=customer.id, channel=channel, handle=handle))
    session.commit()
    return customer.id


def _suggested(client: TestClient, customer_id: int) -> list[str]:
    page = client.get(f"/customers/{customer_id}")
    assert page.status_code == 200, page.text
    start = page.text.find('data-testid="lookalikes"')
    if start < 0:
        return []
    block = page.text[start : page.text.find("</ul>", start)]
    return [line.split('value="')[1].split('"')[0] for line in block.split('name="other_id"')[1:]]


def test_the_same_handle_on_the_same_network_is_suggested_first_and_merged_with_a_click(
    client: TestClient, session: Session, brand: Brand
) -> None:
    archive = _customer(session, brand, "Ann Lee", ("twitter", "ann_lee"), ("email", "ann@example.org"))
    on_reddit = _customer(session, brand, "annl", ("reddit", "ann_lee"))
    on_x = _customer(session, brand, "Ann", ("x", "ann_lee"))
    shouting = _customer(session, brand, "ANN", ("x", "Ann_Lee"))  # handles on X ignore case
    _customer(session, brand, "Bob", ("x", "bob"), ("email", "ann_lee@example.org"))
    rail = accounts.create_brand(session, slug="rail", name="Rail")
    stranger = Customer(brand_id=rail.id, display_name="Ann elsewhere")
    session.add(stranger)
    session.flush()
    session.add(Identity(brand_id=rail.id, customer_id=stranger.id, channel="x", handle="ann_lee"))
    session.commit()
    agent = _person(session, brand, "agent@skyways.test", Role.AGENT)
    csrf = signed_in(client, agent.email)

    assert _suggested(client, archive) == [str(on_x), str(shouting), str(on_reddit)]
    page = client.get(f"/customers/{archive}").text
    assert "ann_lee on X (the same network)" in page
    assert "Ann_Lee on X (the same network)" in page
    assert "ann_lee on Reddit" in page

    merged = client.post(f"/customers/{archive}/merge", data={"csrf_token": csrf, "other_id": str(on_x)})
    assert merged.status_code == 303
    assert (
        session.scalar(
            select(Identity.customer_id).where(
                Identity.channel == "x", Identity.handle == "ann_lee", Identity.brand_id == brand.id
            )
        )
        == archive
    )
    assert _suggested(client, archive) == [str(shouting), str(on_reddit)], "a merged one is no longer"
    assert _suggested(client, on_reddit) == [str(archive), str(shouting)], "seen from the other side"


def test_a_viewer_is_shown_no_merge(client: TestClient, session: Session, brand: Brand) -> None:
    first = _customer(session, brand, "Ann", ("twitter", "ann_lee"))
    _customer(session, brand, "Ann again", ("x", "ann_lee"))
    viewer = _person(session, brand, "viewer@skyways.test", Role.VIEWER)
    signed_in(client, viewer.email)
    assert _suggested(client, first) == []
