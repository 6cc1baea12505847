"""The CRM channels and owner lookups the environment configures, with crm.yml's field maps.

`.env` says which CRM receives leads (credentials); crm.yml (named by sla.yml) says what they
get. Either without the other is a configuration error the worker reports at start.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from bot.delivery.channels import Channel
from bot.delivery.hubspot import HubSpotChannel, HubSpotOwners
from bot.delivery.salesforce import SalesforceChannel, SalesforceOwners
from bot.settings import Settings, SettingsError
from bot.sla.crm import CrmConfig, crm_file_of, load_crm
from bot.sla.model import SLAError

_Section = TypeVar("_Section")


class OwnerLookup(Protocol):
    """Who owns a visitor in the CRM: the rep's email, or None when the CRM knows none."""

    def owner_email(self, visitor_email: str) -> str | None: ...


def crm_channels(settings: Settings) -> dict[str, Channel]:
    """`hubspot` and/or `salesforce`, as their credentials in the environment switch them on."""
    if not (settings.hubspot_configured or settings.salesforce_configured):
        return {}
    config = crm_config(settings)
    channels: dict[str, Channel] = {}
    if settings.hubspot_configured:
        hubspot = _section(config.hubspot, "hubspot", "LEADBOT_HUBSPOT_TOKEN", settings)
        if hubspot.mode == "contacts" and not settings.hubspot_token:
            raise SettingsError("hubspot mode contacts needs LEADBOT_HUBSPOT_TOKEN (a private app's access token)")
        if hubspot.mode == "form" and not (settings.hubspot_portal_id and settings.hubspot_form_guid):
            raise SettingsError("hubspot mode form needs LEADBOT_HUBSPOT_PORTAL_ID and LEADBOT_HUBSPOT_FORM_GUID")
        channels["hubspot"] = HubSpotChannel(hubspot, settings)
    if settings.salesforce_configured:
        salesforce = _section(config.salesforce, "salesforce", "LEADBOT_SALESFORCE_*", settings)
        oauth = settings.salesforce_url and settings.salesforce_client_id and settings.salesforce_client_secret
        if salesforce.mode == "upsert" and not oauth:
            raise SettingsError(
                "salesforce mode upsert needs LEADBOT_SALESFORCE_URL, LEADBOT_SALESFORCE_CLIENT_ID and "
                "LEADBOT_SALESFORCE_CLIENT_SECRET (an external client app with the client credentials flow)"
            )
        if salesforce.mode == "web_to_lead" and not settings.salesforce_org_id:
            raise SettingsError("salesforce mode web_to_lead needs LEADBOT_SALESFORCE_ORG_ID (the org id, `oid`)")
        channels["salesforce"] = SalesforceChannel(salesforce, settings)
    return channels


def owner_lookups(settings: Settings, timeout: float | None = None) -> list[OwnerLookup]:
    """The CRM owner lookups the credentials allow, HubSpot first (for routing's CRM-owner rule)."""
    lookups: list[OwnerLookup] = []
    if settings.hubspot_token:
        lookups.append(HubSpotOwners(settings, timeout))
    if settings.salesforce_url and settings.salesforce_client_id and settings.salesforce_client_secret:
        salesforce = crm_config(settings).salesforce
        version = salesforce.api_version if salesforce else "60.0"
        lookups.append(SalesforceOwners(settings, version, timeout=timeout))
    return lookups


class FirstOwner:
    """Several CRMs as one lookup: the first that knows an owner for the visitor answers."""

    def __init__(self, lookups: list[OwnerLookup]) -> None:
        self.lookups = lookups

    def owner_email(self, visitor_email: str) -> str | None:
        return next(filter(None, (lookup.owner_email(visitor_email) for lookup in self.lookups)), None)


def owner_lookup(settings: Settings, timeout: float | None = None) -> OwnerLookup | None:
    """The one lookup routing takes (its `OwnerLookup`), or None when no CRM API is configured.

    `timeout` per request (default: LEADBOT_HANDOFF_TIMEOUT_SECONDS): routing may ask during a
    conversation turn, where a shorter wait is kinder than a worker's."""
    lookups = owner_lookups(settings, timeout)
    if not lookups:
        return None
    return lookups[0] if len(lookups) == 1 else FirstOwner(lookups)


def crm_config(settings: Settings) -> CrmConfig:
    path = crm_file_of(settings.sla_path)
    if path is None:
        raise SettingsError(
            f"CRM credentials are set but {settings.sla_path} names no CRM file: add `crm: crm.yml` "
            "to it (docs/crm.md), or unset the LEADBOT_HUBSPOT_* / LEADBOT_SALESFORCE_* variables"
        )
    try:
        return load_crm(path)
    except SLAError as error:
        problems = "; ".join(str(p) for p in error.problems[:5])
        raise SettingsError(f"{path}: {problems} (run `leadbot check`)") from None


def _section(section: _Section | None, name: str, variable: str, settings: Settings) -> _Section:
    if section is None:
        raise SettingsError(f"{variable} is set but the CRM file of {settings.sla_path} has no {name}: section")
    return section
