"""Framework and SDK knowledge the analysis reads from the catalog, not from its code: each
test extends a section from a user table and shows the analysis follow it, against the
shipped catalog alone (which must not)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from llmlint.catalog import load_catalog
from tests.fixture_harness import run_sources

Table = dict[str, list[dict[str, Any]]]


def findings(tmp_path: Path, code: str, rule: str, user: Table | None = None) -> list[int]:
    """The lines `rule` reports in the module `code`, with the shipped catalog extended
    by the user table `user`."""
    found = run_sources(tmp_path, {"app.py": code}, (rule,), load_catalog(user))
    return sorted(f.location.line for f in found if f.code == rule)


def marked(code: str) -> list[int]:
    """The lines of `code` marked `# here`."""
    lines = textwrap.dedent(code).splitlines()
    return [n for n, line in enumerate(lines, start=1) if line.rstrip().endswith("# here")]


# -- [[no-return]] -------------------------------------------------------------------------

LOOP = """
from openai import OpenAI
from acme.web import fail

client = OpenAI()

def serve():
    while True:  # here
        client.chat.completions.create(model="gpt-4o", messages=[], max_tokens=50)
        {stop}
"""


def test_no_return_call_ends_a_loop(tmp_path: Path) -> None:
    code = LOOP.format(stop="fail(500)")
    assert findings(tmp_path / "a", code, "LLM204") == marked(code)
    user = {"no-return": [{"call": "acme.web.fail"}]}
    assert findings(tmp_path / "b", code, "LLM204", user) == []
    shipped = "import sys\n" + LOOP.format(stop="sys.exit(1)")
    assert findings(tmp_path / "c", shipped, "LLM204") == []


BRANCH = """
from flask import Flask, abort, request
from openai import OpenAI
from acme.web import fail

app = Flask(__name__)
client = OpenAI()
MODELS = ("gpt-4o-mini", "gpt-4o")

@app.post("/complete")
def complete():
    model = request.args["m"]
    if model not in MODELS:
        {stop}(400)
    return client.chat.completions.create(model=model, messages=[])  # here
"""


def test_no_return_call_ends_a_branch(tmp_path: Path) -> None:
    code = BRANCH.format(stop="fail")
    assert findings(tmp_path / "a", code, "LLM205") == marked(code)
    user = {"no-return": [{"call": "acme.web.fail"}]}
    assert findings(tmp_path / "b", code, "LLM205", user) == []
    assert findings(tmp_path / "c", BRANCH.format(stop="abort"), "LLM205") == []


# -- [[route-dependency]], [[request-data-type]] -------------------------------------------

ROUTE = """
from typing import Annotated
from fastapi import FastAPI, UploadFile
from openai import OpenAI
from acme.web import Inject, load_profile

app = FastAPI()
client = OpenAI()

@app.post("/chat")
def chat({parameter}):
    content = f"Summarize this profile: {{profile}}"
    return client.chat.completions.create(
        model="gpt-4o", messages=[{{"role": "user", "content": content}}]  # here
    )
"""


def test_route_dependency_is_not_request_data(tmp_path: Path) -> None:
    user = {"route-dependency": [{"call": "acme.web.Inject"}]}
    for n, parameter in enumerate(
        ["profile: str = Inject(load_profile)", "profile: Annotated[str, Inject(load_profile)]"]
    ):
        code = ROUTE.format(parameter=parameter)
        assert findings(tmp_path / f"a{n}", code, "LLM101") == marked(code)
        assert findings(tmp_path / f"b{n}", code, "LLM101", user) == []


def test_request_data_type_is_request_data(tmp_path: Path) -> None:
    code = ROUTE.format(parameter="profile: UploadFile")
    assert findings(tmp_path / "a", code, "LLM101") == []
    user = {"request-data-type": [{"annotation": "fastapi.UploadFile"}]}
    assert findings(tmp_path / "b", code, "LLM101", user) == marked(code)


# -- [[system-key]] ------------------------------------------------------------------------

BODY = """
import json
import boto3
from flask import Flask, request

app = Flask(__name__)
bedrock = boto3.client("bedrock-runtime")

@app.post("/ask")
def ask():
    question = request.json["question"]
    body = json.dumps({"preamble": question, "prompt": "Answer briefly."})
    return bedrock.invoke_model(modelId="m", body=body)  # here
"""


def test_system_key_puts_its_value_in_the_system_role(tmp_path: Path) -> None:
    assert findings(tmp_path / "a", BODY, "LLM102") == []
    user = {"system-key": [{"key": "preamble"}]}
    assert findings(tmp_path / "b", BODY, "LLM102", user) == marked(BODY)


# -- [[web-framework]] ---------------------------------------------------------------------

ACME_ROUTES: Table = {
    "route": [{"decorator": "acme.web.route", "framework": "acme-web"}],
    "route-registration": [
        {"call": "acme.web.register", "view": {"position": 1}, "framework": "acme-web"}
    ],
}
WEB = """
from openai import OpenAI
from acme import web

client = OpenAI()

@web.route("/chat")
def chat():  # here
    return client.responses.create(model="gpt-4o", input="Hello")

class ChatView:
    def answer(self):  # here
        return client.responses.create(model="gpt-4o", input="Hello")

web.register("/view", ChatView)
"""


def test_web_framework_routes_and_view_handlers_answer_requests(tmp_path: Path) -> None:
    assert findings(tmp_path / "a", WEB, "LLM201", ACME_ROUTES) == []
    framework = {"name": "acme-web", "handler-methods": ["answer"]}
    user = {**ACME_ROUTES, "web-framework": [framework]}
    assert findings(tmp_path / "b", WEB, "LLM201", user) == marked(WEB)


INCLUDED = """
from fastapi import APIRouter, Depends, FastAPI
from fastapi_limiter.depends import RateLimiter
from openai import OpenAI

client = OpenAI()
app = FastAPI(dependencies=[Depends(RateLimiter(times=5, seconds=60))])
router = APIRouter()

@router.post("/chat")
def chat():  # here
    return client.responses.create(model="gpt-4o", input="Hello")

app.{method}(router)
"""


def test_web_framework_inclusions_carry_the_parent_limits(tmp_path: Path) -> None:
    code = INCLUDED.format(method="attach")
    assert findings(tmp_path / "a", code, "LLM201") == marked(code)
    user = {"web-framework": [{"name": "fastapi", "inclusions": ["attach"]}]}
    assert findings(tmp_path / "b", code, "LLM201", user) == []
    assert findings(tmp_path / "c", INCLUDED.format(method="include_router"), "LLM201") == []


# -- [[credential-variable]], [[credential-keyword]] ---------------------------------------

KEY = "sk-proj-4fT9qLz2Xw8KpR1nB7vY3mC6dH0jS5aE"


def test_credential_variable_names_a_setting(tmp_path: Path) -> None:
    code = f'ACME_PASSPHRASE = "{KEY}"  # here\nOPENAI_TOKEN = "{KEY}"  # here\n'
    assert findings(tmp_path / "a", code, "LLM105") == marked(code)[1:]
    user = {"credential-variable": [{"regex": "(?i)passphrase$"}]}
    assert findings(tmp_path / "b", code, "LLM105", user) == marked(code)


def test_credential_keyword_names_an_argument(tmp_path: Path) -> None:
    code = f'import acme\n\nacme.connect(acme_secret="{KEY}")  # here\n'
    assert findings(tmp_path / "a", code, "LLM105") == []
    user = {"credential-keyword": [{"suffix": "_SECRET"}]}
    assert findings(tmp_path / "b", code, "LLM105", user) == marked(code)


# -- [[client-timeout]] http-client-keywords -----------------------------------------------

TIMEOUT = """
import httpx
import acme.llm

client = acme.llm.Client(transport=httpx.Client(read_timeout=5))  # here
"""


def test_http_client_keywords_bound_the_client(tmp_path: Path) -> None:
    entry = {"call": "acme.llm.Client", "default": "none", "http-client": ["transport"]}
    plain = {"client-timeout": [entry]}
    assert findings(tmp_path / "a", TIMEOUT, "LLM203", plain) == marked(TIMEOUT)
    keyed = {"client-timeout": [{**entry, "http-client-keywords": ["read_timeout"]}]}
    assert findings(tmp_path / "b", TIMEOUT, "LLM203", keyed) == []
    shipped = "import httpx\nimport openai\n\nopenai.OpenAI(http_client=httpx.Client(timeout=30))\n"
    assert findings(tmp_path / "c", shipped, "LLM203") == []
