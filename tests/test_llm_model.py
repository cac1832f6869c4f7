"""LanguageModel on a tiny random model (mechanics) and on the real default model (slow)."""
import json
import os
import shutil

import pytest

from app_service.errors import ModelError
from app_service.llm import DecimalSpec, EnumSpec, IntegerSpec, LanguageModel
from app_service.llm import decisions
from llm_tiny import smollm2_dir, tiny_llama_dir  # noqa: F401  (fixtures)

SYSTEM = ("system", "You control a smart home.")


@pytest.fixture(scope="module")
def tiny(tiny_llama_dir):
    model = LanguageModel(tiny_llama_dir, compute_type="float32", threads=1)
    yield model
    model.close()


def test_generate_respects_max_tokens_and_stop(tiny):
    text = tiny.generate([SYSTEM, ("user", "hello")], max_tokens=12)
    short = tiny.generate([SYSTEM, ("user", "hello")], max_tokens=2)
    assert short and len(short) < len(text)  # a random model still emits something
    assert text.startswith(short.rstrip("\ufffd"))
    cut = text[len(text) // 2:][:2]
    stopped = tiny.generate([SYSTEM, ("user", "hello")], max_tokens=12, stop=[cut])
    assert cut not in stopped and text.startswith(stopped)


def test_batch_and_stream_equal_single_generate(tiny):
    prompts = [[SYSTEM, ("user", u)] for u in ("hello", "world in", "hell o world")]
    singles = [tiny.generate(p, max_tokens=8) for p in prompts]
    assert tiny.generate_batch(prompts, max_tokens=8) == singles
    assert "".join(tiny.stream(prompts[0], max_tokens=8)) == singles[0]


def test_raw_string_prompt_honours_control_tokens(tiny):
    prompt = tiny.prompt("<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n")
    assert prompt.tokens[0] == "<|im_start|>" and prompt.content_free is None
    assert tiny.prompt([("user", "<|im_end|>")]).tokens.count("<|im_end|>") == 1  # template's


@pytest.mark.parametrize("options", [["hello", "world", "hello world"],
                                     ["in", "er", "or", "he", "ll", "hell", "wor", "o", "h"]])
def test_choose_scores_equal_score_batch(tiny, options):
    # Few options re-run the user part per trie node; many share one pass over the prompt.
    prompt = tiny.prompt([SYSTEM, ("user", "hello world")])
    tokens = [tiny.tokenizer.encode_plain(o) for o in options]
    expected = tiny.score(prompt, options)
    for share in (False, True):
        forced = tiny.forced_logprobs(prompt, tokens, share_prompt=share)
        assert forced is not None  # the fast path is available in this CTranslate2
        assert [float(r.sum()) for r in forced] == pytest.approx(expected, abs=2e-3)
    assert decisions.option_logprobs(tiny, prompt, tokens) == pytest.approx(expected, abs=2e-3)
    assert decisions.trie_logprobs(tiny, prompt, tokens) == pytest.approx(expected, abs=2e-3)


def test_choose_scores_include_the_end_token_exactly(tiny):
    # CTranslate2 masks its end token in forced steps; ours must come out as score_batch says.
    prompt = tiny.prompt([SYSTEM, ("user", "hello")])
    tokens = [tiny.tokenizer.encode_plain(o) + ["<|im_end|>"] for o in ("hello", "or")]
    context = prompt.all_tokens
    expected = [float(sum(r.log_probs[len(context) - 1:]))
                for r in tiny._generator.score_batch([context + t for t in tokens])]
    assert decisions.option_logprobs(tiny, prompt, tokens) == pytest.approx(expected, abs=2e-3)


def test_choose_probabilities(tiny):
    choice = tiny.choose([SYSTEM, ("user", "hello")], ["hello", "world", "or"])
    assert choice.calibrated
    assert sum(choice.probabilities) == pytest.approx(1.0)
    assert choice.option == choice.options[choice.index]
    assert choice.probabilities[choice.index] == max(choice.probabilities)
    assert choice.ranked(1)[0] == (choice.option, choice.probabilities[choice.index])
    raw = tiny.choose("hello", ["hello", "world"])
    assert not raw.calibrated


@pytest.mark.parametrize("spec", [IntegerSpec(5, 30), IntegerSpec(-40, -3), IntegerSpec(0, 0),
                                  IntegerSpec(100, 65535), DecimalSpec(16.5, 30, 1),
                                  DecimalSpec(-1, 1, 2), EnumSpec(["on", "off", "auto"])])
def test_extract_is_valid_by_construction(tiny, spec):
    # A random model has no idea what it is asked: whatever it prefers must still be valid.
    for user in ("hello", "set it to 99999", "-"):
        got = tiny.extract([SYSTEM, ("user", user)], spec)
        assert 0.0 < got.probability <= 1.0
        if isinstance(spec, EnumSpec):
            assert got.value in spec.values
        else:
            assert spec.minimum <= got.value <= spec.maximum
            assert isinstance(got.value, int) == isinstance(spec, IntegerSpec)


def test_prompt_longer_than_context(tiny):
    with pytest.raises(ModelError, match="exceeds the model context of 1024"):
        tiny.generate([("user", "hello " * 1100)], max_tokens=4)
    with pytest.raises(ModelError, match="exceeds"):
        tiny.generate([("user", "hello " * 500)], max_tokens=600)


@pytest.mark.parametrize("bad", [42, None, [("robot", "x")], []])
def test_bad_prompts(tiny, bad):
    with pytest.raises(ModelError):
        tiny.generate(bad)


@pytest.mark.parametrize("damage,match", [
    ("missing", "not found"), ("no_model_bin", "model.bin is missing"),
    ("no_metadata", "edgex_model.json is missing"), ("bad_metadata", "unreadable"),
    ("corrupt_weights", "cannot load"), ("no_tokenizer", "no tokenizer"),
])
def test_broken_model_directories(tmp_path, tiny_llama_dir, damage, match):
    target = str(tmp_path / "model")
    if damage != "missing":
        shutil.copytree(tiny_llama_dir, target)
    if damage == "no_model_bin":
        os.remove(os.path.join(target, "model.bin"))
    elif damage == "no_metadata":
        os.remove(os.path.join(target, "edgex_model.json"))
    elif damage == "bad_metadata":
        open(os.path.join(target, "edgex_model.json"), "w").write("{not json")
    elif damage == "corrupt_weights":
        open(os.path.join(target, "model.bin"), "wb").write(b"\x00garbage" * 10)
    elif damage == "no_tokenizer":
        os.remove(os.path.join(target, "tokenizer.json"))
    with pytest.raises(ModelError, match=match):
        LanguageModel(target)


# ---- the real default model (loads SmolLM2-135M; a few seconds) ----------------------------
@pytest.fixture(scope="module")
def smollm2(smollm2_dir):  # noqa: F811
    model_dir, compute_type = smollm2_dir
    model = LanguageModel(model_dir, compute_type=compute_type, threads=2)
    yield model
    model.close()


@pytest.mark.slow
def test_real_model_answers_a_trivial_instruction(smollm2):
    answer = smollm2.generate([("user", "What is the capital of France?")], max_tokens=16)
    assert "Paris" in answer


@pytest.mark.slow
@pytest.mark.parametrize("utterance,expected", [
    ("Turn on the kitchen light", "kitchen light on"),
    ("Please unlock the front door", "front door unlock"),
    ("Open the garage door", "garage door open"),
])
def test_real_model_chooses_the_obvious_option(smollm2, utterance, expected):
    options = ["kitchen light on", "front door unlock", "garage door open"]
    choice = smollm2.choose([SYSTEM, ("user", utterance)], options)
    assert choice.option == expected
    assert choice.probabilities[choice.index] > 0.5


@pytest.mark.slow
def test_real_model_extracts_a_set_point(smollm2):
    got = smollm2.extract([("system", "Reply with the number only."),
                           ("user", "Set the thermostat to 22 degrees")], IntegerSpec(5, 30))
    assert got.value == 22


@pytest.mark.slow
def test_real_model_metadata(smollm2_dir):  # noqa: F811
    metadata = json.load(open(os.path.join(smollm2_dir[0], "edgex_model.json")))
    assert metadata["chat_template"] == "chatml" and metadata["tokenizer"] == "tokenizer.json"
