"""qdled: a computational twin of a pure-red CsPbI3 quantum-dot LED.

Stages, one subpackage each, data flowing one way:
``synthesis`` -> ``dots`` -> ``binding`` -> ``optics`` -> ``device`` -> ``report``;
``materials`` holds optical constants and material parameters, ``io`` the file formats,
``analysis`` turns a lab's measurements into figures of merit, ``cli`` is the ``qdled`` command.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
