#!/usr/bin/env python3
"""Every public name of the Python package has a docstring: each name in `intune_passcode.__all__`,
`intune_passcode.testing.__all__` and the public methods and properties of their classes. Run by `make docs`
(scripts/docs_site.py) with the package as built; exit 1 names each one missing."""
import inspect
import sys

import intune_passcode
import intune_passcode.testing


def missing() -> list:
    out = []
    for module in (intune_passcode, intune_passcode.testing):
        for name in module.__all__:
            obj = getattr(module, name)
            where = f"{module.__name__}.{name}"
            # Not inspect.getdoc: it would lend a subclass its base class's docstring.
            if not (getattr(obj, "__doc__", None) or "").strip():
                out.append(where)
            # Exception subclasses inherit their attributes from IntunePasscodeError, documented there.
            if inspect.isclass(obj) and not (issubclass(obj, BaseException) and obj is not intune_passcode.IntunePasscodeError):
                for attr, value in vars(obj).items():
                    if attr.startswith("_") or not (callable(value) or isinstance(value, property)
                                                    or type(value).__name__ == "getset_descriptor"):
                        continue
                    if not (getattr(value, "__doc__", None) or "").strip():
                        out.append(f"{where}.{attr}")
    return out


if __name__ == "__main__":
    gaps = missing()
    if gaps:
        print("no docstring: " + ", ".join(gaps), file=sys.stderr)
        sys.exit(1)
    print(f"check_docstrings: every public name of intune_passcode and intune_passcode.testing has a docstring")
