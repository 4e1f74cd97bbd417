"""A sample nominee record (not a real person) for the API's example, the demo, the bulk Excel
template and the tests."""

from __future__ import annotations

from typing import Any


def eligible_record(proposal_year: int) -> dict[str, Any]:
    """A teacher who meets Bằng khen của Thủ tướng, Luật TĐKT Điều 73 k1 điểm b: a provincial
    Bằng khen, then at least 5 consecutive years rated good or better with 3 CSTĐCS titles."""
    return {
        "ratings": [{"year": year, "rating": "good"} for year in range(proposal_year - 6, proposal_year + 1)],
        "awards": [
            {"award_code": "BANG_KHEN_TINH", "year": proposal_year - 6, "commendation_type": "cong_trang"},
            *(
                {"award_code": "CSTDCS", "year": year, "commendation_type": "cong_trang"}
                for year in range(proposal_year - 4, proposal_year - 1)
            ),
        ],
    }
