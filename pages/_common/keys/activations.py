"""URL fields of the Activation explorer (prefix ``act_``): one field per widget."""

from __future__ import annotations

from dataclasses import dataclass

from engine.activations import MAX_PIECES, get, names
from pages._common.state import (
    BoolField,
    Field,
    FloatField,
    IntField,
    MultiChoiceField,
    PointField,
    TextField,
    link_number,
)

X_LIMIT = 20.0  # the x-range slider spans [-X_LIMIT, X_LIMIT]
MAX_DEPTH = 50


@dataclass(frozen=True)
class RangeField(PointField):
    """A (lo, hi) pair clamped into [low, high]; an empty range is refused (default kept)."""

    low: float = -X_LIMIT
    high: float = X_LIMIT

    def decode(self, text: str) -> tuple[float, float]:
        # Rounded as the link writes them, so that a range that is empty there
        # ("1.0000001,1.0000002" is "1,1") is refused here, and not on the link's next visit.
        lo, hi = (
            float(link_number(min(max(v, self.low), self.high))) for v in super().decode(text)
        )
        if not lo < hi:
            raise ValueError(text)
        return (lo, hi)


SELECTED = MultiChoiceField("act_sel", ["sigmoid", "tanh", "relu", "gelu"], choices=tuple(names()))
SHOW_F = BoolField("act_f", True)
SHOW_DF = BoolField("act_df", True)
SHOW_D2F = BoolField("act_d2f", False)
X_RANGE = RangeField("act_x", (-6.0, 6.0))
CUSTOM = TextField("act_custom", "")
MU = FloatField("act_mu", 0.0, low=-5.0, high=5.0)
SIGMA = FloatField("act_sigma", 1.0, low=0.1, high=5.0)
DEPTH = IntField("act_depth", 30, low=1, high=MAX_DEPTH)

# Scalar parameters of every catalogue activation: act_<name>_<param>.
PARAMS: dict[str, tuple[FloatField, ...]] = {
    name: tuple(
        FloatField(f"act_{name}_{s.name}", float(s.default), low=s.low, high=s.high)
        for s in get(name).param_specs
    )
    for name in names()
    if name != "maxout"
}
PARAMS = {name: fields for name, fields in PARAMS.items() if fields}

# Maxout: k and the pieces a_i x + b_i. The first three default to the catalogue's |x|-like
# shape; the others to 0x - 1, which lies under piece 2 and so changes nothing until edited.
_A0, _B0 = get("maxout").params["slopes"], get("maxout").params["intercepts"]
MAXOUT_K = IntField("act_maxout_k", len(_A0), low=1, high=MAX_PIECES)
MAXOUT_SLOPES = tuple(
    FloatField(f"act_maxout_a{i}", _A0[i] if i < len(_A0) else 0.0, low=-3.0, high=3.0)
    for i in range(MAX_PIECES)
)
MAXOUT_INTERCEPTS = tuple(
    FloatField(f"act_maxout_b{i}", _B0[i] if i < len(_B0) else -1.0, low=-3.0, high=3.0)
    for i in range(MAX_PIECES)
)

FIELDS: tuple[Field, ...] = (
    SELECTED, SHOW_F, SHOW_DF, SHOW_D2F, X_RANGE, CUSTOM, MU, SIGMA, DEPTH,
    *(f for fields in PARAMS.values() for f in fields),
    MAXOUT_K, *MAXOUT_SLOPES, *MAXOUT_INTERCEPTS,
)  # fmt: skip
