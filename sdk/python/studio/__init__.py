"""Python client for the Kaizen Studio API.

    from studio import KaizenClient
    client = KaizenClient(api_key="sk_live_...")
    agents = client.agents.list()
"""

from . import models
from ._async_client import AsyncKaizenClient
from ._client import KaizenClient
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    KaizenError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
    ServiceUnavailableError,
)
from ._version import __version__

__all__ = [
    "KaizenClient",
    "AsyncKaizenClient",
    "models",
    "KaizenError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "PayloadTooLargeError",
    "RateLimitError",
    "InternalServerError",
    "ServiceUnavailableError",
    "RateLimit",
    "__version__",
]
