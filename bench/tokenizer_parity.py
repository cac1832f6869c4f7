"""Token-for-token parity of our GGUF-rebuilt tokenizers with llama.cpp's own tokenizer.

    python bench/tokenizer_parity.py [MODEL ...]     (default: smollm2-135m-instruct gemma3-270m)

Needs llama-cpp-python (optional, not part of the test suite). Prints, per model, how many probe
strings tokenize to identical ids, and the first difference of any that do not.
"""
from __future__ import annotations

import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PROBES = [
    "Turn on the kitchen light", "Set the thermostat to 21.5 degrees.",
    "把客厅的灯调到百分之五十", "关掉所有的灯，然后锁上前门", "  leading and   inner   spaces",
    "tabs\tnew\nlines\n\ncarriage\r\nreturns", "numbers 1234567 and 3.14159 and -42",
    "émigré naïve café 🙂", "<|im_start|>user\nhi<|im_end|>", "<start_of_turn>user\nhi<end_of_turn>",
    "don't won't it's I'm you're", "UPPER lower MiXeD", "http://example.com/a?b=c&d=e",
]


def main(names) -> int:
    from llama_cpp import Llama

    from app_service.llm import catalog
    from app_service.llm.gguf_convert import read_gguf
    from app_service.llm.options import default_cache_dir
    from app_service.llm.tokenizer import Tokenizer
    from app_service.llm.tokenizer_build import build_from_gguf

    folder = os.environ.get("LLM_CACHEDIR") or default_cache_dir()
    for name in names:
        source = catalog.known(name)
        gguf_path = source.locate(source.module, folder)
        reference = Llama(model_path=gguf_path, vocab_only=True, verbose=False)
        with tempfile.TemporaryDirectory() as scratch:
            built = build_from_gguf(read_gguf(gguf_path).fields)
            built.save(scratch)
            ours = Tokenizer(scratch)
            same = 0
            for text in PROBES:
                expected = reference.tokenize(text.encode("utf-8"), add_bos=False, special=True)
                got = [ours.token_to_id(t) for t in ours.encode(text)]
                if got == expected:
                    same += 1
                else:
                    print(f"  {name}: {text!r}\n    llama.cpp {expected}\n    ours      {got}")
            print(f"{name}: {same}/{len(PROBES)} probe strings token-identical to llama.cpp")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["smollm2-135m-instruct", "gemma3-270m"]))
