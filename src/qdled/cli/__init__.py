"""The ``qdled`` command: a thin layer over the Python API.

Each module here (other than ``main`` and ``_common``) defines ``register(app)`` adding its
command(s); ``main`` discovers them. Modules import heavy libraries inside the command
functions so that ``qdled --help`` stays fast.
"""
