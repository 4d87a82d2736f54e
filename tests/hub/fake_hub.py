"""A tiny stand-in for the Hugging Face Hub API, enough for ``create_repo`` + ``create_commit``.

The real huggingface_hub client talks to it over HTTP (``HF_ENDPOINT=http://127.0.0.1:PORT``), so
tests exercise the library's actual request code, not mocks of it.  It answers:

- ``POST /api/repos/create`` and ``POST /api/{type}s/{ns}/{name}/branch/{branch}``
- ``POST /api/validate-yaml`` (called because README.md has YAML front matter)
- ``GET /api/{type}s/{ns}/{name}/tree/{rev}`` (listing remote files, for stale-file deletion)
- ``POST /api/{type}s/{ns}/{name}/preupload/{rev}``: every file is "regular", which keeps LFS and
  xet out of play so file bodies arrive base64-encoded inside the commit
- ``POST /api/{type}s/{ns}/{name}/commit/{rev}``: NDJSON header / file / deletedFile lines
- ``GET /api/{type}s/{ns}/{name}/tree/{rev}/{path}[?recursive=true]`` and ``POST .../paths-info/{rev}``
  (folder listings as ``datasets.load_dataset("owner/name")`` walks them)
- downloads (``snapshot_download``): ``GET /api/{type}s/{ns}/{name}/revision/{rev}`` (repo info
  with the commit sha), the tree listing above by sha, and ``HEAD``/``GET
  /{type}s/{ns}/{name}/resolve/{rev}/{path}`` with ``X-Repo-Commit`` and ``ETag`` headers

Every request is recorded, and the files of each repo and branch are kept, so a test can compare
what arrived byte for byte.  Anything else is answered 404 and recorded, so a test sees it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

RESOLVE_PATH = re.compile(
    r"^/(?P<type>datasets|models|spaces)/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$"
)
REPO_PATH = re.compile(r"^/api/(?P<type>datasets|models|spaces)/(?P<repo>[^/]+/[^/]+)/(?P<action>[\w-]+)/(?P<rest>.+)$")


@dataclass
class Request:
    method: str
    path: str
    authorization: str | None


@dataclass
class Commit:
    repo_id: str
    revision: str
    header: dict[str, Any]
    added: dict[str, bytes]
    deleted: list[str]
    oid: str


@dataclass
class FakeHub:
    """State of the fake Hub; ``start()`` serves it on a free port of 127.0.0.1."""

    requests: list[Request] = field(default_factory=list)
    repos: dict[str, dict[str, Any]] = field(default_factory=dict)
    commits: list[Commit] = field(default_factory=list)
    #: (repo_id, branch) -> path -> bytes
    trees: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None
    #: answer every request with this HTTP status (e.g. 401 for a rejected token)
    refuse_with: int | None = None

    @property
    def endpoint(self) -> str:
        assert self.server is not None, "call start() first"
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            state = hub

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- the endpoints -----------------------------------------------------------------------

    def create_repo(self, body: dict[str, Any]) -> dict[str, Any]:
        repo_id = f"{body['organization']}/{body['name']}" if body.get("organization") else str(body["name"])
        # huggingface_hub 2.x sends "visibility"; older clients sent "private"
        visibility = body.get("visibility") or ("private" if body.get("private") else None)
        self.repos.setdefault(repo_id, {"type": body.get("type"), "visibility": visibility})
        self.trees.setdefault((repo_id, "main"), {})
        return {"url": f"{self.endpoint}/datasets/{repo_id}"}

    def create_branch(self, repo_id: str, branch: str) -> dict[str, Any]:
        self.trees.setdefault((repo_id, branch), dict(self.trees.get((repo_id, "main"), {})))
        return {}

    def put_files(self, repo_id: str, files: dict[str, bytes], branch: str = "main") -> str:
        """Seed a repo with files (as if pushed earlier); returns the commit sha clients will see."""
        self.repos.setdefault(repo_id, {"type": "dataset", "visibility": None})
        self.trees.setdefault((repo_id, branch), {}).update(files)
        return self.sha(repo_id, branch)

    def sha(self, repo_id: str, branch: str) -> str:
        digest = hashlib.sha1(repo_id.encode() + branch.encode())
        for path, data in sorted(self.trees.get((repo_id, branch), {}).items()):
            digest.update(path.encode() + b"\0" + hashlib.sha1(data).digest())
        return digest.hexdigest()

    def branch_of(self, repo_id: str, revision: str) -> str:
        """A branch name, or the branch whose current sha is ``revision``."""
        for repo, branch in self.trees:
            if repo == repo_id and (branch == revision or self.sha(repo, branch) == revision):
                return branch
        return revision

    def repo_info(self, repo_id: str, revision: str) -> dict[str, Any] | None:
        branch = self.branch_of(repo_id, revision)
        if (repo_id, branch) not in self.trees:
            return None
        files = sorted(self.trees[(repo_id, branch)])
        return {
            "id": repo_id,
            "sha": self.sha(repo_id, branch),
            "private": False,
            "siblings": [{"rfilename": f} for f in files],
        }

    def file(self, repo_id: str, revision: str, path: str) -> tuple[bytes, str] | None:
        branch = self.branch_of(repo_id, revision)
        data = self.trees.get((repo_id, branch), {}).get(path)
        return None if data is None else (data, self.sha(repo_id, branch))

    def tree(
        self, repo_id: str, revision: str, folder: str = "", recursive: bool = False
    ) -> list[dict[str, Any]] | None:
        """The Hub's tree listing of ``folder``: files and sub-folders, directly inside it or (with
        ``recursive``) at any depth; ``None`` when the folder does not exist (the Hub answers 404)."""
        files = self.trees.get((repo_id, self.branch_of(repo_id, revision)), {})
        prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
        entries: dict[str, dict[str, Any]] = {}
        for path, data in sorted(files.items()):
            if not path.startswith(prefix):
                continue
            parts = path[len(prefix) :].split("/")
            depth = len(parts) if recursive else 1
            for index in range(min(depth, len(parts) - 1)):
                directory = prefix + "/".join(parts[: index + 1])
                entries.setdefault(directory, {"type": "directory", "path": directory, "oid": _oid(directory)})
            if recursive or len(parts) == 1:
                entries[path] = _file_entry(path, data)
        if prefix and not entries:
            return None
        return [entries[path] for path in sorted(entries)]

    def paths_info(self, repo_id: str, revision: str, paths: list[str]) -> list[dict[str, Any]]:
        """``POST paths-info``: the entry of each path that exists, file or folder."""
        files = self.trees.get((repo_id, self.branch_of(repo_id, revision)), {})
        found: list[dict[str, Any]] = []
        for path in paths:
            path = path.strip("/")
            if path in files:
                found.append(_file_entry(path, files[path]))
            elif any(name.startswith(f"{path}/") for name in files):
                found.append({"type": "directory", "path": path, "oid": _oid(path)})
        return found

    def commit(self, repo_id: str, revision: str, ndjson: bytes) -> dict[str, Any]:
        header: dict[str, Any] = {}
        added: dict[str, bytes] = {}
        deleted: list[str] = []
        for line in ndjson.splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            value = entry["value"]
            if entry["key"] == "header":
                header = value
            elif entry["key"] == "file":
                assert value["encoding"] == "base64", value
                added[value["path"]] = base64.b64decode(value["content"])
            elif entry["key"] == "deletedFile":
                deleted.append(value["path"])
            else:
                raise ValueError(f"unexpected commit line {entry['key']!r}")
        oid = hashlib.sha1(ndjson).hexdigest()
        self.commits.append(Commit(repo_id, revision, header, added, deleted, oid))
        tree = self.trees.setdefault((repo_id, revision), {})
        for path in deleted:
            tree.pop(path, None)
        tree.update(added)
        return {"commitUrl": f"{self.endpoint}/datasets/{repo_id}/commit/{oid}", "commitOid": oid}


def _oid(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _file_entry(path: str, data: bytes) -> dict[str, Any]:
    return {"type": "file", "path": path, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}


class _Handler(BaseHTTPRequestHandler):
    state: FakeHub

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        del format, args

    def _reply(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _record(self) -> str:
        path = urlsplit(self.path).path
        self.state.requests.append(Request(self.command, path, self.headers.get("Authorization")))
        return path

    def _refused(self) -> bool:
        if self.state.refuse_with is None:
            return False
        self._reply(self.state.refuse_with, {"error": "fake hub: refused"})
        return True

    def do_HEAD(self) -> None:
        self._resolve(send_body=False)

    def _resolve(self, send_body: bool) -> None:
        path = self._record()
        if self._refused():
            return
        match = RESOLVE_PATH.match(path)
        found = self.state.file(match["repo"], unquote(match["rev"]), unquote(match["path"])) if match else None
        if found is None:
            self._reply(404, {"error": f"fake hub: no file at {path}"})
            return
        data, sha = found
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Repo-Commit", sha)
        self.send_header("ETag", f'"{hashlib.sha1(data).hexdigest()}"')
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def do_GET(self) -> None:
        if RESOLVE_PATH.match(urlsplit(self.path).path):
            self._resolve(send_body=True)
            return
        path = self._record()
        if self._refused():
            return
        match = REPO_PATH.match(path)
        if match and match["action"] == "tree":
            revision, _, folder = match["rest"].partition("/")
            recursive = parse_qs(urlsplit(self.path).query).get("recursive", ["false"])[0].lower() == "true"
            listing = self.state.tree(match["repo"], unquote(revision), unquote(folder), recursive)
            if listing is not None:
                self._reply(200, listing)
                return
        if match and match["action"] == "revision":
            info = self.state.repo_info(match["repo"], unquote(match["rest"]))
            if info is not None:
                self._reply(200, info)
                return
        self._reply(404, {"error": f"fake hub: no GET {path}"})

    def do_POST(self) -> None:
        path = self._record()
        body = self._body()
        if self._refused():
            return
        match = REPO_PATH.match(path)
        if path == "/api/repos/create":
            self._reply(200, self.state.create_repo(json.loads(body)))
        elif path == "/api/validate-yaml":
            self._reply(200, {"errors": [], "warnings": []})
        elif match and match["action"] == "branch":
            self._reply(200, self.state.create_branch(match["repo"], unquote(match["rest"])))
        elif match and match["action"] == "preupload":
            files = json.loads(body)["files"]
            answer = [{"path": item["path"], "uploadMode": "regular", "shouldIgnore": False} for item in files]
            self._reply(200, {"files": answer})
        elif match and match["action"] == "paths-info":
            paths = parse_qs(body.decode()).get("paths", [])
            self._reply(200, self.state.paths_info(match["repo"], unquote(match["rest"]), paths))
        elif match and match["action"] == "commit":
            self._reply(200, self.state.commit(match["repo"], unquote(match["rest"]), body))
        else:
            self._reply(404, {"error": f"fake hub: no POST {path}"})
