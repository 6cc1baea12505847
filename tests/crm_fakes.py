"""Loopback stand-ins for HubSpot and Salesforce that check every request against the vendors'
documented shapes (method, path, auth header, body fields) and keep the records written.

A request off the documented shape is answered like the vendor would (400/401/404) *and* noted
in `violations`, so a test asserts `fake.violations == []` besides what the CRM now holds.
Shapes: HubSpot CRM v3 objects/properties/owners and Forms v3 submissions; Salesforce OAuth 2.0
client credentials, sObject upsert by external id, SOQL query, Web-to-Lead.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeVendor:
    """A threaded HTTP server on 127.0.0.1; subclasses answer in `answer`."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.violations: list[str] = []
        self.failures: list[Reply] = []  # answered, in order, before any real handling
        self._lock = threading.Lock()
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                seen = Seen(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                with vendor._lock:
                    vendor.requests.append(seen)
                    reply = vendor.failures.pop(0) if vendor.failures else vendor.answer(seen)
                payload = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None) -> None:
        self.failures.extend(Reply(status, {"message": "injected"}, headers or {}) for _ in range(times))

    def calls(self, method: str, pattern: str) -> list[Seen]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    def answer(self, seen: Seen) -> Reply:
        raise NotImplementedError

    def _violation(self, seen: Seen, what: str, reply: Reply) -> Reply:
        self.violations.append(f"{seen.method} {seen.path}: {what}")
        return reply

    def _json_body(self, seen: Seen) -> Any:
        if not seen.headers.get("content-type", "").startswith("application/json"):
            self.violations.append(f"{seen.method} {seen.path}: Content-Type is not application/json")
        try:
            return seen.json()
        except ValueError:
            self.violations.append(f"{seen.method} {seen.path}: body is not JSON")
            return None


# ----------------------------------------------------------------------------- HubSpot

# A few of HubSpot's default contact properties; anything else must have been created first.
HUBSPOT_DEFAULT_PROPERTIES = {"email", "firstname", "lastname", "company", "phone", "hubspot_owner_id"}
_HUBSPOT_TYPES = {"string": {"text", "textarea"}, "number": {"number"}}


class FakeHubSpot(FakeVendor):
    def __init__(self, token: str = "pat-test-token") -> None:
        super().__init__()
        self.token = token
        self.groups: set[str] = set()
        self.properties: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}  # email -> {"id", "properties"}
        self.owners: dict[str, str] = {}  # owner id -> email
        self.submissions: list[dict[str, Any]] = []

    def add_contact(self, address: str, **properties: Any) -> None:
        self.contacts[address] = {"id": str(len(self.contacts) + 1), "properties": {**properties, "email": address}}

    def answer(self, seen: Seen) -> Reply:
        if seen.path.startswith("/submissions/v3/integration/"):
            return self._form(seen)
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return self._violation(
                seen, "missing or wrong Bearer token", Reply(401, {"category": "INVALID_AUTHENTICATION"})
            )
        route = (seen.method, seen.path)
        if route == ("POST", "/crm/v3/properties/contacts/groups"):
            return self._create_group(seen)
        if route == ("POST", "/crm/v3/properties/contacts"):
            return self._create_property(seen)
        if route == ("POST", "/crm/v3/objects/contacts"):
            return self._create_contact(seen)
        match = re.fullmatch(r"/crm/v3/objects/contacts/([^/]+)", seen.path)
        if match and seen.method in ("PATCH", "GET"):
            return self._by_email(seen, unquote(match.group(1)))
        match = re.fullmatch(r"/crm/v3/owners/(\d+)", seen.path)
        if match and seen.method == "GET":
            email = self.owners.get(match.group(1))
            if email is None:
                return Reply(404, {"category": "OBJECT_NOT_FOUND"})
            return Reply(200, {"id": match.group(1), "email": email, "firstName": "Rep", "archived": False})
        return self._violation(seen, "no such endpoint", Reply(404, {"category": "OBJECT_NOT_FOUND"}))

    def _create_group(self, seen: Seen) -> Reply:
        body = self._json_body(seen) or {}
        if not (body.get("name") and body.get("label")):
            return self._violation(seen, "group needs name and label", Reply(400, {"category": "VALIDATION_ERROR"}))
        if body["name"] in self.groups:
            return Reply(409, {"category": "CONFLICT"})
        self.groups.add(body["name"])
        return Reply(201, body)

    def _create_property(self, seen: Seen) -> Reply:
        body = self._json_body(seen) or {}
        missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
        if missing:
            return self._violation(seen, f"property lacks {missing}", Reply(400, {"category": "VALIDATION_ERROR"}))
        if body["fieldType"] not in _HUBSPOT_TYPES.get(body["type"], set()):
            return self._violation(seen, f"bad type/fieldType {body['type']}/{body['fieldType']}", Reply(400, {}))
        if body["groupName"] not in self.groups:
            return self._violation(seen, f"group {body['groupName']} does not exist", Reply(400, {}))
        if body["name"] in self.properties:
            return Reply(409, {"category": "CONFLICT"})
        self.properties[body["name"]] = body
        return Reply(201, body)

    def _properties(self, seen: Seen) -> dict[str, Any] | Reply:
        body = self._json_body(seen)
        if not isinstance(body, dict) or set(body) != {"properties"} or not isinstance(body["properties"], dict):
            return self._violation(
                seen, "body must be {'properties': {...}}", Reply(400, {"category": "VALIDATION_ERROR"})
            )
        properties: dict[str, Any] = body["properties"]
        for name, value in properties.items():
            if name not in HUBSPOT_DEFAULT_PROPERTIES and name not in self.properties:
                return self._violation(
                    seen, f"property {name} does not exist", Reply(400, {"category": "VALIDATION_ERROR"})
                )
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                return self._violation(seen, f"property {name} has a {type(value).__name__}", Reply(400, {}))
        return properties

    def _create_contact(self, seen: Seen) -> Reply:
        properties = self._properties(seen)
        if isinstance(properties, Reply):
            return properties
        email = properties.get("email")
        if email in self.contacts:
            existing = self.contacts[email]["id"]
            return Reply(
                409,
                {
                    "status": "error",
                    "message": f"Contact already exists. Existing ID: {existing}",
                    "category": "CONFLICT",
                },
            )
        self.add_contact(str(email), **properties)
        return Reply(201, self.contacts[str(email)])

    def _by_email(self, seen: Seen, email: str) -> Reply:
        if seen.query.get("idProperty") != ["email"]:
            return self._violation(seen, "idProperty=email missing", Reply(404, {"category": "OBJECT_NOT_FOUND"}))
        contact = self.contacts.get(email)
        if seen.method == "GET":
            return Reply(200, contact) if contact else Reply(404, {"category": "OBJECT_NOT_FOUND"})
        properties = self._properties(seen)
        if isinstance(properties, Reply):
            return properties
        if contact is None:
            return Reply(404, {"category": "OBJECT_NOT_FOUND"})
        contact["properties"].update(properties)
        return Reply(200, contact)

    def _form(self, seen: Seen) -> Reply:
        match = re.fullmatch(r"/submissions/v3/integration/(secure/)?submit/(\d+)/([0-9a-f-]{36})", seen.path)
        if seen.method != "POST" or match is None:
            return self._violation(seen, "not a form submission endpoint", Reply(404, {}))
        if match.group(1) and seen.headers.get("authorization") != f"Bearer {self.token}":
            return self._violation(seen, "secure submit without the Bearer token", Reply(401, {}))
        body = self._json_body(seen) or {}
        fields = body.get("fields")
        shaped = isinstance(fields, list) and all(
            isinstance(f, dict) and set(f) == {"objectTypeId", "name", "value"} and isinstance(f["value"], str)
            for f in fields
        )
        if not shaped or not str(body.get("submittedAt", "")).isdigit():
            return self._violation(seen, "fields/submittedAt off the documented shape", Reply(400, {}))
        self.submissions.append(body)
        return Reply(200, {"inlineMessage": "Thanks for submitting the form."})


# ----------------------------------------------------------------------------- Salesforce


class FakeSalesforce(FakeVendor):
    API = "/services/data/v60.0"

    def __init__(self, client_id: str = "consumer-key", client_secret: str = "consumer-secret") -> None:
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.valid_tokens: set[str] = set()
        self.issued = 0
        self.leads: dict[str, dict[str, Any]] = {}  # external id value -> fields
        self.owned: dict[tuple[str, str], str] = {}  # (sobject, email) -> OwnerId
        self.users: dict[str, str] = {}  # user id -> email (active users)
        self.web_to_lead: list[dict[str, str]] = []

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def answer(self, seen: Seen) -> Reply:
        if (seen.method, seen.path) == ("POST", "/services/oauth2/token"):
            return self._token(seen)
        if (seen.method, seen.path) == ("POST", "/servlet/servlet.WebToLead"):
            return self._web_to_lead(seen)
        auth = seen.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
            # An expired token is not a violation: it is what the refresh is for.
            return Reply(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        match = re.fullmatch(rf"{self.API}/sobjects/Lead/(\w+__c)/([^/]+)", seen.path)
        if match and seen.method == "PATCH":
            return self._upsert(seen, match.group(1), unquote(match.group(2)))
        if (seen.method, seen.path) == ("GET", f"{self.API}/query"):
            return self._query(seen)
        return self._violation(seen, "no such endpoint", Reply(404, [{"errorCode": "NOT_FOUND"}]))

    def _token(self, seen: Seen) -> Reply:
        if seen.headers.get("content-type") != "application/x-www-form-urlencoded":
            self.violations.append("token request is not form-encoded")
        form = seen.form()
        if form.get("grant_type") != "client_credentials":
            return self._violation(
                seen, "grant_type is not client_credentials", Reply(400, {"error": "unsupported_grant_type"})
            )
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return Reply(400, {"error": "invalid_client", "error_description": "invalid client credentials"})
        self.issued += 1
        token = f"00Dxx!token-{self.issued}"
        self.valid_tokens.add(token)
        return Reply(
            200,
            {
                "access_token": token,
                "instance_url": self.url,
                "token_type": "Bearer",
                "issued_at": "1",
                "signature": "x",
            },
        )

    def _upsert(self, seen: Seen, field_name: str, key: str) -> Reply:
        body = self._json_body(seen)
        if not isinstance(body, dict):
            return Reply(400, [{"errorCode": "JSON_PARSER_ERROR"}])
        if "Id" in body or field_name in body:
            return self._violation(
                seen, "Id or the external id field in the body", Reply(400, [{"errorCode": "INVALID_FIELD"}])
            )
        existing = self.leads.get(key.lower())  # external ids match case-insensitively
        if existing is None:
            if not (body.get("LastName") and body.get("Company")):
                return self._violation(
                    seen, "LastName and Company are required", Reply(400, [{"errorCode": "REQUIRED_FIELD_MISSING"}])
                )
            self.leads[key.lower()] = {field_name: key, **body}
            return Reply(201, {"id": "00Q000000000001", "success": True, "errors": [], "created": True})
        existing.update(body)
        return Reply(200, {"id": "00Q000000000001", "success": True, "errors": [], "created": False})

    def _query(self, seen: Seen) -> Reply:
        soql = (seen.query.get("q") or [""])[0]
        quoted = r"'((?:[^'\\]|\\.)*)'"
        owner = re.fullmatch(
            rf"SELECT OwnerId FROM (Contact|Lead) WHERE Email = {quoted}( AND IsConverted = false)? "
            r"ORDER BY LastModifiedDate DESC LIMIT 1",
            soql,
        )
        if owner:
            email = re.sub(r"\\(.)", r"\1", owner.group(2))
            owner_id = self.owned.get((owner.group(1), email))
            return Reply(200, _records([{"OwnerId": owner_id}] if owner_id else []))
        user = re.fullmatch(rf"SELECT Email FROM User WHERE Id = {quoted} AND IsActive = true", soql)
        if user:
            email = self.users.get(user.group(1))
            return Reply(200, _records([{"Email": email}] if email else []))
        return self._violation(seen, f"unexpected SOQL {soql!r}", Reply(400, [{"errorCode": "MALFORMED_QUERY"}]))

    def _web_to_lead(self, seen: Seen) -> Reply:
        if seen.query.get("encoding") != ["UTF-8"]:
            self.violations.append("Web-to-Lead without ?encoding=UTF-8")
        form = seen.form()
        if not form.get("oid"):
            return self._violation(seen, "Web-to-Lead without oid", Reply(200, None))
        self.web_to_lead.append(form)
        return Reply(200, None)


def _records(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"totalSize": len(records), "done": True, "records": records}
