"""HubSpot: a handed-off lead as a CRM v3 contact (or a form submission), and the owner lookup.

Plain `requests` against the documented endpoints: the outbox already owns retries, backoff and
at-most-once per channel, and the official client would add its own retry layer underneath.
Contacts are created with `POST /crm/v3/objects/contacts`; a 409 (the email exists) becomes
`PATCH /crm/v3/objects/contacts/{email}?idProperty=email` with the same properties.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

import requests

from bot.delivery.channels import DeliveryResult, response_result, transport_failure
from bot.delivery.crm_fields import CrmHttp, checked_base_url, render_fields
from bot.domain import Handoff
from bot.settings import Settings
from bot.sla.crm import HubSpotMap

log = logging.getLogger(__name__)

CONTACT_OBJECT_TYPE = "0-1"  # the objectTypeId of contacts in form submissions
_FIELD_TYPES = {"string": ("string", "text"), "textarea": ("string", "textarea"), "number": ("number", "number")}


class HubSpotChannel:
    """The `hubspot` outbox channel. A contact write is idempotent by email (create, or update
    on conflict), so a retry after a lost answer updates the contact it created."""

    name = "hubspot"

    def __init__(self, fields: HubSpotMap, settings: Settings) -> None:
        self.fields = fields
        self.token = settings.hubspot_token
        self.api = checked_base_url(settings.hubspot_api_url, "LEADBOT_HUBSPOT_API_URL")
        self.forms = checked_base_url(settings.hubspot_forms_url, "LEADBOT_HUBSPOT_FORMS_URL")
        self.portal_id, self.form_guid = settings.hubspot_portal_id, settings.hubspot_form_guid
        self.http = CrmHttp(settings.handoff_timeout_seconds)
        # Created once per process; HubSpot answers 409 for a property that exists, which is fine.
        self._properties_ready = not (fields.create_properties and fields.custom_properties)

    def send(self, handoff: Handoff) -> DeliveryResult:
        started = time.monotonic()
        try:
            if self.fields.mode == "form":
                return self._submit_form(handoff, started)
            return self._write_contact(handoff, started)
        except requests.RequestException as exc:
            return transport_failure(exc, self.api if self.fields.mode == "contacts" else self.forms, started)

    # ------------------------------------------------------------------ contacts mode

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def _write_contact(self, handoff: Handoff, started: float) -> DeliveryResult:
        if not self._properties_ready:
            failed = self._create_properties(started)
            if failed is not None:
                return failed
        properties = render_fields(self.fields.properties, handoff.payload)
        body = {"properties": properties}
        created = self.http.call("POST", f"{self.api}/crm/v3/objects/contacts", json=body, headers=self._auth())
        email = properties.get("email")
        if created.status_code != 409 or not email:
            return response_result(created, started, "create contact: ")
        # The contact exists (HubSpot dedupes on email): update it, found by that email.
        updated = self.http.call(
            "PATCH",
            f"{self.api}/crm/v3/objects/contacts/{quote(str(email), safe='')}",
            params={"idProperty": "email"},
            json=body,
            headers=self._auth(),
        )
        return response_result(updated, started, "update contact: ")

    def _create_properties(self, started: float) -> DeliveryResult | None:
        """The property group and custom properties crm.yml declares; None once they exist."""
        group = self.fields.property_group
        requests_to_make: list[tuple[str, dict[str, Any]]] = [
            ("/crm/v3/properties/contacts/groups", {"name": group, "label": self.fields.property_group_label}),
        ]
        for name, prop in self.fields.custom_properties.items():
            kind, field_type = _FIELD_TYPES[prop.type]
            definition = {"name": name, "label": prop.label, "type": kind, "fieldType": field_type, "groupName": group}
            if prop.description:
                definition["description"] = prop.description
            requests_to_make.append(("/crm/v3/properties/contacts", definition))
        for path, body in requests_to_make:
            response = self.http.call("POST", f"{self.api}{path}", json=body, headers=self._auth())
            if response.status_code != 409 and not response.ok:
                return response_result(response, started, f"create property {body['name']}: ")
        self._properties_ready = True
        return None

    # ------------------------------------------------------------------ form mode

    def _submit_form(self, handoff: Handoff, started: float) -> DeliveryResult:
        values = render_fields(self.fields.properties, handoff.payload)
        page = (handoff.payload.get("page_context") or {}).get("page") or {}
        context = {k: v for k, v in (("pageUri", page.get("url")), ("pageName", page.get("title"))) if v}
        body: dict[str, Any] = {
            # The handoff's own time, so every retry submits the same thing.
            "submittedAt": str(int(handoff.created_at.timestamp() * 1000)),
            "fields": [{"objectTypeId": CONTACT_OBJECT_TYPE, "name": k, "value": str(v)} for k, v in values.items()],
        }
        if context:
            body["context"] = context
        # With a token, the authenticated endpoint (higher rate limit, fields need not be on the form).
        secure = "secure/" if self.token else ""
        url = f"{self.forms}/submissions/v3/integration/{secure}submit/{self.portal_id}/{self.form_guid}"
        headers = self._auth() if self.token else {"Content-Type": "application/json"}
        return response_result(self.http.call("POST", url, json=body, headers=headers), started, "form submission: ")


class HubSpotOwners:
    """`owner_email(visitor_email)`: the email of the HubSpot owner of that visitor's contact.

    Reads the contact by email (`GET /crm/v3/objects/contacts/{email}?idProperty=email`) rather
    than through the search API: search is eventually consistent, so a contact written seconds
    ago may not be found there. Any failure is None: routing then uses its other rules."""

    def __init__(self, settings: Settings, timeout: float | None = None) -> None:
        self.token = settings.hubspot_token
        self.api = checked_base_url(settings.hubspot_api_url, "LEADBOT_HUBSPOT_API_URL")
        self.http = CrmHttp(timeout or settings.handoff_timeout_seconds)

    def owner_email(self, visitor_email: str) -> str | None:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            contact = self.http.call(
                "GET",
                f"{self.api}/crm/v3/objects/contacts/{quote(visitor_email, safe='')}",
                params={"idProperty": "email", "properties": "hubspot_owner_id"},
                headers=headers,
            )
            owner_id = _owner_id(contact)
            if owner_id is None:
                return None
            owner = self.http.call("GET", f"{self.api}/crm/v3/owners/{quote(owner_id, safe='')}", headers=headers)
            if not owner.ok:
                _unexpected(owner, "owner")
                return None
            email = owner.json().get("email")
            return str(email) if email else None
        except (requests.RequestException, ValueError) as exc:
            log.warning("HubSpot owner lookup failed: %s", type(exc).__name__)
            return None


def _owner_id(contact: requests.Response) -> str | None:
    if not contact.ok:
        _unexpected(contact, "contact")
        return None
    owner_id = (contact.json().get("properties") or {}).get("hubspot_owner_id")
    return str(owner_id) if owner_id else None


def _unexpected(response: requests.Response, what: str) -> None:
    if response.status_code != 404:  # 404 is an answer (no such contact); anything else is a problem
        log.warning("HubSpot owner lookup: %s answered HTTP %d", what, response.status_code)
    return None
