"""Ops copilot: a LangChain agent that support engineers mention in Slack to investigate
tickets ("@copilot why did order 8812 fail to ship?").
"""

from __future__ import annotations

import subprocess

import requests
from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_community.agent_toolkits import FileManagementToolkit, SQLDatabaseToolkit
from langchain_community.tools import ShellTool
from langchain_community.utilities import SQLDatabase
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import BaseTool, tool
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI

from .settings import settings

model = ChatOpenAI(model="gpt-4o", temperature=0)

prompt = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "You are the Acme support ops copilot. Investigate the engineer's question with "
            "your tools, then answer in at most five bullet points, citing ticket ids.",
        ),
        ("human", "{input}"),
        ("placeholder", "{agent_scratchpad}"),
    ]
)


@tool
def service_status(url: str) -> str:
    """Fetch a service's status or health-check page and return its start."""
    return requests.get(url, timeout=10).text[:2000]


@tool
def tail_log(service: str, lines: int = 200) -> str:
    """Return the last lines of a systemd service's journal on the support host."""
    result = subprocess.run(
        f"journalctl -u {service} -n {int(lines)} --no-pager",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout[-8000:]


def build_tools(on_call: bool = False) -> list[BaseTool]:
    """Tools for everyone in #support-eng; on-call engineers also get a shell and Python."""
    database = SQLDatabase.from_uri(settings.database_url)
    tools: list[BaseTool] = [
        service_status,
        tail_log,
        *SQLDatabaseToolkit(db=database, llm=model).get_tools(),
        *FileManagementToolkit(
            selected_tools=["read_file", "list_directory", "file_search"]
        ).get_tools(),
    ]
    if on_call:
        tools += [ShellTool(), PythonREPLTool()]
    return tools


def build_executor(on_call: bool = False) -> AgentExecutor:
    tools = build_tools(on_call)
    agent = create_tool_calling_agent(model, tools, prompt)
    # Investigations can take many steps; the default of 15 cut them off.
    return AgentExecutor(agent=agent, tools=tools, max_iterations=None, handle_parsing_errors=True)


def handle_slack_mention(event: dict[str, str], on_call: bool = False) -> str:
    """Slack `app_mention` handler: run the agent on the message text, return its answer."""
    question = event["text"].split(">", 1)[-1].strip()
    result = build_executor(on_call).invoke({"input": question})
    return str(result["output"])
