"""Defence in depth for personal data in logs (PIPL): every log record passes a filter that masks phone
numbers and ID-card numbers (the same masks as every response), whatever the code logged. Bearer tokens are cut
out too."""
import logging
import re

from chalicelib.domain.privacy import mask_text

BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+")


def mask(text: str) -> str:
    return BEARER.sub(r"\1<redacted>", mask_text(text))


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if record.args:
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in (
                record.args if isinstance(record.args, tuple) else (record.args,)))
        for key, value in list(vars(record).items()):
            if key not in ("msg", "args") and isinstance(value, str) and key not in ("name", "levelname", "pathname",
                                                                                    "filename", "module", "funcName"):
                setattr(record, key, mask(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install() -> None:
    """On every handler of the root logger and of the app's loggers (Powertools adds its own handlers)."""
    personal = PersonalDataFilter()
    for logger in (logging.getLogger(), logging.getLogger("gridloop"), logging.getLogger("gridloop.api")):
        logger.addFilter(personal)
        for handler in logger.handlers:
            handler.addFilter(personal)
