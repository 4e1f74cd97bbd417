"""The sample staff of the local realm: one person per organisation of the sample province and per
staff role, plus one operator.

The list is committed as ``staff.json`` (reviewable data, what the realm imports) and is *made* by
this module from ``services/intake/domain/data/organisations.json`` (read as JSON: deploy code
imports no service).  A unit test regenerates it and compares, so a new organisation cannot be
forgotten; ``python -m deploy.keycloak.people`` rewrites the file.

Names are generated and deterministic: person ``i`` takes given name ``i mod G`` and family name
``(i + i div G) mod F``, so colleagues of one organisation differ in both; ``generate_staff`` checks
that every full name is distinct.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DEPLOY_DIR = Path(__file__).resolve().parent.parent
ORGANISATIONS_FILE = DEPLOY_DIR.parent / "services" / "intake" / "domain" / "data" / "organisations.json"
STAFF_FILE = Path(__file__).resolve().parent / "staff.json"

STAFF_ROLES: tuple[str, ...] = ("clerk", "officer", "council_member", "council_secretary", "leader")
OPERATOR_ROLE = "operator"
OPERATOR_ORGANISATION = "AH-SNV"
EMAIL_DOMAIN = "tdkt.example"

_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
    "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
)  # fmt: skip
# (given name, middle name): the middle name follows the given name's usual gender
_GIVEN = (
    ("Lan", "Thị"), ("Hùng", "Văn"), ("Mai", "Thị"), ("Dũng", "Tiến"), ("Hương", "Thu"),
    ("Minh", "Quang"), ("Hà", "Thanh"), ("Tuấn", "Anh"), ("Ngọc", "Bảo"), ("Long", "Hải"),
    ("Trang", "Huyền"), ("Sơn", "Trường"), ("Thảo", "Phương"), ("Nam", "Hoài"), ("Linh", "Khánh"),
    ("Đức", "Minh"), ("Yến", "Hải"), ("Phong", "Thanh"), ("Hạnh", "Mỹ"), ("Khoa", "Đăng"),
)  # fmt: skip

_OFFICER_TITLE_BY_LEVEL = {
    "central": "Chuyên viên Vụ Thi đua - Khen thưởng",
    "ministry": "Chuyên viên Ban Thi đua - Khen thưởng Trung ương",
    "province": "Chuyên viên Văn phòng Ủy ban nhân dân tỉnh",
    "province_department": "Chuyên viên phụ trách thi đua, khen thưởng",
    "district": "Chuyên viên Phòng Nội vụ",
    "commune": "Công chức Văn phòng - Thống kê",
    "unit": "Cán bộ phụ trách thi đua, khen thưởng",
}
_TITLES = {
    "clerk": "Văn thư",
    "council_member": "Ủy viên Hội đồng Thi đua - Khen thưởng",
    "council_secretary": "Thư ký Hội đồng Thi đua - Khen thưởng",
    OPERATOR_ROLE: "Quản trị hệ thống",
}


def read_organisations(path: Path = ORGANISATIONS_FILE) -> list[dict[str, Any]]:
    """The sample organisations, as the intake service's registry lists them."""
    organisations: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["organisations"]
    return organisations


def username(code: str, role: str) -> str:
    """``AH-SNV`` + ``officer`` → ``ah-snv.officer``."""
    return f"{code.lower()}.{role}"


def _name(index: int) -> tuple[str, str, str]:
    given, middle = _GIVEN[index % len(_GIVEN)]
    family = _FAMILY[(index + index // len(_GIVEN)) % len(_FAMILY)]
    return family, middle, given


def _title(organisation: dict[str, Any], role: str) -> str:
    if role == "leader":
        return str(organisation["signer_title_vi"])
    if role == "officer":
        if organisation["code"] == "AH-SNV":  # the province's emulation and commendation office
            return "Chuyên viên Phòng Thi đua - Khen thưởng"
        return _OFFICER_TITLE_BY_LEVEL.get(organisation["level"], _OFFICER_TITLE_BY_LEVEL["unit"])
    return _TITLES[role]


def _person(index: int, organisation: dict[str, Any], role: str) -> dict[str, Any]:
    family, middle, given = _name(index)
    return {
        "username": username(organisation["code"], role),
        "full_name": f"{family} {middle} {given}",
        "family_name": f"{family} {middle}",
        "given_name": given,
        "title": _title(organisation, role),
        "organisation": organisation["code"],
        "roles": [role],
    }


def generate_staff(organisations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every organisation × every staff role, then the operator; in the organisations' order."""
    pairs = [(org, role) for org in organisations for role in STAFF_ROLES]
    by_code = {org["code"]: org for org in organisations}
    pairs.append((by_code[OPERATOR_ORGANISATION], OPERATOR_ROLE))
    staff = [_person(i, org, role) for i, (org, role) in enumerate(pairs)]
    if len({person["full_name"] for person in staff}) != len(staff):
        raise ValueError("two people got the same generated name: extend _FAMILY or _GIVEN")
    return staff


def render(staff: list[dict[str, Any]]) -> str:
    """``staff.json``'s exact text (one person a line, Vietnamese unescaped)."""
    lines = ",\n".join("  " + json.dumps(person, ensure_ascii=False) for person in staff)
    return "[\n" + lines + "\n]\n"


def read_staff(path: Path = STAFF_FILE) -> list[dict[str, Any]]:
    staff: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return staff


def main() -> int:
    STAFF_FILE.write_text(render(generate_staff(read_organisations())), encoding="utf-8")
    print(f"wrote {STAFF_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
