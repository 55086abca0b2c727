from llmlint.finding import Severity
from llmlint.rule import FlowRule


class LlmOutputToDeserialization(FlowRule):
    """
    ## What it does
    Finds LLM output deserialized by a loader that can build arbitrary objects:
    `pickle`/`dill`/`cloudpickle`/`marshal` loads, `yaml.load` with an unsafe loader,
    `jsonpickle.decode`, `torch.load` of model-produced bytes.

    ## Why is this bad?
    These formats encode instructions to call functions. A model steered by a prompt
    injection (or a compromised model endpoint) can return a payload that runs code the
    moment it is loaded: `!!python/object/apply:os.system` in YAML, `__reduce__` in a
    pickle.

    ## Example
    ```python
    import yaml

    from openai import OpenAI

    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Give the config as YAML"}]
    )
    config = yaml.load(reply.choices[0].message.content, Loader=yaml.Loader)
    ```

    Use instead:
    ```python
    import yaml

    from openai import OpenAI

    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Give the config as YAML"}]
    )
    config = yaml.safe_load(reply.choices[0].message.content)
    ```

    ## References
    - [OWASP LLM05:2025 Improper Output Handling](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    - [PyYAML: yaml.load and safe_load](https://pyyaml.org/wiki/PyYAMLDocumentation)
    - [CWE-502: Deserialization of Untrusted Data](https://cwe.mitre.org/data/definitions/502.html)
    """

    code = "LLM005"
    name = "llm-output-to-deserialization"
    severity = Severity.ERROR
    owasp = ("LLM02:2023", "LLM05:2025")
    cwe = (502,)
    precision = "high"
    security_severity = 8.8
