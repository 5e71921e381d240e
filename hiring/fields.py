"""What an agency tells the client about a person and their proof, named once.

Pages, the CSV import, the partner API, erasure and the services all read these lists, so a
new field of a submission is added here and nowhere else.
"""

from typing import Final

# Text about the person, with each field's length limit.
CANDIDATE_TEXT_FIELDS: Final = {
    "full_name": 200,
    "email": 254,
    "phone": 40,
    "location": 200,
    "availability": 200,
    "summary": 5000,
}
# Everything about the person an agency may give, in the order forms and the CSV show them.
CANDIDATE_FIELDS: Final = (
    "full_name",
    "email",
    "phone",
    "location",
    "availability",
    "skills",
    "links",
    "summary",
)
CONTACT_FIELDS: Final = ("email", "phone")

# The story of a production delivery (domain: proof a vendor should attach); each is text.
# hiring.proof says which parts each track requires and how strong the proof is.
PROOF_PARTS: Final = (
    "shipped_solution",
    "domain",
    "baseline",
    "improvement",
    "monitoring",
    "alert_thresholds",
    "quality_dip",
    "rollback",
    "input_validation",
    "iteration",
)
PROOF_TEXT_FIELDS: Final = tuple(f"proof_{part}" for part in PROOF_PARTS)
# One-line text parts (the rest may run over lines).
PROOF_LINE_FIELDS: Final = frozenset({"proof_domain", "proof_metric", "proof_metric_unit"})
# The measured result: what was measured, in which unit, before and after.
PROOF_MEASURE_FIELDS: Final = (
    "proof_metric",
    "proof_metric_unit",
    "proof_baseline_value",
    "proof_result_value",
)
PROOF_SIGNALS_FIELD: Final = "proof_monitoring_signals"
MONITORING_SIGNALS: Final = ("quality", "latency", "cost", "drift")
# Every part, in the order forms and the CSV show them.
PROOF_FIELDS: Final = (
    *PROOF_TEXT_FIELDS,
    *PROOF_MEASURE_FIELDS,
    PROOF_SIGNALS_FIELD,
    "proof_links",
)
