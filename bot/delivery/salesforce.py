"""Salesforce: a handed-off lead as a Lead upserted by an external id (or Web-to-Lead), and the
owner lookup, over the OAuth 2.0 client credentials flow.

Plain `requests` rather than simple-salesforce: three documented calls (token, upsert, query),
and the outbox owns retries and idempotency. An upsert by external id is idempotent, so a retry
after a lost answer updates the Lead the first attempt created.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import quote

import requests

from bot.delivery.channels import DeliveryResult, response_result, transport_failure
from bot.delivery.crm_fields import CrmHttp, checked_base_url, first_value, render_fields
from bot.domain import Handoff
from bot.settings import Settings
from bot.sla.crm import SalesforceMap

log = logging.getLogger(__name__)


class TokenRefused(Exception):
    """The token endpoint said no (wrong client id or secret, flow not enabled for the app)."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class SalesforceAuth:
    """Client-credentials access tokens for one org: fetched on first use, kept in memory, and
    fetched again once when a call answers 401 (the token expired or was revoked)."""

    def __init__(self, settings: Settings, http: CrmHttp) -> None:
        self.url = checked_base_url(settings.salesforce_url or "", "LEADBOT_SALESFORCE_URL")
        self.client_id = settings.salesforce_client_id or ""
        self.client_secret = settings.salesforce_client_secret or ""
        self.http = http
        self._token: tuple[str, str] | None = None  # (access token, instance URL)
        self._lock = threading.Lock()

    def token(self) -> tuple[str, str]:
        with self._lock:
            if self._token is None:
                response = self.http.call(
                    "POST",
                    f"{self.url}/services/oauth2/token",
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self.client_id,
                        "client_secret": self.client_secret,
                    },
                )
                if not response.ok:
                    raise TokenRefused(response)
                body = response.json()
                # The API lives at the instance the token names (usually the My Domain URL itself).
                instance = checked_base_url(str(body.get("instance_url") or self.url), "instance_url")
                self._token = (str(body["access_token"]), instance)
            return self._token

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """`method path` on the instance with a bearer token, refreshed and retried once on 401."""
        access, instance = self.token()
        response = self.http.call(method, instance + path, headers={"Authorization": f"Bearer {access}"}, **kwargs)
        if response.status_code != 401:
            return response
        with self._lock:
            if self._token is not None and self._token[0] == access:
                self._token = None
        access, instance = self.token()
        return self.http.call(method, instance + path, headers={"Authorization": f"Bearer {access}"}, **kwargs)


class SalesforceChannel:
    """The `salesforce` outbox channel."""

    name = "salesforce"

    def __init__(self, fields: SalesforceMap, settings: Settings) -> None:
        self.fields = fields
        self.http = CrmHttp(settings.handoff_timeout_seconds)
        self.auth = SalesforceAuth(settings, self.http) if fields.mode == "upsert" else None
        self.org_id = settings.salesforce_org_id
        self.web_to_lead_url = checked_base_url(
            settings.salesforce_web_to_lead_url, "LEADBOT_SALESFORCE_WEB_TO_LEAD_URL"
        )

    def send(self, handoff: Handoff) -> DeliveryResult:
        started = time.monotonic()
        try:
            if self.auth is None:
                return self._web_to_lead(handoff, started)
            return self._upsert(self.auth, handoff, started)
        except TokenRefused as refused:
            return response_result(refused.response, started, "OAuth token: ")
        except requests.RequestException as exc:
            return transport_failure(exc, self.auth.url if self.auth else self.web_to_lead_url, started)
        except (ValueError, KeyError) as exc:  # a token answer that is not the documented JSON
            return DeliveryResult(False, None, f"OAuth token: unreadable answer ({type(exc).__name__})")

    def _upsert(self, auth: SalesforceAuth, handoff: Handoff, started: float) -> DeliveryResult:
        external = self.fields.external_id
        assert external is not None  # leadbot check requires it in upsert mode
        key = first_value(external, handoff.payload)
        if key is None:
            error = f"no value for the external id {external.field} (sources: {', '.join(external.from_)})"
            return DeliveryResult(False, None, error, (time.monotonic() - started) * 1000)
        body = render_fields(self.fields.fields, handoff.payload)
        body.pop(external.field, None)  # Salesforce refuses the external id field in the body
        path = f"/services/data/v{self.fields.api_version}/sobjects/Lead/{external.field}/{quote(str(key), safe='')}"
        # 201: a Lead was created; 200/204: the Lead with that key was updated; 300: several match.
        return response_result(auth.call("PATCH", path, json=body), started, "Lead upsert: ")

    def _web_to_lead(self, handoff: Handoff, started: float) -> DeliveryResult:
        form = {
            name: str(value) for name, value in render_fields(self.fields.web_to_lead_fields, handoff.payload).items()
        }
        response = self.http.call("POST", self.web_to_lead_url, data={"oid": self.org_id or "", **form})
        # Web-to-Lead answers 200 even when it drops a submission; Salesforce emails the admin.
        return response_result(response, started, "Web-to-Lead: ")


class SalesforceOwners:
    """`owner_email(visitor_email)`: the active User who owns that visitor's Contact, else their
    open Lead; None when there is none (or a queue owns it), or on any failure."""

    def __init__(
        self,
        settings: Settings,
        api_version: str = "60.0",
        auth: SalesforceAuth | None = None,
        timeout: float | None = None,
    ) -> None:
        self.auth = auth or SalesforceAuth(settings, CrmHttp(timeout or settings.handoff_timeout_seconds))
        self.query_path = f"/services/data/v{api_version}/query"

    def owner_email(self, visitor_email: str) -> str | None:
        email = _soql_text(visitor_email)
        try:
            owner_id = self._first(
                f"SELECT OwnerId FROM Contact WHERE Email = {email} ORDER BY LastModifiedDate DESC LIMIT 1"
            )
            if owner_id is None:
                owner_id = self._first(
                    f"SELECT OwnerId FROM Lead WHERE Email = {email} AND IsConverted = false "
                    "ORDER BY LastModifiedDate DESC LIMIT 1"
                )
            if owner_id is None or not owner_id.startswith("005"):  # 005: a User; 00G would be a queue
                return None
            return self._first(f"SELECT Email FROM User WHERE Id = {_soql_text(owner_id)} AND IsActive = true", "Email")
        except (requests.RequestException, TokenRefused, ValueError, KeyError) as exc:
            log.warning("Salesforce owner lookup failed: %s", type(exc).__name__)
            return None

    def _first(self, soql: str, field: str = "OwnerId") -> str | None:
        response = self.auth.call("GET", self.query_path, params={"q": soql})
        if not response.ok:
            log.warning("Salesforce owner lookup: query answered HTTP %d", response.status_code)
            return None
        records = response.json().get("records") or []
        value = records[0].get(field) if records else None
        return str(value) if value else None


def _soql_text(value: str) -> str:
    """A SOQL string literal: the visitor typed the email, so quotes and backslashes are escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
