"""Responses to foreign measures (issue 19): exporters' concerns, the zone's
comment to the national enquiry point, its documents, reminders and sending.

Placeholder until the resp-core branch's package paragraph is merged. Modules
here may import warning's foundations, warning.storage and notifications; never
warning.web.
"""
