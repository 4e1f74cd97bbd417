"""Example request bodies for intake's API documentation (Swagger UI's "Try it out")."""

from __future__ import annotations

from fastapi.openapi.models import Example

SUBMISSION: dict[str, Example] = {
    "bang-khen-thu-tuong": {
        "summary": "Bằng khen của Thủ tướng for a teacher (the README's example)",
        "description": "A lower secondary school proposes one teacher: seven years rated good, a "
        "provincial Bằng khen and three CSTĐCS titles (Luật TĐKT 2022 Điều 73 k1 điểm b).",
        "value": {
            "submitting_organisation": "AH-DS-TT-THCS",
            "award_code": "BKTTG",
            "proposal_year": 2026,
            "entries": [
                {
                    "kind": "individual",
                    "full_name": "Nguyễn Văn An",
                    "email": "an.nguyen@example.vn",
                    "record": {
                        "ratings": [{"year": year, "rating": "good"} for year in range(2020, 2027)],
                        "awards": [
                            {"award_code": "BANG_KHEN_TINH", "year": 2020, "commendation_type": "cong_trang"},
                            *(
                                {"award_code": "CSTDCS", "year": year, "commendation_type": "cong_trang"}
                                for year in (2022, 2023, 2024)
                            ),
                        ],
                    },
                }
            ],
        },
    }
}
