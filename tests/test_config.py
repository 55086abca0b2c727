from __future__ import annotations

from pathlib import Path

import pytest

from llmlint.config import (
    CliOverrides,
    Config,
    ConfigError,
    find_config,
    load_config,
    resolve_settings,
)
from llmlint.files import DEFAULT_EXCLUDES


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# find_config


def test_llmlint_toml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.llmlint]\n")
    own = write(tmp_path / "llmlint.toml", "")
    assert find_config(tmp_path) == own.resolve()


def test_pyproject_without_tool_llmlint_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / "pyproject.toml", "[tool.llmlint]\nselect = ['LLM001']\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    (tmp_path / "pkg" / "src").mkdir()
    assert find_config(tmp_path / "pkg" / "src") == outer.resolve()


def test_nearest_file_wins(tmp_path: Path) -> None:
    write(tmp_path / "llmlint.toml", "")
    inner = write(tmp_path / "pkg" / "pyproject.toml", "[tool.llmlint.per-file-ignores]\n")
    assert find_config(tmp_path / "pkg") == inner.resolve()


def test_find_config_starts_from_a_files_directory(tmp_path: Path) -> None:
    own = write(tmp_path / "llmlint.toml", "")
    module = write(tmp_path / "src" / "app.py", "")
    assert find_config(module) == own.resolve()


def test_find_config_without_any_file(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None


def test_invalid_pyproject_on_the_way_up_is_an_error(tmp_path: Path) -> None:
    bad = write(tmp_path / "pyproject.toml", "[project\n")
    (tmp_path / "sub").mkdir()
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path / "sub")
    assert str(info.value) == (
        f"{bad.resolve()}: invalid TOML: "
        "Expected ']' at the end of a table declaration (at line 1, column 9)"
    )


# load_config


def test_every_key_is_loaded(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        """
[tool.llmlint]
select = ["llm0", "LLM101"]
ignore = [" llm002 "]
extend-select = ["all"]
exclude = ["build", "gen/**"]
extend-exclude = ["*_pb2.py"]
respect-gitignore = false
cache-dir = "cache/here"

[tool.llmlint.per-file-ignores]
"tests/*" = ["llm001"]
"scripts/**" = ["LLM1", "LLM2"]

[tool.llmlint.catalog]
anything = {goes = ["here", 1]}
""",
    )
    config = load_config(path)
    assert config == Config(
        path=path,
        root=tmp_path,
        select=("LLM0", "LLM101"),
        ignore=("LLM002",),
        extend_select=("ALL",),
        exclude=("build", "gen/**"),
        extend_exclude=("*_pb2.py",),
        per_file_ignores=(("tests/*", ("LLM001",)), ("scripts/**", ("LLM1", "LLM2"))),
        respect_gitignore=False,
        cache_dir=tmp_path / "cache" / "here",
        catalog={"anything": {"goes": ["here", 1]}},
    )
    assert config.catalog_dir == tmp_path


def test_llmlint_toml_has_top_level_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "llmlint.toml", 'select = ["LLM001"]\ncache-dir = "/abs/cache"\n')
    config = load_config(path)
    assert config.select == ("LLM001",)
    assert config.cache_dir == Path("/abs/cache")
    assert config.exclude is None


def test_unset_keys_keep_their_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "pyproject.toml", "[tool.llmlint]\n"))
    assert config == Config(path=tmp_path / "pyproject.toml", root=tmp_path)
    assert config.select is None
    assert config.exclude is None
    assert config.respect_gitignore is True
    assert config.catalog == {}


def test_pyproject_without_the_table_loads_as_defaults(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_config(path) == Config(path=path, root=tmp_path)


def test_unknown_key_in_pyproject_names_key_file_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.llmlint]\nselct = ['LLM001']\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}: unknown key 'selct' in [tool.llmlint] (did you mean 'select'?)"
    )


def test_unknown_snake_case_key_suggests_the_kebab_case_one(tmp_path: Path) -> None:
    path = write(tmp_path / "llmlint.toml", "extend_exclude = []\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (
        str(info.value) == f"{path}: unknown key 'extend_exclude' (did you mean 'extend-exclude'?)"
    )


def test_unknown_key_without_a_close_match_has_no_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.llmlint.lint]\nfoo = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: unknown key 'lint' in [tool.llmlint]"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('select = "LLM001"', "select: expected a list of strings, got str"),
        ("ignore = [1]", "ignore: expected a list of strings, got a list containing int"),
        (
            'extend-select = ["LLM1", " "]',
            "extend-select: expected a list of strings, got a list containing an empty string",
        ),
        ("exclude = {a = 1}", "exclude: expected a list of strings, got table"),
        ("extend-exclude = true", "extend-exclude: expected a list of strings, got bool"),
        (
            "extend-exclude = [[1]]",
            "extend-exclude: expected a list of strings, got a list containing list",
        ),
        ("per-file-ignores = []", "per-file-ignores: expected a table, got list"),
        (
            'per-file-ignores = {"tests/*" = "LLM001"}',
            'per-file-ignores."tests/*": expected a list of strings, got str',
        ),
        ('respect-gitignore = "yes"', "respect-gitignore: expected a boolean, got str"),
        ("respect-gitignore = 1", "respect-gitignore: expected a boolean, got int"),
        ("cache-dir = 3", "cache-dir: expected a non-empty string, got int"),
        ('cache-dir = ""', "cache-dir: expected a non-empty string, got an empty string"),
        ("catalog = [1]", "catalog: expected a table, got list"),
        ("select = 1979-05-27", "select: expected a list of strings, got date"),
    ],
)
def test_wrong_types_name_key_file_expected_and_actual(
    tmp_path: Path, toml: str, message: str
) -> None:
    pyproject = write(tmp_path / "a" / "pyproject.toml", f"[tool.llmlint]\n{toml}\n")
    with pytest.raises(ConfigError) as info:
        load_config(pyproject)
    assert str(info.value) == f"{pyproject}: [tool.llmlint] {message}"

    standalone = write(tmp_path / "b" / "llmlint.toml", f"{toml}\n")
    with pytest.raises(ConfigError) as info:
        load_config(standalone)
    assert str(info.value) == f"{standalone}: {message}"


def test_tool_llmlint_must_be_a_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool]\nllmlint = 3\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: [tool.llmlint] must be a table, got int"


def test_invalid_toml_names_file_and_position(tmp_path: Path) -> None:
    path = write(tmp_path / "llmlint.toml", 'select = ["LLM001"]\nignore = ["a",,]\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: invalid TOML: Invalid value (at line 2, column 15)"


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "llmlint.toml"
    path.write_bytes(b'select = ["\xff"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: invalid TOML")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "llmlint.toml")
    assert str(info.value) == f"{tmp_path / 'llmlint.toml'}: cannot read: No such file or directory"
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ConfigError, match=r"dir\.toml: cannot read: Is a directory"):
        load_config(tmp_path / "dir.toml")


# resolve_settings


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    settings = resolve_settings(Config.default(tmp_path), CliOverrides(), environ={})
    assert settings.root == tmp_path
    assert settings.config_path is None
    assert settings.select == ("ALL",)
    assert settings.select_origin == "default"
    assert settings.ignore == ()
    assert settings.extend_select == ()
    assert settings.exclude == DEFAULT_EXCLUDES
    assert settings.extend_exclude == ()
    assert settings.respect_gitignore is True
    assert settings.force_exclude is False
    assert settings.cache_dir == tmp_path / ".llmlint_cache"
    assert settings.jobs is None
    assert settings.catalog == {}
    assert settings.catalog_dir == tmp_path


def config_with(tmp_path: Path, body: str) -> Config:
    return load_config(write(tmp_path / "pyproject.toml", f"[tool.llmlint]\n{body}\n"))


def test_config_values_apply_when_the_cli_sets_nothing(tmp_path: Path) -> None:
    config = config_with(
        tmp_path,
        'select = ["LLM0"]\nignore = ["LLM002"]\nextend-select = ["LLM101"]\n'
        'exclude = ["gen"]\nextend-exclude = ["x"]\nrespect-gitignore = false\n'
        '[tool.llmlint.catalog]\nk = "v"',
    )
    origin = str(tmp_path / "pyproject.toml")
    settings = resolve_settings(config, CliOverrides(jobs=3), environ={})
    assert (settings.select, settings.ignore, settings.extend_select) == (
        ("LLM0",),
        ("LLM002",),
        ("LLM101",),
    )
    assert settings.select_origin == settings.ignore_origin == settings.extend_select_origin
    assert settings.select_origin == origin
    assert settings.exclude == ("gen",)
    assert settings.extend_exclude == ("x",)
    assert settings.respect_gitignore is False
    assert settings.jobs == 3
    assert settings.catalog == {"k": "v"}
    assert settings.config_path == tmp_path / "pyproject.toml"


def test_config_without_select_defaults_to_all(tmp_path: Path) -> None:
    settings = resolve_settings(config_with(tmp_path, 'ignore = ["LLM1"]'), CliOverrides(), {})
    assert settings.select == ("ALL",)
    assert settings.select_origin == "default"
    assert settings.ignore_origin == str(tmp_path / "pyproject.toml")


def test_cli_select_replaces_config_select_and_extend_select(tmp_path: Path) -> None:
    config = config_with(
        tmp_path, 'select = ["LLM0"]\nignore = ["LLM002"]\nextend-select = ["LLM101"]'
    )
    origin = str(tmp_path / "pyproject.toml")
    settings = resolve_settings(
        config, CliOverrides(select=("llm001", "LLM002"), extend_select=("llm3",)), {}
    )
    assert settings.select == ("LLM001", "LLM002")
    assert settings.select_origin == "--select"
    assert settings.ignore == ("LLM002",)
    assert settings.ignore_origin == origin
    assert settings.extend_select == ("LLM3",)
    assert settings.extend_select_origin == "--extend-select"
    assert settings.selector_origins == (
        ("LLM001", "--select"),
        ("LLM002", "--select"),
        ("LLM002", origin),
        ("LLM3", "--extend-select"),
    )


def test_cli_ignore_and_extend_select_add_to_the_config(tmp_path: Path) -> None:
    config = config_with(tmp_path, 'ignore = ["LLM002"]\nextend-select = ["LLM101"]')
    origin = str(tmp_path / "pyproject.toml")
    settings = resolve_settings(
        config, CliOverrides(ignore=(" llm005",), extend_select=("LLM9",)), {}
    )
    assert settings.select == ("ALL",)
    assert settings.ignore == ("LLM002", "LLM005")
    assert settings.ignore_origin == f"{origin}, --ignore"
    assert settings.extend_select == ("LLM101", "LLM9")
    assert settings.extend_select_origin == f"{origin}, --extend-select"
    assert ("LLM005", "--ignore") in settings.selector_origins
    assert ("LLM002", origin) in settings.selector_origins


def test_empty_cli_select_selects_nothing(tmp_path: Path) -> None:
    settings = resolve_settings(Config.default(tmp_path), CliOverrides(select=()), {})
    assert settings.select == ()
    assert settings.select_origin == "--select"


def test_cache_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_with(tmp_path, 'cache-dir = "custom"')
    assert resolve_settings(config, CliOverrides(), {}).cache_dir == tmp_path / "custom"
    env = {"LLMLINT_CACHE_DIR": str(tmp_path / "from-env")}
    assert resolve_settings(config, CliOverrides(), env).cache_dir == tmp_path / "from-env"
    assert resolve_settings(config, CliOverrides(no_cache=True), env).cache_dir is None
    assert resolve_settings(config, CliOverrides(), {"LLMLINT_CACHE_DIR": ""}).cache_dir == (
        tmp_path / "custom"
    )

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMLINT_CACHE_DIR", "relative/cache")
    settings = resolve_settings(Config.default(tmp_path / "elsewhere"), CliOverrides())
    assert settings.cache_dir == tmp_path / "relative" / "cache"
    monkeypatch.delenv("LLMLINT_CACHE_DIR")
    settings = resolve_settings(Config.default(tmp_path / "elsewhere"), CliOverrides())
    assert settings.cache_dir == tmp_path / "elsewhere" / ".llmlint_cache"


def test_cli_flags_pass_through(tmp_path: Path) -> None:
    overrides = CliOverrides(force_exclude=True, jobs=1)
    settings = resolve_settings(Config.default(tmp_path), overrides, {})
    assert settings.force_exclude is True
    assert settings.jobs == 1
