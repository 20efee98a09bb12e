"""Sending notifications: DingTalk robots (signed), the SNS alerts topic, SMS through the region's provider."""
from __future__ import annotations

import json
import re

from chalicelib import resources
from chalicelib.adapters import dingtalk, secrets, sms
from chalicelib.adapters.aws import client
from chalicelib.services.notify import (Delivery, TryLater, Undeliverable, alert_text, department_text, sms_text)


def deliver(message: dict, config, read_case) -> Delivery:
    channel = message.get("channel")
    if channel == "dingtalk":
        target = secrets.dingtalk_target(message["department"])
        if not target:
            return Delivery("dingtalk", "skipped", f"no robot configured for {message['department']}")
        title, lines = department_text(message, config)
        text = "\n\n".join(dingtalk.escape_markdown(line) for line in [title, *lines])
        body = dingtalk.markdown_message(title, "#### " + text)
        try:
            dingtalk.send(target["url"], target.get("secret"), body)
        except dingtalk.DeliveryFailed as failed:
            raise (TryLater if failed.retryable else Undeliverable)(failed.reason) from None
        except ValueError as refused:   # not DingTalk's robot host: retrying cannot help
            raise Undeliverable(f"robot of {message['department']}: {refused}") from None
        return Delivery("dingtalk", "sent")
    if channel == "alert":
        subject, text = alert_text(message, config)
        client("sns").publish(TopicArn=resources.alerts_topic_arn(), Subject=subject, Message=text,
                              MessageAttributes={"center": {"DataType": "String", "StringValue": message["center"]}})
        return Delivery("alert", "sent")
    if channel == "sms":
        provider = sms.provider_for(config)
        if provider is None:
            return Delivery("sms", "skipped", "SMS is switched off for this deployment (or not offered in its region)")
        case = read_case(message["case_id"])
        resident = case.residents[message["resident"]] if case and message["resident"] < len(case.residents) else None
        if not resident or not resident.get("phone") or resident.get("sms_opt_out"):
            return Delivery("sms", "skipped", "no phone, or the resident opted out")
        phone = "+86" + re.sub(r"\D", "", resident["phone"])[-11:]
        if provider.opted_out(phone):
            return Delivery("sms", "skipped", "opted out at the SMS provider")
        provider.send(phone, sms_text(message, case))
        return Delivery("sms", "sent")
    raise Undeliverable(f"unknown channel {channel!r}: {json.dumps(message)[:200]}")
