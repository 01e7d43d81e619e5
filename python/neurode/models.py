"""Every built-in model of neurode, as a class named after its Rust struct.

A model instance holds parameter values in the model's declared units (the units are in each
class's docstring: ``help(neurode.models.AdEx)``); a parameter not given keeps its default::

    lif = neurode.models.Lif(tau=20.0, V_th=-50.0)   # ms, mV
    adex = neurode.models.AdEx.preset("tonic", a=2.0)

Names are checked when the instance is made: an unknown parameter raises ``KeyError`` listing
the model's parameters. Values are checked by the runtime when the model is added to a network
(``ValueError`` naming the object, the parameter and the value).
"""

import re

from . import _neurode

__all__ = []  # filled below, one name per model

_PRESETS = {
    "AdEx": ("tonic", "adapting", "initial_burst", "bursting", "irregular"),
    "Izhikevich": ("rs", "ib", "ch", "fs", "lts"),
}


class Model:
    """A built-in model with parameter values (see the subclass's docstring)."""

    #: The model's static description (name, kind, parameters, states, equations).
    info: dict = {}

    def __init__(self, **params):
        known = {p["name"] for p in self.info["params"]}
        for name in params:
            if name not in known:
                raise KeyError(
                    f"model `{self.info['name']}` has no parameter `{name}`; "
                    f"its parameters: {', '.join(p['name'] for p in self.info['params'])}"
                )
        self.params = {k: float(v) for k, v in params.items()}
        self.preset_name = None

    @classmethod
    def defaults(cls):
        """The parameters' default values, by name, in their declared units."""
        return {p["name"]: p["default"] for p in cls.info["params"]}

    @classmethod
    def variables(cls):
        """The stored variables (states, expressions, per-element parameters), by name, with
        their units."""
        return {s["name"]: s["unit"] for s in cls.info["states"]}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        head = f"{type(self).__name__}.preset({self.preset_name!r}" if self.preset_name else None
        if head:
            return f"{head}{', ' + args if args else ''})"
        return f"{type(self).__name__}({args})"


class NeuronModel(Model):
    """A neuron model (``#[neuron]``)."""


class SynapseModel(Model):
    """A synapse model (``#[synapse]``)."""


def _preset(cls, name, **params):
    """The model with the parameters of preset `name`, then `params` set over them."""
    presets = _PRESETS[cls.__name__]
    if name not in presets:
        raise ValueError(
            f"`{cls.__name__}` has no preset `{name}`; its presets: {', '.join(presets)}"
        )
    model = cls(**params)
    model.preset_name = name
    return model


def _plain(doc):
    """A doc comment without rustdoc's link targets: ``[`Ampa`](crate::Ampa)`` and
    ``[`Ampa`]`` become ``Ampa``."""
    doc = re.sub(r"\[`([^`\]]*)`\]\([^)]*\)", r"\1", doc)
    return re.sub(r"\[`([^`\]]*)`\]", r"\1", doc)


def _docstring(info):
    """The model's documentation as ``neurode describe`` prints it: the doc comment, then the
    parameters with defaults and units, the variables with their equations, the spike rules."""
    lines = [_plain(info["doc"]).strip(), ""]
    lines.append("Parameters (keyword arguments, in the declared units):")
    for p in info["params"]:
        per = ", per element" if p["per_element"] else ""
        doc = f"  {p['doc'].strip()}" if p["doc"].strip() else ""
        lines.append(f"    {p['name']} = {p['default']:g} {p['unit']}{per}.{doc}")
    lines.append("")
    lines.append("Variables (for set, get and record):")
    for s in info["states"]:
        what = "expression" if s["derived"] else "state"
        lines.append(f"    {s['name']} [{s['unit']}], {what}, initially {s['init']}")
        if s["ode"]:
            lines.append(f"        d{s['name']}/dt = {s['ode']}")
        for e in s["events"]:
            lines.append(f"        {e}")
        if s["held"]:
            lines.append("        held while refractory")
    if info["threshold"]:
        lines.append("")
        lines.append(f"Threshold: {info['threshold']}")
        if info["reset"]:
            lines.append(f"Reset: {'; '.join(info['reset'])}")
        if info["refractory"]:
            lines.append(f"Refractory period: {info['refractory']} ms")
    if info["rules_pre"] or info["rules_post"]:
        lines.append("")
        for r in info["rules_pre"]:
            lines.append(f"On a presynaptic spike: {r}")
        for r in info["rules_post"]:
            lines.append(f"On a postsynaptic spike: {r}")
    lines.append("")
    lines.append(
        f"Integration: {info['method']} (supported: {', '.join(info['methods'])})."
    )
    if info["name"] in _PRESETS:
        lines.append(f"Presets: {', '.join(_PRESETS[info['name']])} (Model.preset(name)).")
    return "\n".join(lines)


def _make(info):
    base = NeuronModel if info["kind"] == "neuron" else SynapseModel
    attrs = {"info": info, "__doc__": _docstring(info), "__module__": __name__}
    if info["name"] in _PRESETS:
        attrs["preset"] = classmethod(_preset)
    return type(info["name"], (base,), attrs)


#: Every model class by name, in the catalog's order (neurons first).
MODELS = {}
for _info in _neurode.models():
    if _info["name"] in ("PoissonSource", "SpikeTrain"):
        continue  # sources are added with Network.add_poisson_source / add_spike_train
    _cls = _make(_info)
    MODELS[_info["name"]] = _cls
    globals()[_info["name"]] = _cls
    __all__.append(_info["name"])
del _info, _cls
