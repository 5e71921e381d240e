"""Demo data inside the demo client's schema (called by the seed_demo command).

Goes through the same services as real users, so the demo shows real readiness results,
ownership and stage histories. Idempotent: briefs are matched by title, candidates by email.
"""

from typing import Any

from django_tenants.utils import tenant_context

from audit.actors import Actor
from audit.errors import ConflictError
from hiring.models import RoleBrief, Submission
from hiring.services.briefs import brief_create, brief_open
from hiring.services.consent import ANSWER_CONFIRM, consent_answer
from hiring.services.submissions import (
    submission_create,
    submission_move_stage,
    submission_withdraw,
)
from tenants.models import Agency, Client, User

GENAI_PLAN = {
    "eval_groundedness": "Every week, 200 sampled answers are checked against the cited "
    "policy pages; at least 95% must be fully supported.",
    "eval_hallucination_rate": "Below 2% of answers with an unsupported claim on the golden "
    "set of 500 customer questions.",
    "eval_retrieval_quality": "Hit rate at 5 of at least 0.9 and precision at 5 of at least "
    "0.7 on labelled questions.",
    "eval_cost_per_request": "Under $0.008 per answer; 6k-token cap per request; cache "
    "repeated questions.",
    "eval_latency_budget": "First token within 1.5 s, full answer within 4 s at p95.",
}
# The AI safety checklist the copilot brief answers before it opens (hiring.safety).
SAFETY_CHECKLIST: dict[str, Any] = {
    "safety_allowed_data": "Published policy pages and the product manuals.",
    "safety_blocked_data": "Customer personal data, payment details and internal HR pages.",
    "safety_prompt_injection": "System rules sit outside user text; retrieved passages are "
    "quoted as data and never followed as instructions; a classifier flags override attempts.",
    "safety_logged": "Questions, retrieved page ids, answers and the agent's accept or edit.",
    "safety_masked": "Names, e-mail addresses and order numbers are masked before logging.",
    "safety_log_retention_days": 30,
    "cost_token_limits": "6k tokens in and 700 tokens out per answer.",
    "cost_rate_limits": "30 questions a minute per support agent.",
    "cost_budget_cap": "$4,000 a month; the copilot pauses at the cap.",
    "cost_caching": "Answers to the 500 most frequent questions cached for 24 hours.",
    "cost_usage_alerts": "The ML platform on-call is alerted at 50% and 80% of the budget.",
    "safety_fallback": "When retrieval finds no supporting page the copilot says it does not "
    "know and routes the ticket to a person.",
    "safety_failure_testing": "A golden set of 500 questions plus bad inputs, edge cases and "
    "200 adversarial prompts runs before every release.",
}
LIFECYCLE_PLAN: dict[str, Any] = {
    "lifecycle_monitoring_owner": "ML platform team on-call",
    "lifecycle_retraining_cadence": "Monthly re-evaluation; retrain when drift alerts fire",
    "lifecycle_cost_review_cadence": "Monthly cost review with finance",
    "lifecycle_safety_testing": "Adversarial prompt suite rerun before each release and "
    "every quarter, reviewed by the security team.",
}

BRIEFS: list[dict[str, Any]] = [
    {
        "title": "Python developer: shipment tracking API",
        "track": "python_developer",
        "needs": ["apis", "integrations"],
        "business_goal": "Give customers live shipment status without calling the support desk.",
        "kpi_target": "Reduce 'where is my parcel' calls by 30% within 6 months",
        "data_sources_exist": True,
        "data_use_approved": True,
        "privacy_rules": "Only shipment ids and postcodes leave the carrier integration.",
        "success_impact": "30% fewer status calls; support staff moved to claims.",
        "success_ai_quality": "Not an AI system: status must match the carrier feed 99.9%.",
        "success_adoption": "60% of customers check status online in the first quarter.",
        "success_cost_limits": "Hosting under $1,500 per month.",
        "post_launch_owner": "Platform team (on-call rota)",
        "headcount": 1,
        "rate_min": 70,
        "rate_max": 95,
        "rate_currency": "USD",
        "remote_policy": "remote",
    },
    {
        "title": "Python AI developer: delivery delay prediction",
        "track": "python_ai_developer",
        "needs": ["ml_features", "pipelines"],
        "business_goal": "Warn dispatchers about deliveries likely to be late so they re-plan.",
        "kpi_target": "Cut late deliveries by 15% on the three busiest routes",
        "data_sources_exist": True,
        "data_use_approved": True,
        "privacy_rules": "Driver identities are pseudonymised before training.",
        "success_impact": "15% fewer late deliveries; fewer penalty payments.",
        "success_ai_quality": "Recall of 0.8 on late deliveries at 0.6 precision.",
        "success_adoption": "Dispatchers act on 70% of warnings.",
        "success_cost_limits": "Training and serving under $3,000 per month.",
        "post_launch_owner": "Routing analytics team",
        **LIFECYCLE_PLAN,
        "must_haves": "Has shipped a prediction feature that moved an operations metric and "
        "kept it accurate after launch.",
        "headcount": 2,
        "rate_min": 90,
        "rate_max": 130,
        "rate_currency": "USD",
        "remote_policy": "hybrid",
        "location": "Rotterdam",
    },
    {
        "title": "AI/ML engineer: customer support copilot (RAG)",
        "track": "ai_ml_engineer",
        "needs": ["genai", "mlops"],
        "uses_llm": True,
        "uses_rag": True,
        "business_goal": "Answer tier-1 support questions from our policy documents, with "
        "citations, and hand over to a person when unsure.",
        "kpi_target": "Reduce ticket handling time by 20% within two quarters",
        "data_sources_exist": True,
        "data_use_approved": True,
        "privacy_rules": "No customer personal data in prompts or logs; EU hosting only.",
        "success_impact": "20% shorter handling time; no rise in complaints.",
        "success_ai_quality": "Groundedness of 95% on the weekly sample.",
        "success_adoption": "Agents accept 50% of drafted answers.",
        "success_cost_limits": "Model spend capped at $4,000 per month with alerts at 80%.",
        "post_launch_owner": "Support operations with the ML platform team",
        **GENAI_PLAN,
        **SAFETY_CHECKLIST,
        **LIFECYCLE_PLAN,
        "headcount": 1,
        "rate_min": 110,
        "rate_max": 160,
        "rate_currency": "USD",
        "remote_policy": "remote",
    },
    {
        "title": "Make our reporting smarter with AI",
        "track": "python_developer",
        "needs": ["ml_features"],
        "business_goal": "Use AI for better reports.",
        "kpi_target": "make reports smarter",
        "must_haves": "Must know LangChain, PyTorch and vector databases.",
    },
]

PROOF = {
    "proof_shipped_solution": "Shipped a model-backed service to production used daily by "
    "several hundred operations staff.",
    "proof_baseline": "Before: rule-based heuristics with 58% recall on the target event.",
    "proof_improvement": "After three iterations on features and labels: 81% recall at the "
    "same precision.",
    "proof_monitoring": "Dashboards for input drift, prediction volume and weekly error by "
    "segment, with alerts to the on-call channel.",
    "proof_quality_dip": "Quality dropped after an upstream schema change in week 3; rolled "
    "back, added data contracts and a canary evaluation.",
    "proof_domain": "Logistics operations",
    "proof_metric": "Recall on the target event",
    "proof_metric_unit": "%",
    "proof_baseline_value": "58",
    "proof_result_value": "81",
    "proof_monitoring_signals": ["quality", "latency", "cost", "drift"],
    "proof_alert_thresholds": "Page the on-call when weekly recall drops below 75% or p95 "
    "latency exceeds 400 ms.",
    "proof_rollback": "Every model is versioned in the registry; a one-command rollback to the "
    "previous version, rehearsed each quarter.",
    "proof_input_validation": "Schema checks on every request; out-of-range inputs fall back "
    "to the rule-based estimate and are logged.",
    "proof_iteration": "Two releases after launch added holiday features and cut false alarms "
    "by a third.",
}

# (agency slug, name, email, stages to walk through, brief index)
CANDIDATES = [
    ("northstar", "Priya Raman", "priya.raman@example.org", ["screening"], 1),
    ("northstar", "Tomasz Nowak", "tomasz.nowak@example.org", ["interview"], 1),
    (
        "northstar",
        "Aiko Tanaka",
        "aiko.tanaka@example.org",
        ["screening", "interview", "shortlisted"],
        2,
    ),
    (
        "northstar",
        "Lucas Moreau",
        "lucas.moreau@example.org",
        ["interview", "shortlisted", "offer"],
        2,
    ),
    (
        "northstar",
        "Sara Lind",
        "sara.lind@example.org",
        ["interview", "shortlisted", "offer", "hired"],
        0,
    ),
    ("bluepeak", "Kwame Mensah", "kwame.mensah@example.org", [], 1),
    ("bluepeak", "Elena Petrova", "elena.petrova@example.org", ["screening", "rejected"], 2),
    ("bluepeak", "Diego Alvarez", "diego.alvarez@example.org", ["withdrawn"], 0),
    ("bluepeak", "Mei Chen", "mei.chen@example.org", ["interview", "shortlisted"], 2),
    ("bluepeak", "Omar Haddad", "omar.haddad@example.org", ["interview"], 2),
]


def demo_workspace_fill(*, client: Client, stdout: Any) -> None:
    hiring_manager = User.objects.get(email="hiring@acme.example")
    client_actor = Actor.for_user(hiring_manager)
    with tenant_context(client):
        briefs = []
        for spec in BRIEFS:
            brief = RoleBrief.objects.filter(title=spec["title"]).first()
            if brief is None:
                brief = brief_create(actor=client_actor, data=spec)
                if spec["title"].startswith("Make our reporting"):
                    briefs.append(brief)  # stays a draft: shows the readiness checklist
                    continue
                brief = brief_open(actor=client_actor, brief=brief)
            briefs.append(brief)
        created = 0
        for agency_slug, name, email, stages, brief_index in CANDIDATES:
            brief = briefs[brief_index]
            if Submission.objects.filter(brief=brief, email=email).exists():
                continue
            agency = Agency.objects.get(slug=agency_slug)
            recruiter = User.objects.get(email=f"recruiter@{agency_slug}.example")
            agency_actor = Actor.for_user(recruiter, agency_id=agency.pk)
            try:
                submission = submission_create(
                    actor=agency_actor,
                    brief=brief,
                    agency=agency,
                    candidate_data={
                        "full_name": name,
                        "email": email,
                        "skills": "python, sql, mlflow",
                        "location": "Remote",
                    },
                    proof=PROOF,
                    right_to_represent=True,
                    rate_amount=brief.rate_min,
                    rate_currency=brief.rate_currency,
                )
            except ConflictError:
                continue
            created += 1
            if stages:
                # The candidates the client is working with have confirmed the agency's
                # representation; one just submitted still awaits their answer.
                submission = consent_answer(submission=submission, answer=ANSWER_CONFIRM)
            for stage in stages:
                if stage == "withdrawn":
                    submission_withdraw(
                        actor=agency_actor,
                        submission=submission,
                        reason="Candidate accepted another offer.",
                    )
                    continue
                reason = (
                    "Not enough production experience for this brief."
                    if stage == "rejected"
                    else ""
                )
                submission = submission_move_stage(
                    actor=client_actor, submission=submission, to_stage=stage, reason=reason
                )
        stdout.write(f"Demo workspace: {len(briefs)} briefs, {created} new submissions.")
