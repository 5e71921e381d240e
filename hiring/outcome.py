"""Outcome over tools: the role statement agencies read first, and the flag on requirements
that only list frameworks (domain.md, "Outcome over tools")."""

import re
from typing import Any


def _words(text: str) -> frozenset[str]:
    """A vocabulary written as words separated by spaces and line breaks."""
    return frozenset(text.split())


_FRAMEWORKS = (
    "langchain",
    "llamaindex",
    "llama index",
    "haystack",
    "pytorch",
    "tensorflow",
    "keras",
    "jax",
    "scikit-learn",
    "sklearn",
    "xgboost",
    "lightgbm",
    "hugging face",
    "huggingface",
    "transformers",
    "openai",
    "openai api",
    "autogen",
    "crewai",
    "semantic kernel",
    "dspy",
    "vector databases",
    "vector database",
    "vector db",
    "pinecone",
    "weaviate",
    "qdrant",
    "chroma",
    "milvus",
    "pgvector",
    "faiss",
    "mlflow",
    "kubeflow",
    "sagemaker",
    "vertex ai",
    "databricks",
    "spark",
    "pyspark",
    "airflow",
    "dagster",
    "prefect",
    "dbt",
    "django",
    "fastapi",
    "flask",
    "pandas",
    "numpy",
    "polars",
    "docker",
    "kubernetes",
    "k8s",
    "terraform",
    "aws",
    "azure",
    "gcp",
    "python",
    "sql",
    "rag",
    "llms",
    "llm",
    "gpt",
    "bert",
)
_FRAMEWORK = re.compile(
    r"\b(?:"
    + "|".join(re.escape(name) for name in sorted(_FRAMEWORKS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
# Words of a requirement that say nothing about delivery.
_FILLER = _words(
    """must should know knows knowing knowledge of in with and or a an the plus strong solid
    deep good great expert expertise experience experienced years year yrs familiar
    familiarity proficient proficiency skilled skills skill using use hands-on handson
    working work required requirement requirements nice to have bonus etc also like such as
    including e.g ie frameworks framework tools tool stack libraries library modern latest
    advanced senior level at least minimum knowledge"""
)
_WORD = re.compile(r"[a-z][a-z0-9+#.-]*", re.IGNORECASE)

FRAMEWORK_SUGGESTION = (
    "This lists tools, not outcomes. Framework knowledge does not predict delivery: say what "
    "the person must have delivered instead, e.g. 'has shipped a retrieval feature that cut "
    "handling time, kept it within cost limits and owned it after launch'."
)


def frameworks_only(text: str) -> list[str]:
    """The framework names when a requirement is nothing but framework names ("must know
    LangChain, PyTorch and vector databases"); [] when it also says what must be delivered."""
    text = text or ""
    names = [match.group(0) for match in _FRAMEWORK.finditer(text)]
    if not names:
        return []
    rest = _FRAMEWORK.sub(" ", text)
    words = [
        word
        for word in _WORD.findall(rest)
        if word.lower().strip(".") not in _FILLER and not word.isdigit()
    ]
    return names if len(words) <= 2 else []


def framework_warnings(fields: dict[str, Any]) -> dict[str, str]:
    """Field -> suggestion, for the fields whose text lists only frameworks."""
    warnings = {}
    for field in ("must_haves", "business_goal", "success_impact"):
        if frameworks_only(str(fields.get(field) or "")):
            warnings[field] = FRAMEWORK_SUGGESTION
    return warnings


def _clause(text: object) -> str:
    """A typed sentence as a clause: no final full stop, first letter lower-case unless it is
    an acronym ("MAPE below 15%")."""
    text = " ".join(str(text or "").split()).rstrip(" .;")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def outcome_statement(fields: dict[str, Any], *, genai: bool) -> str:
    """The outcome-style role statement composed from the brief, e.g. "Deliver an AI feature
    that will reduce stock-outs by 25% within two quarters (MAPE below 15%), runs within
    under $2k a month, and is owned after launch by the data platform team." Parts the brief
    does not give yet are left out; "" when there is no target at all."""
    target = _clause(fields.get("kpi_target"))
    if not target:
        return ""
    track = fields.get("track") or ""
    if genai:
        what = "a GenAI feature"
    elif track == "python_developer":
        what = "a production system"
    else:
        what = "an AI feature"
    parts = [f"Deliver {what} that meets this target: {target}"]
    quality = _clause(fields.get("success_ai_quality"))
    if quality and track != "python_developer":
        parts[0] += f" (quality bar: {quality})"
    cost = _clause(fields.get("success_cost_limits"))
    if cost:
        parts.append(f"runs within its cost limits ({cost})")
    owner = " ".join(str(fields.get("post_launch_owner") or "").split()).rstrip(" .")
    if owner:
        parts.append(f"is owned after launch by {owner}")
    if len(parts) == 1:
        return parts[0] + "."
    return ", ".join(parts[:-1]) + ", and " + parts[-1] + "."
