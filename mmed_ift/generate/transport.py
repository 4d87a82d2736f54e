"""The HTTP exchange of one chat completion: POST the JSON, read at most a capped body.

Why not the ``openai`` client for this one call: a build sends it up to hundreds of thousands of
times, and the client's request building (a walk of the arguments against its typed dicts,
header, URL and option models) plus httpx's connection pool (which probes every idle socket on
every request and every response) cost about 3 ms of CPU per request, more than everything else
the generator does per request.  aiohttp parses HTTP in C and pools connections cheaply.  The
``openai`` client still makes the Batch API calls (files, batches: a few per run).

What the caller sees is what it saw from the ``openai`` client: an HTTP error status raises
:class:`HTTPStatusError` with the status, the ``error`` object of the body (``body``), the
headers and ``Error code: N - message`` as its text; a connection that fails before the reply's
headers raises :class:`ConnectionFailed`; a reply whose body breaks off, or is larger than the
cap, raises :class:`~mmed_ift.generate.replies.BadReply`.  Proxies come from the environment
(``HTTPS_PROXY`` ...), as they did; credentials in the URL are sent as basic auth, as they were.
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
from typing import Any

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from mmed_ift.generate.cache import encode
from mmed_ift.generate.replies import BadReply


def request_body(model: str, messages_json: str, params_json: str) -> bytes:
    """The chat completion request, ``{"messages", "model", **params}``, as UTF-8 JSON bytes,
    spliced from the encoded messages and parameters (``params_json`` is an encoded object)."""
    rest = params_json[1:-1]
    return f'{{"messages":{messages_json},"model":{encode(model)}{"," if rest else ""}{rest}}}'.encode()


class HTTPStatusError(Exception):
    """A reply with a status outside 2xx (what the ``openai`` client's ``APIStatusError`` held)."""

    def __init__(self, status_code: int, text: str, headers: Any) -> None:
        self.status_code = status_code
        self.headers = headers
        message = ""
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            parsed = text
        #: the body's ``error`` object when it has one (as the ``openai`` client keeps it)
        self.body = parsed.get("error", parsed) if isinstance(parsed, dict) else parsed
        if isinstance(self.body, dict) and isinstance(self.body.get("message"), str):
            message = self.body["message"]
        super().__init__(f"Error code: {status_code}" + (f" - {message}" if message else ""))


class ConnectionFailed(Exception):
    """No reply: the connection could not be made, or broke before the reply's headers."""

    def __init__(self, cause: BaseException) -> None:
        self.kind = type(cause.__cause__ or cause).__name__
        super().__init__(self.kind)


def _ssl_context() -> ssl.SSLContext:
    """The CA bundle httpx (and so the ``openai`` client) used: certifi's, where installed."""
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi comes with httpx and requests
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class ChatTransport:
    """``POST {base_url}/chat/completions`` over pooled keep-alive connections (one session per
    client; create and close it inside the event loop that uses it)."""

    def __init__(self, base_url: str, api_key: str) -> None:
        url = URL(base_url)
        url = url.with_path(url.path.rstrip("/") + "/chat/completions", keep_query=True)
        headers = {
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if url.user is not None or url.password is not None:
            # as httpx did: credentials in the URL are sent as basic auth, in place of the key
            pair = f"{url.user or ''}:{url.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
            url = url.with_user(None)
        self._url = url
        self._headers = headers
        self._session: aiohttp.ClientSession | None = None
        self._proxy: URL | None = None
        self._proxy_auth: aiohttp.BasicAuth | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            # The proxy (HTTPS_PROXY, NO_PROXY ...) is looked up once here: aiohttp's trust_env
            # would look it up, and read ~/.netrc, in a thread on every request.
            try:
                self._proxy, self._proxy_auth = get_env_proxy_for_url(self._url)
            except LookupError:
                self._proxy, self._proxy_auth = None, None
            secure = self._url.scheme == "https"
            connector = aiohttp.TCPConnector(limit=0, ssl=_ssl_context() if secure else False)
            # no aiohttp deadline: the caller's asyncio.wait_for bounds the whole exchange
            self._session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None))
        return self._session

    async def post(self, body: bytes, max_bytes: int) -> bytes:
        """The reply body to ``body`` (JSON), at most ``max_bytes`` of it."""
        session = self._open()
        try:
            response = await session.post(
                self._url, data=body, headers=self._headers, proxy=self._proxy, proxy_auth=self._proxy_auth
            )
        except (aiohttp.ClientError, OSError) as error:
            raise ConnectionFailed(error) from None
        async with response:
            declared = response.headers.get("Content-Length")
            if response.status >= 300:
                raise HTTPStatusError(response.status, await self._text(response, max_bytes), response.headers)
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise BadReply("body_too_large", f"the reply announces {declared} bytes; the limit is {max_bytes}")
            chunks: list[bytes] = []
            size = 0
            try:
                async for chunk in response.content.iter_any():
                    size += len(chunk)
                    if size > max_bytes:
                        raise BadReply("body_too_large", f"the reply passed {max_bytes} bytes")
                    chunks.append(chunk)
            except (BadReply, asyncio.CancelledError):
                raise
            except Exception as error:  # the connection broke while the body came in
                raise BadReply("connection", f"{type(error).__name__} while reading the reply") from None
        return b"".join(chunks)

    @staticmethod
    async def _text(response: aiohttp.ClientResponse, max_bytes: int) -> str:
        """An error reply's text (its first ``max_bytes``; a broken one reads as what came)."""
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.content.iter_any():
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    break
        except (aiohttp.ClientError, OSError):
            pass
        return b"".join(chunks)[:max_bytes].decode("utf-8", errors="replace")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
