"""The SLA console over real HTTP (a throwaway server on a free port): sessions, CSRF, roles,
the sign-in rate limit, the inbox filters and the one-click verdict links."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from itsdangerous import TimestampSigner

from bot.delivery.verdict_links import verdict_links
from bot.settings import current_settings
from tests.console_helpers import HOSTILE, PASSWORD, Console, csrf_of, running_console, signed_in


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    with running_console(tmp_path, monkeypatch, LEADBOT_LOGIN_MAX_FAILURES="3") as running:
        yield running


def _verdicts(console: Console, lead_id: int) -> list[tuple[str, str, str | None, str | None]]:
    lead = console.store.get(lead_id)
    assert lead is not None
    return [(fb.verdict, fb.reason, fb.reason_code, fb.by) for fb in lead.feedback]


def test_without_a_session_no_page_shows_lead_data(console: Console) -> None:
    lead = console.finished_lead(email="secret.person@example.com")
    for path in ("/", f"/leads/{lead.id}", "/?q=secret"):
        reply = requests.get(console.console + path, allow_redirects=False, timeout=10)
        assert reply.status_code == 303 and reply.headers["location"].startswith("/console/login?next=")
        assert "secret.person" not in reply.text
    login_page = requests.get(console.console + f"/leads/{lead.id}", timeout=10)  # followed to the sign-in page
    assert "Sign in" in login_page.text and "secret.person" not in login_page.text
    posted = requests.post(
        console.console + f"/leads/{lead.id}/verdict", data={"verdict": "accept", "reason_code": "fits"}, timeout=10
    )
    assert posted.status_code == 403 and _verdicts(console, lead.id) == []
    # The machine API still wants its token.
    assert requests.post(f"{console.url}/feedback/{lead.id}", json={"verdict": "accept"}, timeout=10).status_code == 401


def test_a_rep_signs_in_filters_and_accepts_with_a_reason(console: Console) -> None:
    rep = console.add_user("rep@example.com")
    ready = console.finished_lead(email="ann@example.com", need="Our pipeline leaks at the demo stage")
    nurture = console.finished_lead(email="bob@example.com", total=50, status="nurture")
    http = signed_in(console, rep)

    inbox = http.get(console.console + "/", params={"tier": "sales_ready"}, timeout=10).text
    assert f'data-lead="{ready.id}"' in inbox and f'data-lead="{nurture.id}"' not in inbox
    by_text = http.get(console.console + "/", params={"q": "DEMO STAGE"}, timeout=10).text
    assert f'data-lead="{ready.id}"' in by_text and f'data-lead="{nurture.id}"' not in by_text

    page = http.get(console.console + f"/leads/{ready.id}", timeout=10).text
    assert "Our pipeline leaks at the demo stage" in page and "https://example.com/pricing" in page
    reply = http.post(
        console.console + f"/leads/{ready.id}/verdict",
        data={"verdict": "accept", "reason_code": "fits", "note": "call booked", "csrf_token": csrf_of(page)},
        allow_redirects=False,
        timeout=10,
    )
    assert reply.status_code == 303
    label = "Fits the SLA: real need, budget and authority"
    assert _verdicts(console, ready.id) == [("accept", f"{label} — call booked", "fits", rep)]
    awaiting = http.get(console.console + "/", params={"verdict": "awaiting"}, timeout=10).text
    assert f'data-lead="{ready.id}"' not in awaiting and f'data-lead="{nurture.id}"' in awaiting

    http.post(
        console.console + f"/leads/{ready.id}/outcome",
        data={"outcome": "won", "note": "signed", "csrf_token": csrf_of(page)},
        timeout=10,
    )
    assert [(o.outcome, o.note, o.by) for o in console.store.outcomes(ready.id)] == [("won", "signed", rep)]


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_console(tmp_path, monkeypatch) as plain:
        cookie = requests.get(plain.console + "/login", timeout=10).headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie
        assert "secure" not in cookie  # http://localhost: a browser would drop a Secure cookie
    with running_console(tmp_path, monkeypatch, LEADBOT_CONSOLE_URL="https://leads.example.com/console") as tls:
        cookie = requests.get(tls.console + "/login", timeout=10).headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie


def test_a_post_without_the_csrf_token_is_refused(console: Console) -> None:
    http = signed_in(console, console.add_user("rep@example.com"))
    lead = console.finished_lead()
    url = console.console + f"/leads/{lead.id}/verdict"
    for token in (None, "forged-token"):
        data = {"verdict": "reject", "reason_code": "no_budget", **({"csrf_token": token} if token else {})}
        reply = http.post(url, data=data, allow_redirects=False, timeout=10)
        assert reply.status_code == 403 and "CSRF" in reply.text
    assert _verdicts(console, lead.id) == []
    # Signing in needs the form's token too (login CSRF).
    login = requests.post(
        console.console + "/login", data={"email": "rep@example.com", "password": PASSWORD}, timeout=10
    )
    assert login.status_code == 403


def test_wrong_passwords_get_the_sign_in_rate_limited(console: Console) -> None:
    rep = console.add_user("rep@example.com")
    http = requests.Session()
    token = csrf_of(http.get(console.console + "/login", timeout=10).text)
    codes = [
        http.post(
            console.console + "/login", data={"email": rep, "password": f"wrong-{i}", "csrf_token": token}, timeout=10
        ).status_code
        for i in range(3)
    ]
    assert codes == [401, 401, 401]
    limited = http.post(
        console.console + "/login",
        data={"email": rep, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in limited.text


def test_marketing_reads_but_cannot_decide_and_a_disabled_user_is_signed_out(console: Console) -> None:
    lead = console.finished_lead()
    marketer = signed_in(console, console.add_user("mk@example.com", role="marketing"))
    page = marketer.get(console.console + f"/leads/{lead.id}", timeout=10).text
    assert 'id="accept-form"' not in page
    refused = marketer.post(
        console.console + f"/leads/{lead.id}/verdict",
        data={"verdict": "accept", "reason_code": "fits", "csrf_token": csrf_of(page)},
        timeout=10,
    )
    assert refused.status_code == 403 and _verdicts(console, lead.id) == []
    console.store.disable_user("mk@example.com")
    assert marketer.get(console.console + "/", allow_redirects=False, timeout=10).status_code == 303


def test_the_lead_page_shows_a_hostile_transcript_escaped(console: Console) -> None:
    lead = console.finished_lead(need=HOSTILE, transcript=[("bot", "What brings you here?"), ("visitor", HOSTILE)])
    http = signed_in(console, console.add_user("rep@example.com"))
    page = http.get(console.console + f"/leads/{lead.id}", timeout=10).text
    assert "<script>document.title" not in page and "<img src=x" not in page
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in page


def test_a_one_click_link_confirms_on_get_records_on_post_and_works_once(console: Console) -> None:
    lead = console.finished_lead()
    links = console.links(lead)
    assert set(links) == {"accept", "reject"} and all(
        u.startswith(console.console + "/verdict/") for u in links.values()
    )
    http = requests.Session()
    confirm = http.get(links["reject"], timeout=10)
    assert confirm.status_code == 200 and "Reject lead" in confirm.text
    assert _verdicts(console, lead.id) == []  # nothing changes on GET
    done = http.post(
        links["reject"], data={"reason_code": "no_budget", "csrf_token": csrf_of(confirm.text)}, timeout=10
    )
    assert done.status_code == 200 and "rejected" in done.text
    reason = "No budget or budget too small"
    assert _verdicts(console, lead.id) == [("reject", reason, "no_budget", "one-click link")]
    again = http.post(
        links["reject"], data={"reason_code": "no_budget", "csrf_token": csrf_of(confirm.text)}, timeout=10
    )
    assert again.status_code == 409
    assert http.get(links["accept"], timeout=10).status_code == 409  # one decision per message
    assert len(_verdicts(console, lead.id)) == 1


def test_forged_and_expired_links_are_refused(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    lead = console.finished_lead()
    accept = console.links(lead)["accept"]
    head, _, signature = accept.rpartition(".")
    forged = f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert requests.get(forged, timeout=10).status_code == 400
    other_lead = accept.replace("/verdict/", "/verdict/x")
    assert requests.get(other_lead, timeout=10).status_code == 400
    settings = current_settings()
    with monkeypatch.context() as past:
        hours = settings.verdict_link_hours + 1
        # Signed as if the handoff had been queued longer ago than the links last.
        past.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - hours * 3600)
        old = verdict_links(lead.id, "old-nonce", settings)["accept"]
    expired = requests.Session()
    page = expired.get(old, timeout=10)
    assert page.status_code == 410 and "expired" in page.text
    assert expired.post(old, data={"csrf_token": "x"}, timeout=10).status_code == 410
    assert _verdicts(console, lead.id) == []


def test_the_api_token_still_records_verdicts_in_the_same_rows(console: Console) -> None:
    lead = console.finished_lead()
    reply = requests.post(
        f"{console.url}/feedback/{lead.id}",
        json={"verdict": "reject", "reason": "duplicate", "by": "crm", "reason_code": "other"},
        headers={"Authorization": "Bearer api-token-123"},
        timeout=10,
    )
    assert reply.status_code == 200
    assert _verdicts(console, lead.id) == [("reject", "duplicate", "other", "crm")]
