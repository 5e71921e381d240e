"""Small widget helpers shared by the hiring forms."""

from typing import Any

from django import forms


def text_area(rows: int = 3, placeholder: str = "") -> forms.Textarea:
    attrs: dict[str, Any] = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


def text_line(placeholder: str = "") -> forms.TextInput:
    return forms.TextInput(attrs={"placeholder": placeholder} if placeholder else {})
