"""Pydantic validation errors told in the reader's language (Vietnamese first)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

# pydantic error type -> Vietnamese text; {placeholders} come from the error's context.
VI: dict[str, str] = {
    "missing": "bắt buộc phải có",
    "extra_forbidden": "không được phép có trường này",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "quá ngắn (tối thiểu {min_length} ký tự)",
    "string_too_long": "quá dài (tối đa {max_length} ký tự)",
    "string_pattern_mismatch": "không đúng định dạng",
    "enum": "phải là một trong: {expected}",
    "literal_error": "phải là một trong: {expected}",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "bool_type": "phải là đúng hoặc sai",
    "bool_parsing": "phải là đúng hoặc sai",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "datetime_type": "phải là thời điểm (ISO 8601)",
    "datetime_parsing": "phải là thời điểm (ISO 8601)",
    "datetime_from_date_parsing": "phải là thời điểm (ISO 8601)",
    "timezone_aware": "phải có múi giờ (ví dụ +07:00)",
    "list_type": "phải là một danh sách",
    "too_long": "có quá nhiều phần tử (tối đa {max_length})",
    "too_short": "có quá ít phần tử (tối thiểu {min_length})",
    "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
}

# Our own validators' messages (raised in English in server/schemas).
VI_CUSTOM: dict[str, str] = {
    "ends_at must be after starts_at": "giờ kết thúc phải sau giờ bắt đầu",
    "a reason is required to decline": "cần nêu lý do khi từ chối",
    "substitute_id is required to send a substitute": "cần chọn người dự thay",
    "answer must be attending, declined or delegated": (
        "câu trả lời phải là tham dự, từ chối hoặc cử người dự thay"
    ),
    "a commune site account (site) stands for a room": (
        "tài khoản điểm cầu (site) đại diện cho phòng họp, không kèm vai trò khác"
    ),
}


def _vietnamese(error: Any) -> str:
    if error["type"] == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        return next((vi for en, vi in VI_CUSTOM.items() if en in message), message)
    template = VI.get(error["type"])
    if template is None:
        return str(error["msg"])
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return template


def describe(exc: ValidationError, lang: str) -> list[dict[str, str]]:
    """[{field, problem}] for each error; `problem` in the reader's language."""
    out = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"])
        problem = (
            _vietnamese(error) if lang == "vi" else str(error["msg"]).removeprefix("Value error, ")
        )
        out.append({"field": field, "problem": problem})
    return out
