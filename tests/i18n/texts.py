"""What a person reads on a page run by AppTest, and the English words left in it.

:func:`page_texts` walks the whole element tree (main area and sidebar): every string field of
every element's message (titles, markdown, captions, labels, help texts, options, table cells,
expander and tab labels) and the texts of every Plotly figure (titles, axis titles, legend
names, hover templates, annotations, tick labels). :func:`english_words` finds the runs of three
or more ASCII letters that are not names the Chinese course notes keep in Latin letters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

# Names, symbols and units kept as they are in Chinese (see engine/core/locale/GLOSSARY.md).
ALLOWED = {
    # optimizers
    "sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "adamax",
    "nadam", "radam", "amsgrad", "lion", "lamb", "lars", "adabelief", "adafactor", "sophia",
    "schedule", "free", "lookahead", "adan", "yogi", "muon", "sgdw", "prodigy", "shampoo",
    "schedulefree", "adabound", "rprop", "swats", "html",
    # activations
    "relu", "leaky", "prelu", "elu", "selu", "gelu", "silu", "swish", "mish", "tanh", "sigmoid",
    "softplus", "softsign", "hardtanh", "hard", "hardswish", "hardsigmoid", "relu6", "celu",
    "logsigmoid", "glu", "sin", "cos", "exp", "log", "sqrt", "abs", "max", "min", "sign",
    "linear", "identity", "softmax", "arctan", "maxout", "rrelu", "cosh", "sinh", "tan",
    "transformer", "autograd", "mobilenetv3", "he", "dropout", "bce", "irnn",
    # names in citations: Distill, Jozefowicz et al., Madsen, Pascanu et al.
    "distill", "jozefowicz", "madsen", "pascanu", "goodfellow", "hessian", "keskar",
    # networks, losses, data, initialisations, formats, units, devices
    "rnn", "lstm", "gru", "mlp", "mse", "csv", "png", "svg", "url", "gpu", "cpu", "cuda",
    "xavier", "glorot", "kaiming", "lecun", "orthogonal", "pytorch", "torch", "optim", "mnist",
    "latex", "plotly", "streamlit", "english", "rosenbrock", "himmelblau", "beale", "rastrigin",
    "booth", "ackley", "matyas", "goldstein", "price", "styblinski", "tang", "six", "hump",
    "camel", "levi", "easom", "bohachevsky", "mccormick", "schaffer", "eggholder", "sphere",
    "quadratic", "digits", "moons", "circles", "spiral", "xor", "blobs", "pca", "nan", "inf",
    "eps", "beta", "betas", "alpha", "lambda", "gamma", "rho", "delta", "sigma", "theta", "mu",
    "nabla", "partial", "frac", "cdot", "odot", "mathrm", "text", "left", "right", "sum", "top",
}  # fmt: skip

FIGURE_TEXT_KEYS = {"text", "name", "hovertemplate", "texttemplate", "ticktext", "label"}
ELEMENT_TEXT_KEYS = {"body", "label", "help", "options", "caption", "title", "text", "placeholder"}
_PLACEHOLDER = re.compile(r"%\{[^}]*\}|\{[^}]*\}")  # hover template fields, format fields
_TAG = re.compile(r"<[^>]*>")
_LATEX = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
_ICON = re.compile(r":material/[a-z_]+:|:[a-z_]+:")
_URL = re.compile(r"https?://\S+|[\w/.-]*\?[\w=&,.%-]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*")


def _strings(value, keys: set[str] | None = None, skip: set[str] = frozenset(), under: str = ""):
    """Every string inside ``value``; with ``keys``, only those under one of those keys."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in skip or key in ("bdata", "dtype", "shape"):
                continue
            yield from _strings(item, keys, skip, key if keys is None or key in keys else under)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, keys, skip, under)
    elif isinstance(value, str) and (keys is None or under in keys):
        yield value


def _figure_texts(spec: dict) -> Iterator[str]:
    yield from _strings(spec.get("layout", {}), FIGURE_TEXT_KEYS | {"title"})
    for trace in spec.get("data", []):
        yield from _strings(trace, FIGURE_TEXT_KEYS | {"title", "customdata"})
    for frame in spec.get("frames", []) or []:
        yield from _strings(frame, FIGURE_TEXT_KEYS | {"title"})


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def page_texts(at: AppTest) -> list[str]:
    """Every text of the page (both areas), figures included."""
    texts: list[str] = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if getattr(node, "type", "") == "plotly_chart":
            texts.extend(_figure_texts(json.loads(proto.spec)))
            continue
        if getattr(node, "type", "") in ("code", "latex"):
            continue  # a link, a formula: not words
        as_dict = MessageToDict(proto)
        texts.extend(_strings(as_dict, ELEMENT_TEXT_KEYS))
        if getattr(node, "type", "") in ("dataframe", "table"):
            frame = node.value
            texts.extend(str(c) for c in frame.columns)
            texts.extend(str(v) for v in frame.to_numpy().ravel() if isinstance(v, str))
    return texts


def english_words(texts: list[str], allowed: set[str] = frozenset()) -> list[str]:
    """The runs of 3+ ASCII letters left once symbols, formulas, markup and names are removed."""
    left = []
    for text in texts:
        text = _LATEX.sub(" ", text)
        text = _URL.sub(" ", _ICON.sub(" ", _TAG.sub(" ", _PLACEHOLDER.sub(" ", text))))
        for word in _WORD.findall(text):
            letters = re.sub(r"[^A-Za-z]", "", word)
            lowered = word.lower()
            if len(letters) < 3 or lowered in ALLOWED or lowered in allowed:
                continue
            left.append(word)
    return sorted(set(left))
