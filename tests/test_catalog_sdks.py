"""The shipped catalog recognizes SDK calls as users write them.

Each case is a short snippet (imports, client construction, the call) and the catalog
entries its target call must match: LLM call sites by provider and API, sinks by rule and
by the argument text their `args` point at (a wrong position would point elsewhere). Only
catalog matching is tested here, not taint: `subprocess.run(["ls"])` matches a sink entry.
The target call is the last one whose callee is written as given.
"""

from __future__ import annotations

import re

import libcst as cst
import pytest

from llmlint.analysis.module import CallSite, ModuleModel, matching_calls
from llmlint.catalog import load_catalog
from llmlint.catalog.schema import LLMCall, Sink, ToolClass, ToolDecorator, ToolRegistration
from llmlint.source import LineIndex

CATALOG = load_catalog()


def model_of(code: str) -> ModuleModel:
    tree = cst.parse_module(code)
    return ModuleModel(
        tree,
        path="m.py",
        module_name="m",
        is_package=False,
        lines=LineIndex.of(code),
        catalog=CATALOG,
    )


def call_of(model: ModuleModel, written: str) -> CallSite:
    found = [call for call in model.calls if call.callee_text == written]
    assert found, f"no call written {written!r}"
    return found[-1]


def llm_entries(code: str, written: str) -> list[LLMCall]:
    model = model_of(code)
    target = call_of(model, written)
    return [e for call, e in matching_calls(model, CATALOG.index(LLMCall)) if call is target]


def sink_entries(code: str, written: str) -> tuple[CallSite, list[Sink]]:
    model = model_of(code)
    target = call_of(model, written)
    entries = [e for call, e in matching_calls(model, CATALOG.index(Sink)) if call is target]
    return target, entries


OPENAI = "from openai import OpenAI\nclient = OpenAI()\n"
ANTHROPIC = "from anthropic import Anthropic\nclient = Anthropic()\n"
GENAI = "from google import genai\nclient = genai.Client()\n"
GEMINI = "import google.generativeai as genai\nmodel = genai.GenerativeModel('gemini-pro')\n"
CHAT_OPENAI = "from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model='gpt-4o')\n"
BEDROCK = "import boto3\nbedrock = boto3.client('bedrock-runtime')\n"
ASYNC = "async def f():\n    return await "
LI_INDEX = (
    "from llama_index.core import SimpleDirectoryReader, VectorStoreIndex\n"
    "docs = SimpleDirectoryReader('data').load_data()\n"
    "index = VectorStoreIndex.from_documents(docs)\n"
)

# fmt: off
# (snippet, callee as written, provider, api)
LLM_CASES = [
    # OpenAI
    (OPENAI + "client.chat.completions.create(model='gpt-4o', messages=m)",
     "client.chat.completions.create", "openai", "chat.completions"),
    ("import openai as oa\nclient = oa.AsyncOpenAI()\n"
     + ASYNC + "client.chat.completions.create(model='x', messages=m)",
     "client.chat.completions.create", "openai", "chat.completions"),
    ("import openai\nclient = openai.Client()\n"
     "client.chat.completions.create(model='x', messages=m)",
     "client.chat.completions.create", "openai", "chat.completions"),
    (OPENAI + "client.chat.completions.parse(model='x', messages=m, response_format=A)",
     "client.chat.completions.parse", "openai", "chat.completions"),
    (OPENAI + "client.beta.chat.completions.parse(model='x', messages=m, response_format=A)",
     "client.beta.chat.completions.parse", "openai", "chat.completions"),
    (OPENAI + "with client.beta.chat.completions.stream(model='x', messages=m) as s:\n    pass",
     "client.beta.chat.completions.stream", "openai", "chat.completions"),
    (OPENAI + "r = client.responses.create(model='gpt-4.1', input='hi')",
     "client.responses.create", "openai", "responses"),
    (OPENAI + "with client.responses.stream(model='x', input='hi') as s:\n    pass",
     "client.responses.stream", "openai", "responses"),
    (OPENAI + "client.responses.parse(model='x', input='hi', text_format=A)",
     "client.responses.parse", "openai", "responses"),
    (OPENAI + "client.completions.create(model='gpt-3.5-turbo-instruct', prompt=p)",
     "client.completions.create", "openai", "completions"),
    (OPENAI + "client.embeddings.create(model='text-embedding-3-small', input=t)",
     "client.embeddings.create", "openai", "embeddings"),
    (OPENAI + "client.with_options(timeout=5).chat.completions.create(model='x', messages=m)",
     "client.with_options(timeout=5).chat.completions.create", "openai", "chat.completions"),
    ("from openai import OpenAI\n"
     "class Bot:\n"
     "    def __init__(self):\n"
     "        self.client = OpenAI()\n"
     "    def ask(self, m):\n"
     "        return self.client.chat.completions.create(model='x', messages=m)",
     "self.client.chat.completions.create", "openai", "chat.completions"),
    ("import openai\nopenai.api_key = key\n"
     "openai.chat.completions.create(model='x', messages=m)",
     "openai.chat.completions.create", "openai", "chat.completions"),
    ("from openai import AzureOpenAI\nclient = AzureOpenAI(azure_endpoint=e, api_version=v)\n"
     "client.chat.completions.create(model='deployment', messages=m)",
     "client.chat.completions.create", "azure-openai", "chat.completions"),
    ("import openai\nopenai.ChatCompletion.create(model='gpt-3.5-turbo', messages=m)",
     "openai.ChatCompletion.create", "openai", "chat.completions"),
    ("import openai\n" + ASYNC + "openai.Completion.acreate(model='x', prompt=p)",
     "openai.Completion.acreate", "openai", "completions"),
    # Anthropic
    (ANTHROPIC + "client.messages.create(model='claude', max_tokens=100, messages=m)",
     "client.messages.create", "anthropic", "messages"),
    ("from anthropic import AsyncAnthropic\nclient = AsyncAnthropic()\n"
     "async def f(m):\n"
     "    async with client.messages.stream(model='x', max_tokens=9, messages=m) as s:\n"
     "        return await s.get_final_message()",
     "client.messages.stream", "anthropic", "messages"),
    (ANTHROPIC + "client.beta.messages.create(model='x', max_tokens=9, messages=m, betas=b)",
     "client.beta.messages.create", "anthropic", "messages"),
    (ANTHROPIC + "client.completions.create(model='claude-2', max_tokens_to_sample=9, prompt=p)",
     "client.completions.create", "anthropic", "completions"),
    (ANTHROPIC + "client.messages.count_tokens(model='x', messages=m)",
     "client.messages.count_tokens", "anthropic", "messages.count_tokens"),
    ("import anthropic\nclient = anthropic.AnthropicBedrock(aws_region='us-east-1')\n"
     "client.messages.create(model='anthropic.claude-3', max_tokens=9, messages=m)",
     "client.messages.create", "aws-bedrock", "messages"),
    ("from anthropic import AnthropicVertex\nclient = AnthropicVertex(region=r, project_id=p)\n"
     "client.messages.create(model='claude', max_tokens=9, messages=m)",
     "client.messages.create", "google-vertex", "messages"),
    # Google Gen AI, Generative AI, Vertex AI
    (GENAI + "client.models.generate_content(model='gemini-2.0-flash', contents='hi')",
     "client.models.generate_content", "google", "generate_content"),
    (GENAI + "for chunk in client.models.generate_content_stream(model='x', contents=c):\n"
     "    pass",
     "client.models.generate_content_stream", "google", "generate_content"),
    (GENAI + ASYNC + "client.aio.models.generate_content(model='x', contents=c)",
     "client.aio.models.generate_content", "google", "generate_content"),
    (GENAI + "chat = client.chats.create(model='gemini-2.0-flash')\nchat.send_message('hi')",
     "chat.send_message", "google", "send_message"),
    (GEMINI + "model.generate_content('hi')",
     "model.generate_content", "google", "generate_content"),
    (GEMINI + ASYNC + "model.generate_content_async('hi')",
     "model.generate_content_async", "google", "generate_content"),
    (GEMINI + "chat = model.start_chat()\nchat.send_message('hi')",
     "chat.send_message", "google", "send_message"),
    ("from vertexai.generative_models import GenerativeModel\n"
     "GenerativeModel('gemini-1.5-pro').generate_content('hi')",
     "GenerativeModel('gemini-1.5-pro').generate_content", "google-vertex", "generate_content"),
    ("from vertexai.preview.generative_models import GenerativeModel\n"
     "model = GenerativeModel('gemini-1.5-pro')\nmodel.generate_content('hi')",
     "model.generate_content", "google-vertex", "generate_content"),
    ("from vertexai.language_models import TextGenerationModel\n"
     "model = TextGenerationModel.from_pretrained('text-bison')\nmodel.predict('hi')",
     "model.predict", "google-vertex", "predict"),
    ("from vertexai.language_models import ChatModel\n"
     "chat = ChatModel.from_pretrained('chat-bison').start_chat()\nchat.send_message('hi')",
     "chat.send_message", "google-vertex", "send_message"),
    # Cohere, Mistral, Groq, Together
    ("import cohere\nco = cohere.Client()\nco.chat(message='hi', model='command-r')",
     "co.chat", "cohere", "chat"),
    ("import cohere\nco = cohere.ClientV2()\nco.chat(model='command-r', messages=m)",
     "co.chat", "cohere", "chat"),
    ("import cohere\nco = cohere.AsyncClient()\n" + ASYNC + "co.generate(prompt=p)",
     "co.generate", "cohere", "generate"),
    ("import cohere\nco = cohere.Client()\nco.embed(texts=t, model='embed-english-v3.0')",
     "co.embed", "cohere", "embed"),
    ("from mistralai import Mistral\nclient = Mistral(api_key=k)\n"
     "client.chat.complete(model='mistral-large-latest', messages=m)",
     "client.chat.complete", "mistral", "chat"),
    ("from mistralai.client import Mistral\nclient = Mistral(api_key=k)\n"
     "client.chat.stream(model='x', messages=m)",
     "client.chat.stream", "mistral", "chat"),
    ("from mistralai.client import MistralClient\nclient = MistralClient(api_key=k)\n"
     "client.chat(model='mistral-tiny', messages=m)",
     "client.chat", "mistral", "chat"),
    ("from groq import Groq\nclient = Groq()\n"
     "client.chat.completions.create(model='x', messages=m)",
     "client.chat.completions.create", "groq", "chat.completions"),
    ("from together import Together\nclient = Together()\n"
     "client.chat.completions.create(model='x', messages=m)",
     "client.chat.completions.create", "together", "chat.completions"),
    # LiteLLM, Ollama, Replicate
    ("import litellm\nlitellm.completion(model='gpt-4o', messages=m)",
     "litellm.completion", "litellm", "completion"),
    ("from litellm import acompletion\n" + ASYNC + "acompletion('x', m)",
     "acompletion", "litellm", "completion"),
    ("import litellm\nlitellm.text_completion(prompt=p, model='x')",
     "litellm.text_completion", "litellm", "text_completion"),
    ("from litellm import Router\nrouter = Router(model_list=ml)\n"
     "router.completion(model='x', messages=m)",
     "router.completion", "litellm", "completion"),
    ("import ollama\nollama.chat(model='llama3', messages=m)",
     "ollama.chat", "ollama", "chat"),
    ("import ollama\nollama.generate(model='llama3', prompt=p)",
     "ollama.generate", "ollama", "generate"),
    ("from ollama import Client\nclient = Client(host=h)\nclient.chat(model='x', messages=m)",
     "client.chat", "ollama", "chat"),
    ("from ollama import AsyncClient\n" + ASYNC + "AsyncClient().chat('x', m)",
     "AsyncClient().chat", "ollama", "chat"),
    ("import replicate\nreplicate.run('meta/llama-2-70b-chat', input={'prompt': p})",
     "replicate.run", "replicate", "run"),
    # Amazon Bedrock
    (BEDROCK + "bedrock.invoke_model(modelId='anthropic.claude-v2', body=b)",
     "bedrock.invoke_model", "aws-bedrock", "invoke_model"),
    (BEDROCK + "bedrock.invoke_model_with_response_stream(modelId='x', body=b)",
     "bedrock.invoke_model_with_response_stream", "aws-bedrock", "invoke_model"),
    (BEDROCK + "bedrock.converse(modelId='x', messages=m)",
     "bedrock.converse", "aws-bedrock", "converse"),
    ("import boto3\nsession = boto3.Session(profile_name='dev')\n"
     "client = session.client('bedrock-runtime')\n"
     "client.converse_stream(modelId='x', messages=m)",
     "client.converse_stream", "aws-bedrock", "converse"),
    ("import boto3\nclient = boto3.session.Session().client('bedrock-runtime')\n"
     "client.converse(modelId='x', messages=m)",
     "client.converse", "aws-bedrock", "converse"),
    # Hugging Face, vLLM
    ("from huggingface_hub import InferenceClient\nclient = InferenceClient()\n"
     "client.chat_completion(messages=m, model='x')",
     "client.chat_completion", "huggingface", "chat_completion"),
    ("from huggingface_hub import AsyncInferenceClient\nclient = AsyncInferenceClient()\n"
     + ASYNC + "client.chat.completions.create(model='x', messages=m)",
     "client.chat.completions.create", "huggingface", "chat_completion"),
    ("from huggingface_hub import InferenceClient\nInferenceClient('x').text_generation(p)",
     "InferenceClient('x').text_generation", "huggingface", "text_generation"),
    ("from transformers import pipeline\n"
     "generator = pipeline('text-generation', model='gpt2')\nout = generator('Hello')",
     "generator", "huggingface", "pipeline"),
    ("from transformers import AutoModelForCausalLM\n"
     "model = AutoModelForCausalLM.from_pretrained('gpt2')\nids = model.generate(**inputs)",
     "model.generate", "huggingface", "generate"),
    ("from vllm import LLM, SamplingParams\nllm = LLM(model='x')\n"
     "outputs = llm.generate(prompts, SamplingParams(temperature=0))",
     "llm.generate", "vllm", "generate"),
    ("from vllm import LLM\nllm = LLM(model='x')\nllm.chat(messages)",
     "llm.chat", "vllm", "chat"),
    # LangChain and LangGraph
    (CHAT_OPENAI + "llm.invoke('hi')", "llm.invoke", "openai", "invoke"),
    (CHAT_OPENAI + ASYNC + "llm.ainvoke('hi')", "llm.ainvoke", "openai", "invoke"),
    (CHAT_OPENAI + "for chunk in llm.stream('hi'):\n    pass", "llm.stream", "openai", "stream"),
    (CHAT_OPENAI + "llm.batch(['a', 'b'])", "llm.batch", "openai", "batch"),
    (CHAT_OPENAI + "llm('hi')", "llm", "openai", "call"),
    (CHAT_OPENAI
     + "from langchain_core.prompts import ChatPromptTemplate\n"
     "from langchain_core.output_parsers import StrOutputParser\n"
     "prompt = ChatPromptTemplate.from_messages([('user', '{q}')])\n"
     "chain = prompt | llm | StrOutputParser()\n"
     "chain.invoke({'q': q})",
     "chain.invoke", "openai", "invoke"),
    (CHAT_OPENAI + "structured = llm.with_structured_output(Answer)\nstructured.invoke('hi')",
     "structured.invoke", "openai", "invoke"),
    (CHAT_OPENAI + "llm.bind_tools([search]).invoke('hi')",
     "llm.bind_tools([search]).invoke", "openai", "invoke"),
    ("from langchain_anthropic import ChatAnthropic\nllm = ChatAnthropic(model='claude')\n"
     "llm.invoke('hi')",
     "llm.invoke", "anthropic", "invoke"),
    ("from langchain_google_genai import ChatGoogleGenerativeAI\n"
     "llm = ChatGoogleGenerativeAI(model='gemini-pro')\nllm.invoke('hi')",
     "llm.invoke", "google", "invoke"),
    ("from langchain_aws import ChatBedrockConverse\nllm = ChatBedrockConverse(model='x')\n"
     "llm.invoke('hi')",
     "llm.invoke", "aws-bedrock", "invoke"),
    ("from langchain_community.chat_models import ChatOllama\n"
     "llm = ChatOllama(model='llama3')\nllm.invoke('hi')",
     "llm.invoke", "langchain", "invoke"),
    ("from langchain_community.llms import Ollama\nllm = Ollama(model='llama3')\nllm('hi')",
     "llm", "langchain", "call"),
    ("from langchain.chat_models import ChatOpenAI\nchat = ChatOpenAI()\nchat.predict('hi')",
     "chat.predict", "langchain", "predict"),
    ("from langchain.llms import OpenAI\nllm = OpenAI()\nllm.generate(['hi'])",
     "llm.generate", "langchain", "generate"),
    ("from langchain.chat_models import init_chat_model\n"
     "model = init_chat_model('gpt-4o', model_provider='openai')\nmodel.invoke('hi')",
     "model.invoke", "langchain", "invoke"),
    ("from langchain.chains import LLMChain\nchain = LLMChain(llm=llm, prompt=prompt)\n"
     "chain.run(q)",
     "chain.run", "langchain", "run"),
    ("from langchain.chains import RetrievalQA\n"
     "qa = RetrievalQA.from_chain_type(llm, retriever=r)\nqa({'query': q})",
     "qa", "langchain", "call"),
    ("from langchain.agents import AgentExecutor\n"
     "executor = AgentExecutor(agent=agent, tools=tools)\nexecutor.invoke({'input': q})",
     "executor.invoke", "langchain", "invoke"),
    ("from langchain.agents import initialize_agent\nagent = initialize_agent(tools, llm)\n"
     "agent.run(q)",
     "agent.run", "langchain", "run"),
    ("from langchain.agents import create_agent\n"
     "agent = create_agent('openai:gpt-4o', tools=[f])\nagent.invoke({'messages': m})",
     "agent.invoke", "langchain", "invoke"),
    ("from langchain_community.agent_toolkits import create_sql_agent\n"
     "agent = create_sql_agent(llm, db=db)\nagent.run(q)",
     "agent.run", "langchain", "run"),
    ("from langgraph.graph import StateGraph\nbuilder = StateGraph(State)\n"
     "builder.add_node('chat', chat)\ngraph = builder.compile()\n"
     "graph.invoke({'messages': m})",
     "graph.invoke", "langgraph", "invoke"),
    ("from langgraph.graph import StateGraph\n"
     "graph = StateGraph(State).add_node('a', a).add_edge('a', 'b').compile()\n"
     "graph.stream({'messages': m})",
     "graph.stream", "langgraph", "stream"),
    ("from langgraph.prebuilt import create_react_agent\n"
     "agent = create_react_agent(model, tools)\nagent.invoke({'messages': m})",
     "agent.invoke", "langgraph", "invoke"),
    # LlamaIndex
    ("from llama_index.llms.openai import OpenAI\nllm = OpenAI(model='gpt-4o')\n"
     "llm.complete('hi')",
     "llm.complete", "llama-index", "complete"),
    ("from llama_index.llms.anthropic import Anthropic\nllm = Anthropic()\nllm.chat(messages)",
     "llm.chat", "llama-index", "chat"),
    (LI_INDEX + "query_engine = index.as_query_engine()\nresponse = query_engine.query(q)",
     "query_engine.query", "llama-index", "query"),
    ("from llama_index.core import VectorStoreIndex\nindex = VectorStoreIndex(nodes)\n"
     "chat_engine = index.as_chat_engine()\nchat_engine.chat(q)",
     "chat_engine.chat", "llama-index", "chat"),
    ("from llama_index.core import Settings\nSettings.llm.complete(p)",
     "Settings.llm.complete", "llama-index", "complete"),
    ("from llama_index.core.query_engine import RetrieverQueryEngine\n"
     "engine = RetrieverQueryEngine.from_args(retriever)\nengine.query(q)",
     "engine.query", "llama-index", "query"),
    ("from llama_index.core.agent.workflow import FunctionAgent\n"
     "agent = FunctionAgent(tools=[f], llm=llm)\n" + ASYNC + "agent.run(user_msg=q)",
     "agent.run", "llama-index", "run"),
    # DSPy, instructor
    ("import dspy\nqa = dspy.Predict('question -> answer')\npred = qa(question=q)",
     "qa", "dspy", "call"),
    ("import dspy\ncot = dspy.ChainOfThought('question -> answer')\ncot(question=q)",
     "cot", "dspy", "call"),
    ("import dspy\nlm = dspy.LM('openai/gpt-4o-mini')\nlm('hi')",
     "lm", "dspy", "call"),
    ("import instructor\nfrom openai import OpenAI\nclient = instructor.from_openai(OpenAI())\n"
     "client.chat.completions.create(model='x', response_model=User, messages=m)",
     "client.chat.completions.create", "instructor", "chat.completions"),
    ("import instructor\nfrom openai import OpenAI\nclient = instructor.patch(OpenAI())\n"
     "client.chat.completions.create(model='x', response_model=User, messages=m)",
     "client.chat.completions.create", "instructor", "chat.completions"),
    ("import instructor\nfrom anthropic import Anthropic\n"
     "client = instructor.from_anthropic(Anthropic())\n"
     "client.messages.create(model='x', max_tokens=9, response_model=User, messages=m)",
     "client.messages.create", "instructor", "messages"),
    # Agent frameworks, Haystack
    ("from agents import Agent, Runner\nagent = Agent(name='a', instructions='i')\n"
     + ASYNC + "Runner.run(agent, q)",
     "Runner.run", "openai-agents", "Runner.run"),
    ("from agents import Runner\nresult = Runner.run_sync(agent, q)",
     "Runner.run_sync", "openai-agents", "Runner.run"),
    ("from smolagents import CodeAgent, InferenceClientModel\n"
     "agent = CodeAgent(tools=[], model=InferenceClientModel())\nagent.run(q)",
     "agent.run", "smolagents", "run"),
    ("from smolagents import ToolCallingAgent\nagent = ToolCallingAgent(tools=[], model=m)\n"
     "agent.run(q)",
     "agent.run", "smolagents", "run"),
    ("from pydantic_ai import Agent\nagent = Agent('openai:gpt-4o')\n"
     "result = agent.run_sync(q)",
     "agent.run_sync", "pydantic-ai", "run"),
    ("from pydantic_ai import Agent\nagent = Agent('openai:gpt-4o')\n"
     "async def f():\n"
     "    async with agent.run_stream(q) as result:\n"
     "        pass",
     "agent.run_stream", "pydantic-ai", "run"),
    ("from crewai import Crew\ncrew = Crew(agents=agents, tasks=tasks)\n"
     "crew.kickoff(inputs={})",
     "crew.kickoff", "crewai", "kickoff"),
    ("from autogen_agentchat.agents import AssistantAgent\n"
     "agent = AssistantAgent('a', model_client=mc)\n" + ASYNC + "agent.run(task=q)",
     "agent.run", "autogen", "run"),
    ("import autogen\nuser = autogen.UserProxyAgent('u')\n"
     "user.initiate_chat(assistant, message=q)",
     "user.initiate_chat", "autogen", "initiate_chat"),
    ("from haystack.components.generators import OpenAIGenerator\n"
     "generator = OpenAIGenerator()\ngenerator.run(prompt=p)",
     "generator.run", "haystack", "run"),
    ("from haystack.components.generators.chat import OpenAIChatGenerator\n"
     "OpenAIChatGenerator().run(messages=m)",
     "OpenAIChatGenerator().run", "haystack", "run"),
    ("from haystack_integrations.components.generators.ollama import OllamaGenerator\n"
     "OllamaGenerator(model='x').run(prompt=p)",
     "OllamaGenerator(model='x').run", "haystack", "run"),
]

# Calls whose result is not model text.
NO_OUTPUT_CASES = [
    (OPENAI + "client.embeddings.create(model=x, input=t)", "client.embeddings.create"),
    ("import ollama\nollama.embed(model='x', input=t)", "ollama.embed"),
    ("from anthropic import Anthropic\nAnthropic().messages.count_tokens(model=x, messages=m)",
     "Anthropic().messages.count_tokens"),
    (GENAI + "client.models.embed_content(model='x', contents=c)",
     "client.models.embed_content"),
]

LLM_LOOKALIKES = [
    ("import json\njson.loads(s)", "json.loads"),
    ("import requests\nrequests.get(url)", "requests.get"),
    ("class Repo:\n    def create(self, **kw):\n        pass\n"
     "repo = Repo()\nrepo.create(model='x', messages=m)", "repo.create"),
    ("d = {}\nd.get('model')", "d.get"),
    ("def completion(model, messages):\n    pass\ncompletion('x', m)", "completion"),
    (OPENAI + "client.files.list()", "client.files.list"),
    (OPENAI + "client.models.list()", "client.models.list"),
    ("from langchain_core.prompts import ChatPromptTemplate\n"
     "prompt = ChatPromptTemplate.from_messages([('user', '{q}')])\nprompt.invoke({'q': q})",
     "prompt.invoke"),
    ("from langchain_openai import OpenAIEmbeddings\nOpenAIEmbeddings().embed_query(q)",
     "OpenAIEmbeddings().embed_query"),
    ("from langchain_openai import ChatOpenAI\nChatOpenAI(model='gpt-4o')", "ChatOpenAI"),
    ("from langchain_community.tools import DuckDuckGoSearchRun\n"
     "search = DuckDuckGoSearchRun()\nsearch.invoke(q)", "search.invoke"),
    ("from langchain.agents import Tool\ntool = Tool(name='t', func=f, description='d')\n"
     "tool.run(q)", "tool.run"),
    ("import dspy\nretrieve = dspy.Retrieve(k=3)\nretrieve(q)", "retrieve"),
    ("from llama_index.core import VectorStoreIndex\n"
     "retriever = VectorStoreIndex(nodes).as_retriever()\nretriever.retrieve(q)",
     "retriever.retrieve"),
    ("import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket=b, Key=k)", "s3.get_object"),
    ("from langgraph.graph import StateGraph\nbuilder = StateGraph(State)\n"
     "builder.add_node('a', a)", "builder.add_node"),
]

# (snippet, callee as written, rule, source text of the arguments the entries point at)
SINK_CASES = [
    # LLM001
    ("eval(code)", "eval", "LLM001", {"code"}),
    ("exec(source, {'__builtins__': {}})", "exec", "LLM001", {"source"}),
    ("compile(src, '<llm>', 'exec')", "compile", "LLM001", {"src"}),
    ("import importlib\nimportlib.import_module(name)", "importlib.import_module", "LLM001",
     {"name"}),
    ("import runpy\nrunpy.run_path(path)", "runpy.run_path", "LLM001", {"path"}),
    ("import numexpr\nnumexpr.evaluate(ex)", "numexpr.evaluate", "LLM001", {"ex"}),
    ("from sympy import sympify\nsympify(expr)", "sympify", "LLM001", {"expr"}),
    ("from sympy.parsing.sympy_parser import parse_expr\nparse_expr(s)", "parse_expr",
     "LLM001", {"s"}),
    ("import pandas as pd\npd.eval(expr)", "pd.eval", "LLM001", {"expr"}),
    ("import pandas as pd\ndf = pd.read_csv('sales.csv')\ndf.query(expr)", "df.query",
     "LLM001", {"expr"}),
    ("import pandas as pd\ndf = pd.DataFrame(rows)\ndf.eval(expr=e)", "df.eval", "LLM001",
     {"e"}),
    ("from langchain_experimental.utilities import PythonREPL\nrepl = PythonREPL()\n"
     "repl.run(code)", "repl.run", "LLM001", {"code"}),
    ("import code\nconsole = code.InteractiveConsole()\nconsole.push(line)", "console.push",
     "LLM001", {"line"}),
    ("import timeit\ntimeit.timeit(stmt, number=1)", "timeit.timeit", "LLM001", {"stmt"}),
    # LLM002
    ("import os\nos.system(cmd)", "os.system", "LLM002", {"cmd"}),
    ("import os\nos.popen(cmd).read()", "os.popen", "LLM002", {"cmd"}),
    ("import os\nos.execvp(prog, [prog, arg])", "os.execvp", "LLM002", {"prog", "[prog, arg]"}),
    ("import subprocess\nsubprocess.run(cmd, shell=True, check=True)", "subprocess.run",
     "LLM002", {"cmd"}),
    ("import subprocess\nsubprocess.Popen(args=[prog, '-v'])", "subprocess.Popen", "LLM002",
     {"[prog, '-v']"}),
    ("import subprocess\nsubprocess.getoutput(cmd)", "subprocess.getoutput", "LLM002",
     {"cmd"}),
    ("import asyncio\n" + ASYNC + "asyncio.create_subprocess_shell(cmd)",
     "asyncio.create_subprocess_shell", "LLM002", {"cmd"}),
    ("import asyncio\n" + ASYNC + "asyncio.create_subprocess_exec(prog, '-x')",
     "asyncio.create_subprocess_exec", "LLM002", {"prog"}),
    ("import pexpect\nchild = pexpect.spawn(cmd)", "pexpect.spawn", "LLM002", {"cmd"}),
    ("import paramiko\nssh = paramiko.SSHClient()\nstdin, out, err = ssh.exec_command(cmd)",
     "ssh.exec_command", "LLM002", {"cmd"}),
    ("from fabric import Connection\nwith Connection(host) as c:\n    c.run(cmd, hide=True)",
     "c.run", "LLM002", {"cmd"}),
    ("import invoke\ninvoke.run(cmd)", "invoke.run", "LLM002", {"cmd"}),
    # LLM003
    ("import sqlite3\nconn = sqlite3.connect('app.db')\nconn.execute(sql, params)",
     "conn.execute", "LLM003", {"sql"}),
    ("import sqlite3\ncur = sqlite3.connect('app.db').cursor()\ncur.execute(sql, (x,))",
     "cur.execute", "LLM003", {"sql"}),
    ("import sqlite3\nconn = sqlite3.connect('app.db')\nconn.cursor().executescript(script)",
     "conn.cursor().executescript", "LLM003", {"script"}),
    ("import psycopg2\nconn = psycopg2.connect(dsn)\nwith conn.cursor() as cur:\n"
     "    cur.execute(query=sql, vars=params)", "cur.execute", "LLM003", {"sql"}),
    ("import psycopg\nwith psycopg.connect(dsn) as conn:\n    conn.execute(sql, params)",
     "conn.execute", "LLM003", {"sql"}),
    ("import pymysql\ndb = pymysql.connect(host=h)\ncursor = db.cursor()\n"
     "cursor.executemany(sql, rows)", "cursor.executemany", "LLM003", {"sql"}),
    ("import mysql.connector\ncnx = mysql.connector.connect(user=u)\ncursor = cnx.cursor()\n"
     "cursor.execute(operation=sql, params=p)", "cursor.execute", "LLM003", {"sql"}),
    ("import asyncpg\nasync def f():\n    conn = await asyncpg.connect(dsn)\n"
     "    return await conn.fetch(sql, x)", "conn.fetch", "LLM003", {"sql"}),
    ("from sqlalchemy import text\nstmt = text(sql)", "text", "LLM003", {"sql"}),
    ("from sqlalchemy import create_engine\nengine = create_engine(url)\n"
     "with engine.connect() as conn:\n    conn.exec_driver_sql(sql)",
     "conn.exec_driver_sql", "LLM003", {"sql"}),
    ("import pandas as pd\npd.read_sql(sql, con)", "pd.read_sql", "LLM003", {"sql"}),
    ("import duckdb\nduckdb.sql(sql)", "duckdb.sql", "LLM003", {"sql"}),
    ("import duckdb\ncon = duckdb.connect()\ncon.execute(sql, params)", "con.execute",
     "LLM003", {"sql"}),
    ("from neo4j import GraphDatabase\ndriver = GraphDatabase.driver(uri, auth=a)\n"
     "with driver.session() as session:\n    session.run(cypher, name=x)",
     "session.run", "LLM003", {"cypher"}),
    ("from neo4j import GraphDatabase\ndriver = GraphDatabase.driver(uri, auth=a)\n"
     "driver.execute_query(cypher, params)", "driver.execute_query", "LLM003", {"cypher"}),
    ("from .models import Book\nBook.objects.raw(sql, [x])", "Book.objects.raw", "LLM003",
     {"sql"}),
    ("from .models import Book\nBook.objects.filter(a=1).extra(where=[clause], params=[x])",
     "Book.objects.filter(a=1).extra", "LLM003", {"[clause]"}),
    ("from django.db import connection\nwith connection.cursor() as cursor:\n"
     "    cursor.execute(sql, [x])", "cursor.execute", "LLM003", {"sql"}),
    ("from langchain_community.utilities import SQLDatabase\n"
     "db = SQLDatabase.from_uri(uri)\ndb.run(sql)", "db.run", "LLM003", {"sql"}),
    # LLM004
    ("from markupsafe import Markup\nMarkup(html)", "Markup", "LLM004", {"html"}),
    ("from flask import render_template_string\nrender_template_string(tpl, name=n)",
     "render_template_string", "LLM004", {"tpl"}),
    ("from django.utils.safestring import mark_safe\nmark_safe(s)", "mark_safe", "LLM004",
     {"s"}),
    ("from fastapi.responses import HTMLResponse\nHTMLResponse(content=html)", "HTMLResponse",
     "LLM004", {"html"}),
    ("import streamlit as st\nst.markdown(text, unsafe_allow_html=True)", "st.markdown",
     "LLM004", {"text"}),
    ("import streamlit as st\nst.sidebar.markdown(text, unsafe_allow_html=True)",
     "st.sidebar.markdown", "LLM004", {"text"}),
    ("import streamlit as st\nbox = st.empty()\nbox.markdown(text, unsafe_allow_html=True)",
     "box.markdown", "LLM004", {"text"}),
    ("import streamlit.components.v1 as components\ncomponents.html(page)", "components.html",
     "LLM004", {"page"}),
    ("import jinja2\njinja2.Template(source).render()", "jinja2.Template", "LLM004",
     {"source"}),
    # LLM005
    ("import pickle\npickle.loads(data)", "pickle.loads", "LLM005", {"data"}),
    ("import yaml\nyaml.load(text, Loader=yaml.SafeLoader)", "yaml.load", "LLM005", {"text"}),
    ("import yaml\nyaml.unsafe_load(text)", "yaml.unsafe_load", "LLM005", {"text"}),
    ("import jsonpickle\njsonpickle.decode(s)", "jsonpickle.decode", "LLM005", {"s"}),
    ("import torch\ntorch.load(path)", "torch.load", "LLM005", {"path"}),
    ("import marshal\nmarshal.loads(b)", "marshal.loads", "LLM005", {"b"}),
    # LLM006
    ("import requests\nrequests.get(url, params={'q': q}, timeout=5)", "requests.get",
     "LLM006", {"url"}),
    ("import requests\nrequests.request('POST', url, json=body)", "requests.request",
     "LLM006", {"url"}),
    ("import requests\ns = requests.Session()\ns.post(url, json=body)", "s.post", "LLM006",
     {"url"}),
    ("import httpx\nhttpx.request('GET', url=u)", "httpx.request", "LLM006", {"u"}),
    ("import httpx\nasync def f():\n    async with httpx.AsyncClient() as client:\n"
     "        await client.get(url)", "client.get", "LLM006", {"url"}),
    ("import aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as session:\n"
     "        async with session.get(url) as resp:\n            pass",
     "session.get", "LLM006", {"url"}),
    ("from urllib.request import urlopen\nurlopen(url, timeout=5)", "urlopen", "LLM006",
     {"url"}),
    ("import urllib3\nhttp = urllib3.PoolManager()\nhttp.request('GET', url)", "http.request",
     "LLM006", {"url"}),
    # LLM007
    ("with open(path, 'w') as f:\n    f.write(data)", "open", "LLM007", {"path"}),
    ("import os\nos.remove(p)", "os.remove", "LLM007", {"p"}),
    ("import os\nos.rename(a, b)", "os.rename", "LLM007", {"a", "b"}),
    ("import shutil\nshutil.rmtree(d)", "shutil.rmtree", "LLM007", {"d"}),
    ("import shutil\nshutil.copy(src, dst)", "shutil.copy", "LLM007", {"dst"}),
    ("import aiofiles\nasync def f():\n    async with aiofiles.open(path, 'w') as fh:\n"
     "        await fh.write(data)", "aiofiles.open", "LLM007", {"path"}),
    ("from pathlib import Path\nPath(p).rename(target)", "Path(p).rename", "LLM007",
     {"target"}),
]

SINK_LOOKALIKES = [
    ("import ast\nast.literal_eval(text)", "ast.literal_eval"),
    ("import yaml\nyaml.safe_load(text)", "yaml.safe_load"),
    ("import json\njson.loads(text)", "json.loads"),
    ("class Calc:\n    def eval(self, e):\n        pass\nCalc().eval(e)", "Calc().eval"),
    ("import shlex\nshlex.split(cmd)", "shlex.split"),
    ("import os\nos.path.join(a, b)", "os.path.join"),
    ("import os\nos.makedirs(d, exist_ok=True)", "os.makedirs"),
    ("d = {}\nd.get(url)", "d.get"),
    ("import sqlite3\nsqlite3.connect(path)", "sqlite3.connect"),
    ("from pathlib import Path\nPath(p).read_text()", "Path(p).read_text"),
    ("import pandas as pd\npd.read_csv(url)", "pd.read_csv"),
    ("import requests\nrequests.utils.quote(x)", "requests.utils.quote"),
    ("from openai import OpenAI\nOpenAI().chat.completions.create(model=x, messages=m)",
     "OpenAI().chat.completions.create"),
]

# (method, receiver name, rules of the method + receiver entries that match)
METHOD_CASES = [
    ("execute", "cursor", {"LLM003"}),
    ("execute", "self.conn", {"LLM003"}),
    ("execute", "pg_cursor", {"LLM003"}),
    ("executemany", "cur", {"LLM003"}),
    ("executescript", "db", {"LLM003"}),
    ("execute", "executor", set()),
    ("execute", "session", set()),
    ("execute", "self.command", set()),
    ("fetch", "conn", {"LLM003"}),
    ("fetch", "self", set()),
    ("run", "tx", {"LLM003"}),
    ("run", "c", {"LLM002"}),
    ("run", "agent", set()),
    ("raw", "Book.objects", {"LLM003"}),
    ("raw", "payload", set()),
    ("query", "df", {"LLM001"}),
    ("query", "sales_df", {"LLM001"}),
    ("query", "self.df", {"LLM001"}),
    ("query", "db", set()),
    ("eval", "df2", {"LLM001"}),
    ("eval", "model", set()),
    ("write_text", "path", {"LLM007"}),
    ("unlink", "out_file", {"LLM007"}),
    ("rename", "df", set()),
    ("replace", "path", set()),
]

DECORATOR_CASES = [
    ("from langchain_core.tools import tool\n@tool\ndef search(q): ...", "langchain"),
    ("from langchain.agents import tool\n@tool('search')\ndef search(q): ...", "langchain"),
    ("from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x')\n@mcp.tool()\n"
     "def search(q): ...", "mcp"),
    ("from fastmcp import FastMCP\nmcp = FastMCP('x')\n@mcp.tool\ndef search(q): ...", "mcp"),
    ("from agents import function_tool\n@function_tool\ndef search(q): ...", "openai-agents"),
    ("from pydantic_ai import Agent\nagent = Agent('x')\n@agent.tool_plain\n"
     "def search(q): ...", "pydantic-ai"),
    ("from crewai.tools import tool\n@tool('Search')\ndef search(q): ...", "crewai"),
    ("from smolagents import tool\n@tool\ndef search(q: str) -> str: ...", "smolagents"),
]

# (snippet, callee as written, source text of the registered function)
REGISTRATION_CASES = [
    ("from langchain.agents import Tool\nTool(name='s', func=search, description='d')",
     "Tool", "search"),
    ("from langchain_core.tools import Tool\nTool('s', search, 'd')", "Tool", "search"),
    ("from langchain_core.tools import StructuredTool\nStructuredTool.from_function(search)",
     "StructuredTool.from_function", "search"),
    ("from llama_index.core.tools import FunctionTool\nFunctionTool.from_defaults(fn=search)",
     "FunctionTool.from_defaults", "search"),
    ("import autogen\nautogen.register_function(search, caller=a, executor=b)",
     "autogen.register_function", "search"),
    ("from haystack.tools import Tool\n"
     "Tool(name='s', description='d', parameters=p, function=search)", "Tool", "search"),
    ("from langgraph.prebuilt import create_react_agent\ncreate_react_agent(model, [search])",
     "create_react_agent", "[search]"),
]

CLASS_CASES = [
    ("from langchain_core.tools import BaseTool\nclass Search(BaseTool): ...",
     ("_run", "_arun")),
    ("from crewai.tools import BaseTool\nclass Search(BaseTool): ...", ("_run", "_arun")),
    ("from smolagents import Tool\nclass Search(Tool): ...", ("forward",)),
]
# fmt: on


@pytest.mark.parametrize(("code", "written", "provider", "api"), LLM_CASES)
def test_llm_call_sites_match_one_entry(code: str, written: str, provider: str, api: str) -> None:
    entries = llm_entries(code, written)
    assert [(e.provider, e.api) for e in entries] == [(provider, api)]


@pytest.mark.parametrize(("code", "written"), NO_OUTPUT_CASES)
def test_calls_returning_no_model_text_are_not_output(code: str, written: str) -> None:
    assert [e.output for e in llm_entries(code, written)] == [False]


def test_model_argument_is_located() -> None:
    model = model_of("import litellm\nlitellm.text_completion('prompt', 'gpt-4o')")
    call = call_of(model, "litellm.text_completion")
    (entry,) = [e for c, e in matching_calls(model, CATALOG.index(LLMCall)) if c is call]
    assert entry.model is not None
    found = call.argument(entry.model)
    assert found is not None and model.text_of(found) == "'gpt-4o'"


@pytest.mark.parametrize(("code", "written"), LLM_LOOKALIKES)
def test_look_alikes_are_not_llm_calls(code: str, written: str) -> None:
    assert llm_entries(code, written) == []


def test_every_llm_call_pattern_is_listed_once() -> None:
    calls = [e.call for e in CATALOG.entries(LLMCall)]
    assert len(calls) == len(set(calls))


@pytest.mark.parametrize(("code", "written", "rule", "arguments"), SINK_CASES)
def test_sinks_match_and_point_at_the_dangerous_argument(
    code: str, written: str, rule: str, arguments: set[str]
) -> None:
    call, entries = sink_entries(code, written)
    assert {e.rule for e in entries} == {rule}
    found = set()
    for entry in entries:
        for ref in entry.args:
            value = call.argument(ref)
            if value is not None:
                found.add(call.model.text_of(value))
    assert found == arguments


def test_shell_sinks_tell_shell_strings_from_program_names() -> None:
    code = "import subprocess\nsubprocess.run(cmd, shell=True)"
    _, entries = sink_entries(code, "subprocess.run")
    assert sorted((e.program, e.when) for e in entries) == [(False, {"shell": True}), (True, {})]


def test_sink_options_for_modes_loaders_and_receivers() -> None:
    _, (opener,) = sink_entries("open(p, mode='a')", "open")
    assert opener.write_mode is not None and opener.write_mode.keyword == "mode"
    _, (loader,) = sink_entries("import yaml\nyaml.load(s, yaml.SafeLoader)", "yaml.load")
    assert loader.safe is not None and loader.safe.position == 1
    assert "yaml.SafeLoader" in loader.safe_values
    assert "yaml.FullLoader" not in loader.safe_values
    code = "from pathlib import Path\nPath(p).write_text(s)"
    _, (writer,) = sink_entries(code, "Path(p).write_text")
    assert writer.receiver_is_value and writer.args == ()
    _, (markdown,) = sink_entries("import streamlit as st\nst.markdown(s)", "st.markdown")
    assert markdown.when == {"unsafe_allow_html": True}


@pytest.mark.parametrize(("code", "written"), SINK_LOOKALIKES)
def test_look_alikes_are_not_sinks(code: str, written: str) -> None:
    # LLM205's sinks are the cost parameters of LLM calls themselves, not output sinks.
    output_sinks = [e for e in sink_entries(code, written)[1] if e.rule != "LLM205"]
    assert output_sinks == []


@pytest.mark.parametrize(("method", "receiver", "rules"), METHOD_CASES)
def test_method_sinks_match_receivers_by_name(method: str, receiver: str, rules: set[str]) -> None:
    entries = CATALOG.index(Sink, "method").match(method)
    assert {e.rule for e in entries if re.search(e.receiver, receiver)} == rules


@pytest.mark.parametrize(("code", "framework"), DECORATOR_CASES)
def test_tool_decorators_resolve(code: str, framework: str) -> None:
    model = model_of(code)
    (function,) = [n for n in model.definitions if isinstance(n, cst.FunctionDef)]
    (decorator,) = function.decorators
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    index = CATALOG.index(ToolDecorator, "decorator")
    assert {e.framework for e in index.match_any(model.paths(expr, model.scope))} == {framework}


@pytest.mark.parametrize(("code", "written", "function"), REGISTRATION_CASES)
def test_tool_registrations_point_at_the_function(code: str, written: str, function: str) -> None:
    model = model_of(code)
    call = call_of(model, written)
    index = CATALOG.index(ToolRegistration)
    entries = [e for c, e in matching_calls(model, index) if c is call]
    found = {model.text_of(v) for e in entries if (v := call.argument(e.function)) is not None}
    assert found == {function}


@pytest.mark.parametrize(("code", "methods"), CLASS_CASES)
def test_tool_base_classes_resolve(code: str, methods: tuple[str, ...]) -> None:
    model = model_of(code)
    (cls,) = [n for n in model.definitions if isinstance(n, cst.ClassDef)]
    paths = model.paths(cls.bases[0].value, model.scope)
    (entry,) = CATALOG.index(ToolClass, "base").match_any(paths)
    assert entry.methods == methods
