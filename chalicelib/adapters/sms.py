"""SMS to residents behind one small interface, so a region without SNS SMS (the AWS China regions) can get
another provider without touching the notification code.

Which provider a deployment uses follows its partition (`county_deployment.SMS_PROVIDERS`); `notifications.sms`
switches SMS on or off, and the configuration refuses it on where no provider exists.
"""
from __future__ import annotations

from typing import Protocol

from chalicelib.adapters.aws import client


class SmsProvider(Protocol):
    def opted_out(self, phone: str) -> bool:
        """The resident asked this provider to stop (e.g. replied STOP/TD)."""

    def send(self, phone: str, text: str) -> None:
        """Send one message to an E.164 number (+86...)."""


class SnsSms:
    """Amazon SNS, publishing straight to a phone number."""

    def opted_out(self, phone: str) -> bool:
        return bool(client("sns").check_if_phone_number_is_opted_out(phoneNumber=phone).get("isOptedOut"))

    def send(self, phone: str, text: str) -> None:
        client("sns").publish(PhoneNumber=phone, Message=text)


PROVIDERS = {"sns": SnsSms}


def provider_for(config) -> SmsProvider | None:
    """The deployment's SMS provider, or None when SMS is off or none exists in its region."""
    return PROVIDERS[config.sms_provider]() if config.sms_provider else None
