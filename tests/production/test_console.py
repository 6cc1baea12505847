"""The sales console in production mode, through nginx: a real sales-ready conversation's handoff
carries one-click links to `<public URL>/console/verdict/…`, and a rep's session works there."""

from __future__ import annotations

import re

import pytest
import requests

from bot.ops.production import ProductionStack
from bot.storage import ConsoleStore
from bot.web.passwords import hash_password
from tests.integration.conftest import wait_until
from tests.production.conftest import Visitor, converse

pytestmark = [pytest.mark.production, pytest.mark.timeout(300)]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def test_a_handed_off_lead_is_judged_through_nginx_by_link_and_in_the_console(healthy: ProductionStack) -> None:
    store = ConsoleStore(healthy.settings.database_url)
    visitor = Visitor(healthy)
    converse(visitor, "sales_ready")
    lead = wait_until(lambda: (found := store.get(visitor.sender)) and found.handoff and found)
    markdown = str(lead.handoff.payload["summary_markdown"])
    links = dict((label, url) for url, label in re.findall(r"<(http[^|>]+)\|(Accept|Reject)>", markdown))
    assert links["Accept"].startswith(f"{healthy.public_url}/console/verdict/")

    anonymous = requests.Session()
    confirm = anonymous.get(links["Accept"], timeout=30)
    assert confirm.status_code == 200 and "Accept lead" in confirm.text and store.get(lead.id).feedback == ()
    done = anonymous.post(links["Accept"], data={"reason_code": "fits", "csrf_token": _csrf(confirm.text)}, timeout=30)
    assert done.status_code == 200 and [f.reason_code for f in store.get(lead.id).feedback] == ["fits"]
    assert anonymous.get(links["Reject"], timeout=30).status_code == 409

    email = f"rep-{visitor.sender}@example.com"
    store.add_user(email, role="sales", password_hash=hash_password("a long password"))
    rep = requests.Session()
    assert rep.get(f"{healthy.public_url}/console/", allow_redirects=False, timeout=30).status_code == 303
    login = rep.get(f"{healthy.public_url}/console/login", timeout=30)
    signed = rep.post(
        f"{healthy.public_url}/console/login",
        data={"email": email, "password": "a long password", "csrf_token": _csrf(login.text)},
        timeout=30,
    )
    assert signed.status_code == 200 and f'data-lead="{lead.id}"' in signed.text
