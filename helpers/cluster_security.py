"""Nobody else gets into the course's Dask clusters: TLS with throw-away credentials.

A ``LocalCluster`` without security listens on ``tcp://127.0.0.1:<port>`` and runs whatever pickled
function any local user sends it, as the learner (on a shared lab server or a JupyterHub node another
user's ``Client('tcp://127.0.0.1:<port>').submit(os.getuid)`` got the learner's uid). With
``distributed.Security.temporary()`` the scheduler, workers and client share a fresh self-signed
key and certificate that exist only in this kernel's memory (and its workers'); every connection is
mutual TLS (``distributed/security.py: Security._get_tls_context`` requires the peer's certificate),
so a client without them is refused during the handshake.

* :func:`course_security` -- this process's temporary ``Security`` (made once, ~0.1 s: an RSA key);
* :func:`secure_by_default` -- puts those credentials into Dask's configuration, so that a plain
  ``LocalCluster(...)`` and ``Client(cluster)`` typed in a notebook cell (notebook 17's first
  cluster, the exercise) are secured too: ``LocalCluster(security=None)`` reads ``Security()`` from
  the configuration and picks ``tls://`` when it requires encryption. It does nothing when a
  scheduler address is configured (a real cluster brings its own security) or when ``cryptography``
  (which ``Security.temporary`` needs) is missing.
"""

from __future__ import annotations

import os
from typing import Any

from .engine.machine import importable

_SECURITY: Any = None
#: Dask configuration keys and the :class:`distributed.Security` attributes they come from.
_CONFIG_FIELDS = {
    "distributed.comm.tls.ca-file": "tls_ca_file",
    "distributed.comm.tls.scheduler.cert": "tls_scheduler_cert",
    "distributed.comm.tls.scheduler.key": "tls_scheduler_key",
    "distributed.comm.tls.worker.cert": "tls_worker_cert",
    "distributed.comm.tls.worker.key": "tls_worker_key",
    "distributed.comm.tls.client.cert": "tls_client_cert",
    "distributed.comm.tls.client.key": "tls_client_key",
}


def tls_available() -> bool:
    """True when temporary TLS credentials can be made (``cryptography`` is importable)."""
    return importable("cryptography")


def course_security() -> Any:
    """This process's ``distributed.Security.temporary()``: made on first use, then reused.

    Raises ``ImportError`` with one line saying what to install when ``cryptography`` is missing.
    """
    global _SECURITY
    if _SECURITY is None:
        if not tls_available():
            raise ImportError("The course secures its Dask clusters with TLS, which needs the `cryptography` "
                              "package: `pip install cryptography`, then restart the kernel.")
        from distributed import Security

        _SECURITY = Security.temporary()
    return _SECURITY


def security_settings(security: Any) -> dict[str, Any]:
    """Dask configuration that makes ``Security()`` (no arguments) equal to ``security``."""
    settings: dict[str, Any] = {"distributed.comm.require-encryption": True}
    settings.update({key: getattr(security, field) for key, field in _CONFIG_FIELDS.items()})
    return settings


def secure_by_default() -> bool:
    """Make every cluster and client this process starts from here on use :func:`course_security`.

    Returns True if the defaults were set; False when a scheduler address is configured
    (``DASK_SCHEDULER_ADDRESS``: the real cluster's own security applies) or TLS is unavailable.
    """
    try:
        import dask
    except ImportError:
        return False
    if dask.config.get("scheduler-address", None) or os.environ.get("DASK_SCHEDULER_ADDRESS"):
        return False
    if not tls_available():
        return False
    dask.config.set(security_settings(course_security()))
    return True
