"""A griffe extension for `make docs`: what griffe's inspector gets wrong about a compiled (pyo3) module.

- A pyo3 class keeps its constructor's signature in the class's `__text_signature__`, while griffe reads parameters
  from `__init__` only: the class is given an `__init__` with that signature, so that the reference shows them.
- A class attribute holding a plain value (an exception's `code = "THROTTLED"`, `FAULTS`) would be shown with the
  docstring of the value's type (`str(object='') -> str`), and a `__slots__` member with the descriptor's repr: both
  are dropped.
- Docstrings are written for Sphinx and for `help()`: a `:class:` role becomes a code span and a `>>>` example a
  fenced block, or Markdown would show the role's text and read `>>>` as a quotation.
"""
import inspect
import re

import griffe


ROLE = re.compile(r":(?:class|meth|attr|func|mod|exc):`~?([^`]+)`")
EXAMPLE = re.compile(r"^(>>> .*(?:\n(?:>>>|\.\.\.) .*)*)", re.M)


def markdown(text: str) -> str:
    """Sphinx roles as code spans (the last part for `~a.b.C`, as Sphinx shows it); doctest blocks fenced."""
    text = ROLE.sub(lambda m: "`" + (m.group(1).rsplit(".", 1)[-1] if m.group(0).count("~") else m.group(1)) + "`",
                    text)
    return EXAMPLE.sub(lambda m: "```pycon\n" + m.group(1) + "\n```", text)


class NativeDocs(griffe.Extension):
    """Constructor signatures of pyo3 classes; no docstrings or values borrowed from a value's type."""

    def on_class_members(self, *, node, cls, agent, **kwargs):
        obj = getattr(node, "obj", None)
        if not inspect.isclass(obj) or not getattr(obj, "__text_signature__", None):
            return
        try:
            signature = inspect.signature(obj)
        except (TypeError, ValueError):
            return
        parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
        for p in signature.parameters.values():
            default = None if p.default is inspect.Parameter.empty else repr(p.default)
            parameters.append(griffe.Parameter(p.name, kind=griffe.ParameterKind(p.kind.description), default=default))
        init = griffe.Function("__init__", parameters=griffe.Parameters(*parameters), parent=cls)
        cls.set_member("__init__", init)

    def on_instance(self, *, node, obj, agent, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)

    def on_attribute_instance(self, *, node, attr, agent, **kwargs):
        obj = getattr(node, "obj", None)
        if obj is None or inspect.isclass(obj) or callable(obj):
            return
        borrowed = vars(type(obj)).get("__doc__")
        if attr.docstring is not None and isinstance(borrowed, str) and attr.docstring.value.strip() == borrowed.strip():
            attr.docstring = None
        if type(obj).__name__ == "member_descriptor":
            attr.value = None
