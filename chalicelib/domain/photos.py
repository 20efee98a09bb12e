"""Photo rules: what may be uploaded, by whom and when; the limits every upload is held to."""
ALLOWED_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
UPLOAD_SECONDS = 600         # a presigned upload form is valid this long
VIEW_SECONDS = 300           # a presigned photo link is valid this long

# Where objects live in the photo bucket: uploads land in INCOMING, accepted photos move to STORED, rejected
# ones to QUARANTINE (the stack's event filter, IAM and lifecycle rules use the same prefixes).
INCOMING, STORED, QUARANTINE = "incoming/", "photos/", "quarantine/"

# phase -> the statuses in which photos of that phase may be added
PHASE_STATUSES = {"before": ("reported", "accepted", "dispatched", "in_progress"), "after": ("in_progress",)}


def incoming_key(case_id: str, phase: str, photo_id: str) -> str:
    return f"{INCOMING}{case_id}/{phase}/{photo_id}"


def parse_incoming_key(key: str) -> tuple[str, str, str] | None:
    parts = key.split("/")
    if len(parts) != 4 or parts[0] + "/" != INCOMING or parts[2] not in PHASE_STATUSES:
        return None
    return parts[1], parts[2], parts[3]


def stored_key(case_id: str, phase: str, photo_id: str, content_type: str, sha256: str) -> str:
    """Where an accepted photo is kept, named by the digest of the bytes that were checked: two different uploads
    can never be written to one key."""
    return f"{STORED}{case_id}/{phase}/{photo_id}-{sha256[:32]}.{EXTENSIONS[content_type]}"


def quarantine_key(key: str) -> str:
    return QUARANTINE + key.removeprefix(INCOMING)
