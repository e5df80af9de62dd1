"""drmock: an emulator of the ArcGIS Enterprise on Kubernetes Enterprise Administrator API
(disaster recovery), with its binary inside this package.

- ``drmock ...`` / ``python -m drmock ...`` run the bundled binary (``drmock serve``, ``drmock --help``).
- ``drmock.Server(...)`` starts one for code outside pytest (a context manager).
- The pytest plugin (``drmock_proc``, ``drmock_noproc``, ``drmock_server``, ``drmock``) is loaded by
  pytest on its own (entry point ``pytest11``); docs/clients.md describes it.

Kept light: the console script imports this module before exec'ing the binary, so the client classes
are loaded only when asked for.
"""
try:
    from ._version import __version__
except ImportError:  # a source checkout that scripts/build-wheel has not staged
    __version__ = "0+unknown"

__all__ = ["Server", "RemoteServer", "Context", "DRMockError", "LintUnavailable", "LintReport",
           "binary_path", "fixtures_dir", "__version__"]


def __getattr__(name):
    if name in ("Server", "RemoteServer"):
        from . import server
        return getattr(server, name)
    if name in ("Context", "DRMockError", "LintUnavailable", "LintReport", "LintFinding", "Clock", "Faults"):
        from . import client
        return getattr(client, name)
    if name in ("binary_path", "fixtures_dir"):
        from . import _launcher
        return getattr(_launcher, name)
    raise AttributeError(f"module 'drmock' has no attribute {name!r}")
