"""Metric names and namespace: the one place the code, the alarms and the dashboard take them from."""
NAMESPACE = "Gridloop"
# The `service` dimension of every metric is the deployment's name (resources.Names.deployment): alarms match it.

DEADLINE_WARNED = "DeadlineWarned"
DEADLINE_BREACHED = "DeadlineBreached"           # dimension: stage
CASE_ESCALATED = "CaseEscalated"                 # dimension: level (the level the case reached)
AUTO_CLOSED = "CaseAutoClosed"
OUTBOX_OLDEST_AGE = "OutboxOldestPendingAgeSeconds"
OUTBOX_FAILED = "OutboxEffectFailed"
CALENDAR_FALLBACK = "CalendarFallbackYear"       # a year chinesecalendar does not cover
PHOTO_ACCEPTED = "PhotoAccepted"
PHOTO_REJECTED = "PhotoRejected"                 # dimension: reason
NOTIFICATION_SENT = "NotificationSent"           # dimension: channel
NOTIFICATION_FAILED = "NotificationFailed"       # dimension: channel
WORK_RECORD_FAILED = "WorkRecordFailed"          # dimension: kind (deadline, photo, notification, unknown)
WORK_KINDS = ("deadline", "photo", "notification", "unknown")   # its `kind` values: the work queue's kinds

# Custom metrics (EMF) are billed per stream (name and dimensions) and hour: only what an alarm or the dashboard
# reads is one (infra/alarms.py; a test holds the two together). The rest are log lines with the same name and
# dimensions, counted with Logs Insights when wanted (`filter metric = "PhotoRejected" | stats count(*) by reason`).
WATCHED = frozenset({OUTBOX_OLDEST_AGE, DEADLINE_BREACHED, CASE_ESCALATED, WORK_RECORD_FAILED})
