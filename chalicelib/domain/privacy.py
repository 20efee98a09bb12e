"""Masking of residents' personal data (PIPL): what every response and log line shows by default."""
import re


def mask_phone(phone: str | None) -> str | None:
    """Keep the first 3 and last 4 digits: 13812345678 -> 138****5678."""
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    """Keep the first character: 王小明 -> 王**, Ayguli -> A*****."""
    return name[:1] + "*" * (len(name) - 1) if name else name
