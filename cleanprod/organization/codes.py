"""Validation of Chinese enterprise identification codes.

Pure functions without database access, so that forms, imports and the API share them.
"""

import re

from django.utils.translation import gettext_lazy as _

# GB 32100-2015 统一社会信用代码: 18 characters from this 31-character set (no I, O, Z, S, V);
# the 18th is a check character computed modulo 31 with the weights below.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB/T 4754-2017 国民经济行业分类: a section letter A–T, optionally followed by the
# division (2 digits), group (3) and class (4 digits), e.g. "C", "C31", "C311", "C3110".
INDUSTRY_CODE_RE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")

PROVINCES: tuple[tuple[str, str], ...] = tuple(
    (name, name)
    for name in (
        "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
        "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
        "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省",
        "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区",
        "台湾省", "香港特别行政区", "澳门特别行政区",
    )
)  # fmt: skip


def uscc_check_character(first17: str) -> str:
    """Compute the check character (18th) of a unified social credit code."""
    total = 0
    for char, weight in zip(first17, USCC_WEIGHTS, strict=True):
        index = USCC_CHARSET.find(char)
        if index < 0:
            raise ValueError(char)
        total += index * weight
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Return a translated description of what is wrong with a code, or None if it is valid."""
    if len(code) != 18:
        return str(_("A unified social credit code has 18 characters; %(count)d given.") % {"count": len(code)})
    bad = [char for char in code if char not in USCC_CHARSET]
    if bad:
        return str(
            _("Character %(char)r is not allowed in a unified social credit code (I, O, Z, S and V never occur).")
            % {"char": bad[0]}
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return str(
            _("The check character is %(given)s but should be %(expected)s; check the code for a typing error.")
            % {"given": code[17], "expected": expected}
        )
    return None


def industry_code_problem(code: str) -> str | None:
    """Return a translated description of what is wrong with a GB/T 4754 code, or None."""
    if INDUSTRY_CODE_RE.match(code):
        return None
    return str(
        _(
            "%(code)r is not a GB/T 4754 industry code: "
            "use a section letter A–T followed by 2, 3 or 4 digits, e.g. C3110."
        )
        % {"code": code}
    )
