"""Masking of residents' personal data (PIPL): what every response and log line shows by default."""
import re

_NOT_AFTER = r"(?<![\dA-Za-z+])"   # a number starts here, not inside a longer run of digits or letters
_NOT_BEFORE = r"(?![\dA-Za-z])"
_SEP = r"[ \-]?"
# Resident identity card, 18 characters (the last may be X), also written in groups; and the old 15-digit form.
ID_CARD = re.compile(_NOT_AFTER + r"(\d{6})" + _SEP + r"\d{8}" + _SEP + r"(\d{3}[\dXx])" + _NOT_BEFORE)
OLD_ID_CARD = re.compile(_NOT_AFTER + r"(\d{6})\d{5}(\d{4})" + _NOT_BEFORE)
# Mobile numbers: optional +86 / 0086 / 86, the first group may stand in parentheses, spaces or dashes between.
MOBILE = re.compile(_NOT_AFTER + r"(?:(?:\+|00)?86" + _SEP + r")?\(?(1[3-9]\d)\)?" + _SEP + r"(\d{4})" + _SEP
                    + r"(\d{4})" + _NOT_BEFORE)
# Landlines with their area code: (0996) 812 3456, 0996-8123456.
LANDLINE = re.compile(_NOT_AFTER + r"\(?(0\d{2,3})\)?" + _SEP + r"(\d{3,4})" + _SEP + r"(\d{4})" + _NOT_BEFORE)

# Each number above has at least 10 digits (`\d` is a Unicode decimal digit, as str.isdecimal): text with fewer,
# most titles and notes, is returned without running the four patterns.
_FEWEST_DIGITS = 10


def mask_text(text: str) -> str:
    """Phone and ID numbers anywhere in free text, masked: 139 1234 5678 -> 139****5678,
    650102198807071234 -> 650102********1234, (0996) 812 3456 -> 0996****3456."""
    if not text or sum(map(str.isdecimal, text)) < _FEWEST_DIGITS:
        return text
    text = ID_CARD.sub(r"\1********\2", text)
    text = MOBILE.sub(r"\1****\3", text)
    text = OLD_ID_CARD.sub(r"\1*****\2", text)
    return LANDLINE.sub(r"\1****\3", text)


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
