"""A person's browser on the circle server, for the end-to-end test: urllib with a cookie
jar, forms posted with the CSRF token from the ``csrftoken`` cookie, no proxy."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


@dataclass
class Page:
    status: int
    url: str
    text: str

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path


class Browser:
    """One person's session (their own cookies)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar)
        )

    def _open(self, req: urllib.request.Request) -> Page:
        try:
            with self.opener.open(req, timeout=60) as resp:
                return Page(resp.status, resp.geturl(), resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            return Page(exc.code, exc.geturl(), exc.read().decode("utf-8", "replace"))

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self._url(path)))

    def csrftoken(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def post(self, path: str, fields: dict[str, str], *, form_page: str | None = None) -> Page:
        """Post a form as a browser would: the page first (for the cookie), then the form."""
        if not self.csrftoken() or form_page:
            self.get(form_page or path)
        token = self.csrftoken()
        assert token, f"no csrftoken cookie after opening {form_page or path}"
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        req = urllib.request.Request(self._url(path), data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.base,
            "Referer": self._url(form_page or path),
            "X-CSRFToken": token,
        })
        return self._open(req)

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path
