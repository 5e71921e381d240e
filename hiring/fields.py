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
PROOF_PARTS: Final = ("shipped_solution", "baseline", "improvement", "monitoring", "quality_dip")
PROOF_TEXT_FIELDS: Final = tuple(f"proof_{part}" for part in PROOF_PARTS)
# The text parts and the evidence links, in the order forms and the CSV show them.
PROOF_FIELDS: Final = (*PROOF_TEXT_FIELDS, "proof_links")
