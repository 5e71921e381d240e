"""Text that people and partner systems type, checked where it enters the product.

Control characters have no place in a name, a title or a proof: a line break in a title that
later becomes an e-mail subject makes every send of that e-mail fail ("Header values may not
contain linefeed"), a NUL cannot be stored by PostgreSQL, and escape sequences garble logs and
terminals. So, at the boundary (services, API serializers):

- `line_text_clean` for one-line text (names, titles, e-mails, locations, short labels):
  refuses every control character (C0 U+0000-U+001F, DEL, C1 U+0080-U+009F, line breaks
  included), the Unicode line and paragraph separators and lone surrogates.
- `long_text_clean` for text that may run over lines (goals, proof, evidence, summaries):
  reads CR LF and a lone CR as a newline, then allows newlines and tabs only.
- `subject_line` builds an e-mail subject from any text, stored before these checks or not:
  whitespace and control characters fold into single spaces, and it is cut to a length mail
  clients show.

Both cleaners strip surrounding whitespace and raise django.core.exceptions.ValidationError
with a message a person can act on; wrap the call to name the field, e.g.
`{"full_name": error.messages}`. `text_problem` checks text without cleaning it.
"""

import re

from django.core.exceptions import ValidationError

# Cc (C0, DEL, C1), the Unicode line/paragraph separators, and surrogates (a lone surrogate
# from a JSON "\ud800" escape cannot be encoded to UTF-8 for the database).
_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# The same without newline and tab.
_LONG_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_FOLD = re.compile("[\\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_LINE_BREAKS = re.compile("\r\n?")

SUBJECT_MAX_CHARS = 150
LINE_BREAK_MESSAGE = "Keep this on one line: remove the line break."
CONTROL_MESSAGE = (
    "This text holds an invisible control character (U+{code:04X}) that cannot be stored. "
    "Retype the text, or paste it as plain text."
)


def _refuse(match: re.Match[str]) -> ValidationError:
    char = match.group(0)
    if char in "\r\n\u2028\u2029":
        return ValidationError(LINE_BREAK_MESSAGE, code="line_break")
    return ValidationError(CONTROL_MESSAGE.format(code=ord(char)), code="control_character")


def line_text_clean(value: object) -> str:
    """One-line text, stripped of surrounding whitespace (a pasted trailing newline goes);
    refuses line breaks and every control character inside.

    `None` is "". Raises ValidationError (codes `line_break`, `control_character`).
    """
    text = ("" if value is None else str(value)).strip()
    found = _LINE_FORBIDDEN.search(text)
    if found:
        raise _refuse(found)
    return text


def long_text_clean(value: object) -> str:
    """Text over several lines, stripped: CR LF and CR become LF; newlines and tabs are kept,
    any other control character is refused (ValidationError, code `control_character`)."""
    text = _LINE_BREAKS.sub("\n", "" if value is None else str(value)).strip()
    found = _LONG_FORBIDDEN.search(text)
    if found:
        raise _refuse(found)
    return text


def text_problem(value: str, *, multiline: bool) -> str | None:
    """The message for the first character `value` may not hold, or None when it is fine.
    For callers that check text without cleaning it (the API's JSON parser)."""
    if multiline:
        found = _LONG_FORBIDDEN.search(_LINE_BREAKS.sub("\n", value))
    else:
        found = _LINE_FORBIDDEN.search(value)
    return None if found is None else _refuse(found).messages[0]


def subject_line(text: object, *, limit: int = SUBJECT_MAX_CHARS) -> str:
    """An e-mail subject from any text: whitespace, line breaks and control characters fold
    into single spaces; longer than `limit`, it is cut at a word and ends with an ellipsis."""
    folded = _FOLD.sub(" ", "" if text is None else str(text)).strip()
    folded = re.sub("[\ud800-\udfff]", "", folded)
    if len(folded) <= limit:
        return folded
    cut = folded[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"
