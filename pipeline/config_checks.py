"""Checks of the configuration, the narratives and the presence of every raw input.

The workflow runs them when it is parsed, before any job (rules/common.smk), so a mistake
stops the run with one line per problem and nothing is touched; the render step checks its
narrative again when it reads it. ``python -m pipeline.config_checks --configfile FILE`` runs
the same checks from the command line (and, unlike Snakemake, names the file, line and column
of a broken ``--configfile``).

Every check is cheap, because the no-op re-run parses the workflow too: small YAML files and
file-existence checks only, never an extract's contents. Each problem names the file, the key
(or the line and column) and the rule, and all problems are reported together.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.formatting import financial_year_label
from pipeline.runtime import UNTOUCHED, UserFacingError, shown_path
from pipeline.settings import METRIC_KEYS, Settings
from pipeline.validate.kinds import area_kinds, raw_filename, shared_kinds

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
CONFIG_SCHEMA = SCHEMAS / "config.schema.yaml"
NARRATIVE_SCHEMA = SCHEMAS / "narrative.schema.yaml"
#: The configuration Snakemake reads first (the Snakefile's ``configfile:``); ``--configfile``
#: files extend it, later ones winning.
DEFAULT_CONFIG = "config/config.yaml"

#: A key path inside a YAML document: mapping keys and list positions.
KeyPath = Sequence[str | int]


class ConfigError(UserFacingError):
    """The configuration, a narrative or the inputs it names are wrong; one line per problem."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that reports, at their line, what PyYAML would crash on or silently accept:
    an impossible unquoted date (``2025-13-45``) and a key given twice."""


def _construct_timestamp(loader: _StrictLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a real date ({error})", node.start_mark
        ) from None


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            first = seen[key].start_mark.line + 1
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice (first on line {first})",
                key_node.start_mark,
            )  # fmt: skip
        seen[key] = key_node
    return loader.construct_mapping(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def yaml_problem(path: Path | str, error: yaml.YAMLError) -> str:
    """One line: the file, the line and column (1-based) and what is wrong there."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.MarkedYAMLError) and mark is not None:
        what = error.problem or "not valid YAML"
        if error.context:
            what += f" ({error.context}"
            if error.context_mark is not None and error.context_mark.line != mark.line:
                what += f" on line {error.context_mark.line + 1}"
            what += ")"
        return f"{path}, line {mark.line + 1}, column {mark.column + 1}: {what}"
    return f"{path}: not valid YAML ({' '.join(str(error).split())})"


def load_yaml(path: Path | str) -> Any:
    """A YAML file's content, or ConfigError naming the file (and the line and column)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: the file does not exist"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a folder, not a YAML file"]) from None
    except UnicodeDecodeError as error:
        raise ConfigError([f"{path}: not UTF-8 text (byte {error.start})"]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise ConfigError([yaml_problem(path, error)]) from None


def load_mapping(path: Path | str, what: str) -> dict[str, Any]:
    """A YAML file that must hold keys at its top level (a configuration, a narrative)."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        found = "nothing (the file is empty)" if data is None else f"a {type(data).__name__}"
        raise ConfigError([f"{path}: a {what} must be a mapping of keys, found {found}"])
    return data


def merged(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` extended by ``update`` the way Snakemake extends config with --configfile:
    nested mappings are merged, anything else is replaced."""
    result = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


def _ecma_pattern(pattern: str) -> str:
    """A JSON-schema pattern (ECMA-262) for Python's ``re``: there, a final ``$`` matches only
    at the very end, while Python's also matches before a trailing newline ("2024-25\\n")."""
    return re.sub(r"(?<!\\)\$$", r"\\Z", pattern)


@cache
def _validator_class() -> type:
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator: Any, value: str, instance: Any, schema: Any) -> Iterable[Any]:
        if validator.is_type(instance, "string") and not re.search(_ecma_pattern(value), instance):
            yield ValidationError(f"{instance!r} does not match {value!r}")

    return validators.extend(Draft202012Validator, {"pattern": pattern})


@cache
def _schema(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def key_path(path: KeyPath) -> str:
    """``areas[0].inputs`` for ('areas', 0, 'inputs'); '(top level)' for ()."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _schema_message(error: Any) -> str:
    if error.validator == "type" and isinstance(error.instance, dt.date):
        iso = error.instance.isoformat()
        return f'write the date in quotes ("{iso}"): unquoted, YAML reads {iso} as a date'
    return error.message


def schema_problems(data: Any, schema: Path, file_of: Callable[[KeyPath], str] | str) -> list[str]:
    """Every way ``data`` breaks the JSON schema, one line each: file, key path, rule."""
    where = file_of if callable(file_of) else (lambda _path: str(file_of))
    validator = _validator_class()(_schema(schema))
    found = [(list(e.absolute_path), _schema_message(e)) for e in validator.iter_errors(data)]
    found.sort(key=lambda item: ([str(p) for p in item[0]], item[1]))
    return [f"{where(path)}: {key_path(path)}: {message}" for path, message in found]


# --------------------------------------------------------------------------------------------
# What the schema cannot say
# --------------------------------------------------------------------------------------------


def _dates(data: Any, path: tuple[str | int, ...] = ()) -> Iterable[tuple[KeyPath, str]]:
    """Every text value under a key ending in ``_date`` (``publication_date`` and any other)."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            if str(key).endswith("_date") and isinstance(value, str):
                yield (*path, key), value
            else:
                yield from _dates(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _dates(value, (*path, index))


def _age_ranges(config: Mapping[str, Any]) -> Iterable[tuple[KeyPath, Mapping[str, Any]]]:
    definitions = config["definitions"]
    for name in ("key_metric", "under_18_metric", "serious_violence_u25", "school_age"):
        yield ("definitions", name), definitions[name]
    for index, group in enumerate(definitions["age_groups"]):
        yield ("definitions", "age_groups", index), group


def settings_problems(config: Mapping[str, Any], file_of: Callable[[KeyPath], str]) -> list[str]:
    """Rules across keys, for a configuration that passes its schema: real dates, an ordered
    window, the edition named after the window's last year, one area per slug and code."""
    problems = []
    for path, value in _dates(config):
        try:
            dt.date.fromisoformat(value)
        except ValueError as error:
            problems.append(f"{file_of(path)}: {key_path(path)}: {value!r} is not a real date "
                            f"({error})")  # fmt: skip
    window = config["window"]
    first, last = window["first_financial_year"], window["last_financial_year"]
    if first > last:
        problems.append(
            f"{file_of(['window'])}: window: first_financial_year ({first}) is after "
            f"last_financial_year ({last}); the window runs from its first financial year to "
            f"its last (e.g. 2020 to 2024)"
        )
    expected = financial_year_label(last)
    if config["edition"] != expected:
        problems.append(
            f"{file_of(['edition'])}: edition: {config['edition']!r} does not match the window, "
            f'whose last financial year {last} is {expected!r}; set edition: "{expected}" '
            "(it names the folder reports/<area>/<edition>/)"
        )
    stop_search = config.get("stop_search", {})
    if stop_search.get("files_are_the_area") and len(config["areas"]) != 1:
        problems.append(
            f"{file_of(['stop_search'])}: stop_search.files_are_the_area: true needs exactly "
            f"one area, found {len(config['areas'])} (with several areas, each area's searches "
            "are found by point in polygon: set it to false)"
        )
    for field in ("slug", "code"):
        seen: dict[str, int] = {}
        for index, area in enumerate(config["areas"]):
            if area[field] in seen:
                problems.append(
                    f"{file_of(['areas'])}: areas[{index}].{field}: {area[field]!r} is also "
                    f"areas[{seen[area[field]]}].{field}; each area needs its own {field}"
                )
            seen.setdefault(area[field], index)
    for path, ages in _age_ranges(config):
        if ages["age_from"] > ages["age_to"]:
            problems.append(f"{file_of(path)}: {key_path(path)}: age_from ({ages['age_from']}) "
                            f"is above age_to ({ages['age_to']})")  # fmt: skip
    if "public_sources" not in config:  # a public configuration derives them: public/labels.py
        for key in METRIC_KEYS:
            values = config["definitions"].get(key) or {}
            for name in ("label", "short_label"):
                if values and values.get(name) is None:
                    path = ("definitions", key)
                    problems.append(
                        f"{file_of(path)}: {key_path(path)}: {name} is missing; the reports "
                        "print it with the figures (only a public configuration derives it)"
                    )
    hours = config["definitions"]["after_school_window"]
    if hours["start_hour"] >= hours["end_hour"]:
        path = ("definitions", "after_school_window")
        problems.append(f"{file_of(path)}: {key_path(path)}: start_hour ({hours['start_hour']}) "
                        f"must be before end_hour ({hours['end_hour']})")  # fmt: skip
    return problems


# --------------------------------------------------------------------------------------------
# Narratives
# --------------------------------------------------------------------------------------------


def strategy_domains() -> list[str]:
    """The four strategy domains, in report order (the narrative schema's list)."""
    return list(_schema(NARRATIVE_SCHEMA)["properties"]["domains"]["items"]["properties"]
                ["name"]["enum"])  # fmt: skip


def narrative_problems(path: Path | str) -> list[str]:
    """Every problem of one narrative file: YAML, schema, and each domain exactly once."""
    try:
        narrative = load_mapping(path, "narrative")
    except ConfigError as error:
        return error.problems
    problems = schema_problems(narrative, NARRATIVE_SCHEMA, str(path))
    if problems:
        return problems
    names = [domain["name"] for domain in narrative["domains"]]
    twice = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in strategy_domains() if name not in names]
    if twice or missing:
        problems.append(
            f"{path}: domains: each of {', '.join(strategy_domains())} needs exactly one entry; "
            f"given twice: {twice or 'none'}, missing: {missing or 'none'}"
        )
    return problems


def load_narrative(path: Path | str) -> dict[str, Any]:
    """A narrative that passes :func:`narrative_problems`, or ConfigError."""
    problems = narrative_problems(path)
    if problems:
        raise ConfigError(problems)
    return load_mapping(path, "narrative")


# --------------------------------------------------------------------------------------------
# Inputs that must exist before anything runs
# --------------------------------------------------------------------------------------------


def generated_inputs(config: Mapping[str, Any]) -> set[Path]:
    """Raw inputs a stage-0 rule of this configuration writes (so they need not exist yet):
    the demo generator's (``demo_generator``) or the public-data build's (``public_sources``)."""
    if "demo_generator" in config:
        typed = Settings.of(config)
        files = {typed.shared_inputs / raw_filename(k) for k in shared_kinds(typed)}
        for area in typed.areas:
            files |= {Path(area.inputs) / raw_filename(kind) for kind in area_kinds(typed)}
        return files
    if "public_sources" in config:
        # Heavy (the package imports the adapters): imported for public builds only.
        from pipeline.public.configuration import output_paths

        return set(output_paths(config))
    return set()


def _folder_problems(
    folder: Path, kinds: Sequence[str], produced: set[Path], owner: str, key: str
) -> list[str]:
    files = [folder / raw_filename(kind) for kind in kinds]
    needed = [(kind, path) for kind, path in zip(kinds, files, strict=True) if path not in produced]
    if needed and not folder.is_dir():
        return [f"{folder}/: the input folder of {owner} does not exist ({key})"]
    return [f"{path}: missing: the '{kind}' input of {owner} ({key})"
            for kind, path in needed if not path.is_file()]  # fmt: skip


def missing_inputs(config: Mapping[str, Any], file_of: Callable[[KeyPath], str]) -> list[str]:
    """Every raw input a rule reads that no rule of this configuration writes and that is not
    there: extracts (a missing folder is one problem), public source files and narratives."""
    produced = generated_inputs(config)
    typed = Settings.of(config)
    problems = _folder_problems(
        typed.shared_inputs, shared_kinds(typed), produced, "the shared inputs",
        f"shared_inputs in {file_of(['shared_inputs'])}",
    )  # fmt: skip
    for index, area in enumerate(config["areas"]):
        problems += _folder_problems(
            Path(area["inputs"]), area_kinds(typed), produced, f"area '{area['slug']}'",
            f"areas[{index}].inputs in {file_of(['areas'])}",
        )  # fmt: skip
    for path in map(Path, config.get("stop_search", {}).get("files", [])):
        if not path.exists():
            problems.append(
                f"{path}: missing: stop_search.files in {file_of(['stop_search'])} (a police.uk "
                "stop-and-search CSV or a folder of them: docs/public-data.md)"
            )
    for key, value in sorted(config.get("public_sources", {}).items()):
        if isinstance(value, Mapping):  # police_uk_street: files or folders, and a lookup
            named = [(f"{key}.paths", Path(v), Path.exists) for v in value.get("paths", [])]
            if "lsoa_la_lookup" in value:
                named.append((f"{key}.lsoa_la_lookup", Path(value["lsoa_la_lookup"]), Path.is_file))
        elif key == "police_uk_api":  # saved API answers: files or folders of them
            named = [(key, Path(v), Path.exists) for v in value]
        else:
            paths = value if isinstance(value, list) else [value]
            # An entry may name its file with what it holds ({path, major_category}).
            named = [
                (key, Path(v["path"] if isinstance(v, Mapping) else v), Path.is_file) for v in paths
            ]
        for name, path, present in named:
            if not present(path):
                problems.append(
                    f"{path}: missing: public_sources.{name} in {file_of(['public_sources'])} "
                    "(download it as described in docs/public-data.md, or correct the path)"
                )
    return problems


# --------------------------------------------------------------------------------------------
# Everything, before the workflow runs
# --------------------------------------------------------------------------------------------


def config_problems(config: Any, file: str) -> list[str]:
    """The configuration's own problems (schema, then the rules across keys), without the
    narratives and inputs it names: for tools that read a configuration file on its own."""
    return schema_problems(config, CONFIG_SCHEMA, file) or settings_problems(
        config, lambda _path: file
    )


def _config_files(
    files: Sequence[Path | str],
) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Each configuration file that exists, loaded, in precedence order; and YAML problems."""
    loaded, problems = [], []
    for file in files:
        if not Path(file).exists() and str(file) == DEFAULT_CONFIG and len(files) > 1:
            continue  # Snakemake reads the default only if it is there when --configfile is used
        try:
            loaded.append((str(file), load_mapping(file, "configuration")))
        except ConfigError as error:
            problems += error.problems
    return loaded, problems


def configuration_problems(
    config: Mapping[str, Any], files: Sequence[Path | str] = (DEFAULT_CONFIG,)
) -> list[str]:
    """Every problem of the configuration (as Snakemake merged it from ``files``, in
    precedence order), of each area's narrative and of the raw inputs' presence."""
    loaded, problems = _config_files(files)

    def file_of(path: KeyPath) -> str:
        """The file the value at ``path`` came from: the last one that sets its top key."""
        owners = [name for name, data in loaded if path and path[0] in data]
        return owners[-1] if owners else (loaded[-1][0] if loaded else "the configuration")

    if problems:
        return problems
    problems = schema_problems(config, CONFIG_SCHEMA, file_of)
    if problems:
        return problems  # the checks below rely on the schema's keys and types
    problems = settings_problems(config, file_of)
    for narrative in dict.fromkeys(area["narrative"] for area in config["areas"]):
        if Path(narrative).is_file():
            problems += narrative_problems(narrative)
        else:
            slugs = [a["slug"] for a in config["areas"] if a["narrative"] == narrative]
            of = ", ".join(slugs) if len(slugs) <= 3 else f"{len(slugs)} areas ({slugs[0]}, ...)"
            problems.append(f"{narrative}: missing: the narrative of {of} "
                            f"(areas[].narrative in {file_of(['areas'])})")  # fmt: skip
    return problems + missing_inputs(config, file_of)


def stop_message(problems: Sequence[str]) -> str:
    """What the console shows when the checks stop a run: every problem, then the last line."""
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    lines = [f"Stopped before running anything ({count}):", *(f"  {p}" for p in problems)]
    return "\n".join([*lines, UNTOUCHED])


def stop_on_problems(problems: Sequence[str]) -> None:
    """For the Snakefile: print the problems and exit (status 1) without a traceback.

    SystemExit is the one exception Snakemake lets through without printing a stack for the
    Snakefile or include it came from; the message is then the last thing on the console.
    """
    if problems:
        print(stop_message(problems), file=sys.stderr)
        raise SystemExit(1)


def check_workflow_configuration(
    config: Mapping[str, Any], configfiles: Sequence[Path | str] = ()
) -> None:
    """Stop the workflow (at parse time) on any problem of the configuration, narratives or
    inputs. ``configfiles``: Snakemake's ``--configfile`` files, which extend the default."""
    files = [DEFAULT_CONFIG, *(shown_path(file) for file in configfiles)]
    stop_on_problems(configuration_problems(config, files))


def check_yaml_files(files: Iterable[Path | str]) -> None:
    """Stop (for the Snakefile) if a YAML file that exists cannot be read, naming its line."""
    problems = []
    for file in files:
        if Path(file).is_file():
            try:
                load_mapping(file, "configuration")
            except ConfigError as error:
                problems += error.problems
    stop_on_problems(problems)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipeline.config_checks [--configfile FILE ...]``: the workflow's own checks;
    exit 0 when all pass, 1 with one line per problem."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.config_checks",
        description="Check a configuration, its narratives and its inputs the way the workflow "
        "does before it runs (run it from the repository folder).",
    )
    parser.add_argument("--configfile", action="extend", nargs="+", default=[], metavar="FILE",
                        help="as for snakemake: extends config/config.yaml")  # fmt: skip
    files = [DEFAULT_CONFIG, *parser.parse_args(argv).configfile]
    loaded, problems = _config_files(files)
    config: dict[str, Any] = {}
    for _, data in loaded:
        config = merged(config, data)
    problems = problems or configuration_problems(config, files)
    if problems:
        print(stop_message(problems), file=sys.stderr)
        return 1
    print(f"{' + '.join(name for name, _ in loaded)}: configuration, narratives and inputs pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
